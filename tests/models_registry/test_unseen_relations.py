"""A registration whose origin, coordinating units or territory lie outside the cadre's scope
(chosen by the province): the cadre's page says nothing of them, and the cadre's saves —
the form, the autosave, the submit — keep them as they are."""

import re

import pytest
from django.urls import reverse

from models_registry import services
from models_registry.choices import Status
from models_registry.models import DanVanModel
from tests.factories import DanVanModelFactory
from tests.models_registry.test_form import complete


@pytest.fixture
def origin(tree):
    """A model of another ward of the province: the ward's cadre does not see it."""
    return DanVanModelFactory(
        owning_unit=tree.other_ward, name="Mô hình gốc Gia Sàng", status=Status.ACCEPTED
    )


@pytest.fixture
def returned(tree, cadre, origin):
    """A ward registration the province returned, after linking units and an origin the ward
    cadre cannot see."""
    model = DanVanModelFactory(
        owning_unit=tree.ward, created_by=cadre, status=Status.RETURNED, replicated_from=origin
    )
    model.territory.set([tree.residential, tree.other_ward])
    model.coordinating_units.set([tree.other_ward])
    return model


def edit_url(model):
    return reverse("models_registry:model_update", args=[model.pk])


def assert_kept(model, tree, origin):
    model.refresh_from_db()
    assert model.replicated_from == origin
    assert set(model.territory.all()) == {tree.residential, tree.other_ward}
    assert set(model.coordinating_units.all()) == {tree.other_ward}


def test_edit_page_says_nothing_of_what_is_out_of_scope(client_for, tree, cadre, returned, origin):
    page = client_for(cadre).get(edit_url(returned)).content.decode()
    assert "Mô hình gốc Gia Sàng" not in page and "Phường Gia Sàng" not in page
    select = page.split('name="replicated_from"')[1].split("</select>")[0]
    assert re.findall(r'<option value="([^"]*)"', select) == [""]  # not even the origin's id
    assert origin.get_absolute_url() not in page
    assert f'<option value="{tree.other_ward.pk}"' not in page
    assert "một mô hình ngoài phạm vi của bạn" in page
    assert page.count("Ngoài ra có 1 đơn vị ngoài phạm vi của bạn") == 2


def test_form_save_keeps_what_the_cadre_cannot_see(client_for, tree, cadre, returned, origin):
    data = complete(tree, name="Đổi tên", action="save", replicated_from="")
    response = client_for(cadre).post(edit_url(returned), data)
    assert response.status_code == 302
    assert_kept(returned, tree, origin)
    assert returned.name == "Đổi tên"


def test_removing_a_visible_unit_keeps_the_unseen_ones(client_for, tree, cadre, returned, origin):
    data = complete(tree, action="save", territory=[], coordinating_units=[tree.ward.pk])
    assert client_for(cadre).post(edit_url(returned), data).status_code == 302
    returned.refresh_from_db()
    assert set(returned.territory.all()) == {tree.other_ward}
    assert set(returned.coordinating_units.all()) == {tree.ward, tree.other_ward}


def test_autosave_keeps_what_the_cadre_cannot_see(client_for, tree, cadre, returned, origin):
    url = reverse("models_registry:model_autosave", args=[returned.pk])
    response = client_for(cadre).post(url, complete(tree, name="Tự lưu", replicated_from=""))
    assert response.status_code == 200 and response.json()["ok"], response.content
    assert_kept(returned, tree, origin)


def test_submit_keeps_what_the_cadre_cannot_see(client_for, tree, cadre, returned, origin):
    response = client_for(cadre).post(edit_url(returned), complete(tree, action="submit"))
    assert response.status_code == 302 and response["Location"] == returned.get_absolute_url()
    assert_kept(returned, tree, origin)
    assert returned.status == Status.SUBMITTED


def test_choosing_another_origin_replaces_the_unseen_one(client_for, tree, cadre, returned):
    mine = DanVanModelFactory(owning_unit=tree.ward, name="Gốc của phường", status=Status.ACCEPTED)
    data = complete(tree, action="save", replicated_from=mine.pk)
    assert client_for(cadre).post(edit_url(returned), data).status_code == 302
    returned.refresh_from_db()
    assert returned.replicated_from == mine


def test_the_service_keeps_them_for_any_caller(tree, cadre, returned, origin):
    services.model_update(
        model=returned,
        by=cadre,
        fields={"replicated_from": None},
        relations={"territory": [tree.residential], "coordinating_units": []},
    )
    assert_kept(returned, tree, origin)
    assert DanVanModel.objects.get(pk=returned.pk).status == Status.RETURNED
