"""The embedded PostgreSQL is shared by every process and stopped by the last one to leave."""

import subprocess
import sys
import textwrap
import time
from pathlib import Path

from danvan.embedded_db import EmbeddedPostgres

USER_PROCESS = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from danvan.embedded_db import get_server

    server = get_server(Path(sys.argv[1]))
    server.acquire()
    import psycopg
    settings = server.django_settings()
    with psycopg.connect(host=settings["HOST"], port=settings["PORT"], user="postgres",
                         dbname=settings["NAME"]) as connection:
        connection.execute("SELECT 1")
    print("ready", flush=True)
    sys.stdin.readline()  # hold the server until told to leave
    """
)


def start_user(var_dir: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-c", USER_PROCESS, str(var_dir)],
        cwd=Path(__file__).resolve().parents[2],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline().strip() == "ready"
    return process


def leave(process: subprocess.Popen) -> None:
    process.stdin.write("\n")
    process.stdin.flush()
    assert process.wait(timeout=120) == 0


def wait_until_stopped(server: EmbeddedPostgres, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not server.is_running():
            return True
        time.sleep(0.2)
    return False


def test_server_is_shared_and_stopped_by_the_last_process(tmp_path):
    var_dir = tmp_path / "var"
    server = EmbeddedPostgres(var_dir)

    first = start_user(var_dir)  # starts the server (initdb on first use)
    second = start_user(var_dir)  # finds it running
    leave(second)
    assert server.is_running(), "the server stopped while another process still used it"

    # A process killed outright leaves no claim behind: its lock dies with it.
    killed = start_user(var_dir)
    killed.kill()
    killed.wait()

    leave(first)
    assert wait_until_stopped(server), "the last process left the server running"

    # And the next user starts it again on the same data.
    again = start_user(var_dir)
    assert server.is_running()
    leave(again)
    assert wait_until_stopped(server)
