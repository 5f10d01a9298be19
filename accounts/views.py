"""The account pages: an admin manages the people of their subtree (others are 404)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View
from django.views.generic import TemplateView

from accounts import services
from accounts.forms import AccountCreateForm, AccountDetailsForm, AccountFilterForm, RoleGrantForm
from accounts.history import account_history
from accounts.selectors import account_search, manageable_accounts, may_manage_accounts
from core.passwords import PortalPasswordChangeView
from organisations.models import Membership

ACCOUNTS_PER_PAGE = 50


def _errors(error: ValidationError) -> list[str]:
    return [message for message in error.messages]


class AccountAdminMixin:
    """Only admins (and superusers) reach the account pages; a person is looked up among those
    the admin manages, anything else is a 404."""

    def dispatch(self, request, *args, **kwargs):
        if not may_manage_accounts(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_person(self):
        return get_object_or_404(manageable_accounts(self.request.user), pk=self.kwargs["pk"])


class AccountListView(AccountAdminMixin, TemplateView):
    template_name = "accounts/account_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        form = AccountFilterForm(self.request.GET or None, by=user)
        accounts = manageable_accounts(user)
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            accounts = account_search(accounts, data["q"])
            unit, role = data.get("unit"), data["role"]
            if unit is not None or role:
                memberships = Membership.objects.all()
                if unit is not None:
                    memberships = memberships.filter(organisation__path__startswith=unit.path)
                if role:
                    memberships = memberships.filter(role=role)
                accounts = accounts.filter(pk__in=memberships.values("user_id"))
            if data["active"]:
                accounts = accounts.filter(is_active=data["active"] == "1")
        accounts = accounts.order_by("first_name", "username", "pk").prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("organisation").order_by(
                    "organisation__path", "role"
                ),
            )
        )
        page = Paginator(accounts, ACCOUNTS_PER_PAGE).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(form=form, page_obj=page, query_prefix=query.urlencode())
        return context


class AccountCreateView(AccountAdminMixin, View):
    template_name = "accounts/account_form.html"

    def get(self, request):
        form = AccountCreateForm(by=request.user)
        return render(request, self.template_name, {"form": form})

    def post(self, request):
        form = AccountCreateForm(request.POST, by=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                person, password = services.account_create(
                    full_name=data["full_name"],
                    username=data["username"],
                    email=data["email"],
                    phone=data["phone"],
                    organisation=data["unit"],
                    role=data["role"],
                    by=request.user,
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                return _one_time_password_page(request, person, password, created=True)
        return render(request, self.template_name, {"form": form}, status=400)


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _one_time_password_page(request, person, password, *, created: bool):
    """The password, shown this once (never stored, never cached)."""
    response = render(
        request,
        "accounts/one_time_password.html",
        {"person": person, "password": password, "created": created},
    )
    response["Cache-Control"] = "no-store"
    return response


class AccountDetailView(AccountAdminMixin, TemplateView):
    template_name = "accounts/account_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        person = self.get_person()
        user = self.request.user
        profile = getattr(person, "account_profile", None)
        context.update(
            person=person,
            profile=profile,
            memberships=person.memberships.select_related("organisation").order_by(
                "organisation__path", "role"
            ),
            history=account_history(person, viewer=user),
            is_self=person.pk == user.pk,
            details_form=kwargs.get("details_form")
            or AccountDetailsForm(
                initial={
                    "full_name": person.get_full_name(),
                    "email": person.email,
                    "phone": profile.phone if profile else "",
                }
            ),
            grant_form=kwargs.get("grant_form") or RoleGrantForm(by=user),
        )
        return context


class AccountActionView(AccountAdminMixin, View):
    """A POST-only change of one person's account: call the service, say so, go back."""

    def post(self, request, pk, **kwargs):
        person = self.get_person()
        try:
            response = self.act(request, person)
        except ValidationError as error:
            for message in _errors(error):
                messages.error(request, message)
            return redirect("accounts:account_detail", pk=person.pk)
        return response or redirect("accounts:account_detail", pk=person.pk)

    def act(self, request, person):
        raise NotImplementedError


class AccountUpdateView(AccountActionView):
    def act(self, request, person):
        form = AccountDetailsForm(request.POST)
        if form.is_valid():
            try:
                services.account_update(user=person, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, "Đã lưu thông tin tài khoản.")
                return None
        view = AccountDetailView(request=request, kwargs={"pk": person.pk})
        context = view.get_context_data(details_form=form)
        return render(request, view.template_name, context, status=400)


class AccountDeactivateView(AccountActionView):
    def act(self, request, person):
        services.account_deactivate(user=person, by=request.user)
        messages.success(
            request, "Đã khóa tài khoản; các phiên đăng nhập của người này đã kết thúc."
        )


class AccountReactivateView(AccountActionView):
    def act(self, request, person):
        services.account_reactivate(user=person, by=request.user)
        messages.success(request, "Đã mở khóa tài khoản.")


class AccountPasswordResetView(AccountActionView):
    def act(self, request, person):
        password = services.account_password_reset(user=person, by=request.user)
        return _one_time_password_page(request, person, password, created=False)


class AccountSessionsEndView(AccountActionView):
    def act(self, request, person):
        count = services.account_sessions_end(user=person, by=request.user)
        messages.success(request, f"Đã kết thúc {count} phiên đăng nhập của người này.")


class AccountRoleGrantView(AccountActionView):
    def act(self, request, person):
        form = RoleGrantForm(request.POST, by=request.user)
        if form.is_valid():
            try:
                services.account_role_grant(
                    user=person,
                    organisation=form.cleaned_data["unit"],
                    role=form.cleaned_data["role"],
                    by=request.user,
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, "Đã cấp vai trò.")
                return None
        view = AccountDetailView(request=request, kwargs={"pk": person.pk})
        context = view.get_context_data(grant_form=form)
        return render(request, view.template_name, context, status=400)


class AccountRoleRevokeView(AccountActionView):
    def act(self, request, person):
        membership = get_object_or_404(person.memberships, pk=self.kwargs["membership_pk"])
        services.account_role_revoke(membership=membership, by=request.user)
        messages.success(request, "Đã thu hồi vai trò.")


class PasswordChangeView(PortalPasswordChangeView):
    """The portal's password change; choosing one's own password meets the one-time
    password's obligation."""

    def form_valid(self, form):
        response = super().form_valid(form)
        services.account_password_changed(user=form.user)
        return response
