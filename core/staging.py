"""An import's file between its preview and its confirmation.

The preview keeps the file in the private storage under a random name (so on the object store
when there is one: any app server may confirm what another previewed). The confirmation claims
it: reads it and removes it, once. Two confirmations of the same file at once, on one server or
two, are serialised by a PostgreSQL advisory lock on its name, so exactly one gets the contents
and the other finds it gone (an object store's delete does not say whether there was anything).
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from import_export.tmp_storages import BaseStorage

from core.chores import chore
from core.storage import private_storage

logger = logging.getLogger(__name__)

ADMIN_IMPORTS = "imports/admin"
ROUND_IMPORTS = "imports/rounds"
# Every folder ``stage`` keeps files in: what nobody confirmed is swept from these only.
FOLDERS = (ADMIN_IMPORTS, ROUND_IMPORTS)


def stage(data: bytes, *, folder: str) -> str:
    """Keep ``data`` under a new random name in ``folder``; the name it was kept under."""
    if folder not in FOLDERS:
        raise ValueError(f"Not a staging folder: {folder!r}")
    return private_storage().save(f"{folder}/{uuid.uuid4().hex}.bin", ContentFile(data))


def claim(name: str) -> bytes | None:
    """The contents of the staged file ``name``, removed from the storage; None when it is
    gone (claimed already, discarded, or never staged)."""
    storage = private_storage()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"stage:{name}"])
        try:
            with storage.open(name, "rb") as staged:
                data = staged.read()
        except FileNotFoundError:
            return None
        storage.delete(name)
    return data


def discard(name: str) -> None:
    """Remove a staged file nobody will confirm."""
    private_storage().delete(name)


@chore(every=timedelta(hours=1))
def sweep_abandoned(now: datetime) -> int:
    """Remove the staged files older than ``STAGED_FILE_HOURS`` (previews nobody confirmed or
    cancelled: a closed tab, a lost connection); how many were removed."""
    storage = private_storage()
    oldest = now - timedelta(hours=settings.STAGED_FILE_HOURS)
    removed = 0
    for folder in FOLDERS:
        try:
            _, names = storage.listdir(folder)
        except FileNotFoundError:
            continue
        for name in names:
            path = f"{folder}/{name}"
            try:
                if storage.get_modified_time(path) < oldest:
                    storage.delete(path)
                    removed += 1
            except FileNotFoundError:
                continue  # confirmed meanwhile
    if removed:
        logger.info("Removed %d staged import files nobody confirmed", removed)
    return removed


class StagedImportFile(BaseStorage):
    """django-import-export's "temporary storage" of the file an admin import previews, kept
    by ``stage`` and claimed by ``claim`` (``core.admin``)."""

    FOLDER = ADMIN_IMPORTS

    def save(self, data):
        if isinstance(data, str):
            data = data.encode(self.encoding or "utf-8")
        self.name = stage(data, folder=self.FOLDER)

    def read(self):
        with private_storage().open(self.name, "rb") as staged:
            return self._decoded(staged.read())

    def claim(self):
        """The previewed contents, once; None when already claimed."""
        data = claim(self.name) if self.name.startswith(f"{self.FOLDER}/") else None
        return None if data is None else self._decoded(data)

    def remove(self):
        discard(self.name)

    def _decoded(self, data: bytes):
        if "b" in self.read_mode:
            return data
        return data.decode(self.encoding or "utf-8")
