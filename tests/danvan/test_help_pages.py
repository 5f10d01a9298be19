"""The user guides: one per role, readable by anyone signed in, with pictures from a list."""

import os

import lxml.html
import pytest
from django.http import Http404
from django.urls import reverse
from django.utils.http import http_date

from danvan.help_pages import GUIDES, SCREENSHOT_MAX_AGE, SCREENSHOTS, screenshot_path
from organisations.choices import Role
from tests.factories import UserFactory

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 16
TITLES = {
    "can-bo-co-so": "Hướng dẫn sử dụng cho cán bộ cơ sở",
    "can-bo-tham-dinh": "Hướng dẫn sử dụng cho cán bộ thẩm định",
    "quan-tri": "Hướng dẫn sử dụng cho quản trị",
}
PLACEHOLDER = "Ảnh minh họa sẽ có sau lần chạy kiểm thử giao diện"


@pytest.fixture
def shots_dir(settings, tmp_path):
    settings.HELP_SCREENSHOTS_DIR = tmp_path / "help-screenshots"
    settings.HELP_SCREENSHOTS_DIR.mkdir()
    return settings.HELP_SCREENSHOTS_DIR


def listed(page: str) -> list[str]:
    """The guides the index lists first: those for the user."""
    tree = lxml.html.fromstring(page)
    return [link.get("href") for link in tree.xpath('//div[@class="list-group mb-4"]/a')]


def guide_url(slug):
    return reverse("help_guide", args=[slug])


@pytest.mark.parametrize(
    ("person", "slugs"),
    [
        ("cadre", ["can-bo-co-so"]),
        ("reviewer", ["can-bo-tham-dinh"]),
        ("admin_user", list(GUIDES)),
        ("superuser", list(GUIDES)),
    ],
)
def test_the_index_lists_the_guides_of_the_users_roles(client_for, request, person, slugs):
    user = request.getfixturevalue(person)
    page = client_for(user).get(reverse("help_index")).content.decode()
    assert listed(page) == [guide_url(slug) for slug in slugs]
    # The other guides are still linked below: they are not secret.
    for slug in GUIDES:
        assert f'href="{guide_url(slug)}"' in page


def test_someone_without_a_role_sees_every_guide(client_for, db):
    page = client_for(UserFactory()).get(reverse("help_index")).content.decode()
    assert listed(page) == [guide_url(slug) for slug in GUIDES]


@pytest.mark.parametrize("slug", list(GUIDES))
@pytest.mark.parametrize("person", ["cadre", "reviewer", "admin_user"])
def test_every_role_reads_every_guide(client_for, request, shots_dir, person, slug):
    response = client_for(request.getfixturevalue(person)).get(guide_url(slug))
    assert response.status_code == 200
    tree = lxml.html.fromstring(response.content.decode())
    assert tree.xpath("string(//h1)").strip() == TITLES[slug]
    assert len(tree.xpath("//main//h2")) >= 4
    links = {link.get("href") for link in tree.xpath("//a")}
    assert reverse("help_index") in links
    assert {guide_url(other) for other in GUIDES if other != slug} <= links


def test_the_guides_are_linked_from_the_user_menu(client_for, cadre):
    page = client_for(cadre).get("/").content.decode()
    (link,) = lxml.html.fromstring(page).xpath(
        '//ul[contains(@class, "dropdown-menu")]//a[.="Hướng dẫn sử dụng"]'
    )
    assert link.get("href") == reverse("help_index")


def test_an_unknown_guide_is_not_found(client_for, cadre):
    assert client_for(cadre).get("/huong-dan/nguoi-dan/").status_code == 404


def test_the_guides_need_a_signed_in_user(client, db):
    response = client.get(guide_url("can-bo-co-so"))
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]


def test_a_missing_picture_is_announced_then_shown_once_taken(client_for, cadre, shots_dir):
    client = client_for(cadre)
    url = reverse("help_screenshot", args=["dang-ky-mo-hinh"])
    page = client.get(guide_url("can-bo-co-so")).content.decode()
    assert PLACEHOLDER in page and url not in page
    assert client.get(url).status_code == 404

    (shots_dir / "dang-ky-mo-hinh.png").write_bytes(PNG)
    page = client.get(guide_url("can-bo-co-so")).content.decode()
    (image,) = lxml.html.fromstring(page).xpath(f'//img[@src="{url}"]')
    assert image.get("alt") == SCREENSHOTS["dang-ky-mo-hinh"]
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == PNG


def test_a_picture_is_kept_a_day_then_revalidated_by_its_date(client_for, cadre, shots_dir):
    client = client_for(cadre)
    url = reverse("help_screenshot", args=["dang-ky-mo-hinh"])
    missing = client.get(url)
    assert missing.status_code == 404 and "max-age" not in missing.get("Cache-Control", "")
    shot = shots_dir / "dang-ky-mo-hinh.png"
    shot.write_bytes(PNG)
    os.utime(shot, (1_750_000_000, 1_750_000_000))
    response = client.get(url)
    cache = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", f"max-age={SCREENSHOT_MAX_AGE}"} <= cache
    assert response["Last-Modified"] == http_date(1_750_000_000)
    unchanged = client.get(url, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
    assert (
        unchanged.status_code == 304
        and f"max-age={SCREENSHOT_MAX_AGE}" in unchanged["Cache-Control"]
    )
    os.utime(shot, (1_760_000_000, 1_760_000_000))  # taken again
    retaken = client.get(url, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
    assert retaken.status_code == 200 and b"".join(retaken.streaming_content) == PNG


@pytest.mark.parametrize(
    "path",
    [
        "/huong-dan/anh/khong-co.png",
        "/huong-dan/anh/..%2F..%2Fsettings.png",
        "/huong-dan/anh/%2E%2E.png",
        "/huong-dan/anh/../../danvan/settings.png",
        "/huong-dan/anh/dang-ky-mo-hinh.png/",
    ],
)
def test_only_listed_pictures_are_served(client_for, cadre, shots_dir, path):
    # Files lying in the folder (and above it) under other names are never served.
    (shots_dir / "khong-co.png").write_bytes(PNG)
    (shots_dir.parent / "settings.png").write_bytes(PNG)
    (shots_dir / "..png").write_bytes(PNG)
    assert client_for(cadre).get(path).status_code == 404


@pytest.mark.parametrize("name", ["../settings", "dang-ky-mo-hinh/../../x", "", "DANG-KY-MO-HINH"])
def test_a_name_off_the_list_never_becomes_a_path(name):
    with pytest.raises(Http404):
        screenshot_path(name)


def test_every_role_has_a_guide():
    assert {guide.role for guide in GUIDES.values()} == set(Role)
