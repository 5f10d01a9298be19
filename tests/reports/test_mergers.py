"""Units merged into others (the 2025 mergers) roll up under their successor in the child table,
and each row shows what the drilled-down report of its unit shows.

The province (Tỉnh Thái Nguyên) gets, besides the shared tree:

| unit                | where                          | merged into                 | model |
| Huyện Đồng Hỷ (cũ)  | former district, child of P    | —                           | m3    |
| Xã Hóa Thượng (cũ)  | old commune under the district | Xã Đồng Hỷ (new, P's child) | m1    |
| Tổ dân phố 5 (cũ)   | under Xã Hóa Thượng (cũ)       | Tổ dân phố 9 (under a ward) | m2    |
| Xã Hợp Tiến (cũ)    | old commune under the district | Phường Quan Hoa (elsewhere) | m7    |
| Xã Đồng Hỷ          | new commune, child of P        | —                           | m6    |
| Xã Tân Long (cũ)    | a root, outside the province   | Tổ dân phố 9 (a grandchild) | m4    |
| Xã Nông Thượng (cũ) | under the merged-in province   | Xã Đồng Hỷ                  | m5    |

Fields: m2 culture, m3 security, m4 political system, the others economy.
All seven models are accepted in 2025; m1 is commended (Giấy khen) in a 2025 round. Hand count of
the province's child table for 2025 (active):
- Xã Đồng Hỷ: m1 m5 m6 = 3 (economy 3), one commended collective;
- Phường Chùa Hang: m2 (via Tổ dân phố 9) and m4 = 2 (culture 1, politics 1);
- Huyện Đồng Hỷ (cũ): m3 = 1 (its old communes count under their successors);
- Tỉnh Bắc Kạn (cũ), merged in: 0 (Xã Nông Thượng counts under Xã Đồng Hỷ);
- Phường Gia Sàng: 0; no row for Xã Hóa Thượng (cũ) nor Xã Tân Long (cũ).
Total 6: m7 went to the other province, whose report counts it.
"""

import datetime

import pytest
from django.urls import reverse
from lxml import html

from models_registry.choices import Status
from organisations import services as organisation_services
from organisations.choices import OrganisationLevel
from organisations.models import Organisation
from reports.periods import year_period
from reports.selectors import MEASURE_KEYS, report_figures
from reviews.choices import CommendationForm
from tests.factories import DanVanModelFactory, OrganisationFactory
from tests.reports.test_figures import at, published_round

YEAR = year_period(2025)


@pytest.fixture
def merged(tree):
    former = datetime.date(2025, 6, 30)
    district = OrganisationFactory(
        name="Huyện Đồng Hỷ (cũ)",
        code="T19-DH",
        parent=tree.province,
        level=OrganisationLevel.DISTRICT,
        valid_to=former,
    )
    old_commune = OrganisationFactory(
        name="Xã Hóa Thượng (cũ)", code="T19-DH-HT", parent=district, valid_to=former
    )
    old_residential = OrganisationFactory(
        name="Tổ dân phố 5 (cũ)",
        code="T19-DH-HT-5",
        parent=old_commune,
        level=OrganisationLevel.RESIDENTIAL,
        valid_to=former,
    )
    leaving = OrganisationFactory(
        name="Xã Hợp Tiến (cũ)", code="T19-DH-HTI", parent=district, valid_to=former
    )
    new_commune = OrganisationFactory(name="Xã Đồng Hỷ", code="T19-XDH", parent=tree.province)
    outsider = OrganisationFactory(name="Xã Tân Long (cũ)", code="T19-TL", valid_to=former)
    from_merged_province = OrganisationFactory(
        name="Xã Nông Thượng (cũ)", code="T06-NT", parent=tree.former_province, valid_to=former
    )
    set_predecessors = organisation_services.organisation_set_predecessors
    set_predecessors(
        organisation=new_commune, predecessors=[old_commune, from_merged_province], by=None
    )
    set_predecessors(
        organisation=tree.residential, predecessors=[old_residential, outsider], by=None
    )
    set_predecessors(organisation=tree.other_province_ward, predecessors=[leaving], by=None)

    def accepted(unit, name, field):
        return DanVanModelFactory(
            owning_unit=unit,
            name=name,
            field=field,
            status=Status.ACCEPTED,
            submitted_at=at(1, 2, 2025),
            accepted_at=at(1, 3, 2025),
        )

    models = {
        "m1": accepted(old_commune, "m1", "economy"),
        "m2": accepted(old_residential, "m2", "culture_society"),
        "m3": accepted(district, "m3", "security_defence"),
        "m4": accepted(outsider, "m4", "political_system"),
        "m5": accepted(from_merged_province, "m5", "economy"),
        "m6": accepted(new_commune, "m6", "economy"),
        "m7": accepted(leaving, "m7", "economy"),
    }
    published_round(
        tree.province,
        datetime.date(2025, 11, 18),
        (models["m1"], CommendationForm.CERTIFICATE, False),
    )
    return {"district": district, "new_commune": new_commune, "models": models}


