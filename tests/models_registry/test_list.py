"""The list: scope, filters, accent-insensitive search, sorting, counts per field, queries."""

from datetime import date

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from models_registry.choices import Status
from models_registry.models import Theme
from organisations.choices import Role
from organisations.mergers import current_merger_index
from tests.factories import DanVanModelFactory, UserFactory, user_with_role

LIST = "/mo-hinh/"


def names(response) -> list[str]:
    return [model.name for model in response.context["object_list"]]


@pytest.fixture
def models(tree):
    theme = Theme.objects.get(name="An ninh trật tự")
    return {
        "de": DanVanModelFactory(
            owning_unit=tree.ward,
            name="Nuôi Dê sinh sản",
            field="economy",
            status=Status.ACCEPTED,
            start_date=date(2023, 5, 1),
        ),
        "camera": DanVanModelFactory(
            owning_unit=tree.residential,
            name="Camera an ninh",
            field="security_defence",
            status=Status.RECOGNISED,
            start_date=date(2024, 2, 1),
            themes=[theme],
            content="Phong trào Dân vận khéo trong bảo đảm an ninh trật tự.",
        ),
        "hanh": DanVanModelFactory(
            owning_unit=tree.former_residential,
            name="Ông Nông Văn Hạnh – Trưởng Ban công tác Mặt trận tổ 15",
            kind="exemplar",
            actor="individual",
            person_name="Nông Văn Hạnh",
            person_position="Trưởng Ban công tác Mặt trận",
            field="political_system",
            status=Status.SUBMITTED,
            start_date=date(2019, 1, 1),
        ),
        "other": DanVanModelFactory(
            owning_unit=tree.other_province_ward,
            name="Nuôi Dê Quan Hoa",
            field="economy",
            status=Status.ACCEPTED,
        ),
        "draft": DanVanModelFactory(
            owning_unit=tree.ward, name="Góc xanh", field="culture_society", start_date=None
        ),
    }


def test_scope(client_for, models, cadre, reviewer, other_reviewer, superuser):
    assert set(names(client_for(reviewer).get(LIST))) == {
        "Nuôi Dê sinh sản",
        "Camera an ninh",
        "Ông Nông Văn Hạnh – Trưởng Ban công tác Mặt trận tổ 15",
    }
    assert set(names(client_for(cadre).get(LIST))) == {
        "Nuôi Dê sinh sản",
        "Camera an ninh",
        "Góc xanh",
    }
    assert names(client_for(other_reviewer).get(LIST)) == ["Nuôi Dê Quan Hoa"]
    assert len(names(client_for(superuser).get(LIST))) == 5


def test_user_without_membership_sees_nothing(client_for, models):
    response = client_for(UserFactory()).get(LIST)
    assert response.status_code == 200 and names(response) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("nuoi de", ["Nuôi Dê sinh sản"]),
        ("NUÔI DÊ", ["Nuôi Dê sinh sản"]),
        ("nuoi d", ["Nuôi Dê sinh sản"]),
        ("dan van kheo", ["Camera an ninh"]),  # found in the content
        ("nong van hanh", ["Ông Nông Văn Hạnh – Trưởng Ban công tác Mặt trận tổ 15"]),
        ("camera; DROP TABLE", []),
        ("", None),
    ],
)
def test_search_ignores_diacritics_and_case(client_for, models, reviewer, text, expected):
    response = client_for(reviewer).get(LIST, {"q": text})
    assert response.status_code == 200
    if expected is not None:
        assert names(response) == expected


def test_filters(client_for, tree, models, reviewer):
    client = client_for(reviewer)
    theme = Theme.objects.get(name="An ninh trật tự")
    assert names(client.get(LIST, {"field": "economy"})) == ["Nuôi Dê sinh sản"]
    assert len(names(client.get(LIST, {"kind": "exemplar"}))) == 1
    assert len(names(client.get(LIST, {"actor": "individual"}))) == 1
    assert names(client.get(LIST, {"status": "recognised"})) == ["Camera an ninh"]
    assert names(client.get(LIST, {"themes": theme.pk})) == ["Camera an ninh"]
    assert names(client.get(LIST, {"year": 2024})) == ["Camera an ninh"]
    assert names(client.get(LIST, {"start_from": "2023-01-01", "start_to": "2023-12-31"})) == [
        "Nuôi Dê sinh sản"
    ]
    assert set(names(client.get(LIST, {"unit": tree.ward.pk}))) == {
        "Nuôi Dê sinh sản",
        "Camera an ninh",
    }
    # A unit's subtree includes the units merged into it.
    assert len(names(client.get(LIST, {"unit": tree.province.pk}))) == 3


