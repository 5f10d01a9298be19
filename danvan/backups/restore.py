"""Restoring an archive into an empty database and an empty storage, checked at every step.

Nothing is written before every member of the archive has been read and found to match the
manifest. The database is restored in one transaction (all or nothing) by the pg_restore of the
target server's major version; the files go through the storage's own API, so the same restore
fills a local folder or an object store. Afterwards every stored file is read back and hashed,
and every table's row count is compared with the one counted when the dump was taken.

A restore never overwrites: a target with tables in ``public`` or with any stored file is
refused. Merging an archive into live data could neither keep the rows' ids nor be checked
against the manifest; start from an empty database and storage instead.
"""

from __future__ import annotations

import re
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from django.core.files import File
from django.core.files.storage import Storage
from django.db.migrations.loader import MigrationLoader

from danvan.backups import BackupError, database
from danvan.backups.archive import (
    CHUNK,
    DUMP,
    FILES,
    HashingReader,
    sha256_of,
    storage_name,
    stored_files,
    verify_archive,
)
from danvan.backups.tools import find_client_tools

_MAJOR = re.compile(r"\(PostgreSQL\)\s+(\d+)")


@dataclass
class RestoreReport:
    tables: int
    rows: int
    files: int
    bytes: int
    notes: list[str] = field(default_factory=list)


def _refuse_unless_empty(settings_dict: dict, storage: Storage) -> int:
    """The target server's version number, once the database and the storage are found empty."""
    with database.connect(settings_dict) as connection:
        relations = database.public_relations(connection)
        version_num = database.server_version_num(connection)
    files = list(islice(stored_files(storage), 5))
    problems_vi, problems_en = [], []
    if relations:
        shown = ", ".join(relations[:5])
        problems_vi.append(
            f"cơ sở dữ liệu đích không trống, schema public đã có {len(relations)} bảng và "
            f"dãy số ({shown}…)"
        )
        problems_en.append(f"the target database has {len(relations)} relations in public")
    if files:
        problems_vi.append(f"kho tệp đích đã có tệp ({', '.join(files)}…)")
        problems_en.append("the target storage holds files")
    if problems_vi:
        raise BackupError(
            "Không khôi phục: "
            + "; ".join(problems_vi)
            + ". Chỉ khôi phục vào cơ sở dữ liệu trống (tạo mới bằng createdb) và kho tệp trống.",
            "Refused: "
            + "; ".join(problems_en)
            + ". Restore only into an empty database (createdb) and an empty storage.",
        )
    return version_num


def _restore_database(tools, settings_dict: dict, archive: tarfile.TarFile, manifest: dict):
    expected = next(entry for entry in manifest["members"] if entry["name"] == DUMP)
    with tempfile.TemporaryDirectory(prefix="danvan-restore-") as scratch:
        dump = Path(scratch) / DUMP
        reader = HashingReader(archive.extractfile(DUMP))
        with dump.open("wb") as out:
            while chunk := reader.read(CHUNK):
                out.write(chunk)
        if reader.hexdigest() != expected["sha256"]:
            raise BackupError(
                f"{DUMP}: mã SHA-256 không khớp khi đọc lại; không khôi phục gì.",
                f"{DUMP}: SHA-256 mismatch when read again; nothing was restored.",
            )
        result = subprocess.run(
            [
                tools.path("pg_restore"),
                "--single-transaction",
                "--exit-on-error",
                "--no-owner",
                "--no-privileges",
                "--no-password",
                f"--dbname={database.conninfo(settings_dict)}",
                str(dump),
            ],
            env=database.program_environment(settings_dict),
            capture_output=True,
            text=True,
            check=False,
        )
    if result.returncode != 0:
        raise BackupError(
            "pg_restore không khôi phục được cơ sở dữ liệu (không có gì được ghi vào cơ sở dữ "
            f"liệu, mọi thứ nằm trong một giao dịch):\n{result.stderr[-4000:]}",
            "pg_restore failed; its single transaction was rolled back.",
        )


def _restore_files(archive: tarfile.TarFile, manifest: dict, storage: Storage, log) -> int:
    count = 0
    for entry in manifest["members"]:
        if entry["name"] == DUMP:
            continue
        name = storage_name(entry["name"])
        handle = archive.extractfile(entry["name"])
        content = File(handle, name=name.rsplit("/", 1)[-1])
        content.size = entry["size"]
        saved = storage.save(name, content)
        if saved != name:
            raise BackupError(
                f"Kho tệp lưu {name} dưới tên khác ({saved}).",
                f"The storage kept {name} under another name ({saved}).",
            )
        count += 1
        if count % 1000 == 0:
            log(f"… {count} tệp")
    return count


