"""Saved filters on the registry list and the review queue: saved per user and page, applied by
a link through the page's own filters and scope, renamed and deleted by their owner only."""

import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from core.models import SavedFilter
from core.saved_filters import SAVED_PER_PAGE, saved_filter_create
from models_registry.choices import Status
from tests.factories import DanVanModelFactory

pytestmark = pytest.mark.django_db

LIST = reverse("models_registry:model_list")
QUEUE = reverse("reviews:queue")
CREATE = reverse("saved_filter_create")


def rename_url(saved):
    return reverse("saved_filter_rename", args=[saved.pk])


def delete_url(saved):
    return reverse("saved_filter_delete", args=[saved.pk])


def listed(response) -> set[str]:
    return {model.name for model in response.context["object_list"]}


def saved_links(html: str) -> dict[str, str]:
    """The saved filters' links on a page: name as shown (unescaped) → address."""
    return {
        unescape(name): unescape(href)
        for href, name in re.findall(
            r'<a class="btn btn-sm [^"]*saved-filter-link" href="([^"]+)"[^>]*>(.*?)</a>', html
        )
    }


@pytest.fixture
def registry(tree):
    return {
        "economy": DanVanModelFactory(owning_unit=tree.ward, name="Nuôi Dê", field="economy"),
        "culture": DanVanModelFactory(
            owning_unit=tree.ward, name="Hòm thư góp ý", field="culture_society"
        ),
        "elsewhere": DanVanModelFactory(
            owning_unit=tree.other_province_ward, name="Camera an ninh", field="economy"
        ),
    }


def test_save_apply_rename_and_delete_on_the_registry_list(client_for, cadre, registry):
    client = client_for(cadre)
    page = client.get(LIST, {"field": "economy", "page": "1"}).content.decode()
    assert 'name="query" value="field=economy"' in page and "Lưu bộ lọc" in page

    response = client.post(
        CREATE, {"page": "mo-hinh", "query": "field=economy&page=1", "name": "  Kinh tế  "}
    )
    saved = SavedFilter.objects.get()
    assert (saved.user, saved.page, saved.name, saved.query) == (
        cadre,
        "mo-hinh",
        "Kinh tế",
        "field=economy",
    )
    assert response.status_code == 302 and response["Location"] == f"{LIST}?field=economy"

    # The link applies the filter: the page's own form reads it back.
    response = client.get(LIST)
    links = saved_links(response.content.decode())
    assert links == {"Kinh tế": f"{LIST}?field=economy"}
    assert listed(client.get(links["Kinh tế"])) == {"Nuôi Dê"}

    response = client.post(rename_url(saved), {"name": "Mô hình kinh tế", "query": "q=x"})
    assert response["Location"] == f"{LIST}?q=x"
    saved.refresh_from_db()
    assert saved.name == "Mô hình kinh tế"
    response = client.post(delete_url(saved), follow=True)
    assert "Đã xóa bộ lọc “Mô hình kinh tế”" in response.content.decode()
    assert not SavedFilter.objects.exists()
    # Every change is in the audit trail.
    assert [event.pgh_label for event in saved.history.order_by("pgh_id")] == [
        "insert",
        "update",
        "delete",
    ]


def test_the_queue_keeps_its_own_saved_filters(client_for, reviewer, cadre, tree):
    DanVanModelFactory(owning_unit=tree.ward, name="Chờ duyệt", status=Status.SUBMITTED)
    client = client_for(reviewer)
    client.post(CREATE, {"page": "hang-cho", "query": "status=submitted", "name": "Chờ duyệt"})
    saved_filter_create(user=reviewer, page="mo-hinh", name="Chờ duyệt", query="status=draft")
    queue = client.get(QUEUE).content.decode()
    assert saved_links(queue) == {"Chờ duyệt": f"{QUEUE}?status=submitted"}
    registry = client.get(LIST).content.decode()
    assert saved_links(registry) == {"Chờ duyệt": f"{LIST}?status=draft"}
    # The current filters mark their saved link.
    current = client.get(QUEUE, {"status": "submitted"}).content.decode()
    assert 'saved-filter-link" href="/tham-dinh/?status=submitted" aria-current="true"' in current
    # A cadre sees none of the reviewer's.
    assert saved_links(client_for(cadre).get(LIST).content.decode()) == {}