def test_unit_outside_scope_is_not_a_choice(client_for, tree, models, reviewer):
    response = client_for(reviewer).get(LIST, {"unit": tree.other_province.pk})
    assert response.status_code == 200
    assert "Nuôi Dê Quan Hoa" not in response.content.decode()
    options = [value for value, _ in response.context["filter"].form.fields["unit"].widget.choices]
    assert tree.other_province.pk not in options and tree.province.pk in options


def test_replicated_filter(client_for, tree, models, reviewer):
    DanVanModelFactory(
        owning_unit=tree.other_ward,
        name="Nuôi Dê Gia Sàng",
        status=Status.ACCEPTED,
        replicated_from=models["de"],
    )
    client = client_for(reviewer)
    assert names(client.get(LIST, {"replicated": "yes"})) == ["Nuôi Dê Gia Sàng"]
    assert "Nuôi Dê Gia Sàng" not in names(client.get(LIST, {"replicated": "no"}))


def test_sorting(client_for, models, reviewer):
    client = client_for(reviewer)
    assert names(client.get(LIST))[0] == "Camera an ninh"  # newest start first
    assert names(client.get(LIST, {"sort": "start_date"}))[0].startswith("Ông Nông Văn Hạnh")
    assert names(client.get(LIST, {"sort": "name"}))[0] == "Camera an ninh"
    assert client.get(LIST, {"sort": "password"}).status_code == 200


def test_counts_per_field_follow_the_filter(client_for, models, reviewer):
    response = client_for(reviewer).get(LIST)
    counts = {value: count for value, _, count in response.context["field_counts"]}
    assert counts == {
        "economy": 1,
        "culture_society": 0,
        "security_defence": 1,
        "political_system": 1,
    }
    assert response.context["total"] == 3
    page = response.content.decode()
    assert "Kinh tế: <strong>1</strong>" in page and "Tổng số: 3" in page
    response = client_for(reviewer).get(LIST, {"q": "nuoi de"})
    assert response.context["total"] == 1


def test_bad_filter_values_are_ignored_not_errors(client_for, models, reviewer):
    response = client_for(reviewer).get(
        LIST, {"field": "space", "year": "abc", "unit": "999999", "start_from": "31/02/2025"}
    )
    assert response.status_code == 200


def test_pagination_links_are_unlocalised(client_for, tree, reviewer):
    for number in range(30):
        DanVanModelFactory(owning_unit=tree.ward, status=Status.ACCEPTED, name=f"Mô hình {number}")
    response = client_for(reviewer).get(LIST, {"field": "economy"})
    assert len(names(response)) == 25
    assert "field=economy&amp;page=2" in response.content.decode()
    assert len(names(client_for(reviewer).get(LIST, {"field": "economy", "page": 2}))) == 5


