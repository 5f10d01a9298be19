"""Freezing a report (chốt số liệu): versions, who may freeze, frozen figures and files that never
change, and the live page comparing itself with the latest freeze."""

import copy
import io
import json
from decimal import Decimal

import docx
import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from django.utils import timezone

from models_registry.choices import Status
from reports import services
from reports.models import ReportSnapshot
from reports.periods import year_period
from reports.selectors import report_figures
from reports.snapshots import Difference, differences
from tests.factories import DanVanModelFactory
from tests.reports.test_figures import at, registry  # noqa: F401 - the hand-counted registry

REPORT = "/bao-cao/"
YEAR = {"ky": "2025"}


@pytest.fixture
def fake_files(monkeypatch):
    """Small real files in place of the workbook and narrative writers (written elsewhere)."""

    def write_workbook(figures, out, *, model_rows=(), progress=None):
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(["Đơn vị", figures["organisation"]["name"]])
        sheet.append(["Đang thực hiện", figures["total"]["active"]])
        rows = [list(row) for row in model_rows]
        for row in rows:
            sheet.append(row)
        if progress:
            progress(len(rows))
        book.save(out)

    def write_narrative(figures, out):
        document = docx.Document()
        document.add_paragraph(f"Số mô hình đang thực hiện: {figures['total']['active']}")
        document.save(out)

    monkeypatch.setattr("reports.workbook.write_workbook", write_workbook)
    monkeypatch.setattr("reports.narrative.write_narrative", write_narrative)
    monkeypatch.setattr("reports.selectors.report_model_rows", lambda *args: [("A",), ("B",)])


def read_bytes(field_file) -> bytes:
    with field_file.open("rb") as handle:
        return handle.read()


def workbook_cells(content: bytes) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def freeze(client, unit, note=""):
    return client.post(
        reverse("reports:job_create"),
        {"don_vi": unit.pk, "ky": "2025", "kind": "snapshot", "note": note},
    )


def test_freezing_twice_makes_versions_and_keeps_the_first(
    registry,  # noqa: F811
    tree,
    reviewer,
    fake_files,
):
    period = year_period(2025)
    first = services.snapshot_freeze(
        by=reviewer, organisation=tree.province, period=period, note="Gửi Tỉnh ủy"
    )
    first.refresh_from_db()
    figures, workbook, narrative = (
        first.figures,
        read_bytes(first.workbook),
        read_bytes(first.narrative),
    )
    assert first.version == 1 and first.created_by == reviewer and first.note == "Gửi Tỉnh ủy"
    assert first.period_name == "Năm 2025" and first.figures["total"]["active"] == 5
    assert workbook_cells(workbook)[:3] == [
        ["Đơn vị", "Tỉnh Thái Nguyên"],
        ["Đang thực hiện", 5],
        ["A", None],
    ]

    second = services.snapshot_freeze(by=reviewer, organisation=tree.province, period=period)
    assert second.version == 2
    assert second.workbook.name != first.workbook.name
    first.refresh_from_db()
    assert first.version == 1 and first.figures == figures
    assert read_bytes(first.workbook) == workbook and read_bytes(first.narrative) == narrative
    # Versions count per unit and period.
    other = services.snapshot_freeze(by=reviewer, organisation=tree.ward, period=period)
    half = services.snapshot_freeze(
        by=reviewer, organisation=tree.province, period=year_period(2024)
    )
    assert other.version == 1 and half.version == 1


def test_only_reviewers_and_admins_covering_the_unit_freeze(
    tree, cadre, reviewer, admin_user, other_reviewer, fake_files
):
    period = year_period(2025)
    with pytest.raises(PermissionDenied):
        services.snapshot_freeze(by=cadre, organisation=tree.ward, period=period)
    with pytest.raises(PermissionDenied):
        services.snapshot_freeze(by=other_reviewer, organisation=tree.province, period=period)
    assert not ReportSnapshot.objects.exists()
    assert services.snapshot_freeze(by=admin_user, organisation=tree.ward, period=period)
    # A unit merged into the province is in its reviewers' scope.
    assert services.snapshot_freeze(by=reviewer, organisation=tree.former_ward, period=period)


