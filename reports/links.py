"""How a number of a report names the list of records behind it: the list's query string.

The page, the workbook and the narrative link every number to ``reports:records`` with the query
built here, and the list's form (``reports.forms.RecordsForm``) reads the same names back. The
queries are plain strings put together by substitution: a province's page has some 2,000 numbers,
and reversing a URL per number would cost more than laying out the tables.
"""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.urls import reverse

# The list's parameters, beside the report's own ``don_vi`` (unit) and ``ky`` (period key).
MEASURE = "chi_tieu"
FIELD = "linh_vuc"
KIND_ACTOR = "loai"
ROW = "dong"
PREVIOUS = "ky_truoc"
FORM = "hinh_thuc"
ACTOR = "chu_the"
INDICATOR = "chi_so"
UNCLASSIFIED_FIELD = "chua-chon"  # ``linh_vuc`` of the models whose field is not chosen yet


def report_query(figures: dict) -> str:
    """The unit and period of the report ``figures`` belong to, as the start of every cell's
    query; "" when the period has no key (its lists cannot be named), so no number links."""
    key = (figures.get("period") or {}).get("key") or ""
    if not key:
        return ""
    return f"don_vi={int(figures['organisation']['id'])}&ky={quote(key, safe='')}"


def cell_query(
    report: str,
    measure: str,
    *,
    field: str | None = None,
    kind_actor: str | None = None,
    row: int | None = None,
    previous: bool = False,
    form: str | None = None,
    actor: str | None = None,
    indicator: str | None = None,
) -> str:
    """The query of the list behind one number (``reports.selectors.CountedCell`` in words);
    "" when ``report`` is (no links)."""
    if not report:
        return ""
    parts = [report, f"{MEASURE}={measure}"]
    if field is not None:
        parts.append(f"{FIELD}={field or UNCLASSIFIED_FIELD}")
    if kind_actor:
        parts.append(f"{KIND_ACTOR}={kind_actor}")
    if row is not None:
        parts.append(f"{ROW}={int(row)}")
    if previous:
        parts.append(f"{PREVIOUS}=1")
    if form:
        parts.append(f"{FORM}={form}")
    if actor:
        parts.append(f"{ACTOR}={actor}")
    if indicator:
        parts.append(f"{INDICATOR}={quote(indicator, safe='')}")
    return "&".join(parts)


def records_path() -> str:
    return reverse("reports:records")


def absolute_records_url(query: str) -> str:
    """The list's full address, for files read away from the portal (``PORTAL_BASE_URL``)."""
    return f"{settings.PORTAL_BASE_URL}{records_path()}?{query}" if query else ""
