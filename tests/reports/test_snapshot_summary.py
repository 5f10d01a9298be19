"""The live report's summary of what changed since the latest freeze: how many cells of how many,
the largest changes first with the records behind each, and the full list folded away."""

import re
from html import unescape

from django.urls import reverse

from models_registry.choices import Status
from reports.models import ReportSnapshot
from reports.periods import year_period
from reports.selectors import report_figures
from reports.tables import report_tables
from tests.factories import DanVanModelFactory
from tests.reports.test_figures import at, registry  # noqa: F401 - the hand-counted registry
from tests.reports.test_snapshots import fake_files, freeze  # noqa: F401

REPORT = "/bao-cao/"
YEAR = {"ky": "2025"}
BY_FIELD = "Bảng 1. Mô hình, điển hình theo lĩnh vực"
CHILDREN = "Bảng 2. Theo đơn vị trực thuộc"


def listed_names(client, href: str) -> set[str]:
    response = client.get(unescape(href))
    assert response.status_code == 200
    return {record.name for record in response.context["object_list"]}


def test_the_summary_counts_orders_and_links_the_changes(
    vietnam_clock,
    client_for,
    registry,  # noqa: F811
    tree,
    reviewer,
    fake_files,  # noqa: F811
):
    client = client_for(reviewer)
    freeze(client, tree.province)
    assert ReportSnapshot.objects.count() == 1

    # After the freeze: two economy models accepted in Gia Sàng, and model A recognised.
    for name in ("Mô hình sau chốt 1", "Mô hình sau chốt 2"):
        DanVanModelFactory(
            owning_unit=tree.other_ward,
            name=name,
            field="economy",
            status=Status.ACCEPTED,
            submitted_at=at(1, 6, 2025),
            accepted_at=at(1, 7, 2025),
        )
    registry["A"].status = Status.RECOGNISED
    registry["A"].recognised_at = at(1, 9, 2025)
    registry["A"].save()

    response = client.get(REPORT, {"don_vi": tree.province.pk, **YEAR})
    page = response.content.decode()
    changes, largest = response.context["changes"], response.context["largest_changes"]
    live = report_figures(reviewer, tree.province, year_period(2025))
    cells = sum(len(row.cells) for table in report_tables(live) for row in table.all_rows())
    assert response.context["cells_count"] == cells
    assert response.context["changes_count"] == len(changes) > 10
    assert f"({len(changes)} trên {cells} ô số liệu thay đổi)" in re.sub(r"<[^>]+>", "", page)

    # Largest first: every +2 (the two new models) before every +1 (the recognition).
    sizes = [abs(change.change) for change in largest]
    assert sizes == sorted(sizes, reverse=True) and sizes[0] == 2
    assert len(largest) == 10 and "10 thay đổi lớn nhất" in page
    gia_sang = next(
        c for c in changes if (c.table, c.row, c.column) == (CHILDREN, "Phường Gia Sàng", "Kinh tế")
    )
    assert (gia_sang.frozen, gia_sang.live, gia_sang.change_text) == (0, 2, "+2")
    recognised = next(
        c for c in changes if (c.table, c.row, c.column) == (BY_FIELD, "Được công nhận", "Kinh tế")
    )
    assert (recognised.frozen, recognised.live, recognised.change_text) == (0, 1, "+1")
    assert changes.index(recognised) < changes.index(gia_sang)  # the full list: page order

    # Each change in the summary links to the records behind its live number.
    links = re.findall(r'<a class="snapshot-records" href="([^"]+)"', page)
    assert len(links) == len(largest)
    assert {"Mô hình sau chốt 1", "Mô hình sau chốt 2"} <= listed_names(client, links[0])
    records = reverse("reports:records")
    assert listed_names(client, f"{records}?{gia_sang.query}") == {
        "Mô hình sau chốt 1",
        "Mô hình sau chốt 2",
    }
    assert listed_names(client, f"{records}?{recognised.query}") == {"A"}

    # The full comparison sits folded below the summary, closed by default.
    details = re.search(r'<details class="snapshot-all">(.*?)</details>', page, re.S)
    assert details and "<summary>Xem toàn bộ bảng so sánh</summary>" in details.group(1)
    assert details.group(1).count("<tr>") == len(changes) + 1  # the header row
    assert page.index('class="snapshot-largest') < details.start()


def test_a_decrease_is_signed_and_unlinked_when_nothing_is_left(
    vietnam_clock,
    client_for,
    registry,  # noqa: F811
    tree,
    reviewer,
    fake_files,  # noqa: F811
):
    client = client_for(reviewer)
    freeze(client, tree.province)
    registry["C"].delete()  # Gia Sàng's only security model accepted in the year

    response = client.get(REPORT, {"don_vi": tree.province.pk, **YEAR})
    gone = next(
        c
        for c in response.context["changes"]
        if (c.table, c.row, c.column) == (CHILDREN, "Phường Gia Sàng", "Quốc phòng – an ninh")
    )
    assert (gone.live, gone.change, gone.change_text, gone.query) == (0, -1, "−1", "")
    assert "−1" in response.content.decode()


def test_a_matching_report_shows_no_summary(
    client_for,
    registry,  # noqa: F811
    tree,
    reviewer,
    fake_files,  # noqa: F811
):
    client = client_for(reviewer)
    freeze(client, tree.province)
    page = client.get(REPORT, {"don_vi": tree.province.pk, **YEAR}).content.decode()
    assert "Khớp với bản chốt lần 1" in page
    assert "snapshot-largest" not in page and "Xem toàn bộ bảng so sánh" not in page


def test_a_snapshot_page_compares_itself_with_the_version_before(
    vietnam_clock,
    client_for,
    registry,  # noqa: F811
    tree,
    reviewer,
    fake_files,  # noqa: F811
):
    client = client_for(reviewer)
    freeze(client, tree.province)
    first = ReportSnapshot.objects.get()
    page = client.get(first.get_absolute_url()).content.decode()
    assert "So với bản chốt lần" not in page and "Số liệu giống bản chốt" not in page

    DanVanModelFactory(
        owning_unit=tree.other_ward,
        name="Mô hình sau chốt",
        field="economy",
        status=Status.ACCEPTED,
        submitted_at=at(1, 6, 2025),
        accepted_at=at(1, 7, 2025),
    )
    freeze(client, tree.province)
    second = ReportSnapshot.objects.get(version=2)
    response = client.get(second.get_absolute_url())
    page = response.content.decode()
    changes = response.context["changes"]
    assert changes and all(abs(change.change) == 1 for change in changes)
    assert "So với bản chốt lần 1 ngày" in page
    assert f"({len(changes)} trên {response.context['cells_count']} ô số liệu thay đổi)" in (
        re.sub(r"<[^>]+>", "", page)
    )
    assert '<th scope="col" class="text-end">Lần 1</th>' in page
    assert '<th scope="col" class="text-end">Lần 2</th>' in page
    assert "snapshot-records" not in page  # two frozen versions: no live records to list
    # A version whose cells match the one before (its list or names may differ) says so.
    third = ReportSnapshot.objects.create(
        organisation=tree.province,
        period_name=second.period_name,
        period_start=second.period_start,
        period_end=second.period_end,
        version=3,
        figures=second.figures,
    )
    page = client.get(third.get_absolute_url()).content.decode()
    assert "Số liệu giống bản chốt lần 2" in page and "snapshot-largest" not in page
