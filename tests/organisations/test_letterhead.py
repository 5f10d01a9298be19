"""The heading, number line, dateline and signature block of a body's documents, by the Party's
or the State's convention, and the conventions units start with."""

import datetime
from importlib import import_module

import pytest
from django.apps import apps
from django.urls import reverse

from organisations.choices import DocumentHeading, OrganisationKind, SigningCapacity
from organisations.letterhead import (
    IssuingBody,
    default_heading,
    heading_for_name,
    issuing_body,
    letterhead,
    number_line,
    place_date,
    signature_lines,
)
from organisations.models import Organisation
from tests.factories import OrganisationFactory

PARTY_BODY = IssuingBody(
    name="Ban Dân vận Tỉnh ủy",
    heading=DocumentHeading.PARTY,
    superior="Tỉnh ủy Thái Nguyên",
    abbreviation="BDVTU",
)
STATE_BODY = IssuingBody(
    name="Ủy ban nhân dân phường Chùa Hang",
    heading=DocumentHeading.STATE,
    abbreviation="UBND",
)


def texts(lines):
    return [line.text for line in lines]


def test_party_heading():
    head = letterhead(PARTY_BODY, number=number_line(PARTY_BODY, "12-QĐ/BDVTU"))
    assert texts(head.left) == ["TỈNH ỦY THÁI NGUYÊN", "BAN DÂN VẬN TỈNH ỦY", "*", "Số 12-QĐ/BDVTU"]
    assert [line.bold for line in head.names] == [False, True, False]
    assert texts(head.right) == ["ĐẢNG CỘNG SẢN VIỆT NAM"]
    assert head.national[0].underline and head.national[0].bold
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" not in texts(head.right)


def test_state_heading():
    head = letterhead(
        STATE_BODY,
        number=number_line(STATE_BODY),
        dateline="Thái Nguyên, ngày 05 tháng 12 năm 2026",
    )
    assert texts(head.left) == ["ỦY BAN NHÂN DÂN PHƯỜNG CHÙA HANG", "Số: ……/QĐ-UBND"]
    assert texts(head.right) == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Thái Nguyên, ngày 05 tháng 12 năm 2026",
    ]
    assert [line.underline for line in head.national] == [False, True]
    assert head.right[-1].italic
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" not in texts(head.right)


@pytest.mark.parametrize(
    ("body", "typed", "kind", "expected"),
    [
        (PARTY_BODY, "", "BC", "Số ……-BC/BDVTU"),
        (STATE_BODY, "", "BC", "Số: ……/BC-UBND"),
        (STATE_BODY, "Số: 7/QĐ-UBND", "QĐ", "Số: 7/QĐ-UBND"),
        (PARTY_BODY, "Quyết định số 215-QĐ/BDVTU", "QĐ", "Số 215-QĐ/BDVTU"),
        (IssuingBody(name="Hội Nông dân"), "", "BC", "Số: ……/BC-……"),
    ],
)
def test_number_lines(body, typed, kind, expected):
    assert number_line(body, typed, kind=kind) == expected


def test_dateline():
    day = datetime.date(2026, 1, 5)
    assert place_date("Thái Nguyên", day) == "Thái Nguyên, ngày 05 tháng 01 năm 2026"
    assert place_date("", None) == "…………, ngày …… tháng …… năm ………"


def test_signature_lines_by_convention():
    assert signature_lines(
        PARTY_BODY,
        capacity=SigningCapacity.ON_BEHALF,
        on_behalf_of="Ban Thường vụ",
        title="Phó Bí thư",
    ) == ["T/M BAN THƯỜNG VỤ", "PHÓ BÍ THƯ"]
    assert signature_lines(
        STATE_BODY, capacity=SigningCapacity.DEPUTY, on_behalf_of="Chủ tịch", title="Phó Chủ tịch"
    ) == ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
    # On behalf of nobody named: the issuing body itself.
    assert signature_lines(STATE_BODY, capacity=SigningCapacity.ON_BEHALF, title="Chủ tịch") == [
        "TM. ỦY BAN NHÂN DÂN PHƯỜNG CHÙA HANG",
        "CHỦ TỊCH",
    ]
    assert signature_lines(STATE_BODY, title="Trưởng ban") == ["TRƯỞNG BAN"]
    assert signature_lines(STATE_BODY) == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Ban Thường vụ Quận ủy Cầu Giấy", DocumentHeading.PARTY),
        ("Ban Dân vận Tỉnh ủy Thái Nguyên", DocumentHeading.PARTY),
        ("ĐẢNG ỦY PHƯỜNG CHÙA HANG", DocumentHeading.PARTY),
        ("Đảng uỷ xã Tân Cương", DocumentHeading.PARTY),
        ("Ủy ban nhân dân tỉnh Thái Nguyên", DocumentHeading.STATE),
        ("Ủy ban MTTQ Việt Nam phường Gia Sàng", DocumentHeading.STATE),
        ("Tỉnh Thái Nguyên", ""),
        ("Ủy ban kiểm tra Tỉnh ủy", DocumentHeading.PARTY),
    ],
)
def test_heading_from_a_name(name, expected):
    assert heading_for_name(name) == expected


