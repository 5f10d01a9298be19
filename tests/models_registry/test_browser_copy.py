"""The copy of a registration form kept in the browser belongs to one user, never the next."""

import re

from django.test import Client
from django.urls import reverse

from organisations.choices import Role
from tests.factories import DanVanModelFactory, user_with_role


def storage_keys(client, url) -> tuple[str, str]:
    page = client.get(url).content.decode()
    key = re.search(r'data-storage-key="([^"]+)"', page).group(1)
    prefix = re.search(r'data-storage-prefix="([^"]+)"', page).group(1)
    return key, prefix


def test_two_colleagues_editing_one_draft_keep_separate_copies(tree, cadre):
    colleague = user_with_role(tree.ward, Role.CADRE, username="canbo.2")
    model = DanVanModelFactory(owning_unit=tree.ward)
    url = reverse("models_registry:model_update", args=[model.pk])
    first, second = Client(), Client()
    first.force_login(cadre)
    second.force_login(colleague)
    mine, my_prefix = storage_keys(first, url)
    theirs, their_prefix = storage_keys(second, url)
    assert mine != theirs
    assert mine == f"{my_prefix}{model.pk}" and my_prefix.startswith("danvan-")
    assert theirs == f"{their_prefix}{model.pk}" and str(colleague.pk) in their_prefix


def test_a_new_registration_copy_is_the_users_own(client_for, tree, cadre):
    colleague = user_with_role(tree.ward, Role.CADRE, username="canbo.2")
    url = reverse("models_registry:model_create")
    mine, my_prefix = storage_keys(client_for(cadre), url)
    theirs, _ = storage_keys(client_for(colleague), url)
    assert mine != theirs and mine.startswith(my_prefix)
