"""The report's charts: SVG drawn on the server, nothing fetched from elsewhere, and the same
numbers as a table for screen readers."""

import json
from xml.etree import ElementTree

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader import render_to_string

from reports.charts import OTHER_UNITS, UNITS_CHARTED, report_charts
from reports.formatting import vn_number
from reports.periods import year_period
from reports.selectors import report_figures
from tests.reports.test_figures import registry  # noqa: F401  (the hand-counted registry)

SVG = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"


@pytest.fixture
def figures(registry, reviewer, tree):  # noqa: F811
    return report_figures(reviewer, tree.province, year_period(2025))


@pytest.fixture
def charts(figures):
    return report_charts(figures)


def test_three_charts_with_vietnamese_titles(charts):
    assert [chart.title for chart in charts] == [
        "Mô hình, điển hình theo lĩnh vực",
        "Mô hình, điển hình xây dựng mới và được công nhận theo tháng",
        "Mô hình, điển hình đang thực hiện theo đơn vị và lĩnh vực",
    ]


def test_svg_parses_and_fetches_nothing(charts):
    for chart in charts:
        root = ElementTree.fromstring(chart.svg)
        assert root.tag == f"{SVG}svg"
        assert not chart.svg.startswith("<?xml")
        assert root.find(f".//{SVG}script") is None
        for element in root.iter():
            for name, value in element.attrib.items():
                assert not value.strip().lower().startswith(("http", "//")), (name, value)
            href = element.get(XLINK_HREF) or element.get("href")
            assert href is None or href.startswith("#"), href
        for style in root.iter(f"{SVG}style"):
            assert "@import" not in (style.text or "") and "url(http" not in (style.text or "")


def test_by_field_chart_holds_the_figures(charts, figures):
    chart = charts[0]
    assert chart.headers == ["Lĩnh vực", "Đang thực hiện", "Xây dựng mới", "Được công nhận"]
    assert chart.rows == [
        [label, *(figures["by_field"][key][m] for m in ("active", "new", "recognised"))]
        for key, label in figures["fields"]
    ]
    assert chart.rows[0] == ["Kinh tế", 3, 2, 0]
    for label, *_ in chart.rows:
        assert label in chart.svg
    values = [
        element.text
        for element in ElementTree.fromstring(chart.svg).iter(f"{SVG}desc")
        if element.get("class") == "value"
    ]
    assert sorted(values) == sorted(vn_number(v) for row in chart.rows for v in row[1:])


def test_trend_chart_holds_the_figures(charts, figures):
    chart = charts[1]
    trend = figures["trend"]
    assert chart.headers == ["Tháng", "Xây dựng mới", "Được công nhận"]
    assert chart.rows == [
        [label, new, recognised]
        for label, new, recognised in zip(
            trend["labels"], trend["new"], trend["recognised"], strict=True
        )
    ]
    assert chart.rows[11] == ["12/2025", 1, 0]
    assert "12/2025" in chart.svg


def test_units_chart_holds_the_figures(charts, figures):
    chart = charts[2]
    assert chart.headers == [
        "Đơn vị",
        "Kinh tế",
        "Văn hóa – xã hội",
        "Quốc phòng – an ninh",
        "Xây dựng hệ thống chính trị",
        "Cộng",
    ]
    rows = {row[0]: row[1:] for row in chart.rows}
    assert rows["Phường Chùa Hang"] == [2, 1, 0, 0, 3]
    assert rows["Tỉnh Bắc Kạn (cũ) (sáp nhập vào)"] == [1, 0, 0, 0, 1]
    assert chart.rows[0][0] == "Phường Chùa Hang"  # the most active first
    assert sum(row[-1] for row in chart.rows) == figures["total"]["active"]


def test_units_beyond_the_top_twenty_are_summed(figures):
    template = figures["children"][0]
    children = []
    for number in range(UNITS_CHARTED + 5):
        active = {key: 0 for key, _ in figures["fields"]}
        active["economy"] = number
        counts = {measure: dict(active) for measure in template["counts"]}
        children.append(
            {
                **template,
                "name": f"Xã {number:02d}",
                "note": "",
                "counts": counts,
                "total": {measure: number for measure in template["total"]},
            }
        )
    chart = report_charts({**figures, "children": children})[2]
    assert len(chart.rows) == UNITS_CHARTED + 1
    assert chart.rows[0][0] == f"Xã {UNITS_CHARTED + 4:02d}"
    assert chart.rows[-1] == [OTHER_UNITS, 0 + 1 + 2 + 3 + 4, 0, 0, 0, 10]


def test_snapshot_figures_and_a_unit_without_children(figures):
    frozen = json.loads(json.dumps({**figures, "children": []}, cls=DjangoJSONEncoder))
    charts = report_charts(frozen)
    assert len(charts) == 2
    assert charts[0].rows[0] == ["Kinh tế", 3, 2, 0]


def test_partial_renders_the_charts_and_their_tables(charts):
    html = render_to_string("reports/partials/_charts.html", {"charts": charts})
    assert html.count("<figure") == 3 and html.count("<figcaption") == 3
    assert html.count("<svg") == 3  # marked safe, not escaped
    assert "&lt;svg" not in html
    assert '<th scope="row">Phường Chùa Hang</th>' in html
    assert "<summary>Bảng số liệu của biểu đồ</summary>" in html
