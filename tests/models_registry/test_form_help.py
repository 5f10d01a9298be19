"""Each item of the registration form says what a good answer holds, linked to its input."""

import lxml.html
import pytest

from models_registry.forms import DanVanModelForm
from tests.factories import DanVanModelFactory

CREATE = "/mo-hinh/them/"
ITEMS = [name for name in DanVanModelForm._meta.fields] + ["attachments"]


def described(page: str, name: str) -> tuple[str, str]:
    """The help text of the item ``name`` and the ids its input (or fieldset) points to."""
    tree = lxml.html.fromstring(page)
    (item,) = tree.xpath(f'//*[@id="o-{name}"]')
    (help_text,) = item.xpath(f'.//*[@id="id_{name}_helptext"]')
    pointing = item.xpath(".//*[@aria-describedby]")
    return help_text.text_content().strip(), " ".join(
        element.get("aria-describedby") for element in pointing
    )


@pytest.mark.parametrize("name", ITEMS)
def test_every_item_has_a_help_text_linked_to_its_input(client_for, tree, cadre, name):
    page = client_for(cadre).get(CREATE).content.decode()
    help_text, pointers = described(page, name)
    assert len(help_text) > 15
    assert f"id_{name}_helptext" in pointers.split()


def test_no_id_is_used_twice_on_the_form(client_for, tree, cadre):
    # A repeated id sends the error summary's links and the screen reader's labels astray.
    model = DanVanModelFactory(owning_unit=tree.ward, created_by=cadre)
    client = client_for(cadre)
    pages = {
        "new": client.get(CREATE),
        "with errors": client.post(
            f"/mo-hinh/{model.pk}/sua/", {"name": "", "kind": "model", "action": "submit"}
        ),
    }
    for label, response in pages.items():
        ids = lxml.html.fromstring(response.content).xpath("//@id")
        repeated = sorted({value for value in ids if ids.count(value) > 1})
        assert ids and not repeated, (label, repeated)


def test_content_items_say_what_a_good_answer_holds(client_for, tree, cadre):
    page = client_for(cadre).get(CREATE).content.decode()
    assert "có số liệu cụ thể" in described(page, "situation")[0]
    assert "con số" in described(page, "outputs")[0]
    assert "duy trì" in described(page, "sustainability")[0]


def test_the_edit_form_links_help_texts_and_errors(client_for, tree, cadre):
    model = DanVanModelFactory(owning_unit=tree.ward, created_by=cadre)
    response = client_for(cadre).post(
        f"/mo-hinh/{model.pk}/sua/",
        {
            "name": "Bí xanh",
            "kind": "model",
            "actor": "collective",
            "owning_unit": tree.ward.pk,
            "contact_phone": "không có số",
            "action": "save",
        },
    )
    page = response.content.decode()
    _, pointers = described(page, "contact_phone")
    assert pointers.split() == ["id_contact_phone_helptext", "id_contact_phone_error"]
    element = lxml.html.fromstring(page).xpath('//*[@id="id_contact_phone_error"]')
    assert element and element[0].text_content().strip()
