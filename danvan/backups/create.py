"""Writing one backup archive: the database from one snapshot, then every stored file.

The files are listed after the dump on purpose. Every service stores a file before the row that
points at it commits, so every file a dumped row names is already stored when the storage is
walked; a file stored after the snapshot is archived without a row, which is harmless (nothing
points at it). The other order would archive rows whose files were never listed. The snapshot is
exported from a transaction that stays open while pg_dump runs, and the same transaction counts
every table and reads the file names its rows point at, so the manifest describes exactly what
the dump holds; a file deleted between the dump and the walk is named in the manifest.
"""

from __future__ import annotations

import importlib.metadata
import io
import json
import os
import subprocess
import tarfile
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.files.storage import Storage
from django.utils import timezone

from core.numbers import vn_number
from danvan.backups import BackupError, database, megabytes
from danvan.backups.archive import (
    DUMP,
    FILES,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    HashingReader,
    stored_files,
)
from danvan.backups.tools import find_client_tools


def portal_version() -> str | None:
    try:
        return importlib.metadata.version("danvan")
    except importlib.metadata.PackageNotFoundError:
        return None


def portal_commit() -> str | None:
    """The checkout's commit when the portal runs from a git checkout."""
    base = Path(settings.BASE_DIR)
    if not (base / ".git").exists():
        return None
    try:
        result = subprocess.run(
            ["git", "-C", str(base), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except OSError:
        return None
    if result.returncode != 0:
        return None
    return result.stdout.strip() or None


def _member(name: str, size: int, modified: float | None = None) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = modified if modified is not None else time.time()
    info.mode = 0o600
    return info


def _add(archive: tarfile.TarFile, name: str, handle, size: int, modified=None) -> dict:
    reader = HashingReader(handle)
    archive.addfile(_member(name, size, modified), reader)
    return {"name": name, "size": reader.size, "sha256": reader.hexdigest()}


def _dump(tools, settings_dict: dict, snapshot: str, target: Path) -> None:
    result = subprocess.run(
        [
            tools.path("pg_dump"),
            "--format=custom",
            f"--snapshot={snapshot}",
            "--no-password",
            f"--file={target}",
            f"--dbname={database.conninfo(settings_dict)}",
        ],
        env=database.program_environment(settings_dict),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(
            f"pg_dump không sao lưu được cơ sở dữ liệu:\n{result.stderr[-4000:]}",
            "pg_dump failed.",
        )


def _modified(storage: Storage, name: str) -> float | None:
    try:
        return storage.get_modified_time(name).timestamp()
    except (NotImplementedError, OSError):
        return None


def write_backup(output: Path, *, settings_dict: dict, storage: Storage, log=print) -> dict:
    """Write the archive to ``output`` (first as ``<output>.partial``, renamed once complete,
    so an interrupted backup never looks like a finished one); its manifest."""
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    started = timezone.now()
    members = []
    try:
        with (
            tempfile.TemporaryDirectory(dir=output.parent, prefix=".danvan-backup-") as scratch,
            # Readable by its owner only: it holds every account's password hash.
            open(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as out,
            tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as archive,
        ):
            with database.connect(settings_dict) as connection:
                version_num = database.server_version_num(connection)
                server_version = database.server_version(connection)
                tools = find_client_tools(version_num)
                connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                snapshot = connection.execute("SELECT pg_export_snapshot()").fetchone()[0]
                log(f"Sao lưu cơ sở dữ liệu bằng {tools.version} ({tools.directory})…")
                dump = Path(scratch) / DUMP
                _dump(tools, settings_dict, snapshot, dump)
                tables = database.table_counts(connection)
                migrations = database.applied_migrations(connection)
                referenced = database.referenced_files(connection)
                connection.execute("COMMIT")
            with dump.open("rb") as handle:
                members.append(_add(archive, DUMP, handle, dump.stat().st_size))
            dump.unlink()

            files, stored_bytes = 0, 0
            archived: set[str] = set()
            for name in stored_files(storage):
                try:
                    size = storage.size(name)
                    with storage.open(name, "rb") as handle:
                        members.append(
                            _add(archive, FILES + name, handle, size, _modified(storage, name))
                        )
                except FileNotFoundError:
                    continue  # deleted since the walk listed it
                archived.add(name)
                files += 1
                stored_bytes += size
            missing = sorted(referenced - archived)
            finished = timezone.now()
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "created_at": started.isoformat(),
                "finished_at": finished.isoformat(),
                "created_at_vietnam": f"{timezone.localtime(started):%d/%m/%Y %H:%M:%S}",
                "time_zone": settings.TIME_ZONE,
                "portal": {"version": portal_version(), "commit": portal_commit()},
                "database": {
                    "name": database.libpq_params(settings_dict).get("dbname"),
                    "server_version": server_version,
                    "server_version_num": version_num,
                    "pg_dump": tools.version,
                },
                "migrations": migrations,
                "tables": tables,
                "members": members,
                "missing_files": missing,
            }
            content = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
            archive.addfile(_member(MANIFEST, len(content)), io.BytesIO(content))
            archive.close()  # the end-of-archive blocks, before the file is synced
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, output)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    log(
        f"Đã sao lưu vào {output}: {len(tables)} bảng "
        f"({vn_number(sum(tables.values()))} dòng), {vn_number(files)} tệp "
        f"({megabytes(stored_bytes)} MB); mã SHA-256 của từng thành phần trong {MANIFEST}. "
        f"Lúc {manifest['created_at_vietnam']} (giờ Việt Nam)."
    )
    if missing:
        log(
            f"Cảnh báo: {len(missing)} tệp được cơ sở dữ liệu nhắc đến nhưng không có trong kho "
            f"tệp (xem missing_files trong {MANIFEST}): {', '.join(missing[:10])}"
        )
    return manifest
