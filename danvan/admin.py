"""Admin pieces shared by every importer, and the notification e-mails' delivery list."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import path
from import_export.admin import ImportExportMixin

from danvan.emails import email_delivery_restart
from danvan.models import EmailDelivery
from danvan.spreadsheets import SpreadsheetError

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class SafeImportExportMixin(ImportExportMixin):
    """Import-export admin whose file-reading errors speak Vietnamese and name the problem."""

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, SpreadsheetError):
            message = str(e)
        else:
            message = (
                "Không đọc được tệp. Hãy kiểm tra tệp đúng định dạng đã chọn (.xlsx hoặc .csv) "
                "và không bị hỏng."
            )
        form.add_error("import_file", message)


class ImportTemplateMixin:
    """A download of the empty workbook that documents the import columns.

    Served at ``mau-nhap/`` under the model's admin pages and named
    ``<app>_<model>_import_template``, for whoever may import.
    """

    import_template_filename = "mau-nhap.xlsx"

    def import_template_workbook(self) -> bytes:
        raise NotImplementedError

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "mau-nhap/",
                self.admin_site.admin_view(self.import_template_view),
                name=f"{opts.app_label}_{opts.model_name}_import_template",
            ),
            *super().get_urls(),
        ]

    def import_template_view(self, request):
        """The empty workbook that documents the import columns."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        response = HttpResponse(self.import_template_workbook(), content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{self.import_template_filename}"'
        return response


@admin.register(EmailDelivery)
class EmailDeliveryAdmin(admin.ModelAdmin):
    """Notification e-mails: which went out, which are retried, which failed and why."""

    list_display = [
        "notification",
        "recipient",
        "status",
        "attempts",
        "last_attempt_at",
        "next_attempt_at",
        "short_error",
    ]
    list_filter = ["status", "last_attempt_at"]
    list_select_related = ["notification__recipient"]
    search_fields = ["notification__title", "notification__recipient__email", "last_error"]
    date_hierarchy = "created_at"
    actions = ["send_again"]
    readonly_fields = [
        "notification",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "last_attempt_at",
        "next_attempt_at",
        "sent_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="người nhận", ordering="notification__recipient__email")
    def recipient(self, delivery):
        user = delivery.notification.recipient
        return f"{user.get_full_name() or user.username} <{user.email}>"

    @admin.display(description="lỗi gần nhất")
    def short_error(self, delivery):
        return delivery.last_error[:120]

    @admin.action(description="Gửi lại các e-mail thất bại đã chọn")
    def send_again(self, request, queryset):
        restarted = email_delivery_restart(deliveries=queryset)
        self.message_user(
            request, f"Đã xếp {len(restarted)} e-mail thất bại vào hàng đợi gửi lại.", messages.INFO
        )
