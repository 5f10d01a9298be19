"""Static files as production serves them (``collectstatic`` with whitenoise's compressed
manifest storage): pages name them by hashed names, which the browser keeps for good, sent
compressed; the pages themselves go compressed too. `make bench-page-weight` measures the bytes."""

import gzip
import io
import re
import shutil

import pytest
from django.conf import settings as django_settings
from django.contrib import admin
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.http import FileResponse, HttpResponse
from django.test import override_settings
from django.urls import reverse

from core.admin_site import SLUG_SCRIPTS, without_unused_scripts
from danvan.middleware import PageCompressionMiddleware
from models_registry.models import DanVanModel, Indicator
from tests.factories import DanVanModelFactory

PRODUCTION_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"
HASHED = re.compile(r"\.[0-9a-f]{12}\.(css|js|svg)$")
ONE_YEAR = 365 * 24 * 60 * 60
TEMPLATES = django_settings.BASE_DIR / "templates"
PAGE_TEMPLATES = ["base.html", "registration/login.html"]


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """The static files of the log-in page as ``collectstatic`` writes them for production
    (once). Only those: hashing and compressing every file of every app takes minutes."""
    sources, root = tmp_path_factory.mktemp("sources"), tmp_path_factory.mktemp("static")
    names = set()
    for template in PAGE_TEMPLATES:
        names.update(re.findall(r"{% static '([^']+)' %}", (TEMPLATES / template).read_text()))
    for name in names:
        for wanted in (name, f"{name}.map"):  # a stylesheet's source map is named in it
            found = finders.find(wanted)
            if found:
                (sources / wanted).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(found, sources / wanted)
    with override_settings(
        STATIC_ROOT=root,
        STATICFILES_DIRS=[sources],
        STATICFILES_FINDERS=["django.contrib.staticfiles.finders.FileSystemFinder"],
        STORAGES={"staticfiles": {"BACKEND": PRODUCTION_STORAGE}},
    ):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root


@pytest.fixture
def production_static(settings, collected):
    settings.STATIC_ROOT = collected
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": PRODUCTION_STORAGE}}
    settings.WHITENOISE_AUTOREFRESH = False
    settings.WHITENOISE_USE_FINDERS = False


def static_urls(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


@pytest.mark.django_db
def test_pages_name_hashed_files_kept_for_good_and_sent_compressed(client, production_static):
    page = client.get("/dang-nhap/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert page.status_code == 200
    assert page["Content-Encoding"] == "gzip"
    urls = static_urls(gzip.decompress(page.content).decode())
    assert any(url.endswith(".css") for url in urls) and any(url.endswith(".js") for url in urls)
    for url in urls:
        assert HASHED.search(url), f"{url} has no content hash in its name"
        plain = client.get(url)
        assert plain.status_code == 200, url
        cache = {part.strip() for part in plain["Cache-Control"].split(",")}
        assert "immutable" in cache, (url, plain["Cache-Control"])
        max_age = next(int(part[8:]) for part in cache if part.startswith("max-age="))
        assert max_age >= ONE_YEAR, (url, plain["Cache-Control"])
        # A file carries what a file needs; the page's policies stay with the page.
        assert plain["X-Content-Type-Options"] == "nosniff", url
        for header in ("Access-Control-Allow-Origin", "Content-Security-Policy", "X-Frame-Options"):
            assert header not in plain, (url, header)
        if url.endswith((".css", ".js")):
            assert "Content-Encoding" not in plain, url
            for encoding in ("gzip", "br"):
                compressed = client.get(url, HTTP_ACCEPT_ENCODING=encoding)
                assert compressed["Content-Encoding"] == encoding, (url, encoding)
                assert int(compressed["Content-Length"]) < int(plain["Content-Length"]), url


def test_a_streamed_download_goes_as_it_is(rf):
    """Pages are compressed; streamed answers (downloads, exports) keep their length and are
    not compressed again."""
    html = "<p>" + "Mô hình dân vận khéo " * 200 + "</p>"
    request = rf.get("/", HTTP_ACCEPT_ENCODING="gzip")
    middleware = PageCompressionMiddleware(lambda request: HttpResponse(html))
    page = middleware(request)
    assert page["Content-Encoding"] == "gzip"
    assert gzip.decompress(page.content).decode() == html

    def download(request):
        return FileResponse(io.BytesIO(html.encode()), filename="bao-cao.xlsx")

    streamed = PageCompressionMiddleware(download)(request)
    assert "Content-Encoding" not in streamed
    assert int(streamed["Content-Length"]) == len(html.encode())


def test_admin_pages_load_the_slug_scripts_only_where_a_slug_is_filled():
    model_admin = admin.site._registry[DanVanModel]
    assert model_admin.media._js, "the admin's own scripts are still there"
    assert not [script for script in model_admin.media._js if script.startswith(SLUG_SCRIPTS)]

    class FillsASlug(admin.ModelAdmin):
        prepopulated_fields = {"code": ["name"]}

    filling = without_unused_scripts(FillsASlug)(Indicator, admin.site)
    assert any(script.startswith("admin/js/vendor/xregexp/") for script in filling.media._js)


def test_the_admin_script_catalogue_is_kept_a_day(client, superuser):
    client.force_login(superuser)
    response = client.get(reverse("admin:jsi18n"))
    assert response.status_code == 200
    assert "max-age=86400" in response["Cache-Control"]


def test_admin_pages_fetch_no_side_menu_and_no_unused_slug_script(client, superuser):
    """No navigation sidebar (its stylesheet, script and list of every app), and the slug
    script's starter only on a form that fills a slug: none does."""
    client.force_login(superuser)
    model = DanVanModelFactory()
    page = client.get(reverse("admin:models_registry_danvanmodel_change", args=[model.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and "change_form.js" in html
    assert "nav_sidebar" not in html and 'id="nav-sidebar"' not in html
    assert "prepopulate_init.js" not in html
    assert "nav_sidebar" not in client.get(reverse("admin:index")).content.decode()
