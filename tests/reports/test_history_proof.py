"""A province office's history, entered as it would be, reproduces the published figures.

The organisation tree is imported through the admin's organisation import and the historical
records through the admin's model import (both over HTTP, preview then confirm), in the shape the
2025 reform left: the former thành phố Hòa Bình (a district of the former tỉnh Hòa Bình, merged
into Phú Thọ on 01/07/2025) held old wards and a commune that were merged, across the former
district line, into four new wards hanging straight under Phú Thọ.

Seed figure (thành phố Hòa Bình, first half of 2023): "179 mô hình: kinh tế 51, văn hóa – xã hội
70, an ninh – quốc phòng 46, xây dựng hệ thống chính trị 12; 16 mô hình mới được nhân rộng".
The file holds those 179 (163 carried on from 2019–2022, some recognised, some replicated in their
own year; 16 accepted in the half, each replicated from an older one; two stopped during the
half, so still carried out in it), and the records that must not count: six stopped in 2022, three
accepted in the second half of 2023, five of a commune of another former district, two of Phú
Thọ's own body and four of the new wards after the merger.
"""

import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from models_registry.models import DanVanModel
from models_registry.resources import COLUMNS as MODEL_COLUMNS
from models_registry.resources import SHEET_TITLE as MODEL_SHEET
from organisations.models import Organisation
from organisations.resources import COLUMNS as UNIT_COLUMNS
from organisations.resources import SHEET_TITLE as UNIT_SHEET
from reports.periods import half_period, year_period
from reports.selectors import MEASURE_KEYS, report_figures
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

PROVINCE, DISTRICT, COMMUNE = (
    "Tỉnh, thành phố",
    "Quận, huyện, thị xã, thành phố thuộc tỉnh (cũ)",
    ("Xã, phường, đặc khu"),
)
BEFORE, AFTER = "30/06/2025", "01/07/2025"
CITY_BODIES = ("148-BDV", "148-MTTQ")
# Old wards and communes of the city, and the new ward each went to.
CITY_WARDS = {
    "04789": ("Phường Đồng Tiến (cũ)", "25-HB"),
    "04792": ("Phường Phương Lâm (cũ)", "25-HB"),
    "04795": ("Phường Tân Thịnh (cũ)", "25-HB"),
    "04798": ("Phường Thịnh Lang (cũ)", "25-TH"),
    "04801": ("Phường Hữu Nghị (cũ)", "25-HB"),
    "04804": ("Phường Tân Hòa (cũ)", "25-TH"),
    "04807": ("Phường Thống Nhất (cũ)", "25-TN"),
    "04810": ("Phường Kỳ Sơn (cũ)", "25-KS"),
    "04813": ("Xã Mông Hóa (cũ)", "25-KS"),
}
NEW_WARDS = {
    "25-HB": "Phường Hòa Bình",
    "25-TH": "Phường Tân Hòa",
    "25-TN": "Phường Thống Nhất",
    "25-KS": "Phường Kỳ Sơn",
}
FIELDS = (
    ("Kinh tế", 51),
    ("Văn hóa – xã hội", 70),
    ("Quốc phòng – an ninh", 46),
    ("Xây dựng hệ thống chính trị", 12),
)


def unit_rows() -> list[dict]:
    def row(code, parent, name, level=COMMUNE, start="", end="", merged=""):
        return {
            "code": code,
            "parent_code": parent,
            "name": name,
            "level": level,
            "valid_from": start,
            "valid_to": end,
            "merged_from": merged,
        }

    rows = [
        row("25", "TW", "Tỉnh Phú Thọ", PROVINCE, merged="17"),
        row("25-BDV", "25", "Ban Tuyên giáo và Dân vận Tỉnh ủy Phú Thọ"),
        row("17", "TW", "Tỉnh Hòa Bình (cũ)", PROVINCE, end=BEFORE),
        row("148", "17", "Thành phố Hòa Bình (cũ)", DISTRICT, end=BEFORE),
        row("148-BDV", "148", "Ban Dân vận Thành ủy Hòa Bình (cũ)", end=BEFORE),
        row("148-MTTQ", "148", "Ủy ban MTTQ Việt Nam thành phố Hòa Bình (cũ)", end=BEFORE),
        row("152", "17", "Huyện Lương Sơn (cũ)", DISTRICT, end=BEFORE),
        row("04960", "152", "Xã Hòa Sơn (cũ)", end=BEFORE),
    ]
    rows += [row(code, "148", name, end=BEFORE) for code, (name, _) in CITY_WARDS.items()]
    for new, name in NEW_WARDS.items():
        merged = [code for code, (_, heir) in CITY_WARDS.items() if heir == new]
        if new == "25-TN":
            merged.append("04960")  # across the former district line
        rows.append(row(new, "25", name, start=AFTER, merged=", ".join(merged)))
    return rows