def test_a_failed_freeze_leaves_nothing_behind(
    tree, reviewer, fake_files, monkeypatch, private_media
):
    def broken(figures, out):
        raise OSError("disk full")

    monkeypatch.setattr("reports.narrative.write_narrative", broken)
    with pytest.raises(OSError):
        services.snapshot_freeze(by=reviewer, organisation=tree.province, period=year_period(2025))
    assert not ReportSnapshot.objects.exists()
    assert not [path for path in private_media.rglob("*") if path.is_file()]


def test_a_change_after_freezing_shows_on_the_live_page_only(
    vietnam_clock,
    client_for,
    registry,  # noqa: F811
    tree,
    reviewer,
    fake_files,
):
    client = client_for(reviewer)
    response = freeze(client, tree.province, note="Số liệu sơ kết")
    snapshot = ReportSnapshot.objects.get()
    assert response.status_code == 302 and response["Location"] == snapshot.get_absolute_url()
    figures = snapshot.figures
    files = read_bytes(snapshot.workbook), read_bytes(snapshot.narrative)
    page = client.get(REPORT, {"don_vi": tree.province.pk, **YEAR}).content.decode()
    assert "Khớp với bản chốt lần 1" in page

    # A model accepted in the year after the freeze.
    DanVanModelFactory(
        owning_unit=tree.other_ward,
        name="Mô hình mới",
        field="culture_society",
        status=Status.ACCEPTED,
        submitted_at=at(1, 6, 2025),
        accepted_at=at(1, 7, 2025),
    )
    snapshot.refresh_from_db()
    assert snapshot.figures == figures
    assert (read_bytes(snapshot.workbook), read_bytes(snapshot.narrative)) == files

    response = client.get(REPORT, {"don_vi": tree.province.pk, **YEAR})
    page = response.content.decode()
    frozen_on = f"{timezone.localtime(snapshot.created_at):%d/%m/%Y}"
    assert f"Số liệu hiện tại khác bản chốt lần 1 ngày {frozen_on}" in page
    changed = {(c.table, c.row, c.column): (c.frozen, c.live) for c in response.context["changes"]}
    assert changed[("Bảng 1. Mô hình, điển hình theo lĩnh vực", "Xây dựng mới", "Tổng số")] == (
        3,
        4,
    )
    assert changed[
        ("Bảng 2. Theo đơn vị trực thuộc", "Phường Gia Sàng", "Tổng số đang thực hiện")
    ] == (
        1,
        2,
    )
    assert "Mô hình mới" not in page  # not outstanding; only its counts changed

    # The snapshot's page still shows the frozen figures, marked as such.
    frozen_page = client.get(snapshot.get_absolute_url())
    assert frozen_page.status_code == 200
    content = frozen_page.content.decode()
    assert "Bản chốt lần 1" in content and "Số liệu sơ kết" in content
    assert frozen_page.context["tables"][0].rows[1].cells[-1].value == 3  # new, in total

    # Freezing again: version 2, and the page now matches it.
    response = freeze(client, tree.province)
    second = ReportSnapshot.objects.get(version=2)
    assert response["Location"] == second.get_absolute_url()
    page = client.get(REPORT, {"don_vi": tree.province.pk, **YEAR}).content.decode()
    assert "Khớp với bản chốt lần 2" in page and "khác bản chốt" not in page
    snapshot.refresh_from_db()
    assert snapshot.figures == figures


def test_differences_name_every_changed_cell(registry, tree, reviewer):  # noqa: F811
    live = report_figures(reviewer, tree.province, year_period(2025))
    assert differences(live, copy.deepcopy(live)) == []
    frozen = copy.deepcopy(live)
    frozen["total"]["active"] = 4
    frozen["funnel"][0]["change"] = 4
    frozen["indicators"][0]["total"] = "7.50"  # decimals come back from JSON as strings
    frozen["children"] = [row for row in frozen["children"] if row["name"] != "Phường Gia Sàng"]
    found = differences(live, frozen)
    assert (
        Difference("Bảng 1. Mô hình, điển hình theo lĩnh vực", "Đang thực hiện", "Tổng số", 4, 5)
        in found
    )
    assert ("Bảng 3. Từ đăng ký đến khen thưởng, so với kỳ trước", "Đăng ký") in [
        (d.table, d.row) for d in found
    ]
    indicator = next(d for d in found if d.table == "Bảng 5. Kết quả theo chỉ số")
    assert indicator.frozen == Decimal("7.5") and indicator.live == 120
    # A unit missing from the freeze: its non-zero cells, frozen as nothing.
    gia_sang = [d for d in found if d.row == "Phường Gia Sàng"]
    assert gia_sang and all(d.frozen is None for d in gia_sang)
    # The same figures read back from a snapshot's JSON still match.
    assert differences(live, json.loads(json.dumps(live, cls=DjangoJSONEncoder))) == []


