"""Where uploaded and generated files live: outside every public URL, served only by views."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, Http404

# Shown in the browser: pictures only. PDFs are saved, not opened in the browser's viewer,
# which would run whatever script a file stored before the upload checks still carries.
INLINE_CONTENT_TYPES = ("image/jpeg", "image/png")


class PrivateStorage(FileSystemStorage):
    """Files under ``PRIVATE_MEDIA_ROOT``; they have no URL, a scoped view streams them.

    The location is read from the settings on every use, so tests can point it elsewhere.
    """

    @property
    def base_location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise NotImplementedError("Private files are served by their download view only.")


_private_storage = PrivateStorage()


def private_storage() -> PrivateStorage:
    """The storage of attachments and exports (a callable, so migrations don't embed a path)."""
    return _private_storage


def private_file_response(file, *, filename: str, content_type: str) -> FileResponse:
    """A stored upload streamed to someone already allowed to see it.

    Whatever the file holds, the browser must not take it for a page of the portal: its type
    is never sniffed and it runs sandboxed (no scripts, no same-origin access).
    """
    try:
        handle = file.open("rb")
    except FileNotFoundError as error:
        raise Http404("Tệp không còn trên máy chủ.") from error
    response = FileResponse(
        handle,
        as_attachment=content_type not in INLINE_CONTENT_TYPES,
        filename=filename,
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response