def test_merged_units_count_under_their_successor(merged, tree, reviewer):
    figures = report_figures(reviewer, tree.province, YEAR)
    rows = {row["name"]: row for row in figures["children"]}
    assert set(rows) == {
        "Xã Đồng Hỷ",
        "Phường Chùa Hang",
        "Huyện Đồng Hỷ (cũ)",
        "Phường Gia Sàng",
        "Tỉnh Bắc Kạn (cũ)",
    }
    new_commune = rows["Xã Đồng Hỷ"]
    assert new_commune["total"]["active"] == 3  # m1 m5 m6
    assert new_commune["counts"]["active"]["economy"] == 3
    assert new_commune["total"]["commended_collectives"] == 1  # m1, commended in its new row
    ward = rows["Phường Chùa Hang"]
    assert ward["total"]["active"] == 2  # m2 through Tổ dân phố 9, m4 from outside
    assert ward["counts"]["active"]["culture_society"] == 1
    assert ward["counts"]["active"]["political_system"] == 1
    assert rows["Huyện Đồng Hỷ (cũ)"]["total"]["active"] == 1  # m3 only
    assert rows["Tỉnh Bắc Kạn (cũ)"]["total"]["active"] == 0
    assert rows["Tỉnh Bắc Kạn (cũ)"]["note"] == "sáp nhập vào"
    assert figures["total"]["active"] == 6  # m7 left for the other province
    assert figures["total"]["commended_collectives"] == 1
    for measure in MEASURE_KEYS:
        assert (
            sum(row["total"][measure] for row in figures["children"]) == (figures["total"][measure])
        ), measure


def test_each_row_equals_the_report_of_its_unit(merged, tree, reviewer):
    figures = report_figures(reviewer, tree.province, YEAR)
    for row in figures["children"]:
        if not row["drill"]:
            continue
        unit = Organisation.objects.get(pk=row["id"])
        drilled = report_figures(reviewer, unit, YEAR)
        assert drilled["total"] == row["total"], row["name"]
        by_field = {key: counts["active"] for key, counts in drilled["by_field"].items()}
        assert by_field == row["counts"]["active"], row["name"]


def test_a_unit_merged_elsewhere_counts_there_only(merged, tree, other_reviewer, reviewer):
    theirs = report_figures(other_reviewer, tree.other_province, YEAR)
    assert theirs["total"]["active"] == 1  # m7
    district = report_figures(reviewer, merged["district"], YEAR)
    assert district["total"]["active"] == 1  # m3: its old communes went to their successors
    assert {row["name"] for row in district["children"]} == {"Huyện Đồng Hỷ (cũ)"}
    # A merged-away unit's own report still shows what it held, less the parts of it that
    # were merged on their own (Tổ dân phố 5 counts under Tổ dân phố 9).
    old_commune = Organisation.objects.get(code="T19-DH-HT")
    assert report_figures(reviewer, old_commune, YEAR)["total"]["active"] == 1  # m1


def test_the_data_sheet_lists_the_same_models(merged, tree, reviewer):
    from reports.selectors import report_model_rows

    names = {row[1] for row in report_model_rows(reviewer, tree.province, YEAR)}
    assert names == {"m1", "m2", "m3", "m4", "m5", "m6"}


