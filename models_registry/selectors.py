"""Reads of the registry for pages: the filtered list and a model's sections.

A model's history is read in ``models_registry.history``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from core.partial_dates import partial_date_text
from models_registry.filters import DanVanModelFilter
from models_registry.models import DanVanModel
from models_registry.rules import REGISTRANT_ROLES
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
