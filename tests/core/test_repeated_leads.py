"""Words a sentence already writes are not printed twice when the user typed them too."""

import pytest

from core.text import bare_document_number, without_lead


@pytest.mark.parametrize(
    "typed",
    [
        "15/QĐ-BDVTU",
        "Quyết định số 15/QĐ-BDVTU",
        "quyết định số: 15/QĐ-BDVTU",
        "QUYẾT ĐỊNH 15/QĐ-BDVTU",
        "Quyet dinh so 15/QĐ-BDVTU",
        "QĐ số 15/QĐ-BDVTU",
        "Số: 15/QĐ-BDVTU",
        "Số:15/QĐ-BDVTU",
        "  số  15/QĐ-BDVTU ",
        "Quyết định số Quyết định số 15/QĐ-BDVTU",
        "Số\t15/QĐ-BDVTU",
    ],
)
def test_a_decision_number_loses_the_words_typed_before_it(typed):
    assert bare_document_number(typed) == "15/QĐ-BDVTU"


@pytest.mark.parametrize(
    "typed",
    ["215-QĐ/QU", "QĐ-UBND 12", "Sổ vàng 3", "Sông Công 5", "Sốt 1"],
)
def test_a_number_that_only_looks_alike_is_kept(typed):
    assert bare_document_number(typed) == typed


def test_only_the_given_words_and_only_at_the_start():
    assert without_lead("Căn cứ Căn cứ Luật Thi đua", "căn cứ") == "Luật Thi đua"
    assert without_lead("Luật căn cứ", "căn cứ") == "Luật căn cứ"
    assert without_lead("Căn cứLuật", "căn cứ") == "Căn cứLuật"
    assert without_lead("", "căn cứ") == ""
    assert without_lead("Số", "số") == ""


def test_a_long_hostile_lead_is_quick_and_whole():
    typed = " " * 20_000 + "số : " * 5_000 + "12"
    assert bare_document_number(typed) == "12"