def model_rows() -> list[dict]:
    """The file, and for each row where its records count (owner code, and whether it is among
    the 179 of the first half of 2023)."""
    owners = [*CITY_BODIES, *CITY_WARDS]
    rows = []

    def add(**values):
        rows.append({"status": "Đã duyệt đăng ký", **values})

    fields = [label for label, count in FIELDS for _ in range(count)]
    for index, field in enumerate(fields):
        owner = owners[index % len(owners)]
        code = f"HB-{index + 1:04d}"
        if index < 163:  # carried on from 2019–2022
            year = 2019 + index % 4
            day = datetime.date(year, 1 + index % 12, 1 + index % 27)
            values = {
                "start_date": f"{day:%d/%m/%Y}",
                "accepted_at": f"{day + datetime.timedelta(days=3):%d/%m/%Y}",
            }
            if index % 7 == 0:  # started that year, the day unknown
                values["start_date"] = str(year)
                values["accepted_at"] = f"01/03/{year}"
            if index % 5 == 0:
                values.update(
                    status="Đã công nhận",
                    decision_number=f"{index}/QĐ-UBND",
                    decision_date=f"15/06/{year + 1}",
                )
            if index in (30, 60, 90):  # replicated, but in an earlier year: not new now
                values["replicated_from"] = f"HB-{index - 25:04d}"
        else:  # accepted in the half, each replicated from an older model
            day = datetime.date(2023, 1 + (index - 163) % 6, 2 + index % 20)
            values = {
                "start_date": f"{day:%m/%Y}",
                "accepted_at": f"{day:%d/%m/%Y}",
                "replicated_from": f"HB-{index - 150:04d}",
            }
        if index in (40, 80):  # stopped during the half: still carried out in it
            values.update(
                status="Dừng thực hiện",
                discontinued_at="20/02/2023",
                status_reason="Các hộ tham gia chuyển sang mô hình khác.",
            )
        add(code=code, owning_unit=owner, name=f"Mô hình {code}", field=field, **values)

    for number in range(6):  # stopped in 2022
        add(
            code=f"HB-D{number}",
            owning_unit=owners[2 + number],
            name=f"Mô hình dừng {number}",
            field="Kinh tế",
            start_date="2018",
            accepted_at="05/04/2018",
            status="Dừng thực hiện",
            discontinued_at=f"1{number}/05/2022",
            status_reason="Không còn điều kiện duy trì.",
        )
    for number in range(3):  # accepted in the second half of 2023
        add(
            code=f"HB-L{number}",
            owning_unit=owners[3 + number],
            name=f"Mô hình cuối năm {number}",
            field="Văn hóa – xã hội",
            start_date="08/2023",
            accepted_at="20/08/2023",
        )
    for number in range(5):  # another former district of the province
        add(
            code=f"LS-{number}",
            owning_unit="04960",
            name=f"Mô hình Hòa Sơn {number}",
            field="Kinh tế",
            start_date="2021",
            accepted_at="10/05/2021",
        )
    for number in range(2):  # Phú Thọ's own body
        add(
            code=f"PT-{number}",
            owning_unit="25-BDV",
            name=f"Mô hình Phú Thọ {number}",
            field="Xây dựng hệ thống chính trị",
            start_date="01/03/2022",
            accepted_at="15/03/2022",
        )
    for number, ward in enumerate(NEW_WARDS):  # the new wards, after the merger
        add(
            code=f"NW-{number}",
            owning_unit=ward,
            name=f"Mô hình phường mới {number}",
            field="Kinh tế",
            start_date="09/2025",
            accepted_at="15/09/2025",
        )
    return rows


