"""Backups of the whole portal (the database and every stored file) and their restore.

``manage.py backup`` writes one tar archive: ``database.dump`` (pg_dump's custom format, taken
from one snapshot), ``files/<name>`` for every file of the private storage, and
``manifest.json`` last, with each member's SHA-256 and size, the row count of every table at the
snapshot, the migrations applied, the server's and the portal's versions and the time.
``manage.py restore`` checks every member against the manifest before it writes anything, then
restores into an empty database and an empty storage and checks everything again.
"""

from decimal import Decimal

from core.numbers import vn_number


def megabytes(size: int) -> str:
    """A size in MB, the Vietnamese way (1.234,5)."""
    return vn_number((Decimal(size) / 1024 / 1024).quantize(Decimal("0.1")))


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why in Vietnamese and English."""

    def __init__(self, vietnamese: str, english: str):
        super().__init__(f"{vietnamese}\n({english})")
        self.vietnamese = vietnamese
        self.english = english
