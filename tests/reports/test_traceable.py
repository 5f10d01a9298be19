"""Every number of a report leads to the list of exactly the records it counts.

The walk reads only what a reader sees: every cell of every table of the report page, then, for
each number, the list its link opens (the total it prints and the rows it lists). A number left
without a link, a list one record longer than its number, or a workbook link to another list
fails here. The registry is the hand-counted one of ``test_figures`` with what it lacks for every
number to be non-zero (a model of the unit itself, one without a field, recognitions and
outstanding models the year before), and the 2025 reform's mergers by date.
"""

import datetime
import io
from urllib.parse import parse_qs, urlsplit

import docx
import openpyxl
import pytest
from django.conf import settings
from django.urls import reverse
from lxml import html

from models_registry.choices import Status
from models_registry.models import Indicator, ResultReport, ResultValue
from organisations.choices import Role
from reports import services
from reports.periods import half_period, year_period
from reports.selectors import report_figures
from tests.factories import user_with_role
from tests.reports.test_figures import at, model, registry  # noqa: F401
from tests.reports.test_mergers_by_date import reform  # noqa: F401

REPORT = reverse("reports:report")
RECORDS = reverse("reports:records")
TABLES = ("bang-1", "bang-1b", "bang-2", "bang-3", "bang-4", "bang-5")


def number(text: str):
    """A number as the portal writes it (1.234.567, 1.234,5)."""
    text = text.strip().replace(".", "").replace(",", ".")
    return float(text) if "." in text else int(text)


@pytest.fixture
def rich(registry, tree):  # noqa: F811
    """The hand-counted registry, with every number of its 2025 report made non-zero."""
    extra = {
        # Owned by the province itself: the child table's "trực tiếp" row; no field chosen.
        "K": model(
            tree.province,
            "K",
            field="",
            status=Status.ACCEPTED,
            submitted=at(10, 1, 2025),
            accepted=at(20, 1, 2025),
        ),
        # Recognised and outstanding in 2024: the funnel's previous column.
        "L": model(
            tree.other_ward,
            "L",
            field="economy",
            status=Status.RECOGNISED,
            submitted=at(1, 2, 2024),
            accepted=at(1, 3, 2024),
            recognised_at=at(1, 9, 2024),
            is_outstanding=True,
            outstanding_at=at(1, 10, 2024),
        ),
    }
    workdays = Indicator.objects.get(code="participants")
    for owner, value in ((registry["G"], 35), (extra["K"], 7)):
        report = ResultReport.objects.create(
            model=owner,
            period_start=datetime.date(2025, 1, 1),
            period_end=datetime.date(2025, 9, 30),
            narrative="Kết quả",
        )
        ResultValue.objects.create(report=report, indicator=workdays, value=value)
    return {**registry, **extra}


def linked_cells(document):
    """(table, row, column, text, href) of every number cell of the report's tables."""
    found = []
    for table in TABLES:
        for td in document.xpath(f"//table[@id='{table}']//td"):
            links = td.xpath("./a")
            row = td.xpath("ancestor::tr[1]")[0].get("data-row")
            href = links[0].get("href") if links else None
            found.append((table, row, td.get("data-column"), td.text_content().strip(), href))
    return found


def listed(client, href: str, column: str):
    """The list a number links to: its printed total (the indicator's sum for a "total" column
    of table 5) and how many records it lists over all its pages."""
    response = client.get(href)
    assert response.status_code == 200, href
    document = html.fromstring(response.content)
    marker = "data-records-sum" if column == "total" and "chi_tieu=indicator" in href else None
    total = document.xpath(f"//*[@{marker or 'data-records-total'}]")[0].text_content()
    rows = len(document.xpath("//table[contains(@class, 'records-list')]/tbody/tr"))
    page = response.context["page_obj"]
    while page.has_next():
        response = client.get(href, {"page": page.next_page_number()})
        page = response.context["page_obj"]
        rows += len(page.object_list)
    return total.strip(), rows, document


