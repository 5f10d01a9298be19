"""Two app servers on one database and one object store, as a national deployment runs them:
whatever one server starts, the other carries on — a session, an attachment, an import's
confirmation, a background export's file. Real gunicorn processes, real HTTP, a real worker.

Each server has a private-media folder of its own that nothing may use (every kept file is on
the store) and a temporary folder of its own, as two machines would.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest
import requests
from django.urls import reverse

from danvan.management.commands.serve import stop_process_groups
from models_registry.choices import ExportStatus
from models_registry.models import Attachment, ExportJob
from models_registry.resources import SHEET_TITLE as MODEL_SHEET
from organisations.choices import Role
from organisations.models import Organisation
from tests.danvan.test_shared_database import (
    database_url_of_this_run,
    free_port,
    tail,
    wait_for_health,
)
from tests.factories import UserFactory, user_with_role
from tests.models_registry.conftest import PDF
from tests.organisations.test_import_export import IMPORT_URL, PROCESS_URL, XLSX, row, xlsx_file

BASE_DIR = Path(__file__).resolve().parents[2]
SECRET_KEY = "hai-may-chu-dung-chung-mot-khoa-bi-mat-0123456789abcdef"  # noqa: S105 - tests only
PASSWORD = "Mat-khau-du-dai-2025"  # noqa: S105 - tests only

pytestmark = [
    pytest.mark.object_store,
    pytest.mark.django_db(transaction=True),
]


class Inputs(HTMLParser):
    """The names and values of a page's hidden inputs (the last of each name)."""

    def __init__(self, html: str):
        super().__init__()
        self.values: dict[str, str] = {}
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "input" and attributes.get("type") == "hidden" and attributes.get("name"):
            self.values[attributes["name"]] = attributes.get("value") or ""


