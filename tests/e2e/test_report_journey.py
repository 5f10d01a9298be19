"""A province's reviewer reads the half-year report, drills down to a ward, downloads the
workbook and freezes the figures.

Three models of two wards were accepted (one also recognised) in the first half of this year
through the services; the dates are then moved into that half, since the services stamp "now".
"""

import datetime
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from models_registry import services as registry
from models_registry.models import DanVanModel
from organisations.choices import Role
from reports.models import ReportSnapshot
from reports.periods import half_period
from reports.selectors import MODEL_MEASURES, report_figures
from reviews import services
from tests.e2e.helpers import chips, log_in
from tests.factories import DEFAULT_PASSWORD, DanVanModelFactory, user_with_role
from tests.reviews.conftest import full_scores, result_report

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("seeded_rows"),
]

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(year, month, day):
    return datetime.datetime(year, month, day, 9, tzinfo=VN)


def accepted(unit, registrant, reviewer, name, field, *, day):
    """A model registered, submitted and accepted through the services, dated ``day``."""
    model = DanVanModelFactory(owning_unit=unit, created_by=registrant, name=name, field=field)
    registry.model_submit(model=model, by=registrant)
    services.registration_accept(model=model, by=reviewer)
    DanVanModel.objects.filter(pk=model.pk).update(
        submitted_at=day - datetime.timedelta(days=10), accepted_at=day
    )
    model.refresh_from_db()
    return model


def recognised(model, registrant, reviewer, province, *, day):
    """Proposed, scored and recognised through the services, dated ``day``."""
    services.model_propose(model=model, by=registrant, result_reports=[result_report(model)])
    services.appraisal_save(model=model, by=reviewer, scores=full_scores())
    services.model_recognise(
        model=model,
        by=reviewer,
        decision_number="58/QĐ-BDVTU",
        decision_date=timezone.localdate(),  # the service refuses a date after today
        decision_signer="Trần Thị Lan",
        decision_issuer=province,
    )
    DanVanModel.objects.filter(pk=model.pk).update(recognised_at=day)


@pytest.fixture
def half_year(tree, cadre, reviewer):
    """The first half of this year, with two models in the ward and one in the other ward."""
    year = timezone.localdate().year
    other_cadre = user_with_role(tree.other_ward, Role.CADRE, username="canbo.giasang")
    roads = accepted(
        tree.ward, cadre, reviewer, "Hiến đất làm đường", "economy", day=at(year, 2, 20)
    )
    accepted(
        tree.ward, cadre, reviewer, "Tổ dân phố văn minh", "culture_society", day=at(year, 3, 15)
    )
    accepted(
        tree.other_ward,
        other_cadre,
        reviewer,
        "Camera an ninh khu dân cư",
        "security_defence",
        day=at(year, 4, 10),
    )
    recognised(roads, cadre, reviewer, tree.province, day=at(year, 6, 5))
    return half_period(year, 1)


def cell(page, table, row, column):
    return page.locator(f"#{table} tr[data-row='{row}'] td[data-column='{column}']")


def expect_totals(page, figures):
    """Table 1's total column shows every measure of ``figures``."""
    for measure in MODEL_MEASURES:
        expect(cell(page, "bang-1", measure, "total")).to_have_text(str(figures["total"][measure]))


def test_reviewer_reads_drills_down_downloads_and_freezes_the_half_year_report(
    page, tree, reviewer, half_year, tmp_path
):
    period = half_year
    province = report_figures(reviewer, tree.province, period)
    ward = report_figures(reviewer, tree.ward, period)
    # What the reviewer should see: the three models, one recognised, two wards.
    assert province["total"]["new"] == 3 and province["total"]["recognised"] == 1
    assert ward["total"]["new"] == 2

    log_in(page, reviewer.username, DEFAULT_PASSWORD)
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role(
        "link", name="Báo cáo"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Báo cáo sơ kết, tổng kết")
    form = page.get_by_role("form", name="Chọn đơn vị và kỳ báo cáo")
    # The reviewer's own province is chosen already; the picker changes it.
    expect(chips(form.get_by_role("combobox", name="Đơn vị", exact=True))).to_have_text(
        ["Tỉnh Thái Nguyên"]
    )
    form.get_by_label("Kỳ báo cáo").select_option(period.key)
    form.get_by_role("button", name="Xem").click()

    heading = page.locator(".report-heading")
    expect(heading.get_by_role("heading", level=2)).to_have_text("Tỉnh Thái Nguyên")
    expect(heading).to_contain_text(f"6 tháng đầu năm {period.start.year}")
    expect(heading).to_contain_text(f"từ ngày 01/01/{period.start.year} đến ngày 30/06/")
    expect_totals(page, province)
    for child in province["children"]:
        for measure in ("active", "new", "recognised"):
            expect(cell(page, "bang-2", f"don-vi-{child['id']}", measure)).to_have_text(
                str(child["total"][measure])
            )
    expect(cell(page, "bang-2", f"don-vi-{tree.ward.pk}", "new")).to_have_text("2")
    expect(cell(page, "bang-2", f"don-vi-{tree.other_ward.pk}", "new")).to_have_text("1")

    # Down to the ward, and back to the province.
    page.locator("#bang-2").get_by_role("link", name="Phường Chùa Hang").click()
    expect(heading.get_by_role("heading", level=2)).to_have_text("Phường Chùa Hang")
    expect_totals(page, ward)
    expect(chips(page.get_by_role("combobox", name="Đơn vị", exact=True))).to_have_text(
        ["Phường Chùa Hang"]
    )
    page.go_back()
    expect(heading.get_by_role("heading", level=2)).to_have_text("Tỉnh Thái Nguyên")

    # The workbook holds the same totals.
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Tải Excel").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    sheet = openpyxl.load_workbook(saved)["1. Lĩnh vực"]
    totals = next(row for row in sheet.iter_rows(min_row=6) if row[1].value == "Tổng cộng")
    measures = [key for key, _ in province["measures"]]
    assert [c.value for c in totals[2 : 2 + len(measures)]] == [
        province["total"][m] for m in measures
    ]

    # Freezing the figures makes version 1.
    freeze = page.locator("details.freeze-form")
    freeze.locator("summary").click()
    freeze.get_by_label("Ghi chú của lần chốt").fill("Số liệu gửi Ban Dân vận Tỉnh ủy.")
    freeze.get_by_role("button", name="Chốt số liệu").click()
    expect(page.get_by_role("alert").filter(has_text="Đã chốt số liệu lần 1.")).to_be_visible()
    expect(page.locator(".snapshot-banner")).to_contain_text("Bản chốt lần 1")
    expect(page.get_by_text("Số liệu gửi Ban Dân vận Tỉnh ủy.")).to_be_visible()
    expect_totals(page, province)

    snapshot = ReportSnapshot.objects.get()
    assert (snapshot.organisation, snapshot.version) == (tree.province, 1)
    assert (snapshot.period_start, snapshot.period_end) == (period.start, period.end)
    assert snapshot.figures["total"] == province["total"]
