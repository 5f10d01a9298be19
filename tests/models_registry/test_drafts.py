"""Drafts: a blank form makes none, and a cadre deletes the drafts they started."""

import uuid

import pytest
from django.apps import apps
from django.urls import reverse

from models_registry import services
from models_registry.choices import Status
from models_registry.models import Attachment, CreationToken, DanVanModel, WorkflowEvent
from organisations.choices import Role
from tests.factories import DanVanModelFactory, user_with_role
from tests.models_registry.conftest import PDF, upload

CREATE = "/mo-hinh/them/"
AUTOSAVE = "/mo-hinh/tu-dong-luu/"


def blank(tree, **extra):
    """What a blank registration form sends: its preset choices and its token, nothing typed."""
    data = {
        "kind": "model",
        "actor": "collective",
        "owning_unit": tree.ward.pk,
        "creation_token": str(uuid.uuid4()),
        "name": "",
        "code": "",
        "start_date": "",
        "funds": "",
    }
    data.update(extra)
    return data


def delete_url(model):
    return reverse("models_registry:model_delete", args=[model.pk])


# --- A blank form makes no draft -------------------------------------------------------------


def test_autosave_of_a_blank_form_makes_no_draft(client_for, tree, cadre):
    response = client_for(cadre).post(AUTOSAVE, blank(tree))
    assert response.status_code == 200
    assert response.json() == {"ok": True, "empty": True}
    assert not DanVanModel.objects.exists()
    assert not CreationToken.objects.exists()


@pytest.mark.parametrize("action", ["save", "submit", ""])
def test_a_stray_submit_of_a_blank_form_makes_no_draft(client_for, tree, cadre, action):
    data = blank(tree, kind="exemplar", actor="individual")  # choices changed, nothing typed
    if action:
        data["action"] = action
    response = client_for(cadre).post(CREATE, data)
    assert response.status_code == 400
    assert "Biểu mẫu còn trống nên chưa lưu bản nháp nào." in response.content.decode()
    assert not DanVanModel.objects.exists()


def test_spaces_alone_are_nothing_filled_in(client_for, tree, cadre):
    response = client_for(cadre).post(AUTOSAVE, blank(tree, goals="   ", contact_name=" "))
    assert response.json().get("empty") is True
    assert not DanVanModel.objects.exists()


@pytest.mark.parametrize(
    "filled",
    [
        {"name": "Trồng bí xanh"},
        {"start_date": "01/03/2026"},
        {"funds": "1.500.000"},
        {"territory": []},  # filled below with a unit
    ],
)
def test_one_field_filled_in_makes_the_draft(client_for, tree, cadre, filled):
    if "territory" in filled:
        filled = {"territory": [tree.residential.pk]}
    response = client_for(cadre).post(AUTOSAVE, blank(tree, **filled))
    assert response.status_code == 200 and response.json()["ok"] is True
    assert "empty" not in response.json()
    assert DanVanModel.objects.get().status == Status.DRAFT


def test_a_file_alone_makes_the_draft(client_for, tree, cadre):
    data = blank(tree, action="save", attachments=upload("ke-hoach.pdf", PDF))
    response = client_for(cadre).post(CREATE, data)
    assert response.status_code == 302
    assert DanVanModel.objects.get().attachments.count() == 1


def test_a_draft_emptied_again_by_its_blank_form_is_kept_and_saved(client_for, tree, cadre):
    """Once the blank form has made its draft, it edits it: clearing the name is saved."""
    client = client_for(cadre)
    token = str(uuid.uuid4())
    client.post(AUTOSAVE, blank(tree, creation_token=token, name="Trồng bí xanh"))
    response = client.post(AUTOSAVE, blank(tree, creation_token=token))
    assert response.json()["ok"] is True and "empty" not in response.json()
    assert DanVanModel.objects.get().name == ""


# --- Deleting a draft ------------------------------------------------------------------------


@pytest.fixture
def own_draft(tree, cadre):
    model = DanVanModelFactory(owning_unit=tree.ward, created_by=cadre, name="Bản nháp thử")
    WorkflowEvent.objects.create(model=model, action="created", to_status=Status.DRAFT, actor=cadre)
    return model


def test_delete_asks_first(client_for, own_draft, cadre):
    client = client_for(cadre)
    page = client.get(own_draft.get_absolute_url()).content.decode()
    assert delete_url(own_draft) in page
    edit = client.get(reverse("models_registry:model_update", args=[own_draft.pk]))
    assert delete_url(own_draft) in edit.content.decode()
    response = client.get(delete_url(own_draft))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Xóa bản nháp?" in body and "Bản nháp thử" in body
    assert DanVanModel.objects.filter(pk=own_draft.pk).exists()


