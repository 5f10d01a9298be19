"""The official list of provinces and communes loaded into the tree (one small province)."""

import io
from dataclasses import replace
from datetime import date

import pytest
from django.core.management import call_command
from django.db.models import Max

from organisations import official_tree
from organisations.choices import OrganisationKind, OrganisationLevel
from organisations.models import Organisation, OrganisationHistory, StandardBody
from organisations.official_tree import OfficialProvince, official_provinces
from tests.factories import OrganisationFactory

# Lai Châu: the province with the fewest communes (38), so the tests stay fast.
PROVINCE = "12"
COMMUNES = 38
COMMUNE_SUFFIXES = ["DU", "UBND", "MTTQ", "DTN", "HLHPN", "HND", "HCCB"]
PROVINCE_SUFFIXES = ["DU", "UBND", "MTTQ", "DTN", "HLHPN", "HND", "HCCB", "LDLD"]
CHANGELIST = "/quan-tri/organisations/organisation/"
LOAD_PAGE = CHANGELIST + "nap-danh-muc/"


def load(*args) -> str:
    out = io.StringIO()
    call_command("load_official_tree", "--province", PROVINCE, *args, stdout=out)
    return out.getvalue()


def children_codes(unit: Organisation) -> list[str]:
    return [child.code for child in Organisation.objects.get_children(unit)]


def test_one_province_loads_with_official_codes_names_levels_and_bodies(db):
    output = load()

    root = Organisation.objects.get(code="TW")
    assert (root.name, root.level, root.depth) == ("Trung ương", OrganisationLevel.CENTRAL, 1)
    province = Organisation.objects.get(code=PROVINCE)
    assert province.name == "Tỉnh Lai Châu"
    assert (province.level, province.kind) == (
        OrganisationLevel.PROVINCE,
        OrganisationKind.PEOPLES_COMMITTEE,
    )
    assert Organisation.objects.get_parent(province) == root
    assert children_codes(province)[: len(PROVINCE_SUFFIXES)] == [
        f"{PROVINCE}-{suffix}" for suffix in PROVINCE_SUFFIXES
    ]
    assert Organisation.objects.get(code="12-HND").name == "Hội Nông dân tỉnh Lai Châu"

    communes = list(
        Organisation.objects.get_children(province).filter(level=OrganisationLevel.COMMUNE, depth=3)
    )
    communes = [unit for unit in communes if len(unit.code) == 5]
    expected = next(p for p in official_provinces() if p.unit.code == PROVINCE).communes
    assert [(unit.code, unit.name) for unit in communes] == [
        (unit.code, unit.name) for unit in expected
    ]
    assert len(communes) == COMMUNES
    commune = communes[0]
    assert commune.valid_from == date(2025, 7, 1)
    assert commune.kind == OrganisationKind.PEOPLES_COMMITTEE
    assert children_codes(commune) == [f"{commune.code}-{suffix}" for suffix in COMMUNE_SUFFIXES]
    body = Organisation.objects.get(code=f"{commune.code}-MTTQ")
    lowered = commune.name[0].lower() + commune.name[1:]
    assert body.name == f"Ủy ban MTTQ Việt Nam {lowered}"
    assert (body.kind, body.level) == (OrganisationKind.FATHERLAND_FRONT, OrganisationLevel.COMMUNE)
    # The inactive template (a commune's own trade union) makes nothing.
    assert not Organisation.objects.filter(code=f"{commune.code}-CD").exists()

    total = 1 + 1 + len(PROVINCE_SUFFIXES) + COMMUNES * (1 + len(COMMUNE_SUFFIXES))
    assert Organisation.objects.count() == total
    assert Organisation.objects.find_problems() == ([], [], [], [], [])
    assert f"{1 + COMMUNES} đơn vị mới" in output
    assert f"{len(PROVINCE_SUFFIXES) + COMMUNES * len(COMMUNE_SUFFIXES)} tổ chức mới" in output
    # Audited as one load: each insert in the trail, with the package version.
    event = OrganisationHistory.objects.get(pgh_obj=commune, pgh_label="insert")
    assert event.pgh_context.metadata == {"source": "official_tree", "version": "2025.10.1"}