def test_another_users_saved_filter_is_404(client_for, cadre, reviewer):
    saved = saved_filter_create(user=reviewer, page="mo-hinh", name="Của tôi", query="kind=model")
    client = client_for(cadre)
    assert client.post(rename_url(saved), {"name": "Lấy mất"}).status_code == 404
    assert client.post(delete_url(saved)).status_code == 404
    saved.refresh_from_db()
    assert saved.name == "Của tôi"
    assert client.get(rename_url(saved)).status_code == 405  # POST only
    assert client.post(CREATE, {"page": "khong-co", "query": "a=1", "name": "x"}).status_code == 404
    anonymous = Client().post(CREATE, {"page": "mo-hinh", "query": "a=1", "name": "x"})
    assert anonymous.status_code == 302 and "dang-nhap" in anonymous["Location"]


def test_posts_need_the_csrf_token(cadre):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cadre)
    response = client.post(CREATE, {"page": "mo-hinh", "query": "field=economy", "name": "x"})
    assert response.status_code == 403 and not SavedFilter.objects.exists()


def test_hostile_names_and_queries(client_for, cadre, registry, tree):
    client = client_for(cadre)

    response = client.post(
        CREATE, {"page": "mo-hinh", "query": "field=economy", "name": "x" * 101}, follow=True
    )
    assert "Tên bộ lọc tối đa 100 ký tự (đang có 101)" in response.content.decode()
    assert listed(response) == {"Nuôi Dê"}  # back on the list with its filters
    response = client.post(CREATE, {"page": "mo-hinh", "query": "field=economy", "name": " \t "})
    assert not SavedFilter.objects.exists()
    response = client.post(CREATE, {"page": "mo-hinh", "query": "page=2&q=", "name": "Rỗng"})
    assert not SavedFilter.objects.exists()
    long_query = "q=" + "a" * 2100
    response = client.post(
        CREATE, {"page": "mo-hinh", "query": long_query, "name": "Dài"}, follow=True
    )
    assert "Bộ lọc quá dài để lưu" in response.content.decode()
    assert not SavedFilter.objects.exists()

    # HTML in a name is kept as typed and shown as text; control characters go.
    name = '<script>alert("x")</script>\x00 Kinh tế'
    hostile_query = (
        f"field=economy&unit={tree.other_province.pk}&khong_biet=1&csrfmiddlewaretoken=abc"
        "&cursor=zzz&page=9"
    )
    client.post(CREATE, {"page": "mo-hinh", "query": hostile_query, "name": name})
    saved = SavedFilter.objects.get()
    assert saved.name == '<script>alert("x")</script> Kinh tế'
    assert saved.query == f"field=economy&unit={tree.other_province.pk}&khong_biet=1"
    page = client.get(LIST).content.decode()
    assert "<script>alert(" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Kinh tế" in page

    # Applied, an out-of-scope unit and an unknown parameter go through the list's own form
    # and scope: nothing outside the cadre's units shows.
    response = client.get(saved_links(page)[saved.name])
    assert response.status_code == 200
    assert "Camera an ninh" not in listed(response)
    assert listed(response) <= {"Nuôi Dê", "Hòm thư góp ý"}


def test_names_are_unique_per_page_and_limited_in_number(client_for, cadre):
    client = client_for(cadre)
    saved_filter_create(user=cadre, page="mo-hinh", name="Kinh tế", query="field=economy")
    response = client.post(
        CREATE, {"page": "mo-hinh", "query": "kind=model", "name": "kinh TẾ"}, follow=True
    )
    assert "Bạn đã có bộ lọc tên “kinh TẾ” trên trang này" in response.content.decode()
    second = saved_filter_create(user=cadre, page="mo-hinh", name="Mô hình", query="kind=model")
    response = client.post(rename_url(second), {"name": "Kinh tế"}, follow=True)
    assert "Bạn đã có bộ lọc tên “Kinh tế”" in response.content.decode()
    second.refresh_from_db()
    assert second.name == "Mô hình"

    for number in range(3, SAVED_PER_PAGE + 1):
        saved_filter_create(user=cadre, page="mo-hinh", name=f"Bộ lọc {number}", query="q=a")
    response = client.post(
        CREATE, {"page": "mo-hinh", "query": "q=b", "name": "Một bộ nữa"}, follow=True
    )
    assert f"Mỗi trang lưu được tối đa {SAVED_PER_PAGE} bộ lọc" in response.content.decode()
    assert SavedFilter.objects.filter(user=cadre).count() == SAVED_PER_PAGE
    assert "Đã lưu đủ 20 bộ lọc cho trang này" in client.get(LIST).content.decode()
