"""Admin pieces shared by every importer, and the notification e-mails' delivery list.

A confirmation names the file its preview stored by hidden fields the browser sends back, so they
are never trusted: the preview records in the session what it issued (file, format, resource), and
a confirmation must match one such record exactly. The stored file is then claimed
(``core.staging``), which only one request can do, on whichever app server: a double click or a
resubmitted page gets a clear message instead of a second import. A confirmation writes its rows
and its admin-log entries in one transaction; if anything fails, neither is kept and the page says
so in Vietnamese.
"""

import logging

from django import forms
from django.apps import apps
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from import_export.admin import ImportExportMixin
from import_export.forms import SelectableFieldsExportForm
from import_export.results import RowResult
from import_export.signals import post_import

from core.background_imports import ImportRefused, import_request, importer, in_background
from core.emails import email_delivery_restart
from core.models import EmailDelivery
from core.pickers import PICKER_SCRIPT, PickerMixin
from core.spreadsheets import SpreadsheetError

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ISSUED_IMPORTS = "import_confirmations"  # session key: stored file name → what its preview showed
CONFIRMED_IMPORTS = "import_confirmations_done"
ADMIN_IMPORT = "admin"  # the background importer of every admin import (``_admin_import``)
KEPT_CONFIRMATIONS = 20  # per session, the newest; older previews must be uploaded again

logger = logging.getLogger(__name__)

FORGED = (
    "Không thể xác nhận lần nhập này: thông tin xác nhận không khớp với tệp bạn đã xem trước. "
    "Hãy tải tệp lên và xem trước lại."
)
ALREADY_CONFIRMED = (
    "Không thể xác nhận lần nhập này: lần nhập đã được xác nhận hoặc đã hết hạn, nên không có "
    "gì được ghi thêm. Hãy xem danh sách để kiểm tra, hoặc tải tệp lên và xem trước lại."
)
WRITE_FAILED = (
    "Không nhập được tệp — chưa có dữ liệu nào được ghi: đã xảy ra lỗi khi ghi vào cơ sở dữ "
    "liệu. Hãy tải tệp lên, xem trước và xác nhận lại; nếu vẫn lỗi, hãy báo quản trị hệ thống."
)
ROWS_REFUSED = (
    "Không nhập được tệp — chưa có dữ liệu nào được ghi: dữ liệu đã thay đổi từ lúc xem trước "
    "và tệp không còn hợp lệ (xem các lỗi bên dưới)."
)


class _AdminPickerMixin(PickerMixin):
    """The portal's searchable picker (``core.pickers``) in the admin: only the chosen options
    are written out (the search suggests the rest, from the same scope as the field's
    queryset), as Django's autocomplete widgets did, so a province's units are not listed on
    every form. Posted values the key cannot hold ("abc" for an id) are left out of the lookup:
    the form says "choose a valid option"."""

    def optgroups(self, name, value, attrs=None):
        queryset = self.choices.queryset
        field = self.choices.field
        key = queryset.model._meta.pk
        kept = []
        for item in value:
            if item in ("", None):
                continue
            try:
                kept.append(key.to_python(item))
            except ValidationError:
                continue
        options = []
        if not self.allow_multiple_selected:
            # Unchoosing the one choice selects this.
            options.append(self.create_option(name, "", field.empty_label or "", False, 0))
        chosen = queryset.filter(pk__in=kept) if kept else queryset.none()
        for obj in chosen:
            label = field.label_from_instance(obj)
            options.append(self.create_option(name, obj.pk, label, True, len(options)))
        return [(None, [option], index) for index, option in enumerate(options)]

    @property
    def media(self):
        return forms.Media(
            css={"all": ["css/admin.css"]}, js=[forms.Script(PICKER_SCRIPT, defer=True)]
        )


class AdminPickerSelect(_AdminPickerMixin, forms.Select):
    pass


class AdminPickerSelectMultiple(_AdminPickerMixin, forms.SelectMultiple):
    pass


class ConfirmationRefused(Exception):
    """A confirmation that cannot be carried out; the message is for the user."""


class ColumnNameExportForm(SelectableFieldsExportForm):
    """The export's column choices labelled by their Vietnamese column titles only."""

    def _get_field_label(self, resource, field_name: str) -> str:
        field = resource.fields.get(field_name)
        return str(field.column_name) if field else field_name


