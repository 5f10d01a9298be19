"""The django-import-export side of the models' import and export: the ``Resource`` the admin
uses. What a file means and what it writes is worked out in ``plan``; this module hands the
file's rows to it and shows its plan in the preview."""

from __future__ import annotations

from functools import cache

from django.contrib.postgres.aggregates import StringAgg
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from import_export import resources, widgets
from import_export.fields import Field as ResourceField

from core.partial_dates import DatePrecision, partial_date_text
from core.spreadsheets import FormulaSafeExportMixin, ImportPlan, PlannedImportMixin
from models_registry.choices import Status
from models_registry.models import DanVanModel
from models_registry.resources.plan import (
    COLUMNS,
    EXPORT_ONLY,
    PREVIEW_COLUMNS,
    PREVIEW_ROWS,
    REQUIRED_COLUMNS,
    SHEET_TITLE,
    ModelImportPlanner,
)

# Dates and amounts leave as native values; the export formats write them (DatedXLSX, DatedCSV).
NATIVE_DATE = widgets.DateWidget(coerce_to_string=False)
NATIVE_COUNT = widgets.IntegerWidget(coerce_to_string=False)


@cache
def _labels(name: str) -> dict:
    return dict(DanVanModel._meta.get_field(name).flatchoices)


def choice_label(model: DanVanModel, name: str) -> str:
    """The label of ``model``'s choice field ``name`` ("" when empty): ``get_<name>_display``
    without the dictionary it builds on every call, which shows on a large export."""
    value = getattr(model, name)
    return _labels(name).get(value, value or "")


def theme_names():
    """Each model's theme names in one text, by name, as the import reads them: a subquery
    rather than a prefetch, which costs more than the rest of a row on a large export."""
    links = DanVanModel.themes.through
    return Subquery(
        links.objects.filter(danvanmodel_id=OuterRef("pk"))
        .values("danvanmodel_id")
        .annotate(names=StringAgg("theme__name", "; ", order_by="theme__name"))
        .values("names")
    )


