"""The fields every form types dates and numbers with: day first and grouped the Vietnamese way,
whatever the browser's language."""

import datetime
from decimal import Decimal

import pytest
from django import forms

from core.date_range import latest_date
from core.forms import (
    DayMonthYearField,
    DayMonthYearInput,
    GroupedDecimalField,
    GroupedIntegerField,
    parse_typed_date,
    parse_vn_number,
)


@pytest.mark.parametrize(
    "typed",
    ["20/11/2026", "20/11/2026 ", "20-11-2026", "20.11.2026", "2026-11-20", "20 / 11 / 2026"],
)
def test_a_date_is_read_day_first_or_iso(typed):
    assert parse_typed_date(typed) == datetime.date(2026, 11, 20)


def test_a_date_without_leading_zeros_is_read():
    assert parse_typed_date("1/3/2026") == datetime.date(2026, 3, 1)
    # Day first even where month first would also be a date (an English habit).
    assert parse_typed_date("03/01/2026") == datetime.date(2026, 1, 3)


@pytest.mark.parametrize(
    ("typed", "code", "words"),
    [
        ("20/11/26", "short_year", "Năm phải có 4 chữ số, ví dụ 20/11/2026."),
        ("20/11/026", "short_year", "Năm phải có 4 chữ số"),
        ("20/11/20266", "short_year", "Năm phải có 4 chữ số"),
        ("11/20/2026", "month", "Tháng phải từ 1 đến 12"),
        ("31/02/2025", "no_such_day", "Ngày 31/02/2025 không có trong lịch"),
        ("2025-02-31", "no_such_day", "Ngày 31/02/2025 không có trong lịch"),
        ("hôm nay", "invalid", "Nhập ngày theo dạng ngày/tháng/năm (dd/mm/yyyy)"),
        ("20/11-2026", "invalid", "Nhập ngày theo dạng ngày/tháng/năm"),
        ("20112026", "invalid", "Nhập ngày theo dạng ngày/tháng/năm"),
    ],
)
def test_what_is_not_a_date_is_answered_in_vietnamese(typed, code, words):
    with pytest.raises(forms.ValidationError) as caught:
        parse_typed_date(typed)
    assert caught.value.code == code
    assert words in caught.value.messages[0]


def test_the_field_refuses_a_date_outside_the_accepted_range():
    field = DayMonthYearField()
    with pytest.raises(forms.ValidationError, match="01/01/1990"):
        field.clean("31/12/1989")
    later = latest_date() + datetime.timedelta(days=1)
    with pytest.raises(forms.ValidationError, match="Ngày phải nằm trong khoảng"):
        field.clean(f"{later:%d/%m/%Y}")
    assert field.clean("01/01/1990") == datetime.date(1990, 1, 1)


def test_the_field_is_optional_when_told():
    assert DayMonthYearField(required=False).clean("  ") is None


def test_the_date_box_is_text_showing_day_first_with_a_calendar_button():
    html = DayMonthYearInput().render("ngay", datetime.date(2026, 3, 1), {"id": "id_ngay"})
    assert 'type="text"' in html and 'type="date"' not in html
    assert 'value="01/03/2026"' in html
    assert 'placeholder="dd/mm/yyyy"' in html and 'inputmode="numeric"' in html
    assert 'data-min="1990-01-01"' in html and f'data-max="{latest_date():%Y-%m-%d}"' in html
    assert "data-calendar-button" in html and "Mở lịch chọn ngày" in html
    # What was typed, wrong or not, is shown back as typed.
    assert 'value="31/02/2026"' in DayMonthYearInput().render("ngay", "31/02/2026")


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("1234567", 1234567),
        ("1.234.567", 1234567),
        ("1 234 567", 1234567),
        ("1.234,5", Decimal("1234.5")),
        ("0,25", Decimal("0.25")),
        ("12,5", Decimal("12.5")),
        ("1.500", 1500),
        ("0", 0),
    ],
)
def test_a_number_is_read_the_vietnamese_way(typed, number):
    assert parse_vn_number(typed) == number


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("12.5", "decimal_point"),
        ("0.125", "decimal_point"),
        ("1,234,567", "invalid"),
        ("1.23.456", "invalid"),
        ("1.2345", "decimal_point"),
        ("1.234.567,", "invalid"),
        ("-5", "invalid"),
        ("1,5 triệu", "invalid"),
        ("", "invalid"),
    ],
)
def test_an_ambiguous_or_garbled_number_is_refused_with_a_reason(typed, code):
    with pytest.raises(forms.ValidationError) as caught:
        parse_vn_number(typed)
    assert caught.value.code == code
    message = caught.value.messages[0]
    assert "ví dụ 12,5" in message if code == "decimal_point" else "1.234.567" in message


def test_a_decimal_field_round_trips_what_it_shows():
    field = GroupedDecimalField(max_digits=18, decimal_places=2, min_value=0, required=False)
    stored = Decimal("1234567.50")
    html = field.widget.render("so", stored)
    assert 'value="1.234.567,5"' in html and 'data-grouped="decimal"' in html
    assert field.clean("1.234.567,5") == stored
    assert field.clean("") is None
    with pytest.raises(forms.ValidationError, match="chữ số thập phân"):
        field.clean("0,125")


def test_an_integer_field_shows_its_value_grouped():
    field = GroupedIntegerField(required=False)
    assert 'value="1.500.000"' in field.widget.render("tien", 1_500_000)
    assert 'data-grouped="integer"' in field.widget.render("tien", None)
    assert field.clean("1.500.000") == 1_500_000
    with pytest.raises(forms.ValidationError, match="Nhập số nguyên không âm"):
        field.clean("1.234,5")
