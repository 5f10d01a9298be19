"""Exporting the list: the same rows as the screen, real spreadsheet types, safe cells, and
large exports built in the background for their requester only."""

import csv
import io
from datetime import date

import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from models_registry.choices import ExportStatus, Status
from models_registry.models import ExportJob, Theme
from models_registry.resources import COLUMNS, SHEET_TITLE
from tests.factories import DanVanModelFactory

EXPORT = "/mo-hinh/xuat/"
NAME = COLUMNS["name"]


@pytest.fixture
def models(tree):
    # get_or_create: a transactional test before this one may have flushed the seeded themes.
    theme, _ = Theme.objects.get_or_create(name="Bảo vệ môi trường")
    return [
        DanVanModelFactory(
            owning_unit=tree.ward,
            name='=HYPERLINK("http://x","bấm")',
            person_name="+84 912",
            contact_name="@admin",
            code="-CODE",
            field="economy",
            status=Status.ACCEPTED,
            start_date=date(2024, 3, 15),
            funds=250_000_000,
            themes=[theme],
        ),
        DanVanModelFactory(
            owning_unit=tree.residential,
            name="Khu dân cư không rác",
            field="culture_society",
            status=Status.RECOGNISED,
            decision_number="125/QĐ-BDV",
            decision_date=date(2025, 11, 18),
        ),
        DanVanModelFactory(owning_unit=tree.other_ward, name="Góc xanh", status=Status.SUBMITTED),
        DanVanModelFactory(owning_unit=tree.other_province_ward, name="Ngoài phạm vi"),
    ]


def read_xlsx(response) -> list[list]:
    """The rows of the export's data sheet, and the sheet."""
    content = b"".join(response.streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(content))[SHEET_TITLE]
    return [list(row) for row in sheet.iter_rows(values_only=True)], sheet


