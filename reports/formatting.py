"""How the report's files write its figures: numbers 1.234.567, dates dd/mm/yyyy, the title.

The figures may come straight from ``report_figures`` or back from a frozen snapshot's JSON, where
dates are ISO strings and decimals are strings: every reader here accepts both.
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone

from core.numbers import as_number, vn_number  # noqa: F401 - the report's writers import them from here
from reports.choices import PeriodKind
from reports.selectors import COUNTED, KIND_ACTORS, MEASURE_DEFINITIONS


def as_date(value) -> date:
    """An ISO date (or a date) as a date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def vn_date(value) -> str:
    return f"{as_date(value):%d/%m/%Y}"


def span(period: dict) -> str:
    """The period's first and last days: "01/01/2025 – 31/12/2025"."""
    return f"{vn_date(period['start'])} – {vn_date(period['end'])}"


def created_on(figures: dict) -> date:
    """The day the figures were counted, in Vietnam time (the report's "Ngày lập")."""
    moment = figures.get("generated_at")
    if not moment:
        return timezone.localdate()
    if not isinstance(moment, datetime):
        moment = datetime.fromisoformat(str(moment))
    if timezone.is_naive(moment):
        return moment.date()
    return timezone.localtime(moment).date()


def structure_date(figures: dict) -> date | None:
    """The day whose organisation structure the figures follow (``reports.scope``): the period's
    last day. None for a snapshot frozen before the rule was written down."""
    value = figures.get("structure_date")
    return as_date(value) if value else None


def structure_rule(figures: dict) -> str:
    """The rule for units merged or split, stated wherever the figures are: "theo cơ cấu tổ
    chức tại 31/12/2025"."""
    day = structure_date(figures)
    if day is None:
        return ""
    return f"theo cơ cấu tổ chức tại {day:%d/%m/%Y}"


STRUCTURE_EXPLAINED = (
    "mỗi đơn vị được tính ở nơi nó trực thuộc vào ngày đó; đơn vị đã sáp nhập được tính một lần, "
    "ở đơn vị kế thừa; kỳ trước được tính theo cùng cơ cấu để so sánh"
)


def lower_first(text: str) -> str:
    """ "Năm 2025" → "năm 2025" inside a sentence; acronyms ("MTTQ …") stay as they are."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def report_subject(figures: dict) -> str:
    """What the report is: "Sơ kết phong trào thi đua “Dân vận khéo” 6 tháng đầu năm 2025"."""
    period = figures["period"]
    movement = "phong trào thi đua “Dân vận khéo”"
    if period["kind"] == PeriodKind.HALF_YEAR:
        return f"Sơ kết {movement} {lower_first(period['name'])}"
    if period["kind"] in (PeriodKind.YEAR, PeriodKind.PHASE):
        return f"Tổng kết {movement} {lower_first(period['name'])}"
    return f"Kết quả {movement}: {period['name']}"


def field_labels(figures: dict) -> list[tuple[str, str]]:
    """The fields (lĩnh vực) as (key, label), in the report's order."""
    return [(key, label) for key, label in figures["fields"]]


def measure_labels(figures: dict) -> dict[str, str]:
    return {key: label for key, label in figures["measures"]}


# The tables' titles; each file numbers the ones it holds ("Biểu 1. …").
TABLE_TITLES = {
    "by_field": "Mô hình, điển hình theo lĩnh vực, loại và chủ thể",
    "kind_actor": "Mô hình, điển hình theo loại và chủ thể",
    "children": "Mô hình, điển hình theo đơn vị trực thuộc và lĩnh vực",
    "funnel": "Đăng ký, công nhận, biểu dương so với kỳ trước",
    "commendations": "Biểu dương, khen thưởng theo hình thức",
    "indicators": "Kết quả nhân dân đóng góp (chỉ tiêu kết quả)",
    "outstanding": "Mô hình, điển hình tiêu biểu theo lĩnh vực",
}
UNCLASSIFIED = "Chưa phân loại lĩnh vực"


def has_unclassified(figures: dict) -> bool:
    return any(as_number(value) for value in (figures.get("unclassified") or {}).values())


def field_rows(figures: dict) -> list[tuple[str, dict]]:
    """The by-field table's rows: each field, then the unclassified models when there are any."""
    rows = [(label, figures["by_field"][key]) for key, label in field_labels(figures)]
    if has_unclassified(figures):
        rows.append((UNCLASSIFIED, figures["unclassified"]))
    return rows


def kind_actor_label(kind: str, actor: str) -> str:
    """ "Mô hình (tập thể)", "Điển hình cá nhân", … as the report names the combinations."""
    return next((label for k, a, label in KIND_ACTORS if (k, a) == (kind, actor)), "")


def child_name(child: dict) -> str:
    """A child unit's row name, with its note ("trực tiếp", "sáp nhập vào")."""
    return f"{child['name']} ({child['note']})" if child.get("note") else child["name"]


def measure_definitions() -> list[tuple[str, str]]:
    """How each number of the report is counted, as (label, definition), in the tables' order."""
    return [(COUNTED[key], MEASURE_DEFINITIONS[key]) for key in MEASURE_DEFINITIONS]
