"""The report's charts, drawn on the server as SVG, each with its numbers as a table.

pygal draws them; nothing is fetched from anywhere when a page shows them: pygal's tooltip
script (an external URL by default) is switched off, and the inline script and comments it still
writes are removed, so the SVG is plain markup that also prints and works offline. Each chart
carries the same numbers as headers and rows, for screen readers and for anyone who wants them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pygal
from lxml import etree
from pygal.style import Style

from reports.formatting import as_number, child_name, field_labels, measure_labels, vn_number

UNITS_CHARTED = 20  # the other child units are summed in one bar
SMALL_SCALE = 10  # up to this count, the value axis is labelled 0, 1, 2, …
OTHER_UNITS = "Các đơn vị khác"
COLOURS = ("#0d6efd", "#198754", "#dc3545", "#fd7e14", "#6f42c1", "#20c997")
STYLE = Style(
    font_family="Arial, 'Helvetica Neue', Helvetica, sans-serif",
    background="transparent",
    plot_background="transparent",
    foreground="#212529",
    foreground_strong="#212529",
    foreground_subtle="#6c757d",
    colors=COLOURS,
    title_font_size=16,
    label_font_size=12,
    major_label_font_size=12,
    legend_font_size=13,
    value_font_size=11,
)


@dataclass
class Chart:
    title: str
    svg: str  # inline <svg> markup, safe to include
    headers: list[str] = field(default_factory=list)  # the same numbers, for screen readers
    rows: list[list] = field(default_factory=list)


def _config(**overrides) -> dict:
    config = {
        "style": STYLE,
        "js": [],  # no tooltip script from the internet
        "disable_xml_declaration": True,
        "width": 800,
        "height": 420,
        "legend_at_bottom": True,
        "truncate_legend": -1,
        "value_formatter": vn_number,
        "no_data_text": "Chưa có số liệu",
        "print_values": False,
        "margin": 12,
    }
    config.update(overrides)
    return config


def _svg(chart) -> str:
    """The chart as markup with no script and no comment."""
    root = etree.fromstring(chart.render())
    for node in list(root.iter()):
        is_script = isinstance(node.tag, str) and etree.QName(node).localname == "script"
        if is_script or isinstance(node, etree._Comment):
            node.getparent().remove(node)
    return etree.tostring(root, encoding="unicode")


def _whole_ticks(top) -> dict:
    """Counts are whole: a small scale gets 0, 1, 2, … rather than 0.2, 0.4, …"""
    if top > SMALL_SCALE:
        return {}
    return {"y_labels": list(range(0, max(int(top), 1) + 1))}


def _draw(kind, labels: list[str], series: list[tuple[str, list]], *, top, **config) -> str:
    # No title inside the drawing: the page's <figcaption> names the chart.
    columns = len(series) if len(series) <= 3 else 2
    config = {"legend_at_bottom_columns": columns, **_whole_ticks(top), **config}
    chart = kind(**_config(**config))
    chart.x_labels = labels
    for name, values in series:
        chart.add(name, values)
    return _svg(chart)


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
    top = max((value for row in rows for value in row[1:]), default=0)
    svg = _draw(pygal.Bar, [label for _, label in fields], series, top=top, truncate_label=-1)
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
    svg = _draw(
        pygal.Line,
        list(trend["labels"]),
        [(measures["new"], new), (measures["recognised"], recognised)],
        top=max([*new, *recognised], default=0),
        x_label_rotation=45 if len(rows) > 12 else 0,
        show_minor_x_labels=True,
        dots_size=4,
    )
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
    # pygal draws the first bar at the bottom: hand it the rows upside down, the most active on top.
    drawn = rows[::-1]
    series = [
        (label, [row[position] for row in drawn])
        for position, (_, label) in enumerate(fields, start=1)
    ]
    svg = _draw(
        pygal.HorizontalStackedBar,
        [row[0] for row in drawn],
        series,
        top=max((row[-1] for row in rows), default=0),
        height=160 + 30 * len(rows),
        truncate_label=40,
    )
    return Chart(title, svg, ["Đơn vị", *(label for _, label in fields), "Cộng"], rows)


def report_charts(figures: dict) -> list[Chart]:
    """Bars by field, the trend of new and recognised models, the child units compared."""
    charts = [_by_field(figures), _trend(figures), _children(figures)]
    return [chart for chart in charts if chart is not None]
