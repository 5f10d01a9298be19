"""The report page: scoping, the figures it shows, drill-down, periods and its query count."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from lxml import html

from models_registry.choices import Status
from models_registry.models import Indicator, ResultReport, ResultValue
from organisations.choices import Role
from reports import selectors, services
from reports.models import Period
from reports.periods import default_period, year_period
from reports.selectors import report_figures
from reports.tables import report_tables
from tests.factories import DanVanModelFactory, OrganisationFactory, user_with_role
from tests.reports.test_figures import at, registry  # noqa: F401 - the hand-counted registry
from tests.reports.test_snapshots import fake_files  # noqa: F401

REPORT = "/bao-cao/"
# Session and user (and the session's idle stamp), the user's scope, the unit, the form's units
# and periods, the figures (14: the mergers in scope and the roll-up's state among them), the
# latest snapshot.
MAX_QUERIES = 24  # the figures run in a transaction of their own (memory settings)


def login_redirect(response):
    return response.status_code == 302 and reverse("login") in response["Location"]


def page(response):
    return html.fromstring(response.content.decode())


def cell(document, table, row, column) -> str:
    found = document.xpath(
        f"//table[@id='{table}']//tr[@data-row='{row}']/td[@data-column='{column}']"
    )
    assert len(found) == 1, (table, row, column)
    return found[0].text_content().strip()


def without_time(figures: dict) -> dict:
    return {key: value for key, value in figures.items() if key != "generated_at"}


@pytest.mark.parametrize(
    "url",
    [REPORT, "/bao-cao/ban-chot/", "/bao-cao/ban-chot/1/", "/bao-cao/ban-chot/1/excel/"],
)
def test_anonymous_is_sent_to_log_in(client, url):
    assert login_redirect(client.get(url))


def test_anonymous_cannot_ask_for_files(client, tree):
    assert login_redirect(
        client.post(reverse("reports:job_create"), {"don_vi": tree.province.pk, "kind": "workbook"})
    )


def test_default_unit_is_the_top_of_the_scope_and_default_period(client_for, tree, reviewer):
    response = client_for(reviewer).get(REPORT)
    assert response.status_code == 200
    assert response.context["unit"] == tree.province
    assert response.context["period"] == default_period()
    document = page(response)
    assert document.xpath("//select[@name='don_vi']/option[@selected]")[0].text.strip() == (
        "Tỉnh Thái Nguyên"
    )


def test_superuser_starts_at_a_root(client_for, tree, superuser):
    response = client_for(superuser).get(REPORT)
    assert response.status_code == 200
    assert response.context["unit"].depth == 1


def test_another_provinces_unit_is_404(client_for, tree, other_reviewer):
    client = client_for(other_reviewer)
    assert client.get(REPORT, {"don_vi": tree.province.pk, "ky": "2025"}).status_code == 404
    assert client.get(REPORT, {"don_vi": tree.ward.pk}).status_code == 404
    assert client.get(REPORT, {"don_vi": "abc"}).status_code == 404
    assert client.get(REPORT, {"don_vi": tree.other_province.pk}).status_code == 200


def test_a_cadre_sees_their_unit_only_and_cannot_freeze(client_for, tree, cadre):
    client = client_for(cadre)
    response = client.get(REPORT)
    assert response.status_code == 200 and response.context["unit"] == tree.ward
    assert response.context["can_freeze"] is False
    content = response.content.decode()
    assert "Tải Excel" in content and "Tải dự thảo báo cáo (.docx)" in content
    assert "Chốt số liệu</summary>" not in content
    assert client.get(REPORT, {"don_vi": tree.province.pk}).status_code == 404


def test_reviewers_and_admins_see_the_freeze_button(client_for, tree, reviewer, admin_user):
    for user in (reviewer, admin_user):
        response = client_for(user).get(REPORT, {"don_vi": tree.ward.pk})
        assert response.context["can_freeze"] is True
        assert "Chốt số liệu</summary>" in response.content.decode()


def test_the_page_shows_report_figures(client_for, registry, tree, reviewer):  # noqa: F811
    response = client_for(reviewer).get(REPORT, {"don_vi": tree.province.pk, "ky": "2025"})
    assert response.status_code == 200
    expected = report_figures(reviewer, tree.province, year_period(2025))
    assert without_time(response.context["figures"]) == without_time(expected)
    assert response.context["tables"] == report_tables(expected)

    document = page(response)
    heading = document.xpath("//header[contains(@class, 'report-heading')]")[0].text_content()
    assert "Tỉnh Thái Nguyên" in heading
    assert "từ ngày 01/01/2025 đến ngày 31/12/2025" in heading
    # Table 1: every measure × field, with totals.
    assert cell(document, "bang-1", "active", "total") == "5"
    assert cell(document, "bang-1", "active", "economy") == "3"
    assert cell(document, "bang-1", "commended_individuals", "total") == "1"
    assert cell(document, "bang-1b", "active", "exemplar-individual") == "1"
    # Table 2: each child unit, the merged province marked, totals in the footer.
    assert cell(document, "bang-2", f"don-vi-{tree.ward.pk}", "active") == "3"
    assert cell(document, "bang-2", f"don-vi-{tree.ward.pk}", "active-culture_society") == "1"
    assert cell(document, "bang-2", f"don-vi-{tree.ward.pk}", "commended_collectives") == "1"  # B
    assert cell(document, "bang-2", f"don-vi-{tree.ward.pk}", "commended_individuals") == "1"  # G
    assert cell(document, "bang-2", f"don-vi-{tree.ward.pk}", "maintained") == "1"  # B
    former = document.xpath(f"//tr[@data-row='don-vi-{tree.former_province.pk}']")[0]
    assert "sáp nhập vào" in former.text_content()
    assert cell(document, "bang-2", "cong", "active") == "5"
    # Table 3: the funnel against 2024, signed.
    assert cell(document, "bang-3", "registered", "current") == "6"
    assert cell(document, "bang-3", "registered", "change") == "+5"
    # Table 4: commendations by form.
    assert cell(document, "bang-4", "certificate", "collective") == "1"
    assert cell(document, "bang-4", "cong", "total") == "2"
    # Table 5: indicators with their unit; table 6: outstanding models linked.
    assert cell(document, "bang-5", "participants", "total") == "120"
    outstanding = document.xpath("//table[@id='bang-6']//a")
    assert [(a.text, a.get("href")) for a in outstanding] == [
        ("B", registry["B"].get_absolute_url())
    ]
    for caption in document.xpath("//table/caption"):
        assert caption.text_content().strip()


def test_numbers_use_the_vietnamese_format(client_for, registry, tree, reviewer):  # noqa: F811
    report = ResultReport.objects.create(
        model=registry["G"],
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 9, 30),
        narrative="x",
    )
    ResultValue.objects.create(
        report=report, indicator=Indicator.objects.get(code="participants"), value=1_234_447
    )
    document = page(client_for(reviewer).get(REPORT, {"don_vi": tree.province.pk, "ky": "2025"}))
    assert cell(document, "bang-5", "participants", "total") == "1.234.567"


def test_drill_down_to_a_child_and_back_down(client_for, registry, tree, reviewer):  # noqa: F811
    client = client_for(reviewer)
    document = page(client.get(REPORT, {"don_vi": tree.province.pk, "ky": "2025"}))
    links = {a.text.strip(): a.get("href") for a in document.xpath("//a[@class='drill-down']")}
    assert links["Phường Chùa Hang"] == f"{REPORT}?don_vi={tree.ward.pk}&ky=2025"
    assert links["Tỉnh Bắc Kạn (cũ)"] == f"{REPORT}?don_vi={tree.former_province.pk}&ky=2025"

    response = client.get(links["Phường Chùa Hang"])
    assert response.status_code == 200 and response.context["unit"] == tree.ward
    document = page(response)
    links = {a.text.strip(): a.get("href") for a in document.xpath("//a[@class='drill-down']")}
    assert links == {"Tổ dân phố 9": f"{REPORT}?don_vi={tree.residential.pk}&ky=2025"}
    direct = document.xpath(f"//tr[@data-row='don-vi-{tree.ward.pk}']")[0]
    # The unit's own row does not drill down (its numbers still link to their records).
    assert "trực tiếp" in direct.text_content() and not direct.xpath(".//a[@class='drill-down']")
    # The unit picked by a drill-down link is offered by the form even when deep down.
    response = client.get(REPORT, {"don_vi": tree.residential.pk, "ky": "2025"})
    assert response.context["unit"] == tree.residential
    selected = page(response).xpath("//select[@name='don_vi']/option[@selected]")[0]
    assert selected.get("value") == str(tree.residential.pk)


@pytest.mark.parametrize("key", ["2025-6t3", "1999", "ky-99999", "nam-nay"])
def test_an_unknown_period_is_400(client_for, tree, reviewer, key):
    response = client_for(reviewer).get(REPORT, {"don_vi": tree.province.pk, "ky": key})
    assert response.status_code == 400
    content = response.content.decode()
    assert "Không có kỳ báo cáo" in content and "Hãy chọn một kỳ trong danh sách" in content
    assert "bang-1" not in content


def test_a_stored_period(client_for, registry, tree, reviewer):  # noqa: F811
    period = Period.objects.create(
        name="Giai đoạn 2025",
        kind="phase",
        start=datetime.date(2025, 3, 1),
        end=datetime.date(2025, 4, 30),
    )
    response = client_for(reviewer).get(
        REPORT, {"don_vi": tree.province.pk, "ky": f"ky-{period.pk}"}
    )
    assert response.status_code == 200
    assert response.context["figures"]["total"]["new"] == 2  # A (01/03), G (01/04)
    assert "từ ngày 01/03/2025 đến ngày 30/04/2025" in response.content.decode()


def test_an_older_year_typed_in_the_address(client_for, tree, reviewer):
    response = client_for(reviewer).get(REPORT, {"don_vi": tree.province.pk, "ky": "2019"})
    assert response.status_code == 200
    assert page(response).xpath("//select[@name='ky']/option[@selected]")[0].text == "Năm 2019"


def test_figures_are_computed_once_per_request(client_for, registry, tree, reviewer, monkeypatch):  # noqa: F811
    calls = []
    real = selectors.report_figures

    def counted(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(selectors, "report_figures", counted)
    client_for(reviewer).get(REPORT, {"don_vi": tree.province.pk, "ky": "2025"})
    assert len(calls) == 1


def test_a_fixed_number_of_queries(client_for, registry, tree, reviewer, fake_files):  # noqa: F811
    client = client_for(reviewer)
    params = {"don_vi": tree.province.pk, "ky": "2025"}
    # Each process reads the tree's merger links once after the tree changed (units added
    # below change it): a warm request first, for both measures.
    client.get(REPORT, params)
    with CaptureQueriesContext(connection) as before:
        assert client.get(REPORT, params).status_code == 200
    # More child units, models and outstanding ones, and a snapshot to compare with: the same
    # queries, none per row.
    for number in range(6):
        unit = OrganisationFactory(name=f"Xã mới {number}", parent=tree.province)
        for _ in range(3):
            DanVanModelFactory(
                owning_unit=unit,
                status=Status.RECOGNISED,
                submitted_at=at(1, 1, 2025),
                accepted_at=at(1, 2, 2025),
                recognised_at=at(1, 3, 2025),
                is_outstanding=True,
                outstanding_at=at(1, 4, 2025),
            )
    services.snapshot_freeze(by=reviewer, organisation=tree.province, period=year_period(2025))
    client.get(REPORT, params)
    with CaptureQueriesContext(connection) as after:
        response = client.get(REPORT, params)
    assert len(response.context["figures"]["children"]) == 9
    assert response.context["changes_count"] == 0
    assert len(after) == len(before) <= MAX_QUERIES


def test_the_menu_links_to_reports(client_for, cadre):
    content = client_for(cadre).get("/").content.decode()
    assert 'href="/bao-cao/"' in content


def test_no_menu_link_without_a_role(client_for, db):
    from tests.factories import UserFactory

    content = client_for(UserFactory(username="khach")).get("/").content.decode()
    assert 'href="/bao-cao/"' not in content


def test_an_admin_of_the_ward_reports_on_the_ward(client_for, tree):
    admin = user_with_role(tree.ward, Role.ADMIN, username="quantri.phuong")
    response = client_for(admin).get(REPORT)
    assert response.context["unit"] == tree.ward and response.context["can_freeze"] is True
