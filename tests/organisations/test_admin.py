"""The admin site: organisations and memberships limited to the admin's subtree."""

import pytest
from django.urls import reverse

from organisations.choices import Role
from organisations.models import Membership, Organisation
from tests.admin_helpers import search_of
from tests.factories import DanVanModelFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:organisations_organisation_changelist")
ADD = reverse("admin:organisations_organisation_add")
MEMBERSHIP_ADD = reverse("admin:organisations_membership_add")


def change_url(unit):
    return reverse("admin:organisations_organisation_change", args=[unit.pk])


def form_data(**values):
    data = {
        "name": "",
        "short_name": "",
        "kind": "peoples_committee",
        "level": "commune",
        "code": "",
        "valid_from": "",
        "valid_to": "",
        "parent": "",
    }
    data.update(values)
    return data


def test_changelist_shows_only_the_admins_subtree(client_for, tree, admin_user):
    response = client_for(admin_user).get(CHANGELIST)
    names = {unit.name for unit in response.context["cl"].result_list}
    assert "Phường Chùa Hang" in names and "Tỉnh Bắc Kạn (cũ)" in names
    assert "Thành phố Hà Nội" not in names and "Phường Quan Hoa" not in names


def test_changelist_search_ignores_diacritics(client_for, tree, admin_user):
    response = client_for(admin_user).get(CHANGELIST, {"q": "chua hang"})
    assert [unit.name for unit in response.context["cl"].result_list] == ["Phường Chùa Hang"]


def test_out_of_scope_units_cannot_be_opened_in_the_admin(client_for, tree, admin_user):
    response = client_for(admin_user).get(change_url(tree.other_province))
    # Django's admin answers a missing object by going back to the index, as it does for
    # an id that does not exist at all: nothing tells the two apart.
    assert response.status_code == 302
    assert response.url == reverse("admin:index")


def test_admin_adds_a_unit_under_a_parent_in_scope(client_for, tree, admin_user):
    client = client_for(admin_user)
    response = client.post(
        ADD, form_data(name="Phường Tân Thịnh", code="T19-TT", parent=tree.province.pk)
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    unit = Organisation.objects.get(code="T19-TT")
    assert Organisation.objects.get_parent(unit) == tree.province


def test_admin_cannot_add_under_a_parent_out_of_scope_or_as_a_root(client_for, tree, admin_user):
    client = client_for(admin_user)
    response = client.post(ADD, form_data(name="Phường X", parent=tree.other_province.pk))
    assert "parent" in response.context["adminform"].form.errors
    response = client.post(ADD, form_data(name="Đơn vị gốc", level="province"))
    assert "Hãy chọn đơn vị cấp trên." in response.context["adminform"].form.errors["parent"]
    assert not Organisation.objects.filter(name__in=["Phường X", "Đơn vị gốc"]).exists()


def test_admin_moves_a_unit_and_refuses_a_move_under_its_descendant(client_for, tree, admin_user):
    client = client_for(admin_user)
    data = form_data(
        name="Phường Chùa Hang", code="T19-CH", parent=tree.other_ward.pk, level="commune"
    )
    assert client.post(change_url(tree.ward), data).status_code == 302
    ward = Organisation.objects.get(pk=tree.ward.pk)
    assert Organisation.objects.get_parent(ward) == tree.other_ward

    data = form_data(
        name="Phường Gia Sàng", code="T19-GS", parent=tree.residential.pk, level="commune"
    )
    response = client.post(change_url(tree.other_ward), data)
    assert "bên trong chính nó" in str(response.context["adminform"].form.errors["parent"])


def test_unit_pickers_search_only_units_in_scope(client_for, tree, admin_user):
    client = client_for(admin_user)
    form = client.get(change_url(tree.residential)).context["adminform"].form
    for name in ("parent", "merged_from"):
        assert "data-choice-picker" in form[name].as_widget()
        found = client.get(search_of(form, name), {"q": "phuong"}).json()["results"]
        names = {item["text"] for item in found}
        assert "Phường Chùa Hang" in names
        assert "Phường Quan Hoa" not in names
    membership_form = client.get(MEMBERSHIP_ADD).context["adminform"].form
    search = search_of(membership_form, "organisation")
    names = {item["text"] for item in client.get(search, {"q": "phuong"}).json()["results"]}
    assert "Phường Chùa Hang" in names and "Phường Quan Hoa" not in names


def test_a_unit_beyond_the_scope_is_refused_by_the_pickers(client_for, tree, admin_user):
    client = client_for(admin_user)
    response = client.post(ADD, form_data(name="Tổ 17", parent=tree.other_province_ward.pk))
    assert "parent" in response.context["adminform"].form.errors
    response = client.post(
        ADD,
        form_data(name="Tổ 17", parent=tree.ward.pk, merged_from=[tree.other_province_ward.pk]),
    )
    assert list(response.context["adminform"].form.errors) == ["merged_from"]
    assert not Organisation.objects.filter(name="Tổ 17").exists()


def test_membership_admin_is_scoped_and_grants_through_the_service(
    client_for, tree, admin_user, other_reviewer
):
    client = client_for(admin_user)
    changelist = client.get(reverse("admin:organisations_membership_changelist"))
    usernames = {m.user.username for m in changelist.context["cl"].result_list}
    assert "thamdinh.khac" not in usernames

    newcomer = UserFactory(username="moi")
    form = client.get(MEMBERSHIP_ADD).context["adminform"].form
    choices = {user.username for user in form.fields["user"].queryset}
    assert "moi" in choices and "thamdinh.khac" not in choices

    response = client.post(
        MEMBERSHIP_ADD,
        {"user": newcomer.pk, "organisation": tree.ward.pk, "role": Role.ADMIN},
    )
    assert response.status_code == 302
    newcomer.refresh_from_db()
    assert newcomer.is_staff  # the admin role opens the admin site
    assert Membership.objects.filter(user=newcomer, organisation=tree.ward).exists()

    response = client.post(
        MEMBERSHIP_ADD,
        {"user": newcomer.pk, "organisation": tree.other_province.pk, "role": Role.CADRE},
    )
    assert "organisation" in response.context["adminform"].form.errors


def test_cadres_and_reviewers_have_no_admin_site(client_for, tree, cadre, reviewer):
    for user in (cadre, reviewer):
        response = client_for(user).get(CHANGELIST)
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))