def walk(client, unit, key: str) -> list:
    """Follow every number of a report's page to its list; return the cells walked."""
    response = client.get(REPORT, {"don_vi": unit.pk, "ky": key})
    assert response.status_code == 200
    cells = linked_cells(html.fromstring(response.content))
    assert cells
    for table, row, column, text, href in cells:
        where = f"{table} {row} {column} ({text})"
        if column == "change":
            assert href is None, where  # a difference counts no records
            continue
        if number(text) == 0:
            continue
        assert href and href.startswith(f"{RECORDS}?"), where
        total, rows, _ = listed(client, href, column)
        assert total == text, where
        if not (table == "bang-5" and column == "total"):  # a sum, not a count
            assert rows == number(text), where
    return cells


def test_every_number_of_a_province_report_lists_its_records(client_for, rich, tree, reviewer):
    figures = report_figures(reviewer, tree.province, year_period(2025))
    assert all(figures["total"].values())  # every measure non-zero
    assert all(stage["current"] and stage["previous"] for stage in figures["funnel"])
    client = client_for(reviewer)
    cells = walk(client, tree.province, "2025")
    linked = [cell for cell in cells if cell[4]]
    assert {cell[0] for cell in linked} == set(TABLES)
    rows = {cell[1] for cell in linked if cell[0] == "bang-2"}
    assert f"don-vi-{tree.province.pk}" in rows  # the unit's own models ("trực tiếp")
    assert f"don-vi-{tree.former_province.pk}" in rows  # the province merged in
    assert "cong" in rows
    previous = [cell for cell in linked if cell[2] == "previous"]
    assert len(previous) == 5 and all("ky_truoc=1" in cell[4] for cell in previous)


def test_a_drilled_down_report_and_a_half_year(client_for, rich, tree, reviewer):
    client = client_for(reviewer)
    walk(client, tree.ward, "2025")
    walk(client, tree.province, "2025-6t2")


def test_reports_across_the_reform_mergers_by_date(client_for, reform):  # noqa: F811
    units = reform["units"]
    client = client_for(user_with_role(units["phu_tho"], Role.REVIEWER, username="tham-dinh-pt"))
    for unit, period in (
        (units["phu_tho"], year_period(2023)),  # the former province as a row "(cũ)"
        (units["phu_tho"], year_period(2026)),
        (units["ward"], half_period(2023, 1)),  # a new ward's predecessors, before it existed
        (units["city"], half_period(2023, 1)),
    ):
        cells = walk(client, unit, period.key)
        assert any(cell[4] for cell in cells), (unit, period)


def test_the_list_names_the_report_and_the_cell(client_for, rich, tree, reviewer):
    client = client_for(reviewer)
    query = {"don_vi": tree.province.pk, "ky": "2025", "chi_tieu": "active"}
    response = client.get(RECORDS, {**query, "linh_vuc": "economy", "dong": tree.ward.pk})
    assert response.status_code == 200
    document = html.fromstring(response.content)
    heading = document.xpath("//h1")[0].text_content()
    assert heading == "Đang thực hiện – Kinh tế – Phường Chùa Hang – Năm 2025"
    assert document.xpath("//*[@data-records-total]")[0].text == "2"  # A and G
    names = document.xpath("//table[contains(@class, 'records-list')]//tbody/tr/td[1]/a")
    assert sorted(a.text for a in names) == ["A", "G"]
    assert names[0].get("href") == rich[names[0].text].get_absolute_url()
    assert "Tỉnh Thái Nguyên" in document.xpath("//nav[@aria-label='breadcrumb']")[0].text_content()
    # How it is counted, in words.
    assert "chưa dừng thực hiện trước ngày đầu kỳ" in response.content.decode()


