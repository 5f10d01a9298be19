"""The registry in the admin site: scoped lists, a read-only workflow, themes and indicators."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from models_registry.choices import Status
from models_registry.models import DanVanModel, Indicator, Theme
from tests.admin_helpers import search_of
from tests.factories import DanVanModelFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:models_registry_danvanmodel_changelist")
ADD = reverse("admin:models_registry_danvanmodel_add")
THEMES = reverse("admin:models_registry_theme_changelist")
INDICATORS = reverse("admin:models_registry_indicator_changelist")


def change_url(model):
    return reverse("admin:models_registry_danvanmodel_change", args=[model.pk])


@pytest.fixture
def models(tree):
    """An accepted model in the ward, one in the merged former province, one in Hà Nội."""
    return {
        "ward": DanVanModelFactory(
            owning_unit=tree.ward, name="Nuôi Dê", code="CH-01", status=Status.ACCEPTED
        ),
        "former": DanVanModelFactory(
            owning_unit=tree.former_ward, name="Camera an ninh", status=Status.RECOGNISED
        ),
        "other": DanVanModelFactory(
            owning_unit=tree.other_province_ward, name="Hòm thư góp ý", status=Status.ACCEPTED
        ),
    }


def listed(response) -> set[str]:
    return {model.name for model in response.context["cl"].result_list}


def test_changelist_shows_only_the_admins_subtree(client_for, registry_admin, models):
    response = client_for(registry_admin).get(CHANGELIST)
    assert response.status_code == 200
    assert listed(response) == {"Nuôi Dê", "Camera an ninh"}


def test_superusers_see_every_model(client_for, superuser, models):
    assert listed(client_for(superuser).get(CHANGELIST)) == {
        "Nuôi Dê",
        "Camera an ninh",
        "Hòm thư góp ý",
    }


def test_drafts_stay_with_their_cadres(client_for, registry_admin, tree):
    DanVanModelFactory(owning_unit=tree.ward, name="Bản nháp", status=Status.DRAFT)
    assert "Bản nháp" not in listed(client_for(registry_admin).get(CHANGELIST))


def test_filters_and_diacritic_free_search(client_for, registry_admin, models):
    client = client_for(registry_admin)
    assert listed(client.get(CHANGELIST, {"status__exact": "recognised"})) == {"Camera an ninh"}
    assert listed(client.get(CHANGELIST, {"q": "nuoi de"})) == {"Nuôi Dê"}
    assert listed(client.get(CHANGELIST, {"q": "hom thu"})) == set()  # Hà Nội's, out of scope


def test_out_of_scope_models_cannot_be_opened(client_for, registry_admin, models):
    response = client_for(registry_admin).get(change_url(models["other"]))
    # The admin answers a model it cannot see as one that does not exist.
    assert response.status_code == 302
    assert response.url == reverse("admin:index")


def test_status_and_its_dates_are_read_only(client_for, registry_admin, models):
    model = models["ward"]
    client = client_for(registry_admin)
    response = client.get(change_url(model))
    assert response.status_code == 200
    form = response.context["adminform"].form
    for name in ("status", "accepted_at", "recognised_at", "submitted_at", "status_reason"):
        assert name not in form.fields

    data = {
        name: value
        for name, value in form.initial.items()
        if name in form.fields and value is not None and not isinstance(value, list)
    }
    data.update(
        name="Nuôi Dê sinh sản",
        owning_unit=model.owning_unit_id,
        start_date="01/03/2025",
        evaluation_date="01/12/2025",
        status=Status.RECOGNISED,
        recognised_at="2025-01-01 00:00:00",
    )
    response = client.post(change_url(model), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    model.refresh_from_db()
    assert model.name == "Nuôi Dê sinh sản"
    assert model.status == Status.ACCEPTED and model.recognised_at is None


def test_owning_unit_choices_are_limited_to_the_scope(client_for, registry_admin, models, tree):
    model = models["ward"]
    client = client_for(registry_admin)
    form = client.get(change_url(model)).context["adminform"].form
    units = form.fields["owning_unit"].queryset
    assert units.filter(pk=tree.ward.pk).exists()
    assert not units.filter(pk=tree.other_province_ward.pk).exists()
    replicas = form.fields["replicated_from"].queryset
    assert not replicas.filter(pk=models["other"].pk).exists()


def test_no_adding_and_no_bulk_deleting(client_for, registry_admin, models):
    client = client_for(registry_admin)
    assert client.get(ADD).status_code == 403
    response = client.get(CHANGELIST)
    assert "delete_selected" not in response.context["cl"].model_admin.get_actions(
        response.wsgi_request
    )
    response = client.post(
        CHANGELIST, {"action": "delete_selected", "_selected_action": [models["ward"].pk]}
    )
    assert DanVanModel.objects.filter(pk=models["ward"].pk).exists()


def test_changelist_query_count_does_not_grow_with_the_rows(
    client_for, registry_admin, tree, django_assert_max_num_queries
):
    client = client_for(registry_admin)
    for index in range(3):
        DanVanModelFactory(owning_unit=tree.ward, status=Status.ACCEPTED, name=f"Mô hình {index}")
    client.get(CHANGELIST)
    with CaptureQueriesContext(connection) as few:
        client.get(CHANGELIST)
    for _ in range(30):
        DanVanModelFactory(owning_unit=tree.residential, status=Status.ACCEPTED)
    with django_assert_max_num_queries(len(few)):
        client.get(CHANGELIST)


def test_registry_pages_are_closed_to_cadres(client, tree, cadre):
    client.force_login(cadre)
    assert client.get(CHANGELIST).status_code == 302  # the admin site's log-in


# --- themes and indicators --------------------------------------------------------------------


def test_themes_are_a_national_list(client_for, registry_admin, superuser):
    # A province admin sees the list but does not change it for the whole country.
    province = client_for(registry_admin)
    response = province.get(THEMES)
    assert response.status_code == 200
    assert "Giảm nghèo bền vững" in response.content.decode()
    assert province.get(reverse("admin:models_registry_theme_add")).status_code == 403
    client = client_for(superuser)
    response = client.post(
        reverse("admin:models_registry_theme_add"),
        {"name": "Dân vận số", "description": "", "is_active": "on"},
    )
    assert response.status_code == 302
    assert Theme.objects.filter(name="Dân vận số", is_active=True).exists()


def test_a_theme_in_use_cannot_be_deleted(client_for, superuser, tree):
    used = Theme.objects.get(name="Giảm nghèo bền vững")
    DanVanModelFactory(owning_unit=tree.ward, status=Status.ACCEPTED, themes=[used])
    unused = Theme.objects.get(name="Tôn giáo")
    client = client_for(superuser)
    delete = "admin:models_registry_theme_delete"
    assert client.get(reverse(delete, args=[used.pk])).status_code == 403
    assert client.post(reverse(delete, args=[unused.pk]), {"post": "yes"}).status_code == 302
    assert Theme.objects.filter(pk=used.pk).exists()
    assert not Theme.objects.filter(pk=unused.pk).exists()


def test_admins_manage_indicators(client_for, superuser):
    client = client_for(superuser)
    response = client.get(INDICATORS)
    assert response.status_code == 200
    assert "Diện tích đất hiến" in response.content.decode()
    indicator = Indicator.objects.get(code="land_donated")
    response = client.post(
        reverse("admin:models_registry_indicator_change", args=[indicator.pk]),
        {
            "code": "land_donated",
            "name": "Diện tích đất hiến",
            "unit": "m²",
            "position": 3,
            "is_active": "",
        },
    )
    assert response.status_code == 302
    indicator.refresh_from_db()
    assert (indicator.position, indicator.is_active) == (3, False)


def test_a_model_changed_in_the_admin_keeps_its_audit_trail(client_for, registry_admin, models):
    model = models["former"]
    client = client_for(registry_admin)
    form = client.get(change_url(model)).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if name in form.fields and value is not None and not isinstance(value, list)
    }
    data.update(
        content="Lắp thêm camera ở ngõ 5.",
        owning_unit=model.owning_unit_id,
        start_date=date(2025, 3, 1).strftime("%d/%m/%Y"),
        evaluation_date="01/12/2025",
    )
    assert client.post(change_url(model), data).status_code == 302
    update = model.history.get(pgh_label="update")
    assert update.content == "Lắp thêm camera ở ngõ 5."
    assert update.pgh_context.metadata["user"] == registry_admin.pk


def test_saving_in_the_admin_keeps_what_lies_beyond_the_admins_scope(
    client_for, registry_admin, models, tree
):
    """An origin and units in another province: not shown to the province's admin, not sent
    back by the change form, and kept when the admin saves."""
    model, outside = models["ward"], models["other"]
    DanVanModel.objects.filter(pk=model.pk).update(replicated_from=outside)
    model.territory.set([tree.residential, tree.other_province_ward])
    model.coordinating_units.set([tree.other_province_ward])
    client = client_for(registry_admin)
    response = client.get(change_url(model))
    page = response.content.decode()
    assert "Hòm thư góp ý" not in page and "Phường Quan Hoa" not in page
    form = response.context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if name in form.fields and value is not None and not isinstance(value, list)
    }
    data.update(
        name="Nuôi Dê sinh sản",
        owning_unit=model.owning_unit_id,
        start_date="01/03/2025",
        evaluation_date="01/12/2025",
        territory=[tree.residential.pk],
        replicated_from="",
    )
    response = client.post(change_url(model), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    model.refresh_from_db()
    assert model.name == "Nuôi Dê sinh sản" and model.replicated_from == outside
    assert set(model.territory.all()) == {tree.residential, tree.other_province_ward}
    assert set(model.coordinating_units.all()) == {tree.other_province_ward}


def test_the_change_forms_pickers_search_and_accept_only_the_admins_scope(
    client_for, registry_admin, models, tree
):
    """The relations are chosen with the portal's search pickers (no select2): their searches
    list only what the admin sees, and a unit or model beyond it, posted, is refused."""
    model = models["ward"]
    client = client_for(registry_admin)
    response = client.get(change_url(model))
    page = response.content.decode()
    assert "select2" not in page and "autocomplete.js" not in page
    form = response.context["adminform"].form
    for name in ("owning_unit", "territory", "coordinating_units", "replicated_from"):
        assert "data-choice-picker" in form[name].as_widget()
    # Only the chosen unit is written out, not the province's whole list.
    assert f'value="{tree.ward.pk}" selected' in form["owning_unit"].as_widget()
    assert "Phường Gia Sàng" not in form["owning_unit"].as_widget()

    units_search = search_of(form, "territory")
    found = client.get(units_search, {"q": "phuong"}).json()["results"]
    names = {unit["text"] for unit in found}
    assert "Phường Chùa Hang" in names and "Phường Quan Hoa" not in names
    models_search = search_of(form, "replicated_from")
    assert client.get(f"{models_search}&q=hom+thu+gop+y").json()["results"] == []
    # Any model the admin sees, as the field takes, not only those carried out (the portal's).
    waiting = DanVanModelFactory(owning_unit=tree.ward, name="Nuôi Ong", status=Status.SUBMITTED)
    found = client.get(f"{models_search}&q=nuoi+ong").json()["results"]
    assert [item["value"] for item in found] == [waiting.pk]
    portal_search = reverse("models_registry:model_picker")
    assert client.get(portal_search, {"q": "nuoi ong"}).json()["results"] == []

    data = {
        name: value
        for name, value in form.initial.items()
        if name in form.fields and value is not None and not isinstance(value, list)
    }
    data.update(
        name="Đổi tên",
        owning_unit=tree.ward.pk,
        start_date="01/03/2025",
        evaluation_date="01/12/2025",
    )
    for refused in (
        {"owning_unit": tree.other_province_ward.pk},
        {"territory": [tree.other_province_ward.pk]},
        {"coordinating_units": [tree.other_province_ward.pk]},
        {"replicated_from": models["other"].pk},
    ):
        response = client.post(change_url(model), {**data, **refused})
        assert response.status_code == 200
        assert set(response.context["adminform"].form.errors) == set(refused)
    model.refresh_from_db()
    assert model.name != "Đổi tên"
