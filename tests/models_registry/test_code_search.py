"""Searching a code finds the model of that code: in the list, the admin's list and the picker,
in any case and with spaces around it, and not the models that merely hold its pieces."""

import pytest
from django.urls import reverse

from models_registry.choices import Status
from models_registry.querysets import code_query
from tests.factories import DanVanModelFactory

LIST = "/mo-hinh/"
CHANGELIST = reverse("admin:models_registry_danvanmodel_changelist")
PICKER = reverse("models_registry:model_picker")
CODES = ("HB-0144", "DVK-2025-01", "CH-2024-07")


@pytest.fixture
def coded(tree):
    """The models of the three codes, and decoys holding their pieces as words."""
    models = {
        code: DanVanModelFactory(
            owning_unit=tree.ward, code=code, name=f"Mô hình {number}", status=Status.ACCEPTED
        )
        for number, code in enumerate(CODES, start=1)
    }
    for code, name, content in (
        ("HB-01445", "Tổ HB tự quản 0144", "Khu HB, số 0144."),
        ("X-2025-1", "Dân vận khéo 2025 khu DVK 01", "Năm 2025, tổ 01."),
        ("X-2024-2", "Chợ văn minh CH 2024 số 07", "Hạng CH năm 2024, 07 hộ."),
        ("HB-2025", "Nhà văn hóa HB 2025", "HB và 2025"),
        (None, "Đường HB năm 2025 tổ 7", "Khởi công 2025-01-07"),
    ):
        DanVanModelFactory(
            owning_unit=tree.ward, code=code, name=name, content=content, status=Status.ACCEPTED
        )
    return models


def list_names(response) -> list[str]:
    assert response.status_code == 200
    return [model.name for model in response.context["object_list"]]


TYPED = [
    (typed, code)
    for code in CODES
    for typed in (code, code.lower(), f"  {code.lower()} ", code.replace("-", "\uff0d"))
]


@pytest.mark.parametrize(("typed", "code"), TYPED)
def test_the_list_search_finds_exactly_the_model_of_a_code(
    client_for, coded, reviewer, typed, code
):
    response = client_for(reviewer).get(LIST, {"q": typed})
    assert list_names(response) == [coded[code].name]
    # The counts by field are of the same search (one statement with the page).
    assert response.context["total"] == 1


@pytest.mark.parametrize(("typed", "code"), TYPED[:2] + TYPED[6:8])
def test_the_admin_list_search_finds_exactly_the_model_of_a_code(
    client_for, coded, admin_user, typed, code
):
    response = client_for(admin_user).get(CHANGELIST, {"q": typed})
    assert response.status_code == 200
    assert [model.code for model in response.context["cl"].result_list] == [code]


def test_the_replicated_from_picker_finds_a_model_by_its_code(client_for, coded, cadre):
    response = client_for(cadre).get(PICKER, {"q": " dvk-2025-01 "})
    found = [result["value"] for result in response.json()["results"]]
    assert found == [coded["DVK-2025-01"].pk]


def test_a_code_also_finds_the_texts_that_hold_it(client_for, tree, coded, reviewer):
    # The union with the text search: a model mentioning the code, and a number such as
    # "217-218" written in a name (which the word-by-word search missed as well).
    DanVanModelFactory(
        owning_unit=tree.ward,
        name="Nhân rộng mô hình",
        content="Học tập mô hình HB-0144 của phường.",
        status=Status.ACCEPTED,
    )
    DanVanModelFactory(owning_unit=tree.ward, name="Hòm thư góp ý 217-218", status="accepted")
    client = client_for(reviewer)
    assert sorted(list_names(client.get(LIST, {"q": "hb-0144"}))) == [
        "Mô hình 1",
        "Nhân rộng mô hình",
    ]
    assert list_names(client.get(LIST, {"q": "217-218"})) == ["Hòm thư góp ý 217-218"]


def test_a_code_outside_the_scope_is_not_found(client_for, tree, coded, reviewer):
    DanVanModelFactory(owning_unit=tree.other_province_ward, code="HN-2025-01", status="accepted")
    client = client_for(reviewer)
    assert list_names(client.get(LIST, {"q": "HN-2025-01"})) == []
    assert list_names(client.get(LIST, {"q": "hn-2025-01 nuoi"})) == []


def test_words_are_still_searched_word_by_word(client_for, coded, reviewer):
    client = client_for(reviewer)
    assert list_names(client.get(LIST, {"q": "van minh CH"})) == ["Chợ văn minh CH 2024 số 07"]
    assert list_names(client.get(LIST, {"q": "nha van hoa hb"})) == ["Nhà văn hóa HB 2025"]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("  hb-0144 ", "HB-0144"),
        ("125/qđ-ubnd", "125/QĐ-UBND"),
        ("ＨＢ－０１４４", "HB-0144"),  # full-width, as some input methods type
        ("217-218", "217-218"),
        ("hb0144", None),  # one word: the text search reads it whole
        ("nông-thôn", None),  # no digit: words
        ("hb 0144", None),
        ("hb--0144", None),
        ("-0144", None),
        ("x" * 39 + "-1", None),  # longer than a code can be
    ],
)
def test_what_looks_like_a_code(text, code):
    assert code_query(text) == code