def statements(captured) -> list[str]:
    """The SQL a request ran, without the savepoints the test's own transaction adds."""
    return [
        query["sql"]
        for query in captured.captured_queries
        if not query["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]


@pytest.mark.parametrize("count", [3, 40])
def test_query_count_does_not_grow_with_the_page(client_for, tree, reviewer, count):
    theme = Theme.objects.first()
    for number in range(count):
        DanVanModelFactory(
            owning_unit=tree.residential,
            status=Status.ACCEPTED,
            name=f"Mô hình {number}",
            themes=[theme],
        )
    client = client_for(reviewer)
    params = {"q": "mo hinh", "unit": tree.ward.pk, "field": "economy", "sort": "-start_date"}
    current_merger_index()  # read once a process after the tree changed, not once a request
    with CaptureQueriesContext(connection) as captured:
        response = client.get(LIST, params)
    assert response.status_code == 200
    assert len(response.context["object_list"]) == min(count, 25)
    # Session, user, scope, unit, unit picker, the unit's mergers, counts, themes, rows, the
    # user's saved filters and the session's refresh: eleven, however long the page.
    assert len(statements(captured)) <= 11, statements(captured)


def test_cadre_and_reviewer_in_one_account(client_for, tree, models):
    both = user_with_role(tree.province, Role.REVIEWER)
    from organisations import services

    services.membership_grant(user=both, organisation=tree.ward, role=Role.CADRE, by=None)
    visible = set(names(client_for(both).get(LIST)))
    assert "Góc xanh" in visible and "Nuôi Dê Quan Hoa" not in visible


@pytest.mark.parametrize("sort", ["-start_date", "start_date", "name", "-name", "-updated_at"])
def test_a_search_counts_and_pages_in_one_pass_as_the_list_does(client_for, tree, reviewer, sort):
    for number in range(30):
        DanVanModelFactory(
            owning_unit=tree.ward if number % 3 else tree.residential,
            name=f"Nuôi dê {number % 7} – tổ {number}",
            field=["economy", "culture_society", "security_defence"][number % 3],
            status=Status.ACCEPTED,
            start_date=date(2020 + number % 5, 1 + number % 12, 1),
        )
    DanVanModelFactory(owning_unit=tree.ward, name="Trồng bí xanh", status=Status.ACCEPTED)
    client = client_for(reviewer)
    for page in (1, 2):
        searched = client.get(LIST, {"q": "nuoi d", "sort": sort, "page": page})
        assert searched.status_code == 200
        rows = names(searched)
        assert len(rows) == (25 if page == 1 else 5)
        assert all(name.startswith("Nuôi dê") for name in rows)
        # The search's page is the page of the full filtered queryset in the chosen order.
        queryset = searched.context["filter"].qs
        start = (page - 1) * 25
        assert rows == [model.name for model in queryset[start : start + 25]]
    assert searched.context["total"] == 30
    counts = {value: count for value, _, count in searched.context["field_counts"]}
    assert counts == {
        "economy": 10,
        "culture_society": 10,
        "security_defence": 10,
        "political_system": 0,
    }


def test_a_search_asks_once_for_its_counts_and_page(client_for, tree, reviewer):
    DanVanModelFactory(owning_unit=tree.ward, name="Nuôi dê", status=Status.ACCEPTED)
    client = client_for(reviewer)
    client.get(LIST, {"q": "nuoi de"})
    cache.clear()  # what a search and a list keep is read again after a write (test_list_pages)
    with CaptureQueriesContext(connection) as searched:
        client.get(LIST, {"q": "nuoi de"})
    with CaptureQueriesContext(connection) as listed:
        client.get(LIST)
    # One statement searches, for the counts and the page's ids; the rows are then read by id.
    searches = [q["sql"] for q in searched.captured_queries if "to_tsquery" in q["sql"]]
    assert len(searches) == 1
    assert len(searched.captured_queries) == len(listed.captured_queries)


def test_the_filter_button_counts_the_conditions_in_force(client_for, models, reviewer):
    """On a phone the filters fold behind one button; it tells how many narrow the list. The
    order the list is sorted in is not a condition, nor is a value that was dropped."""
    client = client_for(reviewer)
    plain = client.get(LIST, {"sort": "name"})
    assert plain.context["filter"].active_count == 0
    html = plain.content.decode()
    assert 'data-bs-target="#bo-loc" aria-expanded="false" aria-controls="bo-loc"' in html
    assert '<div class="collapse d-sm-block" id="bo-loc">' in html
    assert "điều kiện đang áp dụng" not in html

    response = client.get(
        LIST, {"q": "nuoi de", "status": "accepted", "year": "abc", "sort": "name"}
    )
    assert response.context["filter"].active_count == 2
    assert (
        '<span class="badge text-bg-primary">2<span class="visually-hidden"> điều kiện đang áp'
        " dụng</span></span>" in response.content.decode()
    )


def test_each_cell_of_a_row_names_its_column_for_the_cards_on_a_phone(client_for, models, reviewer):
    html = client_for(reviewer).get(LIST, {"q": "nuoi de"}).content.decode()
    for label in ("Lĩnh vực", "Đơn vị chủ trì", "Bắt đầu", "Trạng thái"):
        assert f'data-label="{label}"' in html
    assert 'class="table table-hover align-middle model-list card-rows"' in html