def test_clicking_a_row_shows_its_totals(merged, tree, reviewer, client_for):
    client = client_for(reviewer)
    report = reverse("reports:report")
    document = html.fromstring(
        client.get(report, {"don_vi": tree.province.pk, "ky": "2025"}).content.decode()
    )
    links = document.xpath("//table[@id='bang-2']//a[@class='drill-down']")
    assert len(links) == 5
    for link in links:
        row = link.xpath("ancestor::tr")[0]
        clicked = {td.get("data-column"): td.text_content().strip() for td in row.xpath("td")}
        drilled = html.fromstring(client.get(link.get("href")).content.decode())
        for measure in MEASURE_KEYS:
            total = drilled.xpath(
                f"//table[@id='bang-1']//tr[@data-row='{measure}']/td[@data-column='total']"
            )[0]
            assert clicked[measure] == total.text_content().strip(), (link.text, measure)


def test_many_mergers_in_one_former_district(tree, reviewer):
    """Ten old residential areas of two old communes, each merged on its own, alternately into a
    new commune and into a ward: the rows come out right however the rules are nested."""
    district = OrganisationFactory(
        name="Huyện Phú Lương (cũ)",
        code="T19-PL",
        parent=tree.province,
        level=OrganisationLevel.DISTRICT,
    )
    new_commune = OrganisationFactory(name="Xã Phú Lương", code="T19-XPL", parent=tree.province)
    heirs = {new_commune.pk: [], tree.other_ward.pk: []}
    for letter in ("a", "b"):
        commune = OrganisationFactory(
            name=f"Xã cũ {letter}", code=f"T19-PL-{letter}", parent=district
        )
        DanVanModelFactory(
            owning_unit=commune,
            status=Status.ACCEPTED,
            submitted_at=at(1, 2, 2025),
            accepted_at=at(1, 3, 2025),
        )
        for number in range(5):
            area = OrganisationFactory(
                name=f"Tổ cũ {letter}{number}",
                code=f"T19-PL-{letter}{number}",
                parent=commune,
                level=OrganisationLevel.RESIDENTIAL,
            )
            heir = new_commune if number % 2 == 0 else tree.other_ward
            heirs[heir.pk].append(area)
            DanVanModelFactory(
                owning_unit=area,
                status=Status.ACCEPTED,
                submitted_at=at(1, 2, 2025),
                accepted_at=at(1, 3, 2025),
            )
    set_predecessors = organisation_services.organisation_set_predecessors
    set_predecessors(organisation=new_commune, predecessors=heirs[new_commune.pk], by=None)
    set_predecessors(organisation=tree.other_ward, predecessors=heirs[tree.other_ward.pk], by=None)

    figures = report_figures(reviewer, tree.province, YEAR)
    rows = {row["name"]: row["total"]["active"] for row in figures["children"]}
    assert rows["Xã Phú Lương"] == 6  # a0 a2 a4 b0 b2 b4
    assert rows["Phường Gia Sàng"] == 4  # a1 a3 b1 b3
    assert rows["Huyện Phú Lương (cũ)"] == 2  # the two old communes' own models
    assert figures["total"]["active"] == 12
    for name in ("Xã Phú Lương", "Phường Gia Sàng", "Huyện Phú Lương (cũ)"):
        unit = Organisation.objects.get(name=name)
        assert report_figures(reviewer, unit, YEAR)["total"]["active"] == rows[name], name


def test_a_kept_scope_follows_a_unit_s_new_dates(tree):
    """A scope is kept under the tree's version, which a unit's new end date moves on: the
    merger then takes effect on its new day in the next report."""
    from reports.scope import _report_scope, report_scope

    as_of = datetime.date(2025, 3, 31)
    former = OrganisationFactory(
        name="Xã Cù Vân (cũ)",
        code="T19-CV",
        parent=tree.province,
        valid_to=datetime.date(2025, 6, 30),
    )
    organisation_services.organisation_set_predecessors(
        organisation=tree.ward, predecessors=[former], by=None
    )
    ward = Organisation.objects.get(pk=tree.ward.pk)
    before = report_scope(ward, as_of)
    assert report_scope(ward, as_of) is before  # kept
    assert dict(before.predecessor_rows)[former.path] == datetime.date(2025, 7, 1)

    Organisation.objects.filter(pk=former.pk).update(valid_to=datetime.date(2024, 12, 31))
    after = report_scope(ward, as_of)
    assert dict(after.predecessor_rows)[former.path] == datetime.date(2025, 1, 1)
    assert after == _report_scope(ward, as_of, None)
