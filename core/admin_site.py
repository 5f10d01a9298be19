"""The portal's admin site.

Its own module, not ``core.admin``: Django builds the default site by importing this class, and
a module that both defines it and registers models on ``admin.site`` would register them on a
site that is then thrown away.
"""

from functools import cache

from django import forms
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.contenttypes import views as contenttype_views
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import path, reverse
from django.utils.cache import patch_cache_control

# The scripts that fill a slug as a title is typed (xregexp alone is 36 KB compressed): every
# change page loads them, though only an admin with prepopulated fields uses them.
SLUG_SCRIPTS = ("admin/js/urlify.js", "admin/js/prepopulate.js", "admin/js/vendor/xregexp/")
# The admin's catalogue of translated script messages changes only with a release.
CATALOGUE_MAX_AGE = 24 * 60 * 60


@cache
def guarded_changelist(changelist_class):
    """``changelist_class`` whose filters treat a date-hierarchy value Django's ChangeList cannot
    hold (``?created_at__year=99999999999999999999``, or year 9999 whose next year overflows)
    as a wrong filter, like any other: the admin then shows the list with ``?e=1``."""

    class GuardedChangeList(changelist_class):
        def get_filters(self, request):
            try:
                return super().get_filters(request)
            except (OverflowError, ValueError) as error:
                raise IncorrectLookupParameters(error) from error

    return GuardedChangeList


@cache
def without_unused_scripts(admin_class):
    """``admin_class`` whose pages load the slug scripts only if it has prepopulated fields."""

    def media(self):
        media = super(lean, self).media
        if self.prepopulated_fields:
            return media
        scripts = [script for script in media._js if not str(script).startswith(SLUG_SCRIPTS)]
        return forms.Media(css=media._css, js=scripts)

    lean = type(admin_class.__name__, (admin_class,), {"media": property(media)})
    lean.__module__ = admin_class.__module__
    lean.__qualname__ = admin_class.__qualname__
    return lean


class PortalAdminSite(admin.AdminSite):
    """The admin site, whose "view on site" redirect answers only for what the admin may see.

    The stock redirect looks any object of any kind up by id and answers 302 to its page,
    where a missing id answers 404: a probe for what exists outside one's scope.

    No navigation sidebar: it repeated the index's list of every app on every page (with a
    stylesheet and a script of its own); the breadcrumbs lead back to the index and the app.
    """

    enable_nav_sidebar = False

    def register(self, model_or_iterable, admin_class=None, **options):
        """Every admin registered here (the portal's and the libraries') lists through the
        guarded changelist, so a date-hierarchy value no ChangeList can hold is a wrong filter,
        and loads the slug scripts only if it fills a slug."""
        admin_class = without_unused_scripts(admin_class or admin.ModelAdmin)
        super().register(model_or_iterable, admin_class, **options)
        models = [model_or_iterable] if isinstance(model_or_iterable, type) else model_or_iterable
        for model in models:
            model_admin = self._registry[model]
            default = model_admin.get_changelist

            def get_changelist(request, default=default, **kwargs):
                return guarded_changelist(default(request, **kwargs))

            model_admin.get_changelist = get_changelist

    def has_permission(self, request):
        """Django's check, and the second step of sign-in passed by whoever has an
        authenticator app (``danvan.middleware.TwoFactorMiddleware`` holds such a session on
        the code page before it gets here; this keeps the site closed if it does not)."""
        if not super().has_permission(request):
            return False
        user = request.user
        if getattr(user, "is_verified", lambda: False)():
            return True
        from core.two_factor import has_second_factor

        pending = getattr(request, "_second_factor_pending", None)
        if pending is None:
            pending = request._second_factor_pending = has_second_factor(user)
        return not pending

    def get_urls(self):
        return [
            path(
                "r/<int:content_type_id>/<path:object_id>/",
                self.admin_view(self.view_on_site),
                name="view_on_site",
            )
            if getattr(pattern, "name", None) == "view_on_site"
            else pattern
            for pattern in super().get_urls()
        ]

    def i18n_javascript(self, request, extra_context=None):
        """Django's catalogue, kept by the browser for a day instead of asked for on every
        change page."""
        response = super().i18n_javascript(request, extra_context)
        patch_cache_control(response, max_age=CATALOGUE_MAX_AGE)
        return response

    def password_change(self, request, extra_context=None):
        """Django's page with the portal's limit on wrong current passwords: a staff member's
        open session must not allow unlimited guesses here either (``core.passwords``)."""
        from core.passwords import AdminPasswordChangeForm, PortalPasswordChangeView

        defaults = {
            "form_class": AdminPasswordChangeForm,
            "success_url": reverse("admin:password_change_done", current_app=self.name),
            "extra_context": {**self.each_context(request), **(extra_context or {})},
        }
        if self.password_change_template is not None:
            defaults["template_name"] = self.password_change_template
        request.current_app = self.name
        return PortalPasswordChangeView.as_view(**defaults)(request)

    def view_on_site(self, request, content_type_id, object_id):
        """Redirect to an object's page; 404 for an object out of scope, as for a missing one."""
        try:
            model = ContentType.objects.get_for_id(content_type_id).model_class()
        except ContentType.DoesNotExist:
            raise Http404 from None
        if model is None:
            raise Http404
        try:
            exists = self.objects_on_site(request, model).filter(pk=object_id).exists()
        except (ValueError, TypeError, ValidationError):
            exists = False  # not an id of that kind at all
        if not exists:
            raise Http404
        return contenttype_views.shortcut(request, content_type_id, object_id)

    def objects_on_site(self, request, model):
        """What ``request.user`` may open of ``model`` from the admin: what its admin pages list
        (scoped through ``visible_to``) when it has some, else the model's ``visible_to``, else
        nothing."""
        model_admin = self._registry.get(model)
        if model_admin is not None:
            if model_admin.has_view_or_change_permission(request):
                return model_admin.get_queryset(request)
            return model._default_manager.none()
        visible_to = getattr(model._default_manager, "visible_to", None)
        if visible_to is None:
            return model._default_manager.none()
        return visible_to(request.user)