class Server:
    """One gunicorn of the portal."""

    def __init__(self, name: str, env: dict, directory: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = directory / f"{name}.log"
        media = directory / f"{name}-media"  # never written: the files are on the store
        # A temporary folder of its own, as on another machine: a file left there between two
        # requests would not be found by the other server.
        scratch = directory / f"{name}-tmp"
        scratch.mkdir()
        with self.log.open("wb") as output:
            self.process = subprocess.Popen(  # noqa: S603 - our own arguments
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "danvan.wsgi",
                    "--workers",
                    "1",
                    "--no-control-socket",
                    "--bind",
                    f"127.0.0.1:{self.port}",
                ],
                cwd=BASE_DIR,
                env={**env, "DJANGO_PRIVATE_MEDIA_ROOT": str(media), "TMPDIR": str(scratch)},
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.media = media

    def __call__(self, path: str) -> str:
        return self.url + path


def portal_environment(object_store) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.pop("REDIS_URL", None)
    env.update(
        object_store.environment(),
        DATABASE_URL=database_url_of_this_run(),
        DJANGO_DEBUG="true",
        DJANGO_SECRET_KEY=SECRET_KEY,
        DJANGO_EXPORT_SYNC_MAX_ROWS="0",  # every export through the worker
        PYTHONUNBUFFERED="1",
    )
    return env


@pytest.fixture
def servers(seeded_rows, object_store, tmp_path):
    """Servers A and B, always stopped afterwards, and the environment they run with."""
    env = portal_environment(object_store)
    started = [Server("a", env, tmp_path), Server("b", env, tmp_path)]
    try:
        for server in started:
            assert wait_for_health(server.port, server.process, server.log) == [200] * 6
        yield (*started, env)
    finally:
        stop_process_groups([server.process for server in started])
    for server in started:
        assert not server.media.exists(), tail(server.log)


def log_in(http: requests.Session, server: Server, username: str) -> None:
    page = http.get(server(reverse("login")))
    token = Inputs(page.text).values["csrfmiddlewaretoken"]
    response = http.post(
        server(reverse("login")),
        {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
        allow_redirects=False,
    )
    assert response.status_code == 302, response.text[-2000:]


def csrf_token(http: requests.Session, url: str) -> str:
    return Inputs(http.get(url).text).values["csrfmiddlewaretoken"]


def run_worker(env: dict) -> None:
    """The background worker, as production runs it beside the servers, until the queue is
    empty."""
    done = subprocess.run(  # noqa: S603 - our own arguments
        [sys.executable, "manage.py", "db_worker", "--batch"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_what_one_server_starts_the_other_carries_on(
    servers, tree, object_store, production_password_hashers
):
    server_a, server_b, env = servers
    cadre = user_with_role(tree.ward, Role.CADRE, username="canbo.haimay")
    cadre.set_password(PASSWORD)
    cadre.save()
    admin = UserFactory(username="quantri.haimay", is_superuser=True, is_staff=True)
    admin.set_password(PASSWORD)
    admin.save()

    # A session made on A works on B (one database keeps the sessions, one key signs them).
    http = requests.Session()
    log_in(http, server_a, cadre.username)
    assert http.get(server_b(reverse("home")), allow_redirects=False).status_code == 200

    # An attachment uploaded through A downloads through B, byte for byte.
    create = reverse("models_registry:model_create")
    response = http.post(
        server_a(create),
        {
            "csrfmiddlewaretoken": csrf_token(http, server_a(create)),
            "name": "Hiến đất làm đường",
            "kind": "model",
            "actor": "collective",
            "owning_unit": tree.ward.pk,
            "action": "save",
        },
        files={"attachments": ("ke-hoach.pdf", PDF, "application/pdf")},
        allow_redirects=False,
    )
    assert response.status_code == 302, response.text[-2000:]
    attachment = Attachment.objects.get(model__name="Hiến đất làm đường")
    downloaded = http.get(server_b(attachment.get_absolute_url()))
    assert downloaded.status_code == 200
    assert downloaded.content == PDF
    assert object_store.keys(attachment.file.name) == [attachment.file.name]

    # An export started on A is built by the worker and downloaded on B.
    export = reverse("models_registry:model_export") + "?format=xlsx"
    response = http.post(
        server_a(export),
        {"csrfmiddlewaretoken": csrf_token(http, server_a(export))},
        allow_redirects=False,
    )
    assert response.status_code == 302, response.text[-2000:]
    job = ExportJob.objects.get(requested_by=cadre)
    run_worker(env)
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE, job.error
    downloaded = http.get(server_b(reverse("models_registry:export_download", args=[job.pk])))
    assert downloaded.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(downloaded.content))[MODEL_SHEET]
    assert any("Hiến đất làm đường" in values for values in sheet.iter_rows(values_only=True))

    # An import previewed on A is confirmed on B.
    admin_http = requests.Session()
    log_in(admin_http, server_a, admin.username)
    upload = xlsx_file([row("T19-TT", "T19", "Phường Tân Thịnh")])
    response = admin_http.post(
        server_a(IMPORT_URL),
        {"csrfmiddlewaretoken": csrf_token(admin_http, server_a(IMPORT_URL)), "format": XLSX},
        files={"import_file": ("don-vi.xlsx", upload.read())},
    )
    assert response.status_code == 200
    confirmation = Inputs(response.text).values
    assert confirmation["import_file_name"].startswith("imports/admin/"), response.text[-3000:]
    assert not Organisation.objects.filter(code="T19-TT").exists()
    response = admin_http.post(server_b(PROCESS_URL), confirmation, allow_redirects=False)
    assert response.status_code == 302, response.text[-3000:]
    assert Organisation.objects.filter(code="T19-TT").count() == 1
    # Claimed on B: A cannot confirm it a second time.
    again = admin_http.post(server_a(PROCESS_URL), confirmation)
    assert "đã được xác nhận hoặc đã hết hạn" in again.text
    assert Organisation.objects.filter(code="T19-TT").count() == 1
