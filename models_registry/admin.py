"""The registry in the Django admin: themes, indicators, and models limited to the admin's scope.

Registrations start in the portal's forms or in an import, and their status moves only through
the workflow services: here every field those services write (the status, its dates and reason,
the recognition decision, the outstanding mark) is read-only, and nothing is added or deleted in
bulk.
"""

from django.contrib import admin
from django.urls import reverse

from core.admin import ImportTemplateMixin, SafeImportExportMixin
from core.forms import SingleLineModelForm
from core.spreadsheets import DatedCSV, DatedXLSX, SafeCSV, SafeXLSX
from models_registry import services
from models_registry.choices import RELATION_FIELDS, STATUS_DATE_FIELDS, WORKFLOW_FIELDS
from models_registry.models import DanVanModel, Indicator, Theme
from models_registry.resources import SHEET_TITLE, DanVanModelResource, import_template_workbook
from organisations.admin import ScopedAdminMixin


class ModelSheetXLSX(SafeXLSX):
    preferred_sheet = SHEET_TITLE


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    form = SingleLineModelForm
    list_display = ["name", "is_active"]
    list_editable = ["is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]

    def has_delete_permission(self, request, obj=None):
        # A theme in use stays (untick "đang dùng" to hide it): deleting it would silently strip
        # it from every model that carries it.
        if obj is not None and obj.models.exists():
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    form = SingleLineModelForm
    list_display = ["name", "code", "unit", "position", "is_active"]
    list_editable = ["position", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "code"]

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # values reported against it would block it anyway
        return actions


@admin.register(DanVanModel)
class DanVanModelAdmin(
    ScopedAdminMixin, ImportTemplateMixin, SafeImportExportMixin, admin.ModelAdmin
):
    form = SingleLineModelForm
    resource_classes = [DanVanModelResource]
    import_formats = [ModelSheetXLSX, SafeCSV]
    export_formats = [DatedXLSX, DatedCSV]
    import_template_name = "admin/models_registry/danvanmodel/import.html"
    import_template_filename = "mau-nhap-mo-hinh.xlsx"

    list_display = ["name", "code", "owning_unit", "kind", "field", "status", "start_date"]
    list_filter = ["status", "field", "kind", "actor", "themes"]
    list_select_related = ["owning_unit"]
    search_fields = ["name", "code"]
    search_help_text = "Tìm theo mã, tên, người được biểu dương hoặc nội dung (có dấu hay không)."
    picker_fields = ("owning_unit", "territory", "coordinating_units", "replicated_from")
    filter_horizontal = ["themes"]
    list_per_page = 50
    show_full_result_count = False
    readonly_fields = [
        # Read-only: an admin's edit would change a recognised model's decision (or give one
        # to a model never recognised) with no event, no reason and nobody told.
        *WORKFLOW_FIELDS,
        "created_by",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "code",
                    "name",
                    ("kind", "actor"),
                    ("person_name", "person_position"),
                    "field",
                    "themes",
                    "owning_unit",
                    "territory",
                    "territory_note",
                    "coordinating_units",
                    "replicated_from",
                ]
            },
        ),
        (
            "Nội dung đăng ký",
            {
                "fields": [
                    "situation",
                    "goals",
                    "content",
                    "target_group",
                    "forces",
                    ("funds", "workdays", "socialised_funds"),
                    "resources_note",
                    ("start_date", "start_precision", "evaluation_date"),
                    "schedule",
                    "outputs",
                    "sustainability",
                    ("contact_name", "contact_phone"),
                ]
            },
        ),
        (
            "Quy trình (chỉ thay đổi qua các bước duyệt, thẩm định trên Cổng)",
            {
                "fields": [
                    "status",
                    "status_reason",
                    ("decision_number", "decision_date"),
                    ("decision_signer", "decision_issuer"),
                    ("is_outstanding", "outstanding_at"),
                    *STATUS_DATE_FIELDS.values(),
                    ("created_by", "created_at", "updated_at"),
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("owning_unit")

    def get_search_results(self, request, queryset, search_term):
        # "nuoi de" must find "Nuôi Dê" here too.
        if search_term:
            return queryset.matching(search_term), False
        return queryset, False

    def picker_search_url(self, db_field) -> str:
        if db_field.related_model is DanVanModel:
            # Any model the admin sees, as the field accepts, not only those carried out.
            return f"{reverse('models_registry:model_picker')}?any_status=1"
        return super().picker_search_url(db_field)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "replicated_from":
            kwargs["queryset"] = DanVanModel.objects.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        # The pickers offer only what the admin sees: what lies beyond (an origin or units in
        # another province) was never shown nor sent, and is kept as it is.
        if change:
            stored = DanVanModel.objects.get(pk=obj.pk)
            data = form.cleaned_data
            fields, relations = services.keep_unseen(
                stored,
                request.user,
                {"replicated_from": data.get("replicated_from")},
                {name: data[name] for name in RELATION_FIELDS if name in data},
            )
            if "replicated_from" not in fields:
                obj.replicated_from_id = stored.replicated_from_id
            data.update(relations)  # what save_related() writes
        super().save_model(request, obj, form, change)

    def has_add_permission(self, request):
        # A registration starts as a cadre's draft in the portal (with its event), or in an
        # import of earlier years' records.
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def get_import_resource_kwargs(self, request, **kwargs):
        return {**super().get_import_resource_kwargs(request, **kwargs), "user": request.user}

    def get_export_resource_kwargs(self, request, **kwargs):
        return {**super().get_export_resource_kwargs(request, **kwargs), "user": request.user}

    def get_export_filename(self, request, queryset, file_format):
        return f"mo-hinh-dien-hinh.{file_format.get_extension()}"

    def import_template_workbook(self) -> bytes:
        return import_template_workbook()
