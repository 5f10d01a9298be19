"""Organisations and memberships in the Django admin, limited to the admin's own subtree."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from import_export.formats.base_formats import CSV, XLSX

from core.admin import (
    AdminPickerSelect,
    AdminPickerSelectMultiple,
    ImportTemplateMixin,
    SafeImportExportMixin,
)
from core.forms import SingleLineModelForm
from core.spreadsheets import SafeCSV, SafeXLSX
from organisations import selectors, services
from organisations.choices import DocumentHeading
from organisations.letterhead import default_heading
from organisations.models import Membership, Organisation, StandardBody
from organisations.official_tree import load_official_tree
from organisations.pickers import unit_search_url
from organisations.resources import SHEET_TITLE, OrganisationResource, import_template_workbook


class OrganisationSheetXLSX(SafeXLSX):
    preferred_sheet = SHEET_TITLE


class ScopedAdminMixin:
    """The admin's lists, pickers and lookups start from ``visible_to`` like every page.

    ``picker_fields`` name the relations chosen with the portal's searchable picker, whose
    search (``picker_search_url``) lists only what the field accepts:
    a unit the admin sees (``/don-vi/chon/``), by default.
    """

    picker_fields: tuple[str, ...] = ()

    def get_queryset(self, request):
        return self.model.objects.visible_to(request.user)

    def picker_search_url(self, db_field) -> str:
        if db_field.related_model is Organisation:
            return unit_search_url()
        raise ImproperlyConfigured(f"No picker search for {db_field.name}.")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Organisation:
            kwargs["queryset"] = Organisation.objects.visible_to(request.user)
        if db_field.name in self.picker_fields:
            kwargs.setdefault(
                "widget", AdminPickerSelect(search_url=self.picker_search_url(db_field))
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.related_model is Organisation:
            kwargs["queryset"] = Organisation.objects.visible_to(request.user)
        if db_field.name in self.picker_fields:
            kwargs.setdefault(
                "widget", AdminPickerSelectMultiple(search_url=self.picker_search_url(db_field))
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


# The unit's own fields on its admin form, then how its documents are headed and numbered
# (``organisations.letterhead``).
UNIT_FIELDS = (
    "parent",
    "name",
    "short_name",
    "kind",
    "level",
    "code",
    "valid_from",
    "valid_to",
    "merged_from",
)
DOCUMENT_FIELDS = (
    "document_heading",
    "document_name",
    "document_superior",
    "document_abbreviation",
)


class OrganisationAdminForm(SingleLineModelForm):
    parent = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        label="Đơn vị cấp trên",
        help_text="Để trống nếu là đơn vị gốc (chỉ quản trị hệ thống).",
    )

    class Meta:
        model = Organisation
        fields = [*UNIT_FIELDS, *DOCUMENT_FIELDS]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["parent"].widget = AdminPickerSelect(search_url=unit_search_url())
        # Set after the widget: assigning the queryset hands its choices to the widget.
        self.fields["parent"].queryset = Organisation.objects.visible_to(user)
        if self.instance.pk and self.instance.depth > 1:
            self.initial["parent"] = Organisation.objects.get_parent(self.instance)
        heading = self.fields["document_heading"]
        heading.required = False
        if self.instance.pk is None:
            # A new unit takes the convention its kind and name say unless one is chosen.
            heading.choices = [("", "Theo loại hình và tên đơn vị"), *DocumentHeading.choices]
            self.initial["document_heading"] = ""

    def clean_code(self):
        return self.cleaned_data["code"] or None

    def clean_document_heading(self):
        # Left blank on a new unit: the convention its kind and name say. Posted without the
        # field (an older page, a script): the unit keeps its convention.
        heading = self.cleaned_data.get("document_heading")
        if heading:
            return heading
        if self.instance.pk is None:
            return default_heading(self.data.get("kind", ""), self.data.get("name", ""))
        return self.instance.document_heading

    def clean(self):
        cleaned = super().clean()
        parent = cleaned.get("parent")
        instance = self.instance
        if parent is None and not self.user.is_superuser:
            self.add_error("parent", "Hãy chọn đơn vị cấp trên.")
        if parent and instance.pk and parent.path.startswith(instance.path):
            self.add_error(
                "parent",
                "Không thể chuyển một đơn vị vào bên trong chính nó hoặc đơn vị cấp dưới của nó.",
            )
        if instance.pk and instance in cleaned.get("merged_from", []):
            self.add_error("merged_from", "Một đơn vị không thể sáp nhập từ chính nó.")
        return cleaned


@admin.register(Organisation)
class OrganisationAdmin(
    ScopedAdminMixin, ImportTemplateMixin, SafeImportExportMixin, admin.ModelAdmin
):
    form = OrganisationAdminForm
    resource_classes = [OrganisationResource]
    import_formats = [OrganisationSheetXLSX, SafeCSV]
    export_formats = [XLSX, CSV]
    import_template_name = "admin/organisations/organisation/import.html"
    import_export_change_list_template = "admin/organisations/organisation/change_list.html"
    import_template_filename = "mau-nhap-don-vi.xlsx"
    list_display = ["name", "kind", "level", "code", "valid_from", "valid_to", "numchild"]
    list_filter = ["level", "kind"]
    search_fields = ["name", "short_name", "code", "search_name"]
    picker_fields = ("merged_from",)
    fieldsets = [
        (
            None,
            {"fields": list(UNIT_FIELDS)},
        ),
        (
            "Văn bản do đơn vị ban hành",
            {
                "fields": list(DOCUMENT_FIELDS),
                "description": "Tiêu đề, số và ký hiệu của giấy khen, danh sách kèm theo quyết "
                "định và báo cáo in ra từ cổng.",
            },
        ),
    ]
    ordering = ["path"]
    list_per_page = 50
    show_full_result_count = False

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)
        user = request.user

        class BoundForm(form_class):
            def __init__(self, *args, **form_kwargs):
                super().__init__(*args, user=user, **form_kwargs)

        return BoundForm

    def has_delete_permission(self, request, obj=None):
        # Deleting a unit deletes its whole subtree: only empty units can go, one at a time.
        if obj is not None and obj.numchild:
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # would take whole subtrees along unseen
        return actions

    def get_search_results(self, request, queryset, search_term):
        # "chua hang" must find "Chùa Hang" here too.
        if search_term:
            return queryset.matching(search_term), False
        return queryset, False

    def save_model(self, request, obj, form, change):
        parent = form.cleaned_data.get("parent")
        if change:
            fields = {
                name: form.cleaned_data[name]
                for name in form.changed_data
                if name not in ("parent", "merged_from")
            }
            updated = services.organisation_update(
                organisation=obj,
                parent=parent,
                move="parent" in form.changed_data,
                **fields,
                by=request.user,
            )
            obj.__dict__.update(updated.__dict__)
        else:
            services.organisation_create(parent=parent, organisation=obj, by=request.user)

    def get_import_resource_kwargs(self, request, **kwargs):
        return {**super().get_import_resource_kwargs(request, **kwargs), "user": request.user}

    def get_export_resource_kwargs(self, request, **kwargs):
        return {**super().get_export_resource_kwargs(request, **kwargs), "user": request.user}

    def import_template_workbook(self) -> bytes:
        return import_template_workbook()

    def get_urls(self):
        return [
            path(
                "nap-danh-muc/",
                self.admin_site.admin_view(self.load_official_tree_view),
                name="organisations_organisation_load_official_tree",
            ),
            *super().get_urls(),
        ]

    def load_official_tree_view(self, request):
        """The official list of units: a dry run's report first, the load on confirmation.
        The whole country's tree is the national admin's alone."""
        if not request.user.is_superuser:
            raise PermissionDenied
        data = request.POST if request.method == "POST" else request.GET
        province = (data.get("province") or "").strip() or None
        try:
            report = load_official_tree(
                by=request.user, province=province, dry_run=request.method != "POST"
            )
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return redirect("admin:organisations_organisation_changelist")
        if request.method == "POST":
            lines = report.lines()
            self.message_user(request, lines[0] + ": " + " ".join(lines[1:3]), messages.SUCCESS)
            for line in lines[3:]:
                self.message_user(request, line, messages.INFO)
            return redirect("admin:organisations_organisation_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Nạp danh mục đơn vị hành chính",
            "report": report,
            "province": province or "",
        }
        return TemplateResponse(
            request, "admin/organisations/organisation/load_official_tree.html", context
        )


@admin.register(StandardBody)
class StandardBodyAdmin(admin.ModelAdmin):
    """The bodies every province and commune gets from the official tree loader: the national
    admin's to edit (a body already in the tree keeps its name)."""

    list_display = ["name_pattern", "level", "kind", "code_suffix", "active", "position"]
    list_editable = ["active", "position"]
    list_filter = ["level", "active"]
    ordering = ["level", "position"]

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request)


@admin.register(Membership)
class MembershipAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "organisation__name"]
    # Users are picked from a plain list limited to the admin's scope: a search of accounts
    # would need rights on every account of the country.
    picker_fields = ("organisation",)
    list_select_related = ["user", "organisation"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user" and not request.user.is_superuser:
            kwargs["queryset"] = selectors.users_assignable_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        granted = services.membership_grant(
            user=obj.user, organisation=obj.organisation, role=obj.role, by=request.user
        )
        obj.pk = granted.pk