def workbook(sheet_title, columns, rows, name):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = sheet_title
    sheet.append(list(columns.values()))
    for row in rows:
        sheet.append([row.get(key, "") for key in columns])
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def import_through_admin(client, model_name, upload):
    response = client.post(
        reverse(f"admin:{model_name}_import"), {"format": "0", "import_file": upload}
    )
    assert response.status_code == 200
    result = response.context["result"]
    errors = [(row.number, row.error_dict) for row in result.invalid_rows] + [
        error.error for error in result.base_errors
    ]
    assert not errors, errors
    form = response.context["confirm_form"]
    data = {name: form.initial.get(name, "") for name in form.fields}
    done = client.post(reverse(f"admin:{model_name}_process_import"), data)
    assert done.status_code == 302, done.content.decode()[:2000]


@pytest.fixture
def history(client, superuser):
    OrganisationFactory(name="Trung ương", code="TW", level="central")
    client.force_login(superuser)
    units = workbook(UNIT_SHEET, UNIT_COLUMNS, unit_rows(), "don-vi.xlsx")
    import_through_admin(client, "organisations_organisation", units)
    models = workbook(MODEL_SHEET, MODEL_COLUMNS, model_rows(), "mo-hinh.xlsx")
    import_through_admin(client, "models_registry_danvanmodel", models)
    assert DanVanModel.objects.count() == len(model_rows())
    return superuser


def unit(code) -> Organisation:
    return Organisation.objects.get(code=code)


def rows_of(figures, measure="active") -> dict[str, int]:
    return {row["name"]: row["total"][measure] for row in figures["children"]}


def assert_rows_add_up(figures):
    for measure in MEASURE_KEYS:
        assert (
            sum(row["total"][measure] for row in figures["children"]) == (figures["total"][measure])
        ), measure


def test_the_former_city_reproduces_its_published_figure(history):
    figures = report_figures(history, unit("148"), half_period(2023, 1))
    assert figures["total"]["active"] == 179
    by_field = {key: counts["active"] for key, counts in figures["by_field"].items()}
    assert by_field == {
        "economy": 51,
        "culture_society": 70,
        "security_defence": 46,
        "political_system": 12,
    }
    assert figures["total"]["replicated"] == 16
    assert figures["total"]["new"] == 16
    assert len(figures["children"]) == 11  # two city bodies and nine old wards and communes
    assert_rows_add_up(figures)


def test_its_successor_province_for_the_same_half(history):
    half = half_period(2023, 1)
    former = report_figures(history, unit("17"), half)
    assert rows_of(former) == {"Thành phố Hòa Bình (cũ)": 179, "Huyện Lương Sơn (cũ)": 5}
    assert_rows_add_up(former)

    figures = report_figures(history, unit("25"), half)
    assert figures["total"]["active"] == 186
    assert rows_of(figures) == {
        "Tỉnh Hòa Bình (cũ)": 184,
        "Ban Tuyên giáo và Dân vận Tỉnh ủy Phú Thọ": 2,
    }
    row = next(row for row in figures["children"] if row["name"] == "Tỉnh Hòa Bình (cũ)")
    assert row["note"] == "sáp nhập từ 01/07/2025"
    assert row["total"] == former["total"]  # the row drills down to the same figures
    assert_rows_add_up(figures)


def test_after_the_merger_the_old_wards_count_under_the_new_ones(history):
    figures = report_figures(history, unit("25"), year_period(2026))
    carried = [row for row in model_rows() if row.get("discontinued_at", "9999")[-4:] >= "2026"]
    expected = {name: 0 for name in NEW_WARDS.values()}
    for row in carried:
        owner = row["owning_unit"]
        if owner in CITY_WARDS:
            expected[NEW_WARDS[CITY_WARDS[owner][1]]] += 1
        elif owner == "04960":
            expected["Phường Thống Nhất"] += 1
        elif owner in NEW_WARDS:
            expected[NEW_WARDS[owner]] += 1
    # The city's own bodies have no successor: they count in the former province's row.
    expected["Tỉnh Hòa Bình (cũ)"] = sum(row["owning_unit"] in CITY_BODIES for row in carried)
    expected["Ban Tuyên giáo và Dân vận Tỉnh ủy Phú Thọ"] = 2
    assert rows_of(figures) == expected
    assert figures["total"]["active"] == 179 - 2 + 3 + 5 + 2 + 4
    assert_rows_add_up(figures)
    for row in figures["children"]:
        drilled = report_figures(history, Organisation.objects.get(pk=row["id"]), year_period(2026))
        assert drilled["total"] == row["total"], row["name"]
    # The former city, for the same year, keeps only its own bodies' records.
    city = report_figures(history, unit("148"), year_period(2026))
    assert city["total"]["active"] == expected["Tỉnh Hòa Bình (cũ)"]