def test_only_units_without_children_can_be_deleted(client_for, tree, admin_user):
    client = client_for(admin_user)
    delete = "admin:organisations_organisation_delete"
    assert client.get(reverse(delete, args=[tree.ward.pk])).status_code == 403
    response = client.post(reverse(delete, args=[tree.residential.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Organisation.objects.filter(pk=tree.residential.pk).exists()
    action_form = client.get(CHANGELIST).context["action_form"]
    actions = dict(action_form.fields["action"].choices) if action_form else {}
    assert "delete_selected" not in actions


@pytest.mark.parametrize("value", ["abc", "\u00b2", "31/12/2025"])
def test_a_picker_posted_with_no_id_is_refused_not_a_500(
    client_for, tree, admin_user, superuser, value
):
    # The pickers show the posted choice again: a value no id can hold made it fail.
    client = client_for(admin_user)
    client.raise_request_exception = False
    refused = "Hãy chọn một lựa chọn hợp lệ"
    response = client.post(ADD, form_data(name="Tổ 16", parent=value))
    assert response.status_code == 200 and refused in response.content.decode()
    response = client.post(
        ADD, form_data(name="Tổ 16", parent=tree.ward.pk, merged_from=[value, tree.residential.pk])
    )
    assert response.status_code == 200
    assert f"“{value}” không phải là lựa chọn hợp lệ" in response.content.decode()
    assert not Organisation.objects.filter(name="Tổ 16").exists()
    data = {"user": UserFactory().pk, "organisation": value, "role": Role.CADRE}
    response = client.post(MEMBERSHIP_ADD, data)
    assert response.status_code == 200 and refused in response.content.decode()

    model = DanVanModelFactory(owning_unit=tree.ward)
    change = reverse("admin:models_registry_danvanmodel_change", args=[model.pk])
    data = {"name": "Đổi tên", "kind": "model", "actor": "collective", "owning_unit": value}
    response = client_for(superuser).post(change, {**data, "territory": [value]})
    assert response.status_code == 200 and refused in response.content.decode()
    model.refresh_from_db()
    assert model.name != "Đổi tên"


def test_a_refused_admin_form_is_titled_in_vietnamese(client_for, tree, admin_user):
    response = client_for(admin_user).post(ADD, form_data(name="", parent=tree.ward.pk))
    assert response.status_code == 200
    title = response.content.decode().split("<title>")[1].split("</title>")[0]
    assert title.startswith("Lỗi: ") and "Error" not in title