def test_a_second_run_changes_nothing_and_says_so(db):
    load()
    count = Organisation.objects.count()
    history = OrganisationHistory.objects.count()
    last_update = Organisation.objects.aggregate(Max("updated_at"))

    output = load()

    assert "Không có thay đổi" in output
    assert f"0 đơn vị mới, 0 đổi tên, 0 đổi loại hình hoặc cấp, {1 + COMMUNES} không đổi" in output
    assert Organisation.objects.count() == count
    assert OrganisationHistory.objects.count() == history
    assert Organisation.objects.aggregate(Max("updated_at")) == last_update


def test_a_newer_version_renames_adds_and_reports_what_it_no_longer_lists(db, monkeypatch):
    load()
    current = next(p for p in official_provinces() if p.unit.code == PROVINCE)
    renamed, dropped = current.communes[0], current.communes[1]
    newer = OfficialProvince(
        current.unit,
        (
            replace(renamed, name="Xã Tên Mới"),
            *current.communes[2:],
            replace(renamed, code="99999", name="Phường Mới Lập"),
        ),
    )
    monkeypatch.setattr(official_tree, "official_provinces", lambda: [newer])
    monkeypatch.setattr(official_tree, "package_version", lambda: "2026.1.0")

    output = load()

    assert "gói vietnam-provinces 2026.1.0" in output
    assert f"Đổi tên {renamed.code}: “{renamed.name}” → “Xã Tên Mới”" in output
    assert f"Không còn trong danh mục (giữ nguyên, không xóa) {dropped.code}: {dropped.name}" in (
        output
    )
    assert "1 đơn vị mới, 1 đổi tên" in output
    unit = Organisation.objects.get(code=renamed.code)
    assert unit.name == "Xã Tên Mới"
    update = OrganisationHistory.objects.get(pgh_obj=unit, pgh_label="update")
    assert update.pgh_context.metadata["version"] == "2026.1.0"
    # Never deleted; the new one comes with its bodies.
    assert Organisation.objects.filter(code=dropped.code).exists()
    assert children_codes(Organisation.objects.get(code="99999")) == [
        f"99999-{suffix}" for suffix in COMMUNE_SUFFIXES
    ]
    assert Organisation.objects.find_problems() == ([], [], [], [], [])


def test_dry_run_writes_nothing(db):
    output = load("--dry-run")

    assert "chạy thử, chưa ghi gì" in output
    assert f"{1 + COMMUNES} đơn vị mới" in output
    assert Organisation.objects.count() == 0
    assert OrganisationHistory.objects.count() == 0


def test_units_already_in_the_tree_are_matched_by_code_not_duplicated(db):
    """As the demo has them: the root, the province, a body named its own way."""
    root = OrganisationFactory(name="Trung ương", code="TW", level=OrganisationLevel.CENTRAL)
    province = OrganisationFactory(
        name="Tỉnh Lai Châu", code=PROVINCE, level=OrganisationLevel.PROVINCE, parent=root
    )
    OrganisationFactory(name="Tỉnh Đoàn Lai Châu", code="12-DTN", parent=province)
    commune = next(p for p in official_provinces() if p.unit.code == PROVINCE).communes[0]
    # A former unit still holding an official code is left for a person to look at.
    OrganisationFactory(
        name=f"{commune.name} (cũ)", code=commune.code, parent=root, valid_to=date(2025, 6, 30)
    )

    output = load()

    assert Organisation.objects.filter(code=PROVINCE).count() == 1
    assert Organisation.objects.get(code="12-DTN").name == "Tỉnh Đoàn Lai Châu"
    assert Organisation.objects.get(code=commune.code).name == f"{commune.name} (cũ)"
    assert f"Mã {commune.code} đang thuộc đơn vị đã hết hiệu lực" in output
    assert f"{COMMUNES - 1} đơn vị mới" in output
    assert Organisation.objects.find_problems() == ([], [], [], [], [])
    province.refresh_from_db()
    assert province.numchild == Organisation.objects.get_children(province).count()


def test_the_template_of_bodies_is_what_the_loader_follows(db):
    StandardBody.objects.filter(level="commune", code_suffix="HCCB").update(active=False)
    StandardBody.objects.create(
        level="commune",
        code_suffix="CA",
        name_pattern="Công an {ten_don_vi}",
        kind=OrganisationKind.POLICE,
        position=99,
    )

    load()

    commune = Organisation.objects.filter(level=OrganisationLevel.COMMUNE, depth=3).first()
    assert children_codes(commune)[-1] == f"{commune.code}-CA"
    assert f"{commune.code}-HCCB" not in children_codes(commune)


