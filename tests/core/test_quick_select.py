"""The quick drop-down list writes what Django's own ``Select`` writes, options and all."""

from django import forms
from lxml import html

from core.forms import QuickSelect

CHOICES = [(1, "Tỉnh Thái Nguyên"), (2, '\u00a0\u00a0Phường <Chùa Hang> & "Tổ 1"'), (30, "Xã 30")]


def _parsed(markup: str):
    select = html.fragment_fromstring(markup)
    options = [
        (option.get("value"), option.text, option.get("selected") is not None)
        for option in select.iter("option")
    ]
    return dict(select.attrib), options


def test_options_attributes_and_the_choice_as_django_writes_them():
    attrs = {"id": "id_don_vi", "required": True, "class": "form-select is-invalid"}
    for value in (2, "30", None, 99):
        ours = QuickSelect(choices=CHOICES).render("don_vi", value, attrs)
        django = forms.Select(choices=CHOICES).render("don_vi", value, attrs)
        assert _parsed(ours) == _parsed(django)
    chosen = _parsed(QuickSelect(choices=CHOICES).render("don_vi", 2, attrs))[1]
    assert [selected for _, _, selected in chosen] == [False, True, False]
    assert chosen[1][1] == '\u00a0\u00a0Phường <Chùa Hang> & "Tổ 1"'  # escaped, read back whole