class DanVanModelResource(FormulaSafeExportMixin, PlannedImportMixin, resources.ModelResource):
    code = ResourceField(attribute="code", column_name=COLUMNS["code"])
    owning_unit = ResourceField(column_name=COLUMNS["owning_unit"])
    owning_unit_name = ResourceField(column_name=EXPORT_ONLY["owning_unit_name"])
    name = ResourceField(attribute="name", column_name=COLUMNS["name"])
    kind = ResourceField(column_name=COLUMNS["kind"])
    actor = ResourceField(column_name=COLUMNS["actor"])
    person_name = ResourceField(attribute="person_name", column_name=COLUMNS["person_name"])
    person_position = ResourceField(
        attribute="person_position", column_name=COLUMNS["person_position"]
    )
    field = ResourceField(column_name=COLUMNS["field"])
    themes = ResourceField(column_name=COLUMNS["themes"])
    territory_note = ResourceField(
        attribute="territory_note", column_name=COLUMNS["territory_note"]
    )
    situation = ResourceField(attribute="situation", column_name=COLUMNS["situation"])
    goals = ResourceField(attribute="goals", column_name=COLUMNS["goals"])
    content = ResourceField(attribute="content", column_name=COLUMNS["content"])
    target_group = ResourceField(attribute="target_group", column_name=COLUMNS["target_group"])
    forces = ResourceField(attribute="forces", column_name=COLUMNS["forces"])
    funds = ResourceField(
        attribute="funds",
        column_name=COLUMNS["funds"],
        widget=NATIVE_COUNT,
    )
    workdays = ResourceField(
        attribute="workdays",
        column_name=COLUMNS["workdays"],
        widget=NATIVE_COUNT,
    )
    socialised_funds = ResourceField(
        attribute="socialised_funds",
        column_name=COLUMNS["socialised_funds"],
        widget=NATIVE_COUNT,
    )
    resources_note = ResourceField(
        attribute="resources_note", column_name=COLUMNS["resources_note"]
    )
    start_date = ResourceField(
        attribute="start_date",
        column_name=COLUMNS["start_date"],
        widget=NATIVE_DATE,
    )
    schedule = ResourceField(attribute="schedule", column_name=COLUMNS["schedule"])
    evaluation_date = ResourceField(
        attribute="evaluation_date",
        column_name=COLUMNS["evaluation_date"],
        widget=NATIVE_DATE,
    )
    outputs = ResourceField(attribute="outputs", column_name=COLUMNS["outputs"])
    sustainability = ResourceField(
        attribute="sustainability", column_name=COLUMNS["sustainability"]
    )
    contact_name = ResourceField(attribute="contact_name", column_name=COLUMNS["contact_name"])
    contact_phone = ResourceField(attribute="contact_phone", column_name=COLUMNS["contact_phone"])
    status = ResourceField(column_name=COLUMNS["status"])
    decision_number = ResourceField(
        attribute="decision_number", column_name=COLUMNS["decision_number"]
    )
    decision_date = ResourceField(
        attribute="decision_date",
        column_name=COLUMNS["decision_date"],
        widget=NATIVE_DATE,
    )
    accepted_at = ResourceField(column_name=COLUMNS["accepted_at"])
    recognised_at = ResourceField(column_name=COLUMNS["recognised_at"])
    discontinued_at = ResourceField(column_name=COLUMNS["discontinued_at"])
    status_reason = ResourceField(column_name=COLUMNS["status_reason"])
    replicated_from = ResourceField(column_name=COLUMNS["replicated_from"])

    class Meta:
        model = DanVanModel
        name = "Mô hình, điển hình"
        fields = ("owning_unit_name", *COLUMNS)
        export_order = ("code", "owning_unit", "owning_unit_name", *list(COLUMNS)[2:])
        # The natural key; a filled "Mã mô hình" cell takes its place (see plan_import).
        import_id_fields = ("owning_unit", "name", "start_date")
        skip_diff = True  # the preview shows the plan instead (after_import_row)
        report_skipped = True
        clean_model_instances = False
        use_bulk = True  # no savepoint per row; writing is done by write_plan anyway
        chunk_size = 2000

    columns = COLUMNS
    required_columns = REQUIRED_COLUMNS
    sheet_title = SHEET_TITLE

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self.plan = ImportPlan()

    # --- export ----------------------------------------------------------------------------

    def get_queryset(self):
        return DanVanModel.objects.visible_to(self.user)

    def filter_export(self, queryset, **kwargs):
        # Whatever queryset the caller hands over, only the user's scope is exported.
        # An origin is named by its code only when the user may see it (as on the list export).
        origin_code = Subquery(
            DanVanModel.objects.visible_to(self.user)
            .filter(pk=OuterRef("replicated_from_id"))
            .order_by()
            .values("code")[:1]
        )
        return (
            queryset.visible_to(self.user)
            .annotate(export_origin_code=origin_code)
            .select_related("owning_unit")
            .annotate(export_theme_names=theme_names())
        )

    def get_import_fields(self):
        return [f for f in super().get_import_fields() if f.column_name in COLUMNS.values()]

    def dehydrate_owning_unit(self, model: DanVanModel) -> str:
        return model.owning_unit.code or ""

    def dehydrate_owning_unit_name(self, model: DanVanModel) -> str:
        return model.owning_unit.name

    def dehydrate_kind(self, model: DanVanModel) -> str:
        return choice_label(model, "kind")

    def dehydrate_actor(self, model: DanVanModel) -> str:
        return choice_label(model, "actor")

    def dehydrate_field(self, model: DanVanModel) -> str:
        return choice_label(model, "field")

    def dehydrate_themes(self, model: DanVanModel) -> str:
        if hasattr(model, "export_theme_names"):  # read by filter_export
            return model.export_theme_names or ""
        return "; ".join(sorted(theme.name for theme in model.themes.all()))

    def dehydrate_status(self, model: DanVanModel) -> str:
        return choice_label(model, "status")

    def dehydrate_start_date(self, model: DanVanModel):
        # A whole day stays a date cell; a month or a year is written as it was given.
        if model.start_precision == DatePrecision.DAY:
            return model.start_date
        return partial_date_text(model.start_date, model.start_precision)

    @staticmethod
    def _day(moment):
        return timezone.localdate(moment) if moment else None

    def dehydrate_accepted_at(self, model: DanVanModel):
        return self._day(model.accepted_at)

    def dehydrate_recognised_at(self, model: DanVanModel):
        return self._day(model.recognised_at)

    def dehydrate_discontinued_at(self, model: DanVanModel):
        return self._day(model.discontinued_at)

    def dehydrate_status_reason(self, model: DanVanModel) -> str:
        # The reason of the latest move; the column holds only why a model stopped.
        return model.status_reason if model.status == Status.DISCONTINUED else ""

    def dehydrate_replicated_from(self, model: DanVanModel) -> str:
        return getattr(model, "export_origin_code", None) or ""

    # --- import: whole-file validation -----------------------------------------------------

    def plan_import(self, rows, **kwargs) -> ImportPlan:
        self.user = self.user or kwargs.get("user")
        self.planner = ModelImportPlanner(user=self.user, dry_run=self.dry_run)
        self.plan = self.planner.plan_import(rows)
        return self.plan

    # --- import: per row (the preview of the plan) -----------------------------------------

    def get_or_init_instance(self, instance_loader, row):
        planned = self.plan.rows.get(self._current_row)
        if planned is None or planned.instance is None:
            return DanVanModel(), True
        return planned.instance, planned.existing is None

    def skip_row(self, instance, original, row, import_validation_errors=None):
        planned = self.plan.rows.get(self._current_row)
        return planned is None or planned.action == "skip"

    def get_diff_headers(self):
        return ["Dòng", *(COLUMNS[key] for key in PREVIEW_COLUMNS), "Thay đổi"]

    def after_import_row(self, row, row_result, **kwargs):
        number = kwargs.get("row_number")
        planned = self.plan.rows.get(number)
        if not kwargs.get("dry_run") or planned is None or number > PREVIEW_ROWS:
            return
        model = planned.instance
        row_result.diff = [
            planned.sheet_row,
            model.code or "",
            planned.unit_code,
            model.name,
            model.get_field_display(),
            partial_date_text(model.start_date, model.start_precision),
            model.get_status_display(),
            "\n".join(self.planner.changes_shown(planned)),  # one line per change
        ]

    # --- import: writing -------------------------------------------------------------------
    def write_plan(self, **kwargs) -> None:
        self.planner.write(file_name=kwargs.get("file_name"))
