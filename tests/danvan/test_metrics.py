"""/metrics: closed to anyone without the token or an allowed address, and the figures it gives
(requests by view, database statements, the background work's queue and failures)."""

import os
import subprocess
import sys
import time
import urllib.request
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from prometheus_client.parser import text_string_to_metric_families

from core.models import EmailDelivery, EmailStatus, JobStatus, Notification, NotificationKind
from danvan.management.commands.serve import stop_process_groups
from models_registry.choices import ExportFormat
from models_registry.models import ExportJob
from models_registry.tasks import export_models
from tests.danvan.test_shared_database import (
    BASE_DIR,
    database_url_of_this_run,
    free_port,
    tail,
    wait_for_health,
)
from tests.factories import DanVanModelFactory

TOKEN = "metrics-token-" + "x7Kq2mWp9Zr4Tn8v"
URL = "/metrics"

PORTAL_METRICS = (
    "django_http_requests_latency_seconds_by_view_method",
    "django_db_query_duration_seconds",
    "django_db_execute",  # a counter: its samples end in _total
    "danvan_queue_metrics_up",
    "danvan_task_queue_depth",
    "danvan_task_queue_oldest_age_seconds",
    "danvan_tasks_running",
    "danvan_tasks_failed",
    "danvan_background_jobs",
    "danvan_notification_emails",
)


@pytest.fixture
def closed(settings):
    """The production defaults: no address allowed, a token set."""
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_ALLOWED_ADDRESSES = []
    return settings


