"""Where uploaded and generated files live: outside every public URL, served only by views.

Every file the portal keeps goes to the "private" entry of ``STORAGES``: a folder on the server
(``PrivateStorage``, the default) or an S3-compatible object store (``core.object_store``), chosen
by ``DJANGO_FILE_STORAGE``. Either way nothing has a URL of its own: a download view checks the
scope, then streams the file through the portal.
"""

import os

from django.conf import settings
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.http import FileResponse, Http404
from django.utils.functional import LazyObject

# Shown in the browser: pictures only. PDFs are saved, not opened in the browser's viewer,
# which would run whatever script a file stored before the upload checks still carries.
INLINE_CONTENT_TYPES = ("image/jpeg", "image/png")

MISSING = "Tệp không còn trên máy chủ."
NOT_SAVED = (
    "Chưa lưu được tệp: kho lưu trữ tệp không nhận tệp lúc này, nên chưa có gì được ghi. "
    "Hãy thử lại sau ít phút; nếu vẫn lỗi, hãy báo quản trị hệ thống."
)


class FileNotSaved(ValidationError):
    """The store did not acknowledge a file; the service saving it rolls back and the page
    shows the message (a ``ValidationError``, as every refusal a service makes)."""

    def __init__(self):
        super().__init__(NOT_SAVED, code="file_not_saved")

    def __str__(self):  # as a failed job records it
        return NOT_SAVED


class RefusalsAsFileNotSaved:
    """A storage whose every failed write is a ``FileNotSaved``: a file counts as saved only
    once the store has acknowledged it."""

    def save(self, name, content, max_length=None):
        try:
            return super().save(name, content, max_length=max_length)
        except SuspiciousOperation:
            raise
        except Exception as error:
            raise FileNotSaved() from error

    def url(self, name):
        raise NotImplementedError("Private files are served by their download view only.")


class PrivateStorage(RefusalsAsFileNotSaved, FileSystemStorage):
    """Files under ``PRIVATE_MEDIA_ROOT``; they have no URL, a scoped view streams them.

    The location is read from the settings on every use, so tests can point it elsewhere.
    """

    @property
    def base_location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)


class _PrivateStorage(LazyObject):
    """The "private" entry of ``STORAGES``, looked up on every use: a ``FileField`` holds its
    storage from start-up, while the entry may change (tests switch to the object store)."""

    @property
    def _wrapped(self):
        return storages["private"]

    @_wrapped.setter
    def _wrapped(self, value):
        pass  # LazyObject's own set-up; the entry is read again each time


_private_storage = _PrivateStorage()


def private_storage() -> Storage:
    """The storage of every kept file (a callable, so migrations name it instead of a path)."""
    return _private_storage


def private_file_response(file, *, filename: str, content_type: str) -> FileResponse:
    """A stored file streamed to someone already allowed to see it.

    Whatever the file holds, the browser must not take it for a page of the portal: its type
    is never sniffed and it runs sandboxed (no scripts, no same-origin access).
    """
    try:
        handle = file.open("rb")
    except FileNotFoundError as error:
        raise Http404(MISSING) from error
    response = FileResponse(
        handle,
        as_attachment=content_type not in INLINE_CONTENT_TYPES,
        filename=filename,
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response