def test_a_cadre_views_reports_but_cannot_freeze(client_for, tree, cadre, fake_files):
    client = client_for(cadre)
    assert client.get(REPORT, {"don_vi": tree.ward.pk, **YEAR}).status_code == 200
    assert freeze(client, tree.ward).status_code == 403
    assert not ReportSnapshot.objects.exists()


def test_snapshot_pages_and_files_are_scoped(
    client_for, tree, reviewer, cadre, other_reviewer, fake_files
):
    period = year_period(2025)
    province = services.snapshot_freeze(by=reviewer, organisation=tree.province, period=period)
    ward = services.snapshot_freeze(by=reviewer, organisation=tree.ward, period=period)
    urls = [
        province.get_absolute_url(),
        reverse("reports:snapshot_workbook", args=[province.pk]),
        reverse("reports:snapshot_narrative", args=[province.pk]),
    ]
    listing = reverse("reports:snapshot_list")
    for url in urls:
        assert client_for(other_reviewer).get(url).status_code == 404
        assert client_for(cadre).get(url).status_code == 404  # the ward's cadre: not the province
        assert client_for(reviewer).get(url).status_code == 200
    assert client_for(other_reviewer).get(listing, {"don_vi": tree.province.pk}).status_code == 404
    # The ward's own snapshot is the cadre's to see and download.
    client = client_for(cadre)
    assert client.get(ward.get_absolute_url()).status_code == 200
    response = client.get(reverse("reports:snapshot_workbook", args=[ward.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="bao-cao-phuong-chua-hang-20250101-20251231-ban-chot-1.xlsx"'
    )
    assert workbook_cells(b"".join(response.streaming_content))[0] == ["Đơn vị", "Phường Chùa Hang"]
    response = client.get(reverse("reports:snapshot_narrative", args=[ward.pk]))
    assert response["Content-Type"].endswith("wordprocessingml.document")


def test_the_list_shows_every_version_newest_first(client_for, tree, reviewer, fake_files):
    period = year_period(2025)
    for note in ("Lần đầu", "Lần hai", "Lần ba"):
        services.snapshot_freeze(by=reviewer, organisation=tree.province, period=period, note=note)
    services.snapshot_freeze(by=reviewer, organisation=tree.province, period=year_period(2024))
    response = client_for(reviewer).get(
        reverse("reports:snapshot_list"), {"don_vi": tree.province.pk, **YEAR}
    )
    assert response.status_code == 200
    assert [s.version for s in response.context["snapshots"]] == [3, 2, 1]
    content = response.content.decode()
    assert content.index("Lần ba") < content.index("Lần hai") < content.index("Lần đầu")
    bad = client_for(reviewer).get(
        reverse("reports:snapshot_list"), {"don_vi": tree.province.pk, "ky": "2025-6t9"}
    )
    assert bad.status_code == 400


def test_freeze_posted_twice_makes_one_version(client_for, tree, reviewer, fake_files):
    client = client_for(reviewer)
    data = {"don_vi": tree.province.pk, "ky": "2025", "kind": "snapshot", "note": "Gửi Tỉnh ủy"}
    first = client.post(reverse("reports:job_create"), data, follow=True)
    second = client.post(reverse("reports:job_create"), data, follow=True)
    assert first.status_code == second.status_code == 200
    assert ReportSnapshot.objects.count() == 1
    said = [str(message) for message in second.context["messages"]]
    assert "Đã chốt số liệu lần 1." in said
    # A freeze with its own note is a version of its own, even with the same figures.
    client.post(reverse("reports:job_create"), {**data, "note": "Bản gửi Ban Dân vận"})
    assert ReportSnapshot.objects.count() == 2