def test_an_unknown_province_code_is_an_error(db):
    with pytest.raises(Exception, match="Không có tỉnh, thành phố mã “77”"):
        call_command("load_official_tree", "--province", "77", stdout=io.StringIO())


def test_the_admin_page_previews_then_loads_for_the_superuser(client_for, superuser):
    client = client_for(superuser)
    assert "Nạp danh mục đơn vị hành chính" in client.get(CHANGELIST).text

    preview = client.get(LOAD_PAGE, {"province": PROVINCE})
    assert preview.status_code == 200
    assert f"{1 + COMMUNES} đơn vị mới" in preview.text
    assert not Organisation.objects.filter(code=PROVINCE).exists()

    response = client.post(LOAD_PAGE, {"province": PROVINCE}, follow=True)
    assert response.redirect_chain[-1][0] == CHANGELIST
    assert f"{1 + COMMUNES} đơn vị mới" in response.text
    unit = Organisation.objects.get(code=PROVINCE)
    event = OrganisationHistory.objects.get(pgh_obj=unit, pgh_label="insert")
    assert event.pgh_context.metadata["user"] == superuser.pk


def test_the_admin_page_is_the_superusers_alone(client_for, admin_user):
    client = client_for(admin_user)
    assert client.get(CHANGELIST).status_code == 200
    assert "Nạp danh mục đơn vị hành chính" not in client.get(CHANGELIST).text
    assert client.get(LOAD_PAGE, {"province": PROVINCE}).status_code == 403
    assert client.post(LOAD_PAGE, {"province": PROVINCE}).status_code == 403
    assert not Organisation.objects.filter(code=PROVINCE).exists()
    assert client.get("/quan-tri/organisations/standardbody/").status_code == 403


def test_the_superuser_edits_the_template(client_for, superuser):
    response = client_for(superuser).get("/quan-tri/organisations/standardbody/")
    assert response.status_code == 200
    assert "Hội Nông dân {ten_don_vi}" in response.text


def test_former_units_come_by_the_import_as_the_readme_shows(client_for, superuser):
    from tests.organisations.test_import_export import confirm, preview, row, xlsx_file

    call_command("load_official_tree", "--province", "19", stdout=io.StringIO())
    unit_kind = "Chính quyền (Ủy ban nhân dân)"
    province_level, commune_level = "Tỉnh, thành phố", "Xã, phường, đặc khu"
    district_level = "Quận, huyện, thị xã, thành phố thuộc tỉnh (cũ)"
    end = "30/06/2025"
    upload = xlsx_file(
        [
            row("06", "TW", "Tỉnh Bắc Kạn (cũ)", province_level, unit_kind, end=end),
            row("058", "06", "Thành phố Bắc Kạn (cũ)", district_level, unit_kind, end=end),
            row("058-01840", "058", "Phường Đức Xuân (cũ)", commune_level, unit_kind, end=end),
            row(
                "01834",
                "058",
                "Phường Nguyễn Thị Minh Khai (cũ)",
                commune_level,
                unit_kind,
                end=end,
            ),
            row(
                "01840",
                "19",
                "Phường Đức Xuân",
                commune_level,
                unit_kind,
                start="01/07/2025",
                merged="058-01840, 01834",
            ),
            row("19", "TW", "Tỉnh Thái Nguyên", province_level, unit_kind, merged="06"),
        ]
    )
    client = client_for(superuser)
    response = confirm(client, preview(client, upload))
    assert response.status_code == 302, response.content.decode()[:2000]

    ward = Organisation.objects.get(code="01840")
    assert sorted(ward.merged_from.values_list("code", flat=True)) == ["01834", "058-01840"]
    assert ward.valid_from == date(2025, 7, 1)
    assert list(Organisation.objects.get(code="19").merged_from.values_list("code", flat=True)) == [
        "06"
    ]
    former = Organisation.objects.get(code="058-01840")
    assert former.valid_to == date(2025, 6, 30)
    assert Organisation.objects.get_parent(former).code == "058"
    # The loader, run again, leaves the imported units and links as they are.
    out = io.StringIO()
    call_command("load_official_tree", "--province", "19", stdout=out)
    assert "Không có thay đổi" in out.getvalue()
