"""The restore drill: a populated portal backed up with `manage.py backup`, restored with
`manage.py restore` into a fresh database on the same server and a fresh storage, and found the
same — every table's row count, every file's checksum, a frozen report's files byte for byte,
and the report computed live on the restored database equal to the frozen one.

Then the refusals: a damaged or altered archive restores nothing and says which member is
wrong; a database or storage that is not empty is never written over; and client tools of
another major version than the server's are never used.
"""

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
from datetime import date
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from psycopg import sql

from core.storage import private_storage
from danvan.backups import BackupError, database
from danvan.backups.create import write_backup
from danvan.backups.restore import restore_backup
from danvan.backups.tools import find_client_tools, major_of
from models_registry import services as registry_services
from reports import services as report_services
from reports.models import ReportSnapshot
from reports.periods import year_period
from tests.danvan.test_shared_database import database_url
from tests.factories import DanVanModelFactory
from tests.models_registry.conftest import JPEG, PDF, PNG, upload
from tests.reports.test_figures import registry  # noqa: F401 - the hand-counted registry

BASE_DIR = Path(__file__).resolve().parents[2]

# Run in the restored portal: the report computed live there, and the frozen one it holds.
LIVE_AND_FROZEN = """
import json
from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from reports.models import ReportSnapshot
from reports.periods import year_period
from reports.selectors import report_figures
from reports.snapshots import differences

snapshot = ReportSnapshot.objects.get()
reviewer = get_user_model().objects.get(username="thamdinh")
live = report_figures(reviewer, snapshot.organisation, year_period(2025))
found = [str(difference) for difference in differences(live, snapshot.figures)]
print(json.dumps({"live": live, "frozen": snapshot.figures, "differences": found},
                 cls=DjangoJSONEncoder))
"""


def walk(storage, folder=""):
    """Every file name in ``storage``, through its own listing."""
    directories, files = storage.listdir(folder)
    prefix = f"{folder}/" if folder else ""
    yield from (prefix + name for name in files)
    for directory in directories:
        yield from walk(storage, prefix + directory)


def file_checksums() -> dict[str, str]:
    storage = private_storage()
    checksums = {}
    for name in walk(storage):
        with storage.open(name, "rb") as handle:
            checksums[name] = hashlib.sha256(handle.read()).hexdigest()
    return checksums


def read_stored(name: str) -> bytes:
    with private_storage().open(name, "rb") as handle:
        return handle.read()


def row_counts(settings_dict: dict) -> dict[str, int]:
    with database.connect(settings_dict) as conn:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            ).fetchall()
        ]
        return {
            table: conn.execute(
                sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
            ).fetchone()[0]
            for table in tables
        }


