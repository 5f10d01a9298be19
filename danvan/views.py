"""Cross-cutting pages: the home page, the user's notifications and the health check."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.generic import ListView, TemplateView

from core import hooks
from core import jobs as lifecycle
from core.forms import NotificationPreferenceForm
from core.models import ImportJob, Notification
from core.notifications import (
    email_enabled,
    notifications_mark_read,
    preference_set,
    unread_count,
)
from danvan.logs import current_request_id
from models_registry.models import DanVanModel
from models_registry.selectors import can_register_anywhere
from organisations.selectors import user_memberships

SERVER_ERROR_FALLBACK = (
    '<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Lỗi hệ thống</title>'
    "</head><body><h1>Đã xảy ra lỗi hệ thống</h1><p>Mã yêu cầu: {request_id}</p></body></html>"
)


def server_error(request, template_name="500.html"):
    """The 500 page with the request's id, so a person can quote it to whoever supports them.

    Rendered without the request (no context processors, so no query: the database may be what
    failed) and, should even that fail, written out by hand.
    """
    request_id = getattr(request, "request_id", None) or current_request_id() or ""
    try:
        body = loader.get_template(template_name).render({"request_id": request_id})
    except Exception:
        body = SERVER_ERROR_FALLBACK.format(request_id=escape(request_id))
    return HttpResponseServerError(body)


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """200 with a JSON body when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


class HomeView(TemplateView):
    """The signed-in user's organisations and roles, and the registrations awaiting them."""

    template_name = "home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["memberships"] = user_memberships(user)
        context["can_register"] = can_register_anywhere(user)
        if context["can_register"]:
            # Drafts and returned registrations: the cadre's own to-do list.
            awaiting = DanVanModel.objects.editable_by(user).select_related("owning_unit")
            context["awaiting"] = awaiting.order_by("-updated_at")[:HOME_AWAITING_SHOWN]
        # What later apps show here (the reviewer's queue, figures).
        context["panels"] = hooks.panels(hooks.HOME, self.request)
        return context


HOME_AWAITING_SHOWN = 10


# --- signing out and passwords ----------------------------------------------------------------


class PortalLogoutView(auth_views.LogoutView):
    """Log out, and have the browser forget what the portal kept in it (form copies).

    Office computers are shared: the next person must not find the last one's typing in local
    storage. Browsers that honour ``Clear-Site-Data`` drop it at once; the page shown next
    removes the portal's keys itself for those that do not (or on plain HTTP).
    """

    next_page = "logged_out"

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"storage"'
        return response


@method_decorator(login_not_required, name="dispatch")
class LoggedOutView(TemplateView):
    """Said after logging out; its script clears the portal's keys in the browser's storage."""

    template_name = "registration/logged_out.html"


# --- notifications ----------------------------------------------------------------------------


def own_notifications(user):
    """The only notifications a user may see or touch: their own."""
    return Notification.objects.filter(recipient=user)


def _list_url(page: str = "") -> str:
    url = reverse("notification_list")
    return f"{url}?page={page}" if page.isdigit() and page != "1" else url


def safe_target(url: str) -> str | None:
    """``url`` when it is a path on this portal ("/…"), else None: never sent elsewhere."""
    if url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts=set()):
        return url
    return None


class ImportStatusView(View):
    """How far a large import has got (the whole page, or the bar alone for htmx): only for
    the person who confirmed it."""

    def get(self, request, pk):
        imports = ImportJob.objects.visible_to(request.user)
        lifecycle.reap(imports.filter(pk=pk))  # one whose worker died says so
        job = get_object_or_404(imports, pk=pk)
        template = (
            "imports/partials/_import_progress.html"
            if request.headers.get("HX-Request")
            else "imports/import_status.html"
        )
        return render(request, template, {"job": job})


class NotificationListView(ListView):
    """The signed-in user's notifications, newest first, unread ones highlighted."""

    template_name = "notifications/notification_list.html"
    context_object_name = "notifications"
    paginate_by = 25

    def get_queryset(self):
        return own_notifications(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["has_unread"] = unread_count(self.request.user) > 0
        return context


class NotificationOpenView(View):
    """Open a notification: mark it read and go to what it is about."""

    def get(self, request, pk):
        notification = get_object_or_404(own_notifications(request.user), pk=pk)
        notifications_mark_read(user=request.user, ids=[notification.pk])
        return redirect(safe_target(notification.url) or reverse("notification_list"))


class NotificationReadView(View):
    """POST: mark one notification read, back to the same page of the list."""

    def post(self, request, pk):
        notification = get_object_or_404(own_notifications(request.user), pk=pk)
        notifications_mark_read(user=request.user, ids=[notification.pk])
        return redirect(_list_url(request.POST.get("page", "")))


class NotificationReadAllView(View):
    """POST: mark every notification of the user read."""

    def post(self, request):
        marked = notifications_mark_read(user=request.user)
        if marked:
            messages.success(request, f"Đã đánh dấu {marked} thông báo là đã đọc.")
        return redirect("notification_list")


class NotificationSettingsView(View):
    """Switch e-mail notifications off or on; says where (or whether) e-mails can go."""

    template_name = "notifications/notification_settings.html"

    def get(self, request):
        form = NotificationPreferenceForm(initial={"email_enabled": email_enabled(request.user)})
        return self.render_form(form)

    def post(self, request):
        form = NotificationPreferenceForm(request.POST)
        if not form.is_valid():
            return self.render_form(form, status=400)
        enabled = form.cleaned_data["email_enabled"]
        preference_set(user=request.user, email_enabled=enabled)
        if enabled:
            messages.success(request, "Đã bật nhận thông báo qua e-mail.")
        else:
            messages.success(request, "Đã tắt nhận thông báo qua e-mail.")
        return redirect("notification_settings")

    def render_form(self, form, status=200):
        context = {"form": form, "email": self.request.user.email}
        return render(self.request, self.template_name, context, status=status)
