"""A new registration is created once per blank form, however often that form is posted: a
double click on "Lưu và gửi duyệt", the autosave racing a button, two requests at once."""

import re
import threading
import time
import unicodedata

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from models_registry import services
from models_registry.choices import EventAction, Status
from models_registry.models import Attachment, DanVanModel, WorkflowEvent
from organisations.choices import Role
from tests.factories import user_with_role
from tests.hostile.uploads import jpeg_with_gps
from tests.models_registry.conftest import PDF, upload
from tests.models_registry.test_form import CREATE, complete, minimal

AUTOSAVE_NEW = "/mo-hinh/tu-dong-luu/"
TOKEN = re.compile(r'<input type="hidden" name="creation_token" value="([0-9a-f-]{36})"')


def blank_form_token(client) -> str:
    return TOKEN.search(client.get(CREATE).content.decode()).group(1)


def test_each_blank_form_carries_its_own_token(client_for, tree, cadre):
    client = client_for(cadre)
    first, second = blank_form_token(client), blank_form_token(client)
    assert first != second
    model = DanVanModel.objects.create(owning_unit=tree.ward, created_by=cadre)
    page = client.get(reverse("models_registry:model_update", args=[model.pk])).content.decode()
    assert "creation_token" not in page


def test_double_click_on_submit_sends_one_registration(client_for, tree, cadre):
    client = client_for(cadre)
    data = complete(tree, action="submit", creation_token=blank_form_token(client))
    first = client.post(CREATE, data)
    second = client.post(CREATE, data, follow=True)
    model = DanVanModel.objects.get()
    assert model.status == Status.SUBMITTED
    assert first["Location"] == model.get_absolute_url()
    assert second.redirect_chain == [(model.get_absolute_url(), 302)]
    assert "đã được gửi duyệt (từ lần bấm trước)" in second.content.decode()
    submitted = WorkflowEvent.objects.filter(model=model, action=EventAction.SUBMITTED)
    assert submitted.count() == 1


def test_the_form_posted_again_changes_the_draft_it_made(client_for, tree, cadre):
    client = client_for(cadre)
    token = blank_form_token(client)
    client.post(CREATE, minimal(tree, action="save", creation_token=token))
    response = client.post(
        CREATE, minimal(tree, name="Bí xanh", action="save", creation_token=token)
    )
    model = DanVanModel.objects.get()
    assert model.name == "Bí xanh"
    assert response["Location"] == reverse("models_registry:model_update", args=[model.pk])


def test_the_autosave_and_the_button_make_one_draft(client_for, tree, cadre):
    client = client_for(cadre)
    token = blank_form_token(client)
    one = client.post(AUTOSAVE_NEW, minimal(tree, name="Góc xanh", creation_token=token)).json()
    two = client.post(AUTOSAVE_NEW, minimal(tree, name="Góc xanh 2", creation_token=token)).json()
    assert one["ok"] and two["ok"] and one["id"] == two["id"]
    client.post(CREATE, complete(tree, name="Góc xanh 3", action="submit", creation_token=token))
    model = DanVanModel.objects.get()
    assert model.name == "Góc xanh 3" and model.status == Status.SUBMITTED
    late = client.post(AUTOSAVE_NEW, minimal(tree, creation_token=token))
    assert late.status_code == 409 and not late.json()["ok"]
    model.refresh_from_db()
    assert model.name == "Góc xanh 3"


def test_the_same_files_sent_twice_are_kept_once(client_for, tree, cadre):
    client = client_for(cadre)
    token = blank_form_token(client)
    for _ in range(2):
        data = minimal(tree, action="save", creation_token=token)
        data["attachments"] = [upload("ke-hoach.pdf", PDF)]
        assert client.post(CREATE, data).status_code == 302
    assert DanVanModel.objects.count() == 1
    assert list(Attachment.objects.values_list("original_name", flat=True)) == ["ke-hoach.pdf"]


def test_a_photo_and_a_decomposed_name_sent_twice_are_kept_once(client_for, tree, cadre):
    """What is kept differs from what was sent (a photo loses its metadata, a name typed on a
    Mac arrives decomposed and is kept composed), and the second post still finds it kept."""
    client = client_for(cadre)
    token = blank_form_token(client)
    decomposed = unicodedata.normalize("NFD", "Kế hoạch.pdf")
    for _ in range(2):
        data = minimal(tree, action="save", creation_token=token)
        data["attachments"] = [upload("anh.jpg", jpeg_with_gps()), upload(decomposed, PDF)]
        assert client.post(CREATE, data).status_code == 302
    kept = Attachment.objects.order_by("extension").values_list("original_name", flat=True)
    assert list(kept) == ["anh.jpg", "Kế hoạch.pdf"]


def test_another_persons_token_is_refused(client_for, tree, cadre):
    client = client_for(cadre)
    token = blank_form_token(client)
    client.post(CREATE, minimal(tree, action="save", creation_token=token))
    colleague = user_with_role(tree.ward, Role.CADRE, username="canbo.khac")
    response = client_for(colleague).post(CREATE, minimal(tree, creation_token=token))
    assert response.status_code == 403
    assert DanVanModel.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("seeded_rows")
def test_two_posts_at_once_send_one_registration(tree, cadre, monkeypatch):
    """Two requests with the same form, each on its own connection, released together: the
    second waits on the token's key while the first creates, then finds its model."""
    real_create = services.model_create
    timeline = {}

    def slow_create(**kwargs):
        model = real_create(**kwargs)
        time.sleep(0.5)  # inside the first request's transaction: the token's row is held
        timeline["created"] = time.monotonic()
        return model

    real_once = services.model_create_once

    def timed_once(**kwargs):
        timeline.setdefault("asked", {})[threading.current_thread().name] = time.monotonic()
        return real_once(**kwargs)

    monkeypatch.setattr(services, "model_create", slow_create)
    monkeypatch.setattr(services, "model_create_once", timed_once)
    clients = {name: Client() for name in ("one", "two")}
    for client in clients.values():
        client.force_login(cadre)
    data = complete(tree, action="submit", creation_token=blank_form_token(clients["one"]))
    barrier = threading.Barrier(2)
    responses = {}

    def post(name):
        try:
            barrier.wait(timeout=10)
            responses[name] = clients[name].post(CREATE, data)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(name,), name=name) for name in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
        assert not thread.is_alive()

    model = DanVanModel.objects.get()
    assert model.status == Status.SUBMITTED
    assert WorkflowEvent.objects.filter(model=model, action=EventAction.SUBMITTED).count() == 1
    assert {r.status_code for r in responses.values()} == {302}
    assert {r["Location"] for r in responses.values()} == {model.get_absolute_url()}
    # Both asked before the first had made its model: they really overlapped.
    assert max(timeline["asked"].values()) < timeline["created"]
