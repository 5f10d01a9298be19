"""Two-step sign-in in the admin site: who has an authenticator app, resetting it, and the log.

django-otp's own device pages are taken off the site: they show every person's secret key and
recovery codes, and let anyone with the right permission edit them outside the services.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.models import AuthenticatorDevice, SecondFactorEvent
from core.two_factor import second_factor_reset

for device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(device_model):
        admin.site.unregister(device_model)


class SuperuserOnlyAdmin(admin.ModelAdmin):
    """Seen and used by superusers only: the admin role's permissions do not reach it."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuthenticatorDevice)
class AuthenticatorDeviceAdmin(SuperuserOnlyAdmin):
    """Each person's authenticator app; the action removes it with their recovery codes."""

    list_display = ["user", "confirmed", "created_at", "last_used_at"]
    list_filter = ["confirmed"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "user__email"]
    fields = ["user", "confirmed", "created_at", "last_used_at"]
    readonly_fields = fields
    actions = ["reset_second_factor"]

    @admin.action(description="Đặt lại xác thực hai bước của những người đã chọn")
    def reset_second_factor(self, request, queryset):
        people = {device.user for device in queryset.select_related("user")}
        for person in people:
            try:
                second_factor_reset(user=person, by=request.user)
            except ValidationError as error:
                self.message_user(request, f"{person}: {error.messages[0]}", messages.ERROR)
                return
        self.message_user(
            request,
            f"Đã đặt lại xác thực hai bước của {len(people)} người; họ đã được thông báo.",
            messages.SUCCESS,
        )


@admin.register(SecondFactorEvent)
class SecondFactorEventAdmin(SuperuserOnlyAdmin):
    """Who set up, renewed or reset whose second factor, and when."""

    list_display = ["created_at", "user", "kind", "by", "devices_removed"]
    list_filter = ["kind"]
    list_select_related = ["user", "by"]
    search_fields = ["user__username", "by__username"]
    date_hierarchy = "created_at"
    fields = ["created_at", "user", "kind", "by", "devices_removed"]
    readonly_fields = fields