def test_a_cadre_deletes_their_own_draft_and_the_trail_keeps_it(client_for, own_draft, cadre):
    client = client_for(cadre)
    client.post(
        reverse("models_registry:model_update", args=[own_draft.pk]),
        {
            "name": own_draft.name,
            "kind": "model",
            "actor": "collective",
            "owning_unit": own_draft.owning_unit_id,
            "action": "save",
            "attachments": upload("ke-hoach.pdf", PDF),
        },
    )
    attachment = Attachment.objects.get(model=own_draft)

    response = client.post(delete_url(own_draft))
    assert response.status_code == 302
    assert response["Location"] == reverse("models_registry:model_list")
    assert not DanVanModel.objects.filter(pk=own_draft.pk).exists()
    assert not Attachment.objects.filter(pk=attachment.pk).exists()

    history = apps.get_model("models_registry", "DanVanModelHistory")
    deleted = history.objects.get(pgh_obj_id=own_draft.pk, pgh_label="delete")
    assert deleted.name == "Bản nháp thử"
    assert deleted.pgh_context.metadata["user"] == cadre.pk
    assert deleted.pgh_context.metadata["action"] == "draft_deleted"

    listing = client.get(reverse("models_registry:model_list")).content.decode()
    assert "Đã xóa bản nháp “Bản nháp thử”." in listing
    assert own_draft.get_absolute_url() not in listing
    assert client.get(own_draft.get_absolute_url()).status_code == 404


def test_the_files_of_a_deleted_draft_leave_storage(
    client_for, own_draft, cadre, django_capture_on_commit_callbacks
):
    services.attachment_add(model=own_draft, by=cadre, uploads=[upload("a.pdf", PDF)])
    attachment = Attachment.objects.get(model=own_draft)
    storage, name = attachment.file.storage, attachment.file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.model_delete_draft(model=own_draft, by=cadre)
    assert not storage.exists(name)


def test_the_blank_form_of_a_deleted_draft_cannot_make_it_again(client_for, tree, cadre):
    client = client_for(cadre)
    token = str(uuid.uuid4())
    client.post(AUTOSAVE, blank(tree, creation_token=token, name="Trồng bí xanh"))
    model = DanVanModel.objects.get()
    assert client.post(delete_url(model)).status_code == 302
    response = client.post(CREATE, blank(tree, creation_token=token, name="Trồng bí xanh"))
    assert response.status_code == 403
    assert not DanVanModel.objects.exists()


def test_a_colleagues_draft_is_not_found(client_for, tree, own_draft):
    colleague = user_with_role(tree.ward, Role.CADRE, username="canbo.khac")
    client = client_for(colleague)
    assert client.get(own_draft.get_absolute_url()).status_code == 200  # in scope
    assert delete_url(own_draft) not in client.get(own_draft.get_absolute_url()).content.decode()
    assert client.get(delete_url(own_draft)).status_code == 404
    assert client.post(delete_url(own_draft)).status_code == 404
    assert DanVanModel.objects.filter(pk=own_draft.pk).exists()


def test_out_of_scope_and_other_roles_are_not_found(
    client_for, tree, own_draft, reviewer, other_reviewer
):
    other_cadre = user_with_role(tree.other_ward, Role.CADRE, username="canbo.giasang")
    for user in (other_cadre, other_reviewer, reviewer):
        client = client_for(user)
        assert client.get(delete_url(own_draft)).status_code == 404
        assert client.post(delete_url(own_draft)).status_code == 404
    assert DanVanModel.objects.filter(pk=own_draft.pk).exists()


def test_anonymous_is_sent_to_log_in(client, own_draft):
    response = client.post(delete_url(own_draft))
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]
    assert DanVanModel.objects.filter(pk=own_draft.pk).exists()


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.RETURNED, Status.ACCEPTED])
def test_only_a_draft_is_deleted(client_for, tree, cadre, status):
    model = DanVanModelFactory(owning_unit=tree.ward, created_by=cadre, status=status)
    client = client_for(cadre)
    assert delete_url(model) not in client.get(model.get_absolute_url()).content.decode()
    assert client.get(delete_url(model)).status_code == 403
    response = client.post(delete_url(model), follow=True)
    assert response.redirect_chain[0] == (model.get_absolute_url(), 302)
    assert "chỉ xóa được bản nháp" in response.content.decode()
    assert DanVanModel.objects.get(pk=model.pk).status == status


def test_a_draft_sent_meanwhile_is_not_deleted(client_for, own_draft, cadre):
    client = client_for(cadre)
    assert client.get(delete_url(own_draft)).status_code == 200  # the question, then
    services.model_submit(model=own_draft, by=cadre)  # sent from another tab
    response = client.post(delete_url(own_draft))
    assert response.status_code == 302 and response["Location"] == own_draft.get_absolute_url()
    assert DanVanModel.objects.get(pk=own_draft.pk).status == Status.SUBMITTED
