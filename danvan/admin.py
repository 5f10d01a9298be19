"""The admin site and the admin pieces shared by every importer."""

from django.contrib import admin
from django.contrib.contenttypes import views as contenttype_views
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.urls import path
from import_export.admin import ImportExportMixin

from danvan.spreadsheets import SpreadsheetError

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class PortalAdminSite(admin.AdminSite):
    """The admin site, whose "view on site" redirect answers only for what the admin may see.

    The stock redirect looks any object of any kind up by id and answers 302 to its page,
    where a missing id answers 404: a probe for what exists outside one's scope.
    """

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
