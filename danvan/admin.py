"""Admin pieces shared by every importer."""

from functools import cache

from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import path
from import_export.admin import ImportExportMixin

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


def guard_changelists(site) -> None:
    """Every admin registered on ``site`` (the portal's and the libraries') gets the guarded
    changelist; called once all admin modules are loaded."""
    for model_admin in site._registry.values():
        default = model_admin.get_changelist

        def get_changelist(request, default=default, **kwargs):
            return guarded_changelist(default(request, **kwargs))

        model_admin.get_changelist = get_changelist