def test_xlsx_holds_the_filtered_scoped_rows_with_real_types(client_for, tree, models, cadre):
    response = client_for(cadre).get(EXPORT, {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="danh-sach-mo-hinh-')
    rows, sheet = read_xlsx(response)
    header, *data = rows
    assert header[:4] == ["Mã mô hình", "Mã đơn vị chủ trì", "Tên đơn vị chủ trì", NAME]
    assert len(data) == 2  # the ward's models; not the other ward's, nor the other province's
    by_name = {row[3]: dict(zip(header, row, strict=True)) for row in data}
    first = by_name['\'=HYPERLINK("http://x","bấm")']
    assert first[COLUMNS["person_name"]] == "'+84 912"
    assert first[COLUMNS["contact_name"]] == "'@admin"
    assert first[COLUMNS["code"]] == "'-CODE"
    assert first[COLUMNS["owning_unit"]] == "T19-CH"
    assert first["Tên đơn vị chủ trì"] == "Phường Chùa Hang"
    assert first[COLUMNS["start_date"]].date() == date(2024, 3, 15)
    funds = first[COLUMNS["funds"]]
    assert funds == 250_000_000 and isinstance(funds, int)
    assert first[COLUMNS["field"]] == "Kinh tế" and first[COLUMNS["status"]] == "Đã duyệt đăng ký"
    assert first[COLUMNS["themes"]] == "Bảo vệ môi trường"
    second = by_name["Khu dân cư không rác"]
    assert second[COLUMNS["decision_number"]] == "125/QĐ-BDV"
    assert second[COLUMNS["decision_date"]].date() == date(2025, 11, 18)
    date_column = header.index(COLUMNS["start_date"]) + 1
    assert sheet.cell(row=2, column=date_column).number_format == "dd/mm/yyyy"
    assert sheet.title == "Mô hình, điển hình"  # the import's data sheet
    assert not any(
        isinstance(cell, str) and cell.startswith(("=", "+", "-", "@"))
        for row in data
        for cell in row
    )


def test_export_follows_the_filters_on_screen(client_for, tree, models, reviewer):
    client = client_for(reviewer)
    response = client.get(EXPORT, {"format": "xlsx", "q": "khu dan cu", "page": "3"})
    rows, _ = read_xlsx(response)
    assert [row[3] for row in rows[1:]] == ["Khu dân cư không rác"]
    rows, _ = read_xlsx(client.get(EXPORT, {"format": "xlsx", "unit": tree.other_ward.pk}))
    assert [row[3] for row in rows[1:]] == ["Góc xanh"]
    # Another province's unit is not a valid filter: ignored, the scope still applies.
    rows, _ = read_xlsx(client.get(EXPORT, {"format": "xlsx", "unit": tree.other_province.pk}))
    assert "Ngoài phạm vi" not in [row[3] for row in rows[1:]]


def test_csv_is_utf8_with_a_byte_order_mark(client_for, models, cadre):
    response = client_for(cadre).get(EXPORT, {"format": "csv", "field": "culture_society"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    content = b"".join(response.streaming_content)
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0][3] == NAME
    assert [row[3] for row in rows[1:]] == ["Khu dân cư không rác"]
    assert rows[1][rows[0].index(COLUMNS["decision_date"])] == "18/11/2025"
    assert rows[1][rows[0].index(COLUMNS["funds"])] == "150000000"


def test_unknown_format_is_404(client_for, cadre):
    assert client_for(cadre).get(EXPORT, {"format": "pdf"}).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_large_export_runs_in_the_background(client_for, tree, models, cadre, reviewer, settings):
    # A real commit: the task is queued when the request's transaction commits, and the worker
    # (the same command `make run` starts) picks it up from the database.
    settings.EXPORT_SYNC_MAX_ROWS = 1
    client = client_for(cadre)
    # Following the link (or a browser prefetching it) only asks to confirm.
    page = client.get(EXPORT, {"format": "xlsx"}).content.decode()
    assert "có <strong>2</strong> mô hình" in page and "Bắt đầu xuất" in page
    assert 'method="post" action="/mo-hinh/xuat/?format=xlsx"' in page
    assert not ExportJob.objects.exists()

    response = client.post(f"{EXPORT}?format=xlsx")
    job = ExportJob.objects.get(query="")
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert job.status == ExportStatus.PENDING and job.requested_by == cadre
    # Sent again while it waits: the same job, not a second one.
    assert client.post(f"{EXPORT}?format=xlsx")["Location"] == job.get_absolute_url()
    assert ExportJob.objects.count() == 1

    page = client.get(job.get_absolute_url()).content.decode()
    assert 'role="progressbar"' in page and "Đang chờ đến lượt xử lý" in page
    assert 'hx-trigger="every 1s"' in page
    download = reverse("models_registry:export_download", args=[job.pk])
    assert client.get(download).status_code == 404  # not ready yet

    call_command("db_worker", batch=True, verbosity=0)
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and job.done_rows == job.total_rows == 2
    fragment = client.get(job.get_absolute_url(), headers={"HX-Request": "true"}).content.decode()
    assert "100%" in fragment and download in fragment and "every 1s" not in fragment
    response = client.get(download)
    assert response.status_code == 200
    rows, _ = read_xlsx(response)
    assert len(rows) == 3

    # Only the requester sees the job and its file.
    other = client_for(reviewer)
    assert other.get(job.get_absolute_url()).status_code == 404
    assert other.get(download).status_code == 404


def test_background_export_reports_progress(tree, cadre, monkeypatch):
    from models_registry import exports
    from models_registry.tasks import export_models

    for number in range(5):
        DanVanModelFactory(owning_unit=tree.ward, name=f"Mô hình {number}")
    job = ExportJob.objects.create(requested_by=cadre, query="field=economy", format="csv")
    monkeypatch.setattr(exports, "PROGRESS_EVERY", 2)
    with CaptureQueriesContext(connection) as captured:
        export_models.call(str(job.pk))
    progress = [q["sql"] for q in captured.captured_queries if '"done_rows" = 2' in q["sql"]]
    progress += [q["sql"] for q in captured.captured_queries if '"done_rows" = 4' in q["sql"]]
    assert len(progress) == 2  # after rows 2 and 4, before the end
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and job.total_rows == 5 and job.percent == 100
    assert job.file.name == f"exports/{job.pk}.csv"
    with job.file.open("rb") as handle:
        assert handle.read().decode("utf-8-sig").count("\n") == 6


def test_an_export_job_is_named_by_its_vietnam_date_and_time(vietnam_clock, tree, cadre):
    job = ExportJob.objects.create(requested_by=cadre, query="", format="csv")
    assert str(job).endswith(f" – {vietnam_clock:%d/%m/%Y %H:%M}")


def test_failed_export_says_so(tree, cadre, monkeypatch):
    from models_registry import tasks

    job = ExportJob.objects.create(requested_by=cadre, query="", format="xlsx")

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("models_registry.exports.write_xlsx", broken)
    with pytest.raises(OSError):
        tasks.export_models.call(str(job.pk))
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED and job.finished_at


def test_a_failing_count_marks_the_export_failed(tree, cadre, monkeypatch):
    """The worker reads the list before it writes; a failure there must not leave the job
    waiting for ever (the same list asked again would be handed that job)."""
    from models_registry import selectors, tasks

    job = ExportJob.objects.create(requested_by=cadre, query="", format="csv")

    def timed_out(*args, **kwargs):
        raise RuntimeError("canceling statement due to statement timeout")

    monkeypatch.setattr(selectors, "filtered_models", timed_out)
    with pytest.raises(RuntimeError):
        tasks.export_models.call(str(job.pk))
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED and job.finished_at
    assert "statement timeout" in job.error


# --- text a workbook cannot hold, and models outside the scope --------------------------------

WORD_TEXT = "Trồng bí xanh\x0btổ 9\x07"  # Word's line break and a stray bell, pasted


def test_control_characters_pasted_from_word_do_not_break_the_export(client_for, tree, cadre):
    DanVanModelFactory(owning_unit=tree.ward, name=WORD_TEXT, content="x", status=Status.ACCEPTED)
    client = client_for(cadre)
    response = client.get(EXPORT, {"format": "xlsx"})
    assert response.status_code == 200
    rows, _ = read_xlsx(response)
    assert rows[1][3] == "Trồng bí xanh\ntổ 9\N{REPLACEMENT CHARACTER}"
    content = b"".join(client.get(EXPORT, {"format": "csv"}).streaming_content)
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[1][3] == "Trồng bí xanh\ntổ 9\N{REPLACEMENT CHARACTER}"


def test_control_characters_do_not_break_the_background_export(tree, cadre):
    from models_registry.tasks import export_models

    DanVanModelFactory(owning_unit=tree.ward, name=WORD_TEXT, status=Status.ACCEPTED)
    job = ExportJob.objects.create(requested_by=cadre, query="", format="xlsx")
    export_models.call(str(job.pk))
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and job.done_rows == 1
    with job.file.open("rb") as handle:
        sheet = openpyxl.load_workbook(io.BytesIO(handle.read()))[SHEET_TITLE]
    assert sheet.cell(row=2, column=4).value == "Trồng bí xanh\ntổ 9\N{REPLACEMENT CHARACTER}"


@pytest.fixture
def replicas(tree):
    """A ward model replicated from another province's model, one from its own province's,
    and one of the other province replicated from the ward's."""
    outside = DanVanModelFactory(
        owning_unit=tree.other_province_ward,
        name="Gốc ở Hà Nội",
        code="HN-01",
        status=Status.ACCEPTED,
    )
    inside = DanVanModelFactory(
        owning_unit=tree.other_ward, name="Gốc ở Gia Sàng", status=Status.ACCEPTED
    )
    return {
        "outside": outside,
        "inside": inside,
        "from_outside": DanVanModelFactory(
            owning_unit=tree.ward,
            name="Nhân rộng từ tỉnh khác",
            status=Status.ACCEPTED,
            replicated_from=outside,
        ),
        "from_inside": DanVanModelFactory(
            owning_unit=tree.ward,
            name="Nhân rộng trong tỉnh",
            status=Status.ACCEPTED,
            replicated_from=inside,
        ),
    }


def test_export_names_only_origins_in_the_users_scope(client_for, tree, replicas, reviewer):
    rows, _ = read_xlsx(client_for(reviewer).get(EXPORT, {"format": "xlsx"}))
    header, *data = rows
    assert {"Nhân rộng từ tỉnh khác", "Nhân rộng trong tỉnh"} <= {row[3] for row in data}
    # Neither the name nor the code of another province's model, the origin of a replica here.
    assert not any("Hà Nội" in str(cell) or "HN-01" in str(cell) for row in data for cell in row)


def test_background_export_names_only_origins_in_the_requesters_scope(tree, replicas, reviewer):
    from models_registry.tasks import export_models

    job = ExportJob.objects.create(requested_by=reviewer, query="", format="csv")
    export_models.call(str(job.pk))
    job.refresh_from_db()
    with job.file.open("rb") as handle:
        text = handle.read().decode("utf-8-sig")
    header, *data = csv.reader(io.StringIO(text))
    assert {"Nhân rộng từ tỉnh khác", "Nhân rộng trong tỉnh"} <= {row[3] for row in data}
    assert "Gốc ở Hà Nội" not in text and "HN-01" not in text


def test_export_query_count_does_not_grow_with_the_rows(client_for, tree, reviewer):
    themes = [Theme.objects.get_or_create(name=name)[0] for name in ("Giảm nghèo", "Môi trường")]
    client = client_for(reviewer)

    def export_queries(fmt: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(EXPORT, {"format": fmt})
            b"".join(response.streaming_content)
        return len(captured)

    DanVanModelFactory(owning_unit=tree.ward, status=Status.ACCEPTED, themes=themes)
    export_queries("csv")  # the process reads the tree's merger links once, then keeps them
    few = {fmt: export_queries(fmt) for fmt in ("xlsx", "csv")}
    for number in range(20):
        DanVanModelFactory(
            owning_unit=tree.residential, name=f"Mô hình {number}", status=Status.RECOGNISED
        ).themes.set(themes)
    assert {fmt: export_queries(fmt) for fmt in ("xlsx", "csv")} == few


@pytest.mark.parametrize("sort", ["-start_date", "start_date", "name", "-name", "-updated_at"])
def test_rows_read_in_chunks_come_in_the_lists_order(tree, reviewer, sort):
    from django.http import QueryDict

    from models_registry.exports import export_headers, export_rows
    from models_registry.selectors import filtered_models

    for number in range(11):
        DanVanModelFactory(
            owning_unit=tree.ward,
            status=Status.ACCEPTED,
            name=f"Mô hình {number % 4}",
            start_date=date(2020 + number % 3, 1, 1),
        )
    queryset = filtered_models(reviewer, QueryDict(f"sort={sort}"))
    expected = list(queryset.values_list("name", flat=True))
    column = export_headers().index(COLUMNS["name"])
    rows = list(export_rows(queryset, chunk_size=3, user=reviewer))
    assert rows == list(export_rows(queryset, chunk_size=100, user=reviewer))
    assert [row[column] for row in rows] == expected and len(rows) == 11