def test_the_page_says_how_each_number_is_counted(client_for, rich, tree, reviewer):
    response = client_for(reviewer).get(REPORT, {"don_vi": tree.province.pk, "ky": "2025"})
    document = html.fromstring(response.content)
    definitions = {
        dt.text_content().strip(): dt.getnext().text_content().strip()
        for dt in document.xpath("//section[contains(@class, 'report-definitions')]//dt")
    }
    assert definitions["Xây dựng mới"] == "được duyệt đăng ký trong kỳ."
    assert definitions["Đang thực hiện"].startswith("đã được duyệt đăng ký trước ngày cuối kỳ")
    for label in ("Duy trì", "Nhân rộng", "Tiêu biểu", "Tập thể được khen", "Đăng ký"):
        assert definitions[label], label


def test_workbook_numbers_link_to_the_same_lists(client_for, rich, tree, reviewer):
    client = client_for(reviewer)
    response = client.post(
        reverse("reports:job_create"),
        {"don_vi": tree.province.pk, "ky": "2025", "kind": "workbook"},
    )
    download = client.get(response["Location"])
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    page = html.fromstring(client.get(REPORT, {"don_vi": tree.province.pk, "ky": "2025"}).content)
    page_links = {cell[4] for cell in linked_cells(page) if cell[4]}
    base = f"{settings.PORTAL_BASE_URL}{RECORDS}?"
    followed = set()
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if not cell.hyperlink:
                    continue
                target = cell.hyperlink.target
                assert target.startswith(base), target
                href = f"{RECORDS}?{target[len(base) :]}"
                column = "total" if sheet.cell(6, cell.column).value == "Tổng giá trị" else ""
                total, _, _ = listed(client, href, column)
                assert number(total) == cell.value, (sheet.title, cell.coordinate, href)
                followed.add(href)
    # The workbook's tables hold the page's numbers: the same lists, every one of them.
    assert followed == page_links
    assert "Cách tính" in workbook.sheetnames


def test_narrative_table_numbers_link_to_the_same_lists(client_for, rich, tree, reviewer):
    client = client_for(reviewer)
    response = client.post(
        reverse("reports:job_create"),
        {"don_vi": tree.province.pk, "ky": "2025", "kind": "narrative"},
    )
    download = client.get(response["Location"])
    document = docx.Document(io.BytesIO(b"".join(download.streaming_content)))
    page = html.fromstring(client.get(REPORT, {"don_vi": tree.province.pk, "ky": "2025"}).content)
    page_links = {cell[4] for cell in linked_cells(page) if cell[4]}
    base = f"{settings.PORTAL_BASE_URL}{RECORDS}?"
    followed = set()
    for table in document.tables:
        headers = [cell.text for cell in table.rows[0].cells]
        for row in table.rows:
            for position, cell in enumerate(row.cells):
                for link in (link for p in cell.paragraphs for link in p.hyperlinks):
                    assert link.address.startswith(base), link.address
                    href = f"{RECORDS}?{link.address[len(base) :]}"
                    column = "total" if headers[position] == "Tổng giá trị" else ""
                    total, _, _ = listed(client, href, column)
                    assert total == link.text, (headers[position], href)
                    followed.add(href)
    assert followed == page_links


def test_a_forged_link_to_another_province_is_not_found(
    client_for, rich, tree, reviewer, other_reviewer
):
    client = client_for(other_reviewer)
    query = {"don_vi": tree.province.pk, "ky": "2025", "chi_tieu": "active"}
    assert client.get(RECORDS, query).status_code == 404
    # Their own province, with a row of the other one: not a row of their report.
    own = {**query, "don_vi": tree.other_province.pk}
    assert client.get(RECORDS, own).status_code == 200
    assert client.get(RECORDS, {**own, "dong": tree.ward.pk}).status_code == 404
    # A unit deeper down is not a row of the province's table either.
    mine = client_for(reviewer)
    deep = {**query, "dong": tree.residential.pk}
    assert mine.get(RECORDS, deep).status_code == 404


