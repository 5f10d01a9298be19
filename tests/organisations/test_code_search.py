"""Units are found by their codes, hyphens included, in any case and with spaces around them:
their search column holds the code as typed, matched as a substring (no word splitting)."""

import pytest
from django.urls import reverse

CHANGELIST = reverse("admin:organisations_organisation_changelist")
TREE_URL = reverse("organisations:organisation_tree")


@pytest.mark.parametrize("typed", ["T19-CH-9", "t19-ch-9", "  t19-ch-9 ", "T19\uff0dCH\uff0d9"])
def test_the_admin_list_finds_a_unit_by_its_code(client_for, tree, admin_user, typed):
    response = client_for(admin_user).get(CHANGELIST, {"q": typed})
    assert response.status_code == 200
    assert [unit.code for unit in response.context["cl"].result_list] == ["T19-CH-9"]


@pytest.mark.parametrize("typed", ["T06-DX", " t06-dx "])
def test_the_tree_search_finds_a_unit_by_its_code_first(client_for, tree, reviewer, typed):
    response = client_for(reviewer).get(TREE_URL, {"q": typed})
    # The unit, then the units whose codes continue it (its own residential areas).
    assert [unit.code for unit in response.context["results"]] == ["T06-DX", "T06-DX-15"]