class SafeImportExportMixin(ImportExportMixin):
    """Import-export admin whose file-reading errors speak Vietnamese and name the problem, and
    whose confirmations are checked against what the preview issued (see the module)."""

    export_form_class = ColumnNameExportForm

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, SpreadsheetError):
            message = str(e)
        else:
            message = (
                "Không đọc được tệp. Hãy kiểm tra tệp đúng định dạng đã chọn (.xlsx hoặc .csv) "
                "và không bị hỏng."
            )
        form.add_error("import_file", message)

    # --- the preview issues a confirmation ------------------------------------------------

    def _admin_label(self) -> str:
        return self.model._meta.label_lower

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            issued = request.session.get(ISSUED_IMPORTS, {})
            issued[initial["import_file_name"]] = {
                "admin": self._admin_label(),
                "format": str(initial["format"]),
                "resource": str(initial["resource"] or ""),
            }
            request.session[ISSUED_IMPORTS] = dict(list(issued.items())[-KEPT_CONFIRMATIONS:])
        return initial

    def _claim(self, request):
        """The confirmation's format, resource form and file contents, once, or refused."""
        posted = {
            name: request.POST.get(name, "") for name in ("import_file_name", "format", "resource")
        }
        name = posted["import_file_name"]
        issued = request.session.get(ISSUED_IMPORTS, {})
        record = issued.get(name)
        if record is None:
            done = request.session.get(CONFIRMED_IMPORTS, [])
            raise ConfirmationRefused(ALREADY_CONFIRMED if name and name in done else FORGED)
        if record["admin"] != self._admin_label() or any(
            record[key] != posted[key] for key in ("format", "resource")
        ):
            raise ConfirmationRefused(FORGED)
        formats = self.get_import_formats()
        input_format = formats[int(record["format"])](encoding=self.from_encoding)
        storage = self.get_tmp_storage_class()(
            name=name,
            encoding=None if input_format.is_binary() else self.from_encoding,
            read_mode=input_format.get_read_mode(),
            **self.get_tmp_storage_class_kwargs(),
        )
        # Whatever happens next, this confirmation is used up.
        del issued[name]
        request.session[ISSUED_IMPORTS] = issued
        request.session[CONFIRMED_IMPORTS] = [
            *request.session.get(CONFIRMED_IMPORTS, [])[-KEPT_CONFIRMATIONS + 1 :],
            name,
        ]
        data = storage.claim()  # only one request can claim it: that one imports
        if data is None:
            raise ConfirmationRefused(ALREADY_CONFIRMED)
        return input_format, data

    # --- the confirmation -------------------------------------------------------------------

    @method_decorator(require_POST)
    def process_import(self, request, **kwargs):
        if not self.has_import_permission(request):
            raise PermissionDenied
        confirm_form = self.create_confirm_form(request)
        try:
            if not confirm_form.is_valid():
                raise ConfirmationRefused(FORGED)
            input_format, data = self._claim(request)
            dataset = input_format.create_dataset(data)
        except ConfirmationRefused as refusal:
            return self._import_page(request, str(refusal))
        except SpreadsheetError as error:
            return self._import_page(request, str(error))
        if in_background(len(dataset)):
            return self._queue_import(request, confirm_form, data, len(dataset))
        result, failure = self._write_dataset(dataset, confirm_form, request, **kwargs)
        if failure:
            return self._import_page(request, *failure)
        self.add_success_message(result, request)
        post_import.send(sender=None, model=self.model)
        opts = self.model._meta
        return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))

    def _write_dataset(self, dataset, confirm_form, request, on_written=None, **kwargs):
        """Write a confirmed file: ``(result, None)``, or ``(None or result, (message, result))``
        with nothing written. The rows and their admin-log entries (and ``on_written(result)``,
        a background job's end) are kept together or not at all."""
        failure = result = None
        with transaction.atomic():
            try:
                result = self.process_dataset(dataset, confirm_form, request, **kwargs)
            except Exception:
                logger.exception("Import confirmation of %s failed", self._admin_label())
                failure = (WRITE_FAILED, None)
            else:
                if result.has_errors():
                    for error in result.base_errors:
                        logger.error(
                            "Import confirmation failed: %s\n%s", error.error, error.traceback
                        )
                    failure = (WRITE_FAILED, None)
                elif result.has_validation_errors():
                    failure = (ROWS_REFUSED, result)
                else:
                    self.generate_log_entries(result, request)
                    if on_written is not None:
                        on_written(result)
            if failure:
                transaction.set_rollback(True)
        return result, failure

    def _import_page(self, request, message: str, result=None):
        """The import page, empty, with ``message`` (and the refused rows of ``result``)."""
        form = self.get_import_form_class(request)(
            self.get_import_formats(),
            self.get_import_resource_classes(request),
            initial=self.get_import_form_initial(request),
        )
        resource_kwargs = self.get_import_resource_kwargs(request=request, form=form)
        resources = [cls(**resource_kwargs) for cls in self.get_import_resource_classes(request)]
        messages.error(request, message)
        context = self.get_import_context_data()
        context.update(self.admin_site.each_context(request))
        context.update(
            title=_("Import"),
            form=form,
            opts=self.model._meta,
            media=self.media + form.media,
            fields_list=[
                (
                    resource.get_display_name(),
                    [field.column_name for field in resource.get_user_visible_fields()],
                )
                for resource in resources
            ],
            import_error_display=self.import_error_display,
        )
        if result is not None:
            context["result"] = result
        request.current_app = self.admin_site.name
        return TemplateResponse(request, [self.import_template_name], context)

    # --- a large file, written by the background worker --------------------------------------

    def _changelist_url(self) -> str:
        opts = self.model._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")

    def _queue_import(self, request, confirm_form, data, rows: int):
        job = import_request(
            by=request.user,
            kind=ADMIN_IMPORT,
            title=f"Nhập {self.model._meta.verbose_name_plural}",
            data=data if isinstance(data, bytes) else data.encode("utf-8"),
            file_name=confirm_form.cleaned_data["original_file_name"],
            rows=rows,
            options={
                "admin": self._admin_label(),
                "format": request.POST.get("format", ""),
                "resource": request.POST.get("resource", ""),
            },
            next_url=self._changelist_url(),
        )
        messages.info(
            request,
            f"Tệp có {rows:,} dòng nên được ghi ở chế độ nền; trang này cho biết tiến độ.".replace(
                ",", "."
            ),
        )
        return HttpResponseRedirect(job.get_absolute_url())

    def import_in_background(self, job, data: bytes, progress) -> dict:
        """The worker's side of ``_queue_import``: the same writing as a confirmation in the
        request, as the person who confirmed it."""
        request = HttpRequest()
        request.method = "POST"
        request.user = job.requested_by
        request.POST = QueryDict(mutable=True)
        request.POST.update(
            {
                "import_file_name": str(job.pk),
                "original_file_name": job.file_name,
                "format": job.options["format"],
                "resource": job.options["resource"],
            }
        )
        confirm_form = self.create_confirm_form(request)
        if not confirm_form.is_valid() or not self.has_import_permission(request):
            raise ImportRefused([FORGED])
        input_format = self.get_import_formats()[int(job.options["format"])](
            encoding=self.from_encoding
        )
        if not input_format.is_binary():
            data = data.decode(self.from_encoding or "utf-8")
        try:
            dataset = input_format.create_dataset(data)
        except SpreadsheetError as error:
            raise ImportRefused([str(error)]) from error
        progress.start(len(dataset))

        def finish(result):
            totals = result.totals
            progress.finish(
                summary=(
                    f"Đã nhập xong: {totals[RowResult.IMPORT_TYPE_NEW]} thêm mới, "
                    f"{totals[RowResult.IMPORT_TYPE_UPDATE]} cập nhật, "
                    f"{totals[RowResult.IMPORT_TYPE_SKIP]} không thay đổi."
                ),
                done_rows=len(dataset),
                total_rows=len(dataset),
            )

        with progress.deferred():
            _result, failure = self._write_dataset(
                dataset, confirm_form, request, on_written=finish, progress=progress
            )
        if failure:
            message, refused = failure
            raise ImportRefused([message, *row_messages(refused)])
        post_import.send(sender=None, model=self.model)
        return {}


def row_messages(result) -> list[str]:
    """Every refused row's messages of an import ``result``, each naming its sheet row."""
    if result is None:
        return []
    messages_ = []
    for row in result.invalid_rows:
        messages_ += row.non_field_specific_errors
        messages_ += [
            f"Dòng {row.number + 1} ({field}): {error}"
            for field, errors in row.field_specific_errors.items()
            for error in errors
        ]
    return messages_


@importer(ADMIN_IMPORT)
def _admin_import(job, data: bytes, progress) -> dict:
    model_admin = admin.site._registry[apps.get_model(job.options["admin"])]
    return model_admin.import_in_background(job, data, progress)


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
    search_fields = [
        "notification__title",
        "notification__recipient__email",
        "address",
        "last_error",
    ]
    date_hierarchy = "created_at"
    actions = ["send_again"]
    readonly_fields = [
        "notification",
        "address",
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
        if delivery.notification is None:
            return f"<{delivery.address}> (đặt lại mật khẩu)"
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
