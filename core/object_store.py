"""Kept files on an S3-compatible object store (``DJANGO_FILE_STORAGE=s3``), through
django-storages: private objects (no ACL given, so the bucket's own, never public), unique names
as on disk, no URL handed out, and a refused write raised as ``FileNotSaved``.

Several app servers and workers then share every file: an upload kept by one is downloaded
through another, an import previewed on one is confirmed on another.
"""

from botocore.config import Config
from storages.backends.s3 import S3Storage

from core.storage import RefusalsAsFileNotSaved


class ObjectStoreStorage(RefusalsAsFileNotSaved, S3Storage):
    """The private storage on a bucket of an S3-compatible store (AWS, SeaweedFS, MinIO, …)."""

    def __init__(self, **options):
        options.setdefault("default_acl", None)
        options.setdefault("file_overwrite", False)  # a second "bao-cao.pdf" gets its own name
        options.setdefault(
            "client_config",
            Config(
                # Most stores other than AWS answer on one host, the bucket in the path.
                s3={"addressing_style": "path"},
                signature_version="s3v4",
                # A store that does not answer fails the request in seconds, not minutes.
                connect_timeout=5,
                read_timeout=60,
                retries={"mode": "standard", "max_attempts": 3},
            ),
        )
        super().__init__(**options)
