"""Request ids: in the response header, on every log line of the request, on the error pages;
the JSON log lines and the access line; the worker's lines carry their task's id."""

import io
import json
import logging
import re
import uuid
from datetime import datetime, timedelta

import pytest
from django.test import RequestFactory
from django_tasks_db.models import DBTaskResult

from danvan.logs import ContextFilter, JsonFormatter
from danvan.views import server_error
from models_registry.tasks import export_models
from tests.danvan.test_health_and_settings import PRODUCTION, run_manage
from tests.danvan.test_metrics import run_in_worker

HEX_ID = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def json_log():
    """The portal's JSON lines as the console handler writes them, read back as objects."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter(time_zone="Asia/Ho_Chi_Minh"))
    handler.addFilter(ContextFilter())
    root = logging.getLogger()
    access = logging.getLogger("danvan.access")
    access_level = access.level
    access.setLevel(logging.INFO)
    root.addHandler(handler)

    def lines() -> list[dict]:
        return [json.loads(line) for line in stream.getvalue().splitlines()]

    yield lines
    root.removeHandler(handler)
    access.setLevel(access_level)


@pytest.mark.django_db
def test_a_request_gets_a_new_id_or_keeps_a_sane_one_from_the_proxy(client):
    response = client.get("/dang-nhap/")
    assert HEX_ID.fullmatch(response["X-Request-ID"])
    assert client.get("/dang-nhap/")["X-Request-ID"] != response["X-Request-ID"]

    sane = "proxy-4f1c2a9e-7b3d.01"
    assert client.get("/dang-nhap/", HTTP_X_REQUEST_ID=sane)["X-Request-ID"] == sane
    for hostile in ("short", "x" * 65, "abc def ghi jkl", 'id"}{"level":"ERROR', "ab\ncdefghij"):
        answered = client.get("/dang-nhap/", HTTP_X_REQUEST_ID=hostile)["X-Request-ID"]
        assert HEX_ID.fullmatch(answered), hostile


@pytest.mark.django_db
@pytest.mark.urls("tests.danvan.failing_urls")
def test_a_failing_page_shows_the_id_of_the_header_and_of_the_logged_error(client, json_log):
    client.raise_request_exception = False
    response = client.get("/trang-loi/?ma=bi-mat")
    assert response.status_code == 500
    request_id = response["X-Request-ID"]
    page = response.content.decode()
    assert "Đã xảy ra lỗi hệ thống" in page
    assert f"Mã yêu cầu: <code>{request_id}</code>" in page

    lines = json_log()
    error = next(line for line in lines if line["logger"] == "django.request")
    assert error["level"] == "ERROR"
    assert error["request_id"] == request_id
    assert "PageFailure: the page broke" in error["exception"]
    access = next(line for line in lines if line["logger"] == "danvan.access")
    assert access["request_id"] == request_id
    assert access["status"] == 500
    assert access["method"] == "GET"
    assert access["path"] == "/trang-loi/"  # never the query string
    assert "bi-mat" not in json.dumps(lines)
    assert isinstance(access["duration_ms"], float)


@pytest.mark.django_db
def test_the_not_found_page_shows_the_id_and_django_s_line_carries_it(client, json_log):
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    request_id = response["X-Request-ID"]
    assert f"Mã yêu cầu: <code>{request_id}</code>" in response.content.decode()
    not_found = next(line for line in json_log() if line["logger"] == "django.request")
    assert not_found["request_id"] == request_id
    assert not_found["message"] == "Not Found: /khong-co-trang-nay/"


def test_the_error_page_is_written_by_hand_when_its_template_fails():
    request = RequestFactory().get("/")
    request.request_id = "abcdef0123456789"
    response = server_error(request, template_name="khong-co-mau-nay.html")
    assert response.status_code == 500
    assert "Mã yêu cầu: abcdef0123456789" in response.content.decode()


@pytest.mark.django_db
def test_the_access_line_names_the_user_and_hides_a_reset_link_s_token(client, cadre, json_log):
    client.force_login(cadre)
    client.get("/")
    token = "cdq8m2-5a1f7e0b9c3d2e4f6a8b0c1d2e3f4a5b"
    client.get(f"/dat-lai-mat-khau/MTI/{token}/")
    home, reset = (line for line in json_log() if line["logger"] == "danvan.access")
    assert home["user_id"] == cadre.pk
    assert home["status"] == 200
    assert reset["path"] == "/dat-lai-mat-khau/MTI/***/"
    assert token not in json.dumps(json_log())


def test_json_lines_carry_an_iso_time_with_its_offset(json_log):
    logging.getLogger("danvan.test").warning("Đã nhận %s tệp", 3)
    (line,) = json_log()
    assert line["message"] == "Đã nhận 3 tệp"
    assert line["level"] == "WARNING" and line["logger"] == "danvan.test"
    assert "request_id" not in line
    assert datetime.fromisoformat(line["time"]).utcoffset() == timedelta(hours=7)


@pytest.mark.django_db
def test_the_worker_s_lines_carry_the_task_id(json_log):
    result = export_models.enqueue(str(uuid.uuid4()))
    row = DBTaskResult.objects.get(pk=result.id)
    row.claim("test-worker")
    run_in_worker(row)
    lines = [line for line in json_log() if line.get("task_id") == str(result.id)]
    # The job's own failure and the worker's record of it.
    assert any(line["logger"] == "django_tasks" and "FAILED" in line["message"] for line in lines)
    assert all("request_id" not in line for line in lines)
    logging.getLogger("danvan.test").warning("after the task")
    assert "task_id" not in json_log()[-1]


def test_production_writes_json_lines_and_closes_metrics_to_every_address():
    result = run_manage(
        "shell",
        "-c",
        "import logging; from django.conf import settings; "
        "print(settings.METRICS_ALLOWED_ADDRESSES, settings.LOG_FORMAT); "
        "logging.getLogger('danvan.check').warning('xin chào')",
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[] json"
    line = json.loads(result.stderr.strip().splitlines()[-1])
    assert line["message"] == "xin chào" and line["logger"] == "danvan.check"


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"DJANGO_METRICS_TOKEN": "too-short"}, "DJANGO_METRICS_TOKEN must be at least"),
        ({"DJANGO_METRICS_ALLOWED_ADDRESSES": "10.0.0.0/8,intranet"}, "'intranet' is no"),
        ({"DJANGO_LOG_FORMAT": "xml"}, "DJANGO_LOG_FORMAT must be json or text"),
    ],
)
def test_wrong_observability_settings_fail_at_start_up(variables, message):
    result = run_manage("check", **PRODUCTION, **variables)
    assert result.returncode != 0
    assert message in result.stderr