def _check_files(manifest: dict, storage: Storage) -> list[str]:
    expected = {
        storage_name(entry["name"]): entry
        for entry in manifest["members"]
        if entry["name"].startswith(FILES)
    }
    problems = []
    for name, entry in expected.items():
        try:
            with storage.open(name, "rb") as handle:
                digest, size = sha256_of(handle)
        except FileNotFoundError:
            problems.append(f"{name}: không có trong kho / missing")
            continue
        if digest != entry["sha256"] or size != entry["size"]:
            problems.append(f"{name}: mã SHA-256 không khớp / SHA-256 mismatch")
    extra = set(stored_files(storage)) - set(expected)
    problems.extend(f"{name}: thừa / unexpected" for name in sorted(extra))
    return problems


def _check_tables(manifest: dict, settings_dict: dict) -> tuple[dict[str, int], list[str]]:
    with database.connect(settings_dict) as connection:
        counts = database.table_counts(connection)
    expected = manifest["tables"]
    problems = [
        f"{table}: {expected.get(table)} → {counts.get(table)}"
        for table in sorted(set(expected) | set(counts))
        if expected.get(table) != counts.get(table)
    ]
    return counts, problems


def _migration_notes(manifest: dict) -> list[str]:
    archived = {(app, name) for app, names in manifest["migrations"].items() for name in names}
    on_disk = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    notes = []
    unknown = sorted(archived - on_disk)
    if unknown:
        commit = manifest["portal"].get("commit") or manifest["portal"].get("version")
        notes.append(
            f"Bản sao lưu có {len(unknown)} migration mà mã nguồn này chưa có "
            f"({', '.join(f'{app}.{name}' for app, name in unknown[:5])}): hãy chạy cổng đúng "
            f"phiên bản đã sao lưu ({commit})."
        )
    pending = sorted(on_disk - archived)
    if pending:
        notes.append(
            f"Mã nguồn này có {len(pending)} migration mới hơn bản sao lưu: chạy "
            "`manage.py migrate` trước khi mở cổng."
        )
    return notes


def restore_backup(path: Path, *, settings_dict: dict, storage: Storage, log=print):
    """Restore the archive at ``path`` into the database of ``settings_dict`` and ``storage``."""
    path = Path(path)
    manifest = verify_archive(path, log)
    version_num = _refuse_unless_empty(settings_dict, storage)
    tools = find_client_tools(version_num)
    written_by = _MAJOR.search(str(manifest.get("database", {}).get("pg_dump", "")))
    if written_by and int(written_by.group(1)) > tools.major:
        raise BackupError(
            f"Bản sao lưu được tạo bởi {manifest['database']['pg_dump']}; máy chủ đích là "
            f"PostgreSQL {tools.major}, cũ hơn: không khôi phục được. Hãy khôi phục vào máy chủ "
            f"PostgreSQL {written_by.group(1)} trở lên.",
            f"The archive was written by {manifest['database']['pg_dump']}; the target server "
            f"is PostgreSQL {tools.major}, older, and cannot take it.",
        )
    with tarfile.open(path, "r:*") as archive:
        log(
            f"Khôi phục cơ sở dữ liệu bằng pg_restore của PostgreSQL {tools.major} "
            f"({tools.directory})…"
        )
        _restore_database(tools, settings_dict, archive, manifest)
        log("Khôi phục kho tệp…")
        try:
            files = _restore_files(archive, manifest, storage, log)
        except (OSError, tarfile.TarError) as error:
            raise BackupError(
                f"Đã khôi phục cơ sở dữ liệu nhưng không ghi được tệp vào kho ({error}). Hãy xóa "
                "cơ sở dữ liệu và kho tệp vừa khôi phục, sửa lỗi rồi khôi phục lại.",
                "The database was restored but the files could not be stored; empty both "
                "and restore again.",
            ) from error
    counts, table_problems = _check_tables(manifest, settings_dict)
    file_problems = _check_files(manifest, storage)
    if table_problems or file_problems:
        listing = "; ".join([*table_problems, *file_problems][:20])
        raise BackupError(
            f"Đã khôi phục nhưng kết quả không khớp với bản sao lưu: {listing}. Đừng dùng cơ sở "
            "dữ liệu và kho tệp này; hãy xóa chúng và khôi phục lại.",
            "Restored, but the result does not match the archive; do not use it.",
        )
    notes = _migration_notes(manifest)
    if manifest.get("missing_files"):
        notes.append(
            f"{len(manifest['missing_files'])} tệp đã thiếu ngay lúc sao lưu (missing_files "
            "trong manifest.json)."
        )
    size = sum(entry["size"] for entry in manifest["members"] if entry["name"] != DUMP)
    return RestoreReport(
        tables=len(counts), rows=sum(counts.values()), files=files, bytes=size, notes=notes
    )
