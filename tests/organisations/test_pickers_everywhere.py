"""Every choice among many units or models is a picker whose search is limited like the form
that checks the choice; a forged choice out of scope is refused with a Vietnamese message."""

import re
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from models_registry.models import DanVanModel
from reviews.models import CommendationRound
from tests.factories import OrganisationFactory
from tests.models_registry.test_form import CREATE, minimal
from tests.reviews.test_historical_import import preview
from tests.reviews.test_round_views import round_post

pytestmark = pytest.mark.django_db

SEARCH = reverse("organisations:organisation_picker")


def searching(*roles) -> str:
    return f"{SEARCH}?{urlencode([('role', role) for role in roles])}" if roles else SEARCH


def picker(body: str, name: str) -> tuple[str, str]:
    """The attributes and the options of the picker named ``name`` in the page."""
    found = re.search(rf'<select([^>]*name="{name}"[^>]*)>(.*?)</select>', body, re.S)
    assert found, f"no select named {name}"
    return found.group(1), found.group(2)


@pytest.mark.parametrize(
    ("who", "address", "name", "search"),
    [
        ("cadre", CREATE, "owning_unit", searching("cadre")),
        (
            "reviewer",
            reverse("reviews:round_create"),
            "organising_unit",
            searching("reviewer", "admin"),
        ),
        ("admin_user", reverse("reviews:round_import"), "organising_unit", searching("admin")),
        ("admin_user", reverse("accounts:account_create"), "unit", searching("admin")),
        ("admin_user", reverse("accounts:account_list"), "unit", searching("admin")),
        ("reviewer", reverse("reports:report"), "don_vi", searching()),
    ],
)
def test_unit_choices_are_pickers_searching_the_units_the_form_accepts(
    request, client_for, tree, who, address, name, search
):
    body = client_for(request.getfixturevalue(who)).get(address).content.decode()
    attributes, _ = picker(body, name)
    assert 'data-choice-picker="one"' in attributes
    assert f'data-picker-url="{search.replace("&", "&amp;")}"' in attributes
    assert 'src="/static/js/picker.js"' in body


def test_a_forged_owning_unit_out_of_scope_is_refused(client_for, tree, cadre):
    response = client_for(cadre).post(
        CREATE, minimal(tree, action="save", owning_unit=tree.other_ward.pk)
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Chỉ chọn được đơn vị chủ trì là đơn vị mà bạn là cán bộ cơ sở." in body
    assert tree.other_ward.name not in picker(body, "owning_unit")[1]
    assert not DanVanModel.objects.exists()


def test_an_owning_unit_chosen_deep_in_the_search_comes_back_chosen(client_for, tree, cadre):
    team = OrganisationFactory(name="Chi hội Nông dân tổ 9", parent=tree.residential)
    deep = OrganisationFactory(name="Tổ hội viên số 3", parent=team)
    client = client_for(cadre)
    assert deep.name not in picker(client.get(CREATE).content.decode(), "owning_unit")[1]
    data = minimal(tree, action="save", owning_unit=deep.pk, start_date="32/13/2025")
    response = client.post(CREATE, data)
    assert response.status_code == 400
    options = picker(response.content.decode(), "owning_unit")[1]
    assert re.search(rf'<option value="{deep.pk}" selected>[\u2003]*Tổ hội viên số 3<', options)


def test_a_forged_organising_unit_of_a_historical_round_is_refused(client, tree, admin_user):
    client.force_login(admin_user)
    response = preview(client, [], tree.other_province)
    assert response.status_code == 400
    assert "Chỉ chọn được đơn vị mà bạn là quản trị." in response.content.decode()
    assert CommendationRound.objects.count() == 0


def test_a_forged_round_unit_is_refused_and_never_listed(client_for, tree, reviewer):
    response = client_for(reviewer).post(
        reverse("reviews:round_create"), round_post(tree.other_province)
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Chỉ chọn được đơn vị mà bạn là cán bộ thẩm định hoặc quản trị." in body
    assert tree.other_province.name not in picker(body, "organising_unit")[1]
