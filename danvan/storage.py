"""Where uploaded and generated files live: outside every public URL, served only by views."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


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
