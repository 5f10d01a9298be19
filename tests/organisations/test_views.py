"""Tree and detail pages: login required, scoped, out-of-scope is 404, search ignores accents."""

import pytest
from django.urls import reverse

from organisations.choices import Role
from tests.factories import OrganisationFactory, user_with_role

pytestmark = pytest.mark.django_db

TREE_URL = reverse("organisations:organisation_tree")


def detail_url(unit):
    return reverse("organisations:organisation_detail", args=[unit.pk])


def children_url(unit):
    return reverse("organisations:organisation_children", args=[unit.pk])


@pytest.mark.parametrize("url_name", ["tree", "detail", "children"])
def test_anonymous_users_are_sent_to_log_in(client, tree, url_name):
    url = {
        "tree": TREE_URL,
        "detail": detail_url(tree.ward),
        "children": children_url(tree.ward),
    }[url_name]
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_tree_shows_the_users_scope_roots(client_for, tree, cadre, reviewer):
    page = client_for(cadre).get(TREE_URL).content.decode()
    assert "Phường Chùa Hang" in page
    assert "Tỉnh Thái Nguyên" not in page

    page = client_for(reviewer).get(TREE_URL).content.decode()
    assert "Tỉnh Thái Nguyên" in page
    assert "Tỉnh Bắc Kạn (cũ)" in page  # merged into the province: shown as a second root
    assert "Thành phố Hà Nội" not in page


def test_search_without_diacritics_finds_the_ward(client_for, tree, reviewer):
    response = client_for(reviewer).get(TREE_URL, {"q": "chua hang"})
    results = response.context["results"]
    assert [unit.name for unit in results] == ["Phường Chùa Hang"]
    assert results[0].parent_name == "Tỉnh Thái Nguyên"
    assert "thuộc Tỉnh Thái Nguyên" in response.content.decode()


def test_search_never_returns_out_of_scope_units(client_for, tree, cadre):
    response = client_for(cadre).get(TREE_URL, {"q": "quan hoa"})
    assert response.context["results"] == []
    assert "Không tìm thấy đơn vị nào trong phạm vi của bạn" in response.content.decode()


def test_htmx_search_returns_only_the_results_fragment(client_for, tree, reviewer):
    response = client_for(reviewer).get(TREE_URL, {"q": "to dan pho"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert "Tổ dân phố 9" in page
    assert "<html" not in page
    assert "roots" not in response.context  # the fragment does not load the tree


def test_expanding_a_node_lists_its_children(client_for, tree, reviewer):
    page = client_for(reviewer).get(children_url(tree.province)).content.decode()
    assert "Phường Chùa Hang" in page and "Phường Gia Sàng" in page


def test_detail_in_scope(client_for, tree, reviewer):
    response = client_for(reviewer).get(detail_url(tree.ward))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Tổ dân phố 9" in page  # child listed
    assert "Tỉnh Thái Nguyên" in page  # breadcrumb


def test_detail_lists_merged_units(client_for, tree, reviewer):
    page = client_for(reviewer).get(detail_url(tree.province)).content.decode()
    assert "Sáp nhập từ" in page and "Tỉnh Bắc Kạn (cũ)" in page
    page = client_for(reviewer).get(detail_url(tree.former_province)).content.decode()
    assert "Đã sáp nhập vào" in page


@pytest.mark.parametrize(
    "user_fixture, unit_attribute",
    [
        ("cadre", "province"),  # above the cadre's ward
        ("cadre", "other_ward"),  # a sibling ward
        ("reviewer", "other_province"),
        ("reviewer", "other_province_ward"),
        ("other_reviewer", "former_ward"),
    ],
)
def test_out_of_scope_units_are_404(request, client_for, tree, user_fixture, unit_attribute):
    user = request.getfixturevalue(user_fixture)
    unit = getattr(tree, unit_attribute)
    client = client_for(user)
    assert client.get(detail_url(unit)).status_code == 404
    assert client.get(children_url(unit)).status_code == 404


def test_breadcrumb_stops_at_the_users_scope(client_for, tree, cadre):
    page = client_for(cadre).get(detail_url(tree.residential)).content.decode()
    assert "Phường Chùa Hang" in page
    assert "Tỉnh Thái Nguyên" not in page


def test_members_are_shown_to_admins_only(client_for, tree, admin_user, reviewer):
    page = client_for(admin_user).get(detail_url(tree.province)).content.decode()
    assert "Người dùng được phân quyền" in page and "thamdinh" in page
    page = client_for(reviewer).get(detail_url(tree.province)).content.decode()
    assert "Người dùng được phân quyền" not in page


def test_page_query_counts_do_not_grow_with_the_tree(client_for, tree, reviewer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(reviewer)
    pages = [
        (TREE_URL, {"q": "phuong"}),
        (detail_url(tree.province), {}),
        (children_url(tree.province), {}),
    ]

    def counts():
        found = []
        for url, params in pages:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url, params).status_code == 200
            found.append(len(queries))
        return found

    before = counts()
    for index in range(40):
        OrganisationFactory(name=f"Phường {index}", parent=tree.province)
    assert counts() == before
    assert max(before) <= 15, before


def test_home_shows_organisations_and_roles(client_for, tree):
    user = user_with_role(tree.ward, Role.CADRE)
    page = client_for(user).get(reverse("home")).content.decode()
    assert "Phường Chùa Hang" in page and "Cán bộ cơ sở" in page


def test_navigation_shows_admin_only_to_admins(client_for, tree, admin_user, cadre):
    assert "/quan-tri/" in client_for(admin_user).get(reverse("home")).content.decode()
    assert "/quan-tri/" not in client_for(cadre).get(reverse("home")).content.decode()


def test_tree_node_ids_are_never_formatted_as_numbers(rf, tree):
    """With Vietnamese number formatting, id 1071 must not become "1.071" in the markup:
    "#con-1.071" is no CSS selector and the node could never be expanded."""
    from django.template.loader import render_to_string

    tree.ward.pk = 1071
    html = render_to_string("organisations/partials/_tree_node.html", {"node": tree.ward})
    assert 'aria-controls="con-1071"' in html
    assert 'hx-target="#con-1071"' in html and 'id="con-1071"' in html


def test_the_unit_search_keeps_to_the_roles_asked_for(client_for, tree, cadre, reviewer):
    search = reverse("organisations:organisation_picker")

    def found(user, **params):
        response = client_for(user).get(search, {"q": "chua hang", **params})
        assert response.status_code == 200
        return [result["text"] for result in response.json()["results"]]

    assert found(cadre) == ["Phường Chùa Hang"]
    assert found(cadre, role="reviewer") == []  # a cadre reviews for no unit
    assert found(reviewer, role="reviewer") == ["Phường Chùa Hang"]
    assert found(cadre, role="nobody") == ["Phường Chùa Hang"]  # an unknown role is no filter


def test_the_review_queue_searches_the_units_the_reviewer_reviews_for(client_for, tree, reviewer):
    page = client_for(reviewer).get(reverse("reviews:queue")).content.decode()
    search = reverse("organisations:organisation_picker")
    assert f'data-picker-url="{search}?role=reviewer"' in page
    assert "js/picker.js" in page
