"""The list's deep pages by cursor, and its counts by field kept between requests."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from models_registry import filters
from models_registry.choices import Status
from models_registry.filters import SORT_ORDERING, SORTS
from models_registry.models import DanVanModel
from models_registry.views import keyset
from models_registry.views.registrations import ModelListView
from tests.factories import DanVanModelFactory

LIST = "/mo-hinh/"
PER_PAGE = 4


@pytest.fixture
def small_pages(monkeypatch):
    """Pages of four rows, only the first asked by number: cursors from the second on."""
    monkeypatch.setattr(ModelListView, "paginate_by", PER_PAGE)
    monkeypatch.setattr(keyset, "MAX_NUMBERED_PAGE", 1)


@pytest.fixture
def rows(tree):
    """Seventeen models with ties on every sort column and empty start dates (drafts)."""
    days = [datetime.date(2024, 1, 1), datetime.date(2025, 6, 1), None]
    made = []
    for number in range(17):
        day = days[number % 3]
        made.append(
            DanVanModelFactory(
                owning_unit=tree.ward,
                name=f"Mô hình {number % 5}",
                start_date=day,
                status=Status.DRAFT if day is None else Status.ACCEPTED,
            )
        )
    DanVanModel.objects.filter(pk__in=[model.pk for model in made[:6]]).update(
        updated_at=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    )
    return made


def shown(response) -> list[int]:
    return [model.pk for model in response.context["object_list"]]


def walk(client, params, direction: str, start=None) -> tuple[list[list[int]], object]:
    """Every page from ``start`` (the first page) following the ``direction`` links."""
    response = start or client.get(LIST, params)
    pages = [shown(response)]
    while link := getattr(response.context["page_obj"], f"{direction}_link", ""):
        response = client.get(f"{LIST}?{link}")
        assert response.status_code == 200
        assert "không hợp lệ" not in response.content.decode()
        pages.append(shown(response))
    return pages, response


@pytest.mark.parametrize("sort", [value for value, _ in SORTS])
def test_walking_the_pages_by_cursor_shows_every_row_once_in_order(
    client_for, superuser, rows, small_pages, sort
):
    client = client_for(superuser)
    expected = list(DanVanModel.objects.order_by(*SORT_ORDERING[sort]).values_list("pk", flat=True))
    assert len(expected) == 17
    pages, last = walk(client, {"sort": sort}, "next")
    assert [len(page) for page in pages] == [4, 4, 4, 4, 1]
    assert [pk for page in pages for pk in page] == expected
    assert last.context["page_obj"].number == 5
    assert "Trang 5 / 5" in last.content.decode()
    # And back again from the last page, to the first (asked by number).
    back, first = walk(client, {"sort": sort}, "previous", start=last)
    assert back == pages[::-1]
    assert first.context["page_obj"].number == 1


def test_the_cursor_keeps_the_filters(client_for, superuser, rows, small_pages):
    client = client_for(superuser)
    params = {"status": Status.ACCEPTED, "sort": "name"}
    pages, _ = walk(client, params, "next")
    expected = DanVanModel.objects.filter(status=Status.ACCEPTED).order_by("name", "pk")
    assert [pk for page in pages for pk in page] == list(expected.values_list("pk", flat=True))
    link = client.get(LIST, params).context["page_obj"].next_link
    assert "status=accepted" in link and "sort=name" in link


@pytest.mark.parametrize(
    "cursor",
    ["abc", "", "x" * 500, "%00", "eyJ0ZXN0IjoxfQ:1abcde:wrong-signature"],
)
def test_a_tampered_cursor_shows_the_first_page_with_a_message(
    client_for, superuser, rows, small_pages, cursor
):
    client = client_for(superuser)
    response = client.get(LIST, {"cursor": cursor, "sort": "name"})
    if cursor in ("", "%00"):
        assert response.status_code in (200, 400)
        return
    assert response.status_code == 200
    assert "Liên kết chuyển trang không hợp lệ" in response.content.decode()
    assert response.context["page_obj"].number == 1
    assert len(shown(response)) == PER_PAGE


def test_a_cursor_of_another_sort_is_refused(client_for, superuser, rows, small_pages):
    client = client_for(superuser)
    link = client.get(LIST, {"sort": "name"}).context["page_obj"].next_link
    response = client.get(f"{LIST}?{link.replace('sort=name', 'sort=-name')}")
    assert response.status_code == 200
    assert "Liên kết chuyển trang không hợp lệ" in response.content.decode()
    assert response.context["page_obj"].number == 1


def test_a_deep_page_by_number_shows_the_first_with_a_message(
    client_for, superuser, rows, small_pages
):
    response = client_for(superuser).get(LIST, {"page": 3})
    assert response.status_code == 200
    assert "Chỉ mở trực tiếp được" in response.content.decode()
    assert response.context["page_obj"].number == 1


def statements(captured) -> list[str]:
    return [
        query["sql"]
        for query in captured.captured_queries
        if not query["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]


def counted(captured) -> bool:
    return any('COUNT("models_registry_danvanmodel"' in sql for sql in statements(captured))


def test_the_counts_are_kept_until_a_model_is_written(client_for, tree, superuser, reviewer):
    for number in range(3):
        DanVanModelFactory(owning_unit=tree.ward, status=Status.ACCEPTED, name=f"Mô hình {number}")
    client = client_for(superuser)
    with CaptureQueriesContext(connection) as first:
        assert client.get(LIST).context["total"] == 3
    with CaptureQueriesContext(connection) as again:
        assert client.get(LIST, {"sort": "name"}).context["total"] == 3
    assert counted(first) and not counted(again)
    assert len(statements(again)) == len(statements(first)) - 1
    # A write moves the version on: the next request counts again, and right.
    DanVanModelFactory(owning_unit=tree.ward, status=Status.ACCEPTED, field="culture_society")
    with CaptureQueriesContext(connection) as after:
        response = client.get(LIST)
    assert counted(after) and response.context["total"] == 4
    DanVanModel.objects.filter(name="Mô hình 0").update(field="culture_society")
    counts = {value: count for value, _, count in client.get(LIST).context["field_counts"]}
    assert counts["culture_society"] == 2 and counts["economy"] == 2
    DanVanModel.objects.filter(name="Mô hình 1").delete()
    assert client.get(LIST).context["total"] == 3
    # Another scope, another count: the reviewer's are not the national administrator's.
    DanVanModelFactory(owning_unit=tree.other_province_ward, status=Status.ACCEPTED)
    assert client.get(LIST).context["total"] == 4
    assert client_for(reviewer).get(LIST).context["total"] == 3
    # Another filter, another count.
    assert client_for(superuser).get(LIST, {"field": "economy"}).context["total"] == 2


def searched(captured) -> bool:
    return any("to_tsquery" in sql for sql in statements(captured))


def test_a_search_is_kept_until_a_model_is_written(client_for, tree, reviewer):
    for number in range(3):
        DanVanModelFactory(owning_unit=tree.ward, status=Status.ACCEPTED, name=f"Nuôi dê {number}")
    client = client_for(reviewer)
    with CaptureQueriesContext(connection) as first:
        response = client.get(LIST, {"q": "nuoi de"})
    assert searched(first) and response.context["total"] == 3
    with CaptureQueriesContext(connection) as again:
        response = client.get(LIST, {"q": "nuoi de"})
    assert not searched(again) and response.context["total"] == 3
    assert len(response.context["object_list"]) == 3
    # Another sort is another page of ids: searched again.
    with CaptureQueriesContext(connection) as sorted_:
        names = [
            model.name
            for model in client.get(LIST, {"q": "nuoi de", "sort": "name"}).context["object_list"]
        ]
    assert searched(sorted_) and names == ["Nuôi dê 0", "Nuôi dê 1", "Nuôi dê 2"]
    DanVanModelFactory(owning_unit=tree.ward, status=Status.ACCEPTED, name="Nuôi dê mới")
    with CaptureQueriesContext(connection) as after:
        response = client.get(LIST, {"q": "nuoi de"})
    assert searched(after) and response.context["total"] == 4


@pytest.fixture
def small_search_limit(monkeypatch):
    """A search counts at most five matches; pages of four, only the first asked by number."""
    monkeypatch.setattr(filters, "SEARCH_COUNT_LIMIT", 5)


@pytest.mark.parametrize("sort", [value for value, _ in SORTS])
def test_a_search_beyond_the_limit_says_more_than_and_walks_every_match_in_order(
    client_for, tree, superuser, rows, small_pages, small_search_limit, sort
):
    DanVanModelFactory(owning_unit=tree.ward, name="Trồng bí xanh", status=Status.ACCEPTED)
    client = client_for(superuser)
    params = {"q": "mo hinh", "sort": sort}
    first = client.get(LIST, params)
    assert first.context["capped"] is True
    html = first.content.decode()
    assert "Tìm thấy hơn 5 kết quả" in html
    assert "Tổng số" not in html and "field-count" not in html
    assert "Trang 1</span>" in html  # no number of pages: they were not counted
    expected = DanVanModel.objects.matching("mo hinh").order_by(*SORT_ORDERING[sort])
    expected = list(expected.values_list("pk", flat=True))
    assert len(expected) == 17
    pages, last = walk(client, params, "next", start=first)
    assert [len(page) for page in pages] == [4, 4, 4, 4, 1]
    assert [pk for page in pages for pk in page] == expected
    assert "q=mo+hinh" in first.context["page_obj"].next_link
    back, again = walk(client, params, "previous", start=last)
    assert back == pages[::-1]
    assert again.context["page_obj"].number == 1


def test_a_search_within_the_limit_is_counted_by_field(
    client_for, tree, superuser, rows, small_search_limit
):
    response = client_for(superuser).get(LIST, {"q": "mo hinh 1"})
    # "Mô hình 1" is the name of four of the seventeen (the last word is a prefix: no "10").
    assert response.context["capped"] is False
    assert response.context["total"] == 4
    html = response.content.decode()
    assert "Tổng số: 4" in html and "hơn" not in html


def test_a_scopes_search_is_counted_whole_beyond_the_limit(
    client_for, tree, reviewer, rows, small_search_limit
):
    # Stopping at the limit would walk the country's matches to find the province's: a
    # province's search counts all of its own.
    response = client_for(reviewer).get(LIST, {"q": "mo hinh"})
    expected = DanVanModel.objects.visible_to(reviewer).matching("mo hinh").count()
    assert expected > 5
    assert response.context["capped"] is False
    assert response.context["total"] == expected
    assert "hơn" not in response.content.decode()


def test_a_capped_search_is_kept_like_any_other(
    client_for, tree, superuser, rows, small_search_limit
):
    client = client_for(superuser)
    client.get(LIST, {"q": "mo hinh"})
    with CaptureQueriesContext(connection) as again:
        response = client.get(LIST, {"q": "mo hinh"})
    assert not searched(again) and response.context["capped"] is True
    assert len(response.context["object_list"]) == 17
