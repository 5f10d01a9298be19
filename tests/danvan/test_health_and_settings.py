"""/healthz, production settings under check --deploy, the file store and cache chosen by the
environment, and Vietnamese formats."""

import os
import socket
import subprocess
import sys
import uuid
from datetime import date
from pathlib import Path

import pytest
from django.db import OperationalError
from django.template import Context, Template
from django.urls import reverse

BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_healthz_answers_200_with_json_when_the_database_answers(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_does_not(client, monkeypatch):
    from danvan import views

    class BrokenConnection:
        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr(views, "connection", BrokenConnection())
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


def run_manage(*args, **env):
    environment = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "k8$Jp2!vQz7@Lr4#Wn9^Xs6&Tb3*Ym5%Hc1(Gd0)Fe-Ua+Ri=Oo_Ps?Mq",
    "DJANGO_ALLOWED_HOSTS": "danvan.example.gov.vn",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://danvan.example.gov.vn",
    "DJANGO_PROXY_COUNT": "1",
}


def test_check_deploy_is_clean_with_the_production_variables():
    result = run_manage("check", "--deploy", "--fail-level", "DEBUG", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_without_debug_a_missing_secret_fails_at_start_up():
    env = {**PRODUCTION, "DJANGO_SECRET_KEY": ""}
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_vietnamese_date_and_number_formats(settings):
    rendered = Template(
        "{% load humanize %}{{ day }}|{{ day|date:'SHORT_DATE_FORMAT' }}|{{ amount }}"
    ).render(Context({"day": date(2026, 11, 18), "amount": 1234567}))
    assert rendered == "18/11/2026|18/11/2026|1.234.567"


def test_pagination_links_never_format_page_numbers():
    from django.core.paginator import Paginator
    from django.template.loader import render_to_string

    page = Paginator(range(5000), 1).get_page(1500)
    html = render_to_string("includes/_pagination.html", {"page_obj": page})
    assert "page=1499" in html and "page=1501" in html
    assert "Trang 1.500 / 5.000" in html  # what people read is formatted the Vietnamese way


def test_an_object_store_without_its_variables_fails_at_start_up_naming_them():
    result = run_manage(
        "check", DJANGO_FILE_STORAGE="s3", DJANGO_S3_BUCKET="danvan", DJANGO_DEBUG="true"
    )
    assert result.returncode != 0
    assert (
        "DJANGO_FILE_STORAGE=s3 needs DJANGO_S3_ENDPOINT_URL, DJANGO_S3_ACCESS_KEY, "
        "DJANGO_S3_SECRET_KEY"
    ) in result.stderr


def test_an_unknown_file_storage_fails_at_start_up():
    result = run_manage("check", DJANGO_FILE_STORAGE="ftp", DJANGO_DEBUG="true")
    assert result.returncode != 0
    assert "DJANGO_FILE_STORAGE must be local or s3, not 'ftp'" in result.stderr


def redis_answers(host: str = "127.0.0.1", port: int = 6379) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1) as probe:
            probe.sendall(b"PING\r\n")
            return probe.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def test_redis_url_gives_every_process_one_shared_cache():
    if not redis_answers():
        reason = "no Redis answers at 127.0.0.1:6379 (.ci/run starts one)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    key = f"chia-se-{uuid.uuid4().hex}"
    url = "redis://127.0.0.1:6379/15"
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; from django.core.cache import cache; "
        f"cache.set({key!r}, 'Dân vận khéo', 60); "
        "print(settings.CACHES['default']['BACKEND'])",
        REDIS_URL=url,
        DJANGO_DEBUG="true",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "django.core.cache.backends.redis.RedisCache"
    # Another process (this one) finds what the portal's process cached.
    from django.core.cache.backends.redis import RedisCache

    shared = RedisCache(url, {})
    try:
        assert shared.get(key) == "Dân vận khéo"
    finally:
        shared.delete(key)


def test_without_redis_url_each_process_caches_in_memory():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])",
        DJANGO_DEBUG="true",
        REDIS_URL="",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "django.core.cache.backends.locmem.LocMemCache"