def test_default_heading_of_a_new_unit():
    assert default_heading(OrganisationKind.PARTY_COMMITTEE, "Cấp ủy") == DocumentHeading.PARTY
    assert default_heading(OrganisationKind.OTHER, "Ban Dân vận Huyện ủy") == DocumentHeading.PARTY
    assert (
        default_heading(OrganisationKind.FATHERLAND_FRONT, "Ủy ban MTTQ") == DocumentHeading.STATE
    )


def test_issuing_body_of_a_unit_and_a_typed_authority(db):
    unit = OrganisationFactory(
        name="Tỉnh Thái Nguyên",
        document_name="Ban Dân vận Tỉnh ủy",
        document_heading=DocumentHeading.PARTY,
        document_superior="Tỉnh ủy Thái Nguyên",
        document_abbreviation="BDVTU",
    )
    assert issuing_body(unit) == PARTY_BODY
    # A typed authority's name says its own convention; an explicit heading overrides it.
    typed = issuing_body(unit, name="Ủy ban nhân dân tỉnh Thái Nguyên")
    assert typed.name == "Ủy ban nhân dân tỉnh Thái Nguyên" and not typed.is_party
    assert issuing_body(unit, name="Hội đồng Thi đua").is_party  # the name does not say
    forced = issuing_body(unit, name="Ban Thường vụ Tỉnh ủy", heading=DocumentHeading.STATE)
    assert not forced.is_party
    assert IssuingBody.from_dict(PARTY_BODY.as_dict()) == PARTY_BODY
    assert IssuingBody.from_dict(None, name="Tỉnh X") == IssuingBody(name="Tỉnh X")


def test_the_data_migration_derives_conventions_of_existing_units(db):
    committee = OrganisationFactory(name="Cấp ủy cơ sở", kind=OrganisationKind.PARTY_COMMITTEE)
    mobilisation = OrganisationFactory(name="Ban Dân vận Tỉnh ủy", kind=OrganisationKind.OTHER)
    party = OrganisationFactory(name="Đảng ủy xã Tân Cương", kind=OrganisationKind.OTHER)
    people = OrganisationFactory(name="Tỉnh Thái Nguyên", kind=OrganisationKind.PEOPLES_COMMITTEE)
    front = OrganisationFactory(
        name="Ủy ban MTTQ Việt Nam xã Tân Cương", kind=OrganisationKind.FATHERLAND_FRONT
    )
    kept = OrganisationFactory(name="Ủy ban nhân dân xã Tân Cương", document_abbreviation="UBND-TC")
    units = [committee, mobilisation, party, people, front, kept]
    Organisation.objects.filter(pk__in=[u.pk for u in units]).update(
        document_heading=DocumentHeading.STATE
    )
    import_module("organisations.migrations.0010_derive_document_heading").derive(apps, None)
    found = {
        unit.pk: (unit.document_heading, unit.document_abbreviation)
        for unit in Organisation.objects.filter(pk__in=[u.pk for u in units])
    }
    assert found[committee.pk] == ("party", "")
    assert found[mobilisation.pk] == ("party", "BDVTU")
    assert found[party.pk] == ("party", "ĐU")
    assert found[people.pk] == ("state", "UBND")
    assert found[front.pk] == ("state", "MTTQ")
    assert found[kept.pk] == ("state", "UBND-TC")


def admin_form(unit, **values):
    data = {
        "name": unit.name,
        "short_name": "",
        "kind": unit.kind,
        "level": unit.level,
        "code": unit.code,
        "valid_from": "",
        "valid_to": "",
        "parent": "",
        "document_heading": unit.document_heading,
        "document_name": "",
        "document_superior": "",
        "document_abbreviation": "",
    }
    data.update(values)
    return data


def test_an_admin_sets_how_a_unit_heads_its_documents(client_for, tree, admin_user):
    client = client_for(admin_user)
    address = reverse("admin:organisations_organisation_change", args=[tree.ward.pk])
    page = client.get(address).content.decode()
    assert "Văn bản do đơn vị ban hành" in page and "Thể thức văn bản" in page
    response = client.post(
        address,
        admin_form(
            tree.ward,
            parent=tree.province.pk,
            document_heading="party",
            document_name="Đảng ủy phường Chùa Hang",
            document_superior="Đảng bộ tỉnh Thái Nguyên",
            document_abbreviation="ĐU",
        ),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    ward = Organisation.objects.get(pk=tree.ward.pk)
    assert ward.document_heading == DocumentHeading.PARTY
    assert issuing_body(ward) == IssuingBody(
        name="Đảng ủy phường Chùa Hang",
        heading=DocumentHeading.PARTY,
        superior="Đảng bộ tỉnh Thái Nguyên",
        abbreviation="ĐU",
    )
    # Out of the admin's scope: not even shown.
    other = reverse("admin:organisations_organisation_change", args=[tree.other_province.pk])
    assert client.post(other, admin_form(tree.other_province, document_name="X")).status_code == 302
    assert Organisation.objects.get(pk=tree.other_province.pk).document_name == ""


def test_a_new_party_committee_starts_with_the_party_heading(client_for, tree, admin_user):
    client = client_for(admin_user)
    unit = Organisation(name="Đảng ủy phường Gia Sàng", kind="party_committee", level="commune")
    data = admin_form(unit, parent=tree.other_ward.pk, code="T19-GS-DU")
    del data["document_heading"]
    response = client.post(reverse("admin:organisations_organisation_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Organisation.objects.get(code="T19-GS-DU").document_heading == DocumentHeading.PARTY
