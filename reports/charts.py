"""The report's charts, drawn on the server as SVG, each with its numbers as a table.

The drawings are plain SVG markup written here: no script, no stylesheet or font from anywhere,
so a page shows them offline and they print. Every bar and point carries its value as a
``<title>`` (shown on hover) and a ``<desc class="value">``; each chart also carries the same
numbers as headers and rows, for screen readers and for anyone who wants them. Writing the markup
directly keeps the three charts of a province's report to about a millisecond (a charting library
spent some 20 ms on them, a tenth of the page).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from html import escape

from reports.formatting import as_number, child_name, field_labels, measure_labels, vn_number

UNITS_CHARTED = 20  # the other child units are summed in one bar
OTHER_UNITS = "Các đơn vị khác"
COLOURS = ("#0d6efd", "#198754", "#dc3545", "#fd7e14", "#6f42c1", "#20c997")
FONT = "Arial, 'Helvetica Neue', Helvetica, sans-serif"
TEXT = "#212529"
SUBTLE = "#6c757d"
GRID = "#dee2e6"
WIDTH = 800
HEIGHT = 420
TICKS = 5  # about this many steps on the value axis
LABEL_CHARACTERS = 40  # a longer unit name is cut (its whole name stays in the bar's title)
CHARACTER_WIDTH = 6.6  # of a 12 px label, near enough to lay the labels out
LEGEND_ROW = 22


@dataclass
class Chart:
    title: str
    svg: str  # inline <svg> markup, safe to include
    headers: list[str] = field(default_factory=list)  # the same numbers, for screen readers
    rows: list[list] = field(default_factory=list)


def _ticks(top) -> list[int]:
    """Round steps from 0 to at least ``top``: 0, 1, 2, … for small counts, else 1/2/5 × 10ⁿ."""
    top = max(float(top), 1.0)
    raw = top / TICKS
    magnitude = 10 ** math.floor(math.log10(raw))
    # Counts are whole: never a step below 1 (no 0.2, 0.4, … on a small scale).
    step = max(int(next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)), 1)
    return [step * index for index in range(math.ceil(top / step) + 1)]


def _text(x, y, content, *, anchor="middle", size=12, colour=TEXT, extra="") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
        f'fill="{colour}"{extra}>{escape(str(content))}</text>'
    )


def _mark(shape: str, name: str, category: str, value) -> str:
    """A bar or a point with its value as a tooltip and as a description."""
    number = vn_number(value)
    return (
        f"<{shape}><title>{escape(name)} – {escape(category)}: {number}</title>"
        f'<desc class="value">{number}</desc></{shape.split()[0]}>'
    )


def _legend(names: list[str], top: float, columns: int) -> list[str]:
    width = (WIDTH - 40) / columns
    parts = []
    for index, name in enumerate(names):
        x = 20 + (index % columns) * width
        y = top + (index // columns) * LEGEND_ROW
        colour = COLOURS[index % len(COLOURS)]
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="14" height="14" fill="{colour}"/>')
        parts.append(_text(x + 20, y + 12, name, anchor="start", size=13))
    return parts


def _legend_height(names: list[str], columns: int) -> float:
    return math.ceil(len(names) / columns) * LEGEND_ROW + 10


def _svg(width: float, height: float, parts: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="100%" font-family="{escape(FONT)}" aria-hidden="true">' + "".join(parts) + "</svg>"
    )


def _empty(height: float = 160) -> str:
    return _svg(WIDTH, height, [_text(WIDTH / 2, height / 2, "Chưa có số liệu", size=16)])


def _columns(labels: list[str], series: list[tuple[str, list]], *, line: bool) -> str:
    """Values up the side and categories along the bottom: grouped bars, or a line per series."""
    if not labels or not any(as_number(v) for _, values in series for v in values):
        return _empty()
    names = [name for name, _ in series]
    columns = min(len(names), 3)
    ticks = _ticks(max(as_number(v) for _, values in series for v in values))
    rotate = line and len(labels) > 12
    left, right, top = 56, 16, 16
    bottom = HEIGHT - _legend_height(names, columns) - (56 if rotate else 30)
    plot_width, plot_height = WIDTH - left - right, bottom - top

    def y_of(value):
        return bottom - plot_height * float(as_number(value)) / ticks[-1]

    parts = []
    for tick in ticks:
        y = y_of(tick)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{WIDTH - right}" y2="{y:.1f}" stroke="{GRID}"/>'
        )
        parts.append(_text(left - 6, y + 4, vn_number(tick), anchor="end", colour=SUBTLE))
    slot = plot_width / len(labels)
    for index, label in enumerate(labels):
        x = left + slot * (index + 0.5)
        if rotate:
            extra = f' transform="rotate(-45 {x:.1f} {bottom + 14:.1f})"'
            parts.append(_text(x, bottom + 14, label, anchor="end", extra=extra))
        else:
            parts.append(_text(x, bottom + 18, label))
    for position, (name, values) in enumerate(series):
        colour = COLOURS[position % len(COLOURS)]
        if line:
            points = [(left + slot * (i + 0.5), y_of(v)) for i, v in enumerate(values)]
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>'
            )
            for (x, y), label, value in zip(points, labels, values, strict=True):
                circle = f'circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"'
                parts.append(_mark(circle, name, label, value))
        else:
            bar = slot * 0.8 / len(series)
            for index, (label, value) in enumerate(zip(labels, values, strict=True)):
                x = left + slot * (index + 0.1) + bar * position
                y = y_of(value)
                rect = (
                    f'rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" '
                    f'height="{bottom - y:.1f}" fill="{colour}"'
                )
                parts.append(_mark(rect, name, label, value))
    parts.append(
        f'<line x1="{left}" y1="{bottom:.1f}" x2="{WIDTH - right}" y2="{bottom:.1f}" '
        f'stroke="{SUBTLE}"/>'
    )
    parts += _legend(names, HEIGHT - _legend_height(names, columns) + 4, columns)
    return _svg(WIDTH, HEIGHT, parts)


def _stacked_rows(labels: list[str], series: list[tuple[str, list]]) -> str:
    """A horizontal bar per label, its parts (the series) stacked left to right."""
    totals = [sum(as_number(values[i]) for _, values in series) for i in range(len(labels))]
    if not labels or not any(totals):
        return _empty()
    names = [name for name, _ in series]
    columns = 2
    longest = max(len(_cut(label)) for label in labels)
    left = min(LABEL_CHARACTERS, longest) * CHARACTER_WIDTH + 16
    right, top, row = 24, 12, 30
    bottom = top + row * len(labels)
    ticks = _ticks(max(totals))
    height = bottom + 28 + _legend_height(names, columns)
    plot_width = WIDTH - left - right

    def x_of(value):
        return left + plot_width * float(value) / ticks[-1]

    parts = []
    for tick in ticks:
        x = x_of(tick)
        parts.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{bottom}" stroke="{GRID}"/>')
        parts.append(_text(x, bottom + 18, vn_number(tick), colour=SUBTLE))
    for index, label in enumerate(labels):
        y = top + row * index
        title = f"<title>{escape(label)}</title>" if _cut(label) != label else ""
        parts.append(
            f'<text x="{left - 8:.1f}" y="{y + row / 2 + 4:.1f}" text-anchor="end" '
            f'font-size="12" fill="{TEXT}">{title}{escape(_cut(label))}</text>'
        )
        start = 0
        for position, (name, values) in enumerate(series):
            value = as_number(values[index])
            if not value:
                continue
            colour = COLOURS[position % len(COLOURS)]
            x, end = x_of(start), x_of(start + value)
            rect = (
                f'rect x="{x:.1f}" y="{y + 5:.1f}" width="{end - x:.1f}" '
                f'height="{row - 10}" fill="{colour}"'
            )
            parts.append(_mark(rect, name, label, value))
            start += value
    parts += _legend(names, bottom + 34, columns)
    return _svg(WIDTH, height, parts)


def _cut(label: str) -> str:
    if len(label) <= LABEL_CHARACTERS:
        return label
    return label[: LABEL_CHARACTERS - 1].rstrip() + "…"


def _by_field(figures: dict) -> Chart:
    measures = measure_labels(figures)
    shown = ("active", "new", "recognised")
    fields = field_labels(figures)
    rows = [
        [label, *(as_number(figures["by_field"][key][measure]) for measure in shown)]
        for key, label in fields
    ]
    title = "Mô hình, điển hình theo lĩnh vực"
    series = [
        (measures[measure], [row[position] for row in rows])
        for position, measure in enumerate(shown, start=1)
    ]
    svg = _columns([label for _, label in fields], series, line=False)
    return Chart(title, svg, ["Lĩnh vực", *(measures[m] for m in shown)], rows)


def _trend(figures: dict) -> Chart:
    trend = figures["trend"]
    measures = measure_labels(figures)
    by_month = trend["granularity"] == "month"
    title = (
        "Mô hình, điển hình xây dựng mới và được công nhận theo tháng"
        if by_month
        else "Mô hình, điển hình xây dựng mới và được công nhận theo năm"
    )
    new = [as_number(value) for value in trend["new"]]
    recognised = [as_number(value) for value in trend["recognised"]]
    rows = [list(row) for row in zip(trend["labels"], new, recognised, strict=True)]
    series = [(measures["new"], new), (measures["recognised"], recognised)]
    svg = _columns(list(trend["labels"]), series, line=True)
    headers = ["Tháng" if by_month else "Năm", measures["new"], measures["recognised"]]
    return Chart(title, svg, headers, rows)


def _children(figures: dict) -> Chart | None:
    children = figures.get("children") or []
    if not children:
        return None
    fields = field_labels(figures)
    ranked = sorted(
        children, key=lambda child: (-as_number(child["total"]["active"]), child["name"])
    )
    rows = [
        [
            child_name(child),
            *(as_number(child["counts"]["active"].get(key, 0)) for key, _ in fields),
            as_number(child["total"]["active"]),
        ]
        for child in ranked[:UNITS_CHARTED]
    ]
    rest = ranked[UNITS_CHARTED:]
    if rest:
        rows.append(
            [
                OTHER_UNITS,
                *(
                    sum(as_number(child["counts"]["active"].get(key, 0)) for child in rest)
                    for key, _ in fields
                ),
                sum(as_number(child["total"]["active"]) for child in rest),
            ]
        )
    title = "Mô hình, điển hình đang thực hiện theo đơn vị và lĩnh vực"
    series = [
        (label, [row[position] for row in rows])
        for position, (_, label) in enumerate(fields, start=1)
    ]
    svg = _stacked_rows([row[0] for row in rows], series)
    return Chart(title, svg, ["Đơn vị", *(label for _, label in fields), "Cộng"], rows)


def report_charts(figures: dict) -> list[Chart]:
    """Bars by field, the trend of new and recognised models, the child units compared."""
    charts = [_by_field(figures), _trend(figures), _children(figures)]
    return [chart for chart in charts if chart is not None]