def run_manage(*args, settings_dict: dict, media_root: Path) -> subprocess.CompletedProcess:
    """A command of the portal run as production runs it: against ``settings_dict``'s database
    and the storage folder ``media_root``."""
    environment = {
        **os.environ,
        "DATABASE_URL": database_url(settings_dict),
        "DJANGO_PRIVATE_MEDIA_ROOT": str(media_root),
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.fixture
def fresh_database():
    """An empty database on the test database's server, dropped afterwards."""
    settings_dict = connection.settings_dict
    name = f"{settings_dict['NAME']}_restored"
    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    with database.connect(settings_dict, dbname="postgres") as admin:
        admin.execute(drop)
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield {**settings_dict, "NAME": name}
    with database.connect(settings_dict, dbname="postgres") as admin:
        admin.execute(drop)


def populate(tree, cadre, reviewer, registry) -> tuple[ReportSnapshot, str]:  # noqa: F811
    """Attachments, a result report with its evidence, and the province's 2025 report frozen
    (workbook and narrative written for real) on top of the hand-counted registry; and an
    attachment whose file was lost from the storage (its name is returned)."""
    draft = DanVanModelFactory(owning_unit=tree.ward, name="Trồng bí xanh", created_by=cadre)
    registry_services.attachment_add(
        model=draft,
        by=cadre,
        uploads=[upload("ke-hoach.pdf", PDF), upload("anh-hien-truong.jpg", JPEG)],
    )
    (lost,) = registry_services.attachment_add(
        model=draft, by=cadre, uploads=[upload("quyet-dinh.pdf", PDF)]
    )
    private_storage().delete(lost.file.name)
    registry_services.result_report_create(
        model=registry["A"],
        by=cadre,
        period_start=date(2025, 7, 1),
        period_end=date(2025, 9, 30),
        narrative="Vận động 40 hộ hiến đất làm đường.",
        values={},
        uploads=[upload("minh-chung.png", PNG)],
    )
    snapshot = report_services.snapshot_freeze(
        by=reviewer, organisation=tree.province, period=year_period(2025), note="Gửi Tỉnh ủy"
    )
    return snapshot, lost.file.name


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("seeded_rows")
def test_the_restore_drill(
    tree,
    cadre,
    reviewer,
    registry,  # noqa: F811
    settings,
    tmp_path,
    fresh_database,
):
    snapshot, lost = populate(tree, cadre, reviewer, registry)
    archive = tmp_path / "danvan.tar"
    out = io.StringIO()
    call_command("backup", output=archive, stdout=out)
    assert "Đã sao lưu vào" in out.getvalue()
    # The lost file is named, not passed over in silence.
    assert "Cảnh báo: 1 tệp được cơ sở dữ liệu nhắc đến nhưng không có" in out.getvalue()
    with tarfile.open(archive) as opened:
        manifest = json.load(opened.extractfile("manifest.json"))
    assert manifest["missing_files"] == [lost]
    assert oct(archive.stat().st_mode & 0o777) == "0o600"  # every password hash is inside

    original_counts = row_counts(connection.settings_dict)
    original_files = file_checksums()
    frozen_files = {
        name: read_stored(name) for name in (snapshot.workbook.name, snapshot.narrative.name)
    }
    assert original_counts["models_registry_attachment"] == 4
    assert original_counts["reports_reportsnapshot"] == 1
    assert len(original_files) == 5  # three attachments, the workbook and the narrative

    restored_root = tmp_path / "restored"
    result = run_manage(
        "restore", str(archive), settings_dict=fresh_database, media_root=restored_root
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "mọi mã SHA-256 khớp" in result.stdout
    assert "Đã khôi phục" in result.stdout and "5 tệp" in result.stdout
    assert "1 tệp đã thiếu ngay lúc sao lưu" in result.stdout

    # Every table, with the same number of rows.
    assert row_counts(fresh_database) == original_counts
    # Every file, with the same checksum, read through the storage.
    settings.PRIVATE_MEDIA_ROOT = restored_root
    assert file_checksums() == original_files
    # The frozen report's files, byte for byte.
    for name, content in frozen_files.items():
        assert read_stored(name) == content
    # The report computed live on the restored database is the frozen one.
    shell = run_manage(
        "shell", "-c", LIVE_AND_FROZEN, settings_dict=fresh_database, media_root=restored_root
    )
    assert shell.returncode == 0, shell.stdout + shell.stderr
    compared = json.loads(shell.stdout.strip().splitlines()[-1])
    assert compared["differences"] == []
    del compared["live"]["generated_at"], compared["frozen"]["generated_at"]
    assert compared["live"] == compared["frozen"]
    snapshot.refresh_from_db()  # the figures as stored (JSON)
    frozen = {key: value for key, value in snapshot.figures.items() if key != "generated_at"}
    assert compared["frozen"] == frozen
    assert frozen["total"]["active"] == 5  # the hand count of the registry

    # A second restore into what is now a portal is refused, and changes nothing.
    again = run_manage(
        "restore", str(archive), settings_dict=fresh_database, media_root=restored_root
    )
    assert again.returncode != 0 and "Không khôi phục" in again.stderr
    assert row_counts(fresh_database) == original_counts
    assert file_checksums() == original_files


# --- refusals ----------------------------------------------------------------------------------


@pytest.fixture
def small_archive(tmp_path):
    """A backup of the test database (its committed rows: the seeded ones) and two files."""
    storage = private_storage()
    storage.save("attachments/ke-hoach.pdf", ContentFile(PDF))
    storage.save("reports/snapshots/bao-cao.xlsx", ContentFile(b"workbook " * 1000))
    archive = tmp_path / "small.tar"
    write_backup(
        archive, settings_dict=connection.settings_dict, storage=storage, log=lambda _: None
    )
    return archive


def flip_a_byte(archive: Path, member: str) -> None:
    """Change one byte of ``member``'s content in place: the tar stays readable."""
    with tarfile.open(archive) as opened:
        offset = opened.getmember(member).offset_data
    with archive.open("r+b") as handle:
        handle.seek(offset + 10)
        byte = handle.read(1)
        handle.seek(offset + 10)
        handle.write(bytes([byte[0] ^ 0xFF]))


def relations(settings_dict: dict) -> list[str]:
    with database.connect(settings_dict) as conn:
        return database.public_relations(conn)


@pytest.mark.django_db
@pytest.mark.parametrize("member", ["files/attachments/ke-hoach.pdf", "database.dump"])
def test_an_altered_member_restores_nothing(
    member, small_archive, fresh_database, settings, tmp_path
):
    flip_a_byte(small_archive, member)
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "restored"
    said = []
    with pytest.raises(BackupError) as raised:
        restore_backup(
            small_archive,
            settings_dict=fresh_database,
            storage=private_storage(),
            log=said.append,
        )
    message = str(raised.value)
    assert f"{member}: mã SHA-256 không khớp" in message
    assert "không khôi phục gì" in message
    assert said == []  # nothing was claimed to match
    assert relations(fresh_database) == []
    assert not (tmp_path / "restored").exists()


@pytest.mark.django_db
def test_a_truncated_archive_is_refused_by_the_command(small_archive, settings, tmp_path):
    content = small_archive.read_bytes()
    small_archive.write_bytes(content[: len(content) // 2])
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "restored"
    out = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("restore", str(small_archive), stdout=out)
    assert "bị hỏng" in str(raised.value)
    assert "khớp" not in out.getvalue()
    assert not (tmp_path / "restored").exists()


@pytest.mark.django_db
def test_a_database_or_storage_that_is_not_empty_is_never_written_over(
    small_archive, fresh_database
):
    # The test database has the portal's tables, the storage has the archived files.
    with pytest.raises(BackupError) as raised:
        restore_backup(
            small_archive,
            settings_dict=connection.settings_dict,
            storage=private_storage(),
            log=lambda _: None,
        )
    assert "cơ sở dữ liệu đích không trống" in str(raised.value)
    assert "kho tệp đích đã có tệp" in str(raised.value)
    # An empty database but a storage holding files: refused too, nothing restored.
    with pytest.raises(BackupError, match="kho tệp đích đã có tệp"):
        restore_backup(
            small_archive,
            settings_dict=fresh_database,
            storage=private_storage(),
            log=lambda _: None,
        )
    assert relations(fresh_database) == []


def test_only_client_tools_of_the_servers_major_version_are_used(django_db_blocker):
    with django_db_blocker.unblock(), database.connect(connection.settings_dict) as conn:
        version_num = database.server_version_num(conn)
    tools = find_client_tools(version_num)
    for program in ("pg_dump", "pg_restore", "psql"):
        printed = subprocess.run(
            [tools.path(program), "--version"], capture_output=True, text=True, check=True
        ).stdout
        assert f"(PostgreSQL) {major_of(version_num)}." in printed
    with pytest.raises(BackupError) as raised:
        find_client_tools(990000)
    assert "Không tìm thấy pg_dump, pg_restore và psql của PostgreSQL 99" in str(raised.value)
    assert "postgresql-client-99" in str(raised.value)