@pytest.mark.parametrize(
    "changes",
    [
        {"chi_tieu": "khong-co"},
        {"ky": "1999"},
        {"ky": "ky-99999999999999999999"},
        {"ky": "x" * 500},
        {"dong": "99999999999999999999"},
        {"dong": "-1"},
        {"dong": "abc"},
        {"linh_vuc": "sports"},
        {"loai": "model-robot"},
        {"ky_truoc": "1"},  # "active" is not compared with the previous period
        {"ky_truoc": "2"},
        {"hinh_thuc": "merit"},  # a commendation form on a model measure
        {"chi_tieu": "indicator"},  # no indicator named
        {"chi_tieu": "indicator", "chi_so": "khong-co"},
    ],
)
def test_bad_parameters_get_a_message_not_an_error(client_for, rich, tree, reviewer, changes):
    query = {"don_vi": tree.province.pk, "ky": "2025", "chi_tieu": "active", **changes}
    response = client_for(reviewer).get(RECORDS, query)
    assert response.status_code == 400
    assert "Không xác định được số liệu cần xem" in response.content.decode()


@pytest.mark.parametrize(
    "changes", [{"chi_tieu": "active\x00"}, {"ky": "2025\x00"}, {"don_vi": "1\x00"}]
)
def test_a_nul_character_gets_the_portal_message(client_for, rich, tree, reviewer, changes):
    query = {"don_vi": tree.province.pk, "ky": "2025", "chi_tieu": "active", **changes}
    response = client_for(reviewer).get(RECORDS, query)
    assert response.status_code == 400
    assert "ký tự không hợp lệ" in response.content.decode()


@pytest.mark.parametrize("unit", ["99999999999999999999", "abc", "-5"])
def test_a_bad_unit_is_not_found(client_for, rich, reviewer, unit):
    query = {"don_vi": unit, "ky": "2025", "chi_tieu": "active"}
    assert client_for(reviewer).get(RECORDS, query).status_code == 404


def test_the_list_is_paginated_and_keeps_its_query(
    client_for, tree, reviewer, django_assert_max_num_queries
):
    for index in range(53):
        model(
            tree.ward,
            f"M{index:02}",
            status=Status.ACCEPTED,
            submitted=at(1, 1, 2025),
            accepted=at(2, 1, 2025),
        )
    client = client_for(reviewer)
    query = {"don_vi": tree.province.pk, "ky": "2025", "chi_tieu": "new"}
    with django_assert_max_num_queries(16):  # a fixed few, none per listed model
        response = client.get(RECORDS, query)
    document = html.fromstring(response.content)
    assert document.xpath("//*[@data-records-total]")[0].text == "53"
    assert len(document.xpath("//table[contains(@class, 'records-list')]/tbody/tr")) == 50
    next_page = document.xpath("//a[contains(text(), 'Sau')]")[0].get("href")
    assert parse_qs(urlsplit(next_page).query) == {
        "don_vi": [str(tree.province.pk)],
        "ky": ["2025"],
        "chi_tieu": ["new"],
        "page": ["2"],
    }
    second = html.fromstring(client.get(RECORDS + next_page).content)
    assert len(second.xpath("//table[contains(@class, 'records-list')]/tbody/tr")) == 3


def test_anonymous_visitors_are_sent_to_log_in(client, tree):
    response = client.get(RECORDS, {"don_vi": tree.province.pk, "ky": "2025", "chi_tieu": "new"})
    assert response.status_code == 302 and "next=" in response["Location"]


def test_a_frozen_report_links_to_the_live_lists_and_says_so(client_for, rich, tree, reviewer):
    snapshot = services.snapshot_freeze(
        by=reviewer, organisation=tree.province, period=year_period(2025)
    )
    client = client_for(reviewer)
    response = client.get(reverse("reports:snapshot_detail", args=[snapshot.pk]))
    document = html.fromstring(response.content)
    assert "Danh sách lấy theo dữ liệu hiện tại" in response.content.decode()
    frozen = {cell[4] for cell in linked_cells(document) if cell[4]}
    live = html.fromstring(client.get(REPORT, {"don_vi": tree.province.pk, "ky": "2025"}).content)
    assert frozen == {cell[4] for cell in linked_cells(live) if cell[4]}