def scrape(client) -> dict[tuple[str, tuple], float]:
    """Every sample of /metrics, by name and labels."""
    response = client.get(URL, HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def figure(samples, name, **labels) -> float:
    return samples[(name, tuple(sorted(labels.items())))]


@pytest.mark.django_db
def test_without_the_token_metrics_is_a_page_that_does_not_exist(client, closed):
    missing = client.get("/trang-khong-co/")
    for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer wrong-token-of-the-same-length-xx"}):
        response = client.get(URL, **headers)
        assert response.status_code == 404
        assert response["Content-Type"] == missing["Content-Type"]
        assert b"danvan_" not in response.content
    # The token in another scheme or with something appended is no token.
    assert client.get(URL, HTTP_AUTHORIZATION=f"Basic {TOKEN}").status_code == 404
    assert client.get(URL, HTTP_AUTHORIZATION=f"Bearer {TOKEN}x").status_code == 404
    assert client.post(URL).status_code == 404


@pytest.mark.django_db
def test_with_the_token_metrics_gives_the_prometheus_text_format(client, closed):
    client.get("/dang-nhap/")  # one request timed by view
    response = client.get(URL, HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "no-cache" in response["Cache-Control"]
    names = {family.name for family in text_string_to_metric_families(response.content.decode())}
    for name in PORTAL_METRICS:
        assert name in names, name
    login_timed = (
        'django_http_requests_latency_seconds_by_view_method_count{method="GET",view="login"}'
    )
    assert login_timed in response.content.decode()
    assert client.post(URL, HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 405


@pytest.mark.django_db
def test_an_allowed_address_or_network_reads_metrics_without_the_token(client, closed):
    closed.METRICS_ALLOWED_ADDRESSES = ["192.0.2.10", "10.20.0.0/16"]
    assert client.get(URL, REMOTE_ADDR="192.0.2.10").status_code == 200
    assert client.get(URL, REMOTE_ADDR="10.20.5.6").status_code == 200
    assert client.get(URL, REMOTE_ADDR="192.0.2.11").status_code == 404
    assert client.get(URL, REMOTE_ADDR="10.21.0.1").status_code == 404


@pytest.mark.django_db
def test_behind_the_proxy_the_address_is_the_one_the_proxy_saw(client, closed):
    closed.PROXY_COUNT = 1
    closed.METRICS_ALLOWED_ADDRESSES = ["127.0.0.1", "10.20.0.0/16"]
    # Through the proxy on the same machine: REMOTE_ADDR is the loopback, the client is outside.
    outside = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "10.20.0.5, 203.0.113.9"}
    assert client.get(URL, **outside).status_code == 404
    inside = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "10.20.0.5"}
    assert client.get(URL, **inside).status_code == 200


@pytest.mark.django_db
def test_queue_figures_follow_queued_and_failed_work(client, closed, cadre):
    samples = scrape(client)
    assert figure(samples, "danvan_queue_metrics_up") == 1
    assert figure(samples, "danvan_task_queue_depth", queue="default") == 0
    assert figure(samples, "danvan_task_queue_oldest_age_seconds", queue="default") == 0
    assert figure(samples, "danvan_tasks_failed") == 0

    # An export of a job that does not exist is queued, waits an hour, then fails in the worker.
    result = export_models.enqueue(str(uuid.uuid4()))
    DBTaskResult.objects.filter(pk=result.id).update(
        enqueued_at=timezone.now() - timedelta(hours=1)
    )
    samples = scrape(client)
    assert figure(samples, "danvan_task_queue_depth", queue="default") == 1
    assert figure(samples, "danvan_task_queue_oldest_age_seconds", queue="default") >= 3600

    row = DBTaskResult.objects.get(pk=result.id)
    row.claim("test-worker")
    assert figure(scrape(client), "danvan_tasks_running") == 1
    run_in_worker(row)
    samples = scrape(client)
    assert figure(samples, "danvan_task_queue_depth", queue="default") == 0
    assert figure(samples, "danvan_tasks_running") == 0
    assert figure(samples, "danvan_tasks_failed") == 1

    ExportJob.objects.create(requested_by=cadre, format=ExportFormat.CSV)
    ExportJob.objects.create(requested_by=cadre, format=ExportFormat.CSV, status=JobStatus.FAILED)
    notification = Notification.objects.create(
        recipient=cadre, kind=NotificationKind.ACCEPTED, title="Đăng ký được duyệt"
    )
    EmailDelivery.objects.create(notification=notification, status=EmailStatus.FAILED)
    samples = scrape(client)
    assert figure(samples, "danvan_background_jobs", kind="export", status="pending") == 1
    assert figure(samples, "danvan_background_jobs", kind="export", status="failed") == 1
    assert figure(samples, "danvan_background_jobs", kind="report", status="failed") == 0
    assert figure(samples, "danvan_notification_emails", status="failed") == 1
    assert figure(samples, "danvan_notification_emails", status="pending") == 0


def run_in_worker(row: DBTaskResult) -> None:
    """Run one claimed task the way ``manage.py db_worker`` does."""
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    worker.run_task(row)


@pytest.mark.django_db
def test_database_statements_are_counted_with_the_portal_database_settings(client, closed):
    assert connection.settings_dict["ENGINE"] == "django_prometheus.db.backends.postgresql"
    assert connection.vendor == "postgresql"
    before = scrape(client)
    counted = ("django_db_execute_total", (("alias", "default"), ("vendor", "postgresql")))
    DanVanModelFactory.create_batch(3)
    # A server-side cursor (iterator) still works through the counting backend.
    from models_registry.models import DanVanModel

    assert len(list(DanVanModel.objects.all().iterator(chunk_size=2))) == 3
    after = scrape(client)
    assert after[counted] > before.get(counted, 0)
    timed = ("django_db_query_duration_seconds_count", counted[1])
    assert after[timed] > before.get(timed, 0)


@pytest.mark.django_db
def worker_files(directory) -> set[str]:
    """The pids of the workers whose figures are in ``directory``."""
    return {path.stem.rpartition("_")[2] for path in directory.glob("counter_*.db")}


def log_in_page(port: int) -> None:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/dang-nhap/", timeout=10):
        pass


def test_gunicorn_workers_add_up_their_figures(tmp_path):
    """Under gunicorn with PROMETHEUS_MULTIPROC_DIR, /metrics counts every worker's requests."""
    directory = tmp_path / "metrics"
    directory.mkdir()
    (directory / "counter_1.db").write_bytes(b"from a previous run")
    port = free_port()
    log = tmp_path / "server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "danvan.wsgi",
                "-c",
                "python:danvan.gunicorn_config",
                "--workers",
                "2",
                "--no-control-socket",
                "--bind",
                f"127.0.0.1:{port}",
            ],
            cwd=BASE_DIR,
            env={
                **os.environ,
                # The test database: its tables exist, whatever state the portal's own is in.
                "DATABASE_URL": database_url_of_this_run(),
                "DJANGO_DEBUG": "true",
                "DJANGO_METRICS_TOKEN": TOKEN,
                "PROMETHEUS_MULTIPROC_DIR": str(directory),
                "PYTHONUNBUFFERED": "1",
            },
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for_health(port, process, log)
        # Each worker opens its files once it has loaded the portal: under load the second may
        # still be starting when the first answers.
        deadline = time.monotonic() + 60
        while len(worker_files(directory)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        for _ in range(10):
            log_in_page(port)
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read().decode()
    finally:
        stop_process_groups([process])
    assert not (directory / "counter_1.db").exists()
    assert len(worker_files(directory)) == 2, tail(log)
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(body)
        for sample in family.samples
    }
    login = (
        "django_http_requests_latency_seconds_by_view_method_count",
        (("method", "GET"), ("view", "login")),
    )
    assert samples[login] == 10
    # Counted by the worker that answered (from the server's database, not this test's).
    assert ("danvan_queue_metrics_up", ()) in samples
