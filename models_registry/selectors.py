"""Reads of the registry for pages: the filtered list and a model's sections.

A model's history is read in ``models_registry.history``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef, Q, QuerySet, TextField
from django.db.models.functions import Cast, JSONObject

from core.partial_dates import partial_date_text
from models_registry.filters import DanVanModelFilter
from models_registry.history import LINKED_ID_ANNOTATIONS
from models_registry.models import Attachment, DanVanModel, ResultReport, ResultValue, Theme
from models_registry.rules import REGISTRANT_ROLES
from organisations.models import Organisation
from organisations.querysets import scope_paths


def can_register_anywhere(user) -> bool:
    """Whether ``user`` registers models for at least one unit."""
    return user.is_authenticated and (
        user.is_superuser or bool(scope_paths(user, REGISTRANT_ROLES))
    )


def filtered_models(user, params) -> QuerySet[DanVanModel]:
    """The models of the list page for ``params`` (its GET parameters), scoped to ``user``.

    The list, its export and the background export all come through here, so a file always
    holds exactly what the screen showed. Invalid parameters are ignored, as on the page.
    """
    filterset = DanVanModelFilter.lenient(params, user=user)
    return filterset.qs


@dataclass(frozen=True)
class Section:
    title: str
    rows: list[tuple[str, object]]


def model_sections(model: DanVanModel) -> list[Section]:
    """The registration as the form's numbered sections, for the detail page."""

    def label(name):
        return DanVanModel._meta.get_field(name).verbose_name.capitalize()

    def value(name):
        if name == "start_date":  # with the precision it was given: 15/03/2019, 03/2019, 2019
            return partial_date_text(model.start_date, model.start_precision)
        return getattr(model, name)

    def rows(*names):
        return [(label(name), value(name)) for name in names]

    return [
        Section("1. Thực trạng, lý do xây dựng", rows("situation")),
        Section("2. Mục tiêu, tiêu chí đánh giá", rows("goals")),
        Section("3. Nội dung, cách làm", rows("content")),
        Section("4. Đối tượng tác động", rows("target_group")),
        Section("5. Lực lượng thực hiện và vai trò", rows("forces")),
        Section(
            "6. Nguồn lực",
            rows("funds", "workdays", "socialised_funds", "resources_note"),
        ),
        Section("7. Thời gian thực hiện", rows("start_date", "schedule", "evaluation_date")),
        Section("8. Sản phẩm, kết quả kiểm chứng được", rows("outputs")),
        Section("9. Tính bền vững, khả năng nhân rộng", rows("sustainability")),
        Section("10. Liên hệ", rows("contact_name", "contact_phone")),
    ]


# The detail page in few statements: the model with the names of its themes, territory and
# coordinating units (one statement, arrays of names from subqueries, not three prefetches),
# its origin and replicas (one), every file of the model and of its reports (one), the reports
# with their indicator values (one). Their number does not grow with the files, reports or
# replicas.


def _linked(model_class, relation: str, column: str):
    """A column of what ``relation`` (a many-to-many of the model) links, in their order."""
    linked = model_class.objects.filter(**{relation: OuterRef("pk")})
    return ArraySubquery(linked.order_by(*model_class._meta.ordering).values(column))


def detail_queryset(user) -> QuerySet[DanVanModel]:
    """The models ``user`` may open, each with what its page shows in the same statement:
    ``theme_names``, ``territory_names`` and ``coordinating_names``, and the linked ids the
    history works back from (``history.LINKED_ID_ANNOTATIONS``)."""
    linked = {"themes": (Theme, "models"), "territory": (Organisation, "territory_models")}
    linked["coordinating_units"] = (Organisation, "coordinated_models")
    ids = {
        annotation: _linked(*linked[relation], "pk")
        for relation, annotation in LINKED_ID_ANNOTATIONS.items()
    }
    return (
        DanVanModel.objects.visible_to(user)
        .select_related("owning_unit", "created_by")
        .annotate(
            theme_names=_linked(Theme, "models", "name"),
            territory_names=_linked(Organisation, "territory_models", "name"),
            coordinating_names=_linked(Organisation, "coordinated_models", "name"),
            **ids,
        )
    )


def origin_and_replicas(user, model: DanVanModel) -> tuple[DanVanModel | None, list[DanVanModel]]:
    """The model ``model`` was replicated from and its replicas, those ``user`` may see only:
    one outside the user's scope is not mentioned at all."""
    related = Q(replicated_from=model)
    if model.replicated_from_id:
        related |= Q(pk=model.replicated_from_id)
    rows = list(DanVanModel.objects.visible_to(user).filter(related).select_related("owning_unit"))
    origin = next((row for row in rows if row.pk == model.replicated_from_id), None)
    return origin, [row for row in rows if row.replicated_from_id == model.pk]


@dataclass
class ShownValue:
    """An indicator value of a result report as the page shows it."""

    name: str
    unit: str
    value: Decimal


@dataclass
class ShownReport:
    report: ResultReport
    values: list[ShownValue]
    attachments: list[Attachment] = field(default_factory=list)


def files_and_reports(model: DanVanModel) -> tuple[list[Attachment], list[ShownReport]]:
    """The model's own files, and its result reports with their values and files."""
    values = (
        ResultValue.objects.filter(report=OuterRef("pk"))
        .order_by(*ResultValue._meta.ordering)
        .values(
            row=JSONObject(
                name="indicator__name",
                unit="indicator__unit",
                value=Cast("value", TextField()),
            )
        )
    )
    reports = [
        ShownReport(
            report,
            [
                ShownValue(row["name"], row["unit"], Decimal(row["value"]))
                for row in report.value_rows
            ],
        )
        for report in ResultReport.objects.filter(model=model).annotate(
            value_rows=ArraySubquery(values)
        )
    ]
    by_report = {shown.report.pk: shown for shown in reports}
    own = []
    for attachment in Attachment.objects.filter(model=model).order_by("uploaded_at", "pk"):
        if attachment.result_report_id is None:
            own.append(attachment)
        elif attachment.result_report_id in by_report:
            by_report[attachment.result_report_id].attachments.append(attachment)
    return own, reports
