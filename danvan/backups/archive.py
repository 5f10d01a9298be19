"""The archive's layout, the walk over the storage, and the check of an archive's members
against its manifest (done in full before a restore writes anything)."""

from __future__ import annotations

import hashlib
import json
import tarfile
from collections.abc import Iterator
from pathlib import Path

from django.core.files.storage import Storage

from danvan.backups import BackupError

FORMAT = "danvan-backup"
FORMAT_VERSION = 1
DUMP = "database.dump"
MANIFEST = "manifest.json"
FILES = "files/"
CHUNK = 1024 * 1024


class HashingReader:
    """A binary file read through once, its SHA-256 and length counted on the way."""

    def __init__(self, handle):
        self.handle = handle
        self.digest = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.digest.update(data)
        self.size += len(data)
        return data

    def hexdigest(self) -> str:
        return self.digest.hexdigest()


def sha256_of(handle) -> tuple[str, int]:
    """The SHA-256 and the length of what is left to read in ``handle``."""
    reader = HashingReader(handle)
    while reader.read(CHUNK):
        pass
    return reader.hexdigest(), reader.size


def stored_files(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file name in ``storage``, walked with ``listdir`` (works on any storage backend)."""
    try:
        directories, files = storage.listdir(folder)
    except FileNotFoundError:
        return  # a local storage whose folder was never made holds nothing yet
    prefix = f"{folder}/" if folder else ""
    for name in sorted(files):
        yield prefix + name
    for directory in sorted(directories):
        yield from stored_files(storage, prefix + directory)


def storage_name(member: str) -> str:
    """The storage name of an archive member under ``files/``, refusing any unsafe one."""
    name = member[len(FILES) :] if member.startswith(FILES) else ""
    parts = name.split("/")
    if not name or "\\" in name or "\0" in name or any(part in ("", ".", "..") for part in parts):
        raise BackupError(
            f"Tên tệp không hợp lệ trong bản sao lưu: {member!r}.",
            f"Unsafe member name in the archive: {member!r}.",
        )
    return name


def _corrupted(path: Path, detail: str) -> BackupError:
    return BackupError(
        f"Tệp {path} không phải bản sao lưu đọc được của cổng, hoặc đã bị hỏng ({detail}). "
        "Không khôi phục gì.",
        f"{path} is not a readable backup of the portal, or it is damaged ({detail}). "
        "Nothing was restored.",
    )


def read_manifest(archive: tarfile.TarFile, path: Path) -> dict:
    try:
        handle = archive.extractfile(MANIFEST)
        manifest = json.load(handle)
    except KeyError as error:
        raise _corrupted(path, "thiếu manifest.json / no manifest.json") from error
    except (ValueError, tarfile.TarError, OSError, EOFError) as error:
        raise _corrupted(path, f"manifest.json: {error}") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _corrupted(path, "manifest.json không phải của cổng / not the portal's manifest")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"Bản sao lưu theo định dạng {manifest.get('format_version')}, phiên bản cổng này "
            f"chỉ đọc định dạng {FORMAT_VERSION}.",
            f"The archive is format {manifest.get('format_version')}; this version of the portal "
            f"reads format {FORMAT_VERSION} only.",
        )
    entries = manifest.get("members")
    if not isinstance(entries, list) or not all(
        isinstance(entry, dict)
        and isinstance(entry.get("name"), str)
        and isinstance(entry.get("size"), int)
        and isinstance(entry.get("sha256"), str)
        for entry in entries
    ):
        raise _corrupted(path, "manifest.json không liệt kê đúng các thành phần / bad member list")
    for key, kind in (("tables", dict), ("migrations", dict), ("database", dict), ("portal", dict)):
        if not isinstance(manifest.get(key), kind):
            raise _corrupted(path, f"manifest.json: {key}")
    return manifest


def verify_archive(path: Path, log=lambda message: None) -> dict:
    """The manifest of the archive at ``path``, once every member has been read through and
    found to have the size and SHA-256 the manifest gives it; otherwise a ``BackupError``
    naming each damaged, missing or unexpected member."""
    try:
        archive = tarfile.open(path, "r:*")  # noqa: SIM115 - closed by the `with` below
    except FileNotFoundError as error:
        raise BackupError(f"Không có tệp {path}.", f"No such file: {path}.") from error
    except (tarfile.TarError, OSError, EOFError) as error:
        raise _corrupted(path, str(error)) from error
    with archive:
        try:
            members = archive.getmembers()
        except (tarfile.TarError, OSError, EOFError) as error:
            raise _corrupted(path, str(error)) from error
        manifest = read_manifest(archive, path)
        listed = {entry["name"]: entry for entry in manifest["members"]}
        problems: list[tuple[str, str]] = []
        present: dict[str, tarfile.TarInfo] = {}
        for member in members:
            if member.name == MANIFEST:
                continue
            if not member.isfile() or member.name in present or member.name not in listed:
                problems.append((member.name, "không có trong manifest / not in the manifest"))
                continue
            present[member.name] = member
        for name in listed:
            if name != DUMP:
                storage_name(name)
            if name not in present:
                problems.append((name, "thiếu trong bản sao lưu / missing from the archive"))
        if DUMP not in listed:
            problems.append((DUMP, "thiếu trong bản sao lưu / missing from the archive"))
        for name, member in present.items():
            expected = listed[name]
            try:
                digest, size = sha256_of(archive.extractfile(member))
            except (tarfile.TarError, OSError, EOFError) as error:
                problems.append((name, f"không đọc được / unreadable: {error}"))
                continue
            if size != expected["size"] or digest != expected["sha256"]:
                problems.append((name, "mã SHA-256 không khớp / SHA-256 checksum mismatch"))
        if problems:
            listing = "; ".join(f"{name}: {reason}" for name, reason in problems[:20])
            more = f" (+{len(problems) - 20})" if len(problems) > 20 else ""
            raise BackupError(
                f"Bản sao lưu {path} bị hỏng hoặc đã bị sửa, không khôi phục gì: {listing}{more}.",
                f"The archive {path} is damaged or was altered; nothing was restored.",
            )
        log(f"Đã kiểm tra {len(present)} thành phần của bản sao lưu: mọi mã SHA-256 khớp.")
    return manifest
