"""Reports count every unit where it stood at the end of the period (the 2025 mergers by date).

The tree has the reform's shape: the former city of Hòa Bình, under the former province of Hòa
Bình (merged into Phú Thọ on 01/07/2025), held old wards that were merged, across the former
district line, into new wards hanging straight under Phú Thọ:

| unit | under | valid | merged into |
| Tỉnh Phú Thọ | — |  |  |
| Ban Dân vận Tỉnh ủy Phú Thọ | Phú Thọ |  |  |
| Tỉnh Hòa Bình (cũ) | — | to 30/06/25 | Phú Thọ |
| Thành phố Hòa Bình (cũ) | Hòa Bình (cũ) | to 30/06/25 | — |
| Ban Dân vận Thành ủy Hòa Bình (cũ) | the city | to 30/06/25 | — |
| Phường Phương Lâm (cũ) | the city | to 30/06/25 | Phường Hòa Bình |
| Phường Đồng Tiến (cũ) | the city | to 30/06/25 | Phường Hòa Bình |
| Huyện Cao Phong (cũ) | Hòa Bình (cũ) | to 30/06/25 | — |
| Xã Dân Hòa (cũ) | Cao Phong (cũ) | to 30/06/25 | Phường Tân Hòa |
| Phường Tân Hòa (cũ) | the city | to 30/06/25 | Phường Tân Hòa |
| Phường Hòa Bình | Phú Thọ | from 1/07/25 |  |
| Phường Tân Hòa | Phú Thọ | from 1/07/25 |  |

Models (field): a city body 2022 (economy); b Phương Lâm 2021 (culture); c Đồng Tiến 03/2023,
replicated from b (security); d Dân Hòa 2020 (politics); e Phương Lâm 2020, discontinued
10/05/2022 (economy); f Phường Hòa Bình 09/2025 (economy); g Ban Dân vận Tỉnh ủy 2022 (economy).
"""

import datetime

import pytest
from django.urls import reverse
from lxml import html

from models_registry.choices import Field, Status
from models_registry.models import DanVanModel
from organisations import services as organisation_services
from organisations.choices import OrganisationLevel, Role
from organisations.mergers import tree_changed
from organisations.models import Organisation
from reports.periods import half_period, year_period
from reports.selectors import MEASURE_KEYS, report_figures
from tests.conftest import registry_changed
from tests.db_snapshots import built_once
from tests.factories import DanVanModelFactory, OrganisationFactory, user_with_role
from tests.reports.test_figures import at

H1_2023 = half_period(2023, 1)
YEAR_2025 = year_period(2025)
YEAR_2026 = year_period(2026)
LAST_DAY = datetime.date(2025, 6, 30)
FIRST_DAY = datetime.date(2025, 7, 1)


@pytest.fixture
def reform(db, request):
    """The 2025 reform's units and models, written once and then copied back
    (tests/db_snapshots.py)."""
    return built_once(
        request,
        "reform",
        build_reform,
        keys=lambda built: {
            part: {name: row.pk for name, row in rows.items()} for part, rows in built.items()
        },
        load=load_reform,
        restored=reform_restored,
    )


def load_reform(pks: dict) -> dict:
    units = Organisation.objects.in_bulk(pks["units"].values())
    models = DanVanModel.objects.in_bulk(pks["models"].values())
    return {
        "units": {name: units[pk] for name, pk in pks["units"].items()},
        "models": {name: models[pk] for name, pk in pks["models"].items()},
    }


def reform_restored() -> None:
    tree_changed()
    registry_changed()


def build_reform() -> dict:
    def unit(name, code, parent=None, *, former=False, new=False, level=None):
        return OrganisationFactory(
            name=name,
            code=code,
            parent=parent,
            level=level
            or (OrganisationLevel.PROVINCE if parent is None else OrganisationLevel.COMMUNE),
            valid_to=LAST_DAY if former else None,
            valid_from=FIRST_DAY if new else None,
        )

    phu_tho = unit("Tỉnh Phú Thọ", "R25")
    phu_tho_body = unit("Ban Dân vận Tỉnh ủy Phú Thọ", "R25-BDV", phu_tho)
    hoa_binh = unit("Tỉnh Hòa Bình (cũ)", "R17", former=True)
    city = unit(
        "Thành phố Hòa Bình (cũ)", "R148", hoa_binh, former=True, level=OrganisationLevel.DISTRICT
    )
    city_body = unit("Ban Dân vận Thành ủy Hòa Bình (cũ)", "R148-BDV", city, former=True)
    phuong_lam = unit("Phường Phương Lâm (cũ)", "R04783", city, former=True)
    dong_tien = unit("Phường Đồng Tiến (cũ)", "R04786", city, former=True)
    old_tan_hoa = unit("Phường Tân Hòa (cũ)", "R04789", city, former=True)
    cao_phong = unit(
        "Huyện Cao Phong (cũ)", "R152", hoa_binh, former=True, level=OrganisationLevel.DISTRICT
    )
    dan_hoa = unit("Xã Dân Hòa (cũ)", "R04900", cao_phong, former=True)
    ward = unit("Phường Hòa Bình", "R04791", phu_tho, new=True)
    tan_hoa = unit("Phường Tân Hòa", "R04792", phu_tho, new=True)
    set_predecessors = organisation_services.organisation_set_predecessors
    set_predecessors(organisation=phu_tho, predecessors=[hoa_binh], by=None)
    set_predecessors(organisation=ward, predecessors=[phuong_lam, dong_tien], by=None)
    set_predecessors(organisation=tan_hoa, predecessors=[old_tan_hoa, dan_hoa], by=None)

    def accepted(owner, name, field, day, **extra):
        return DanVanModelFactory(
            owning_unit=owner,
            name=name,
            field=field,
            status=extra.pop("status", Status.ACCEPTED),
            submitted_at=day - datetime.timedelta(days=10),
            accepted_at=day,
            **extra,
        )

    b = accepted(phuong_lam, "b", Field.CULTURE_SOCIETY, at(2, 3, 2021))
    models = {
        "a": accepted(city_body, "a", Field.ECONOMY, at(5, 4, 2022)),
        "b": b,
        "c": accepted(dong_tien, "c", Field.SECURITY_DEFENCE, at(6, 3, 2023), replicated_from=b),
        "d": accepted(dan_hoa, "d", Field.POLITICAL_SYSTEM, at(7, 8, 2020)),
        "e": accepted(
            phuong_lam,
            "e",
            Field.ECONOMY,
            at(1, 2, 2020),
            status=Status.DISCONTINUED,
            discontinued_at=at(10, 5, 2022),
        ),
        "f": accepted(ward, "f", Field.ECONOMY, at(9, 9, 2025)),
        "g": accepted(phu_tho_body, "g", Field.ECONOMY, at(3, 3, 2022)),
    }
    units = {
        name: Organisation.objects.get(pk=value.pk)
        for name, value in locals().items()
        if isinstance(value, Organisation)
    }
    return {"units": units, "models": models}


@pytest.fixture
def national(reform):
    """Someone who sees both provinces, the former one included."""
    return user_with_role(reform["units"]["phu_tho"], Role.REVIEWER, username="thamdinh-pt")


def rows_of(figures, measure="active"):
    return {(row["name"], row["note"]): row["total"][measure] for row in figures["children"]}


def assert_rows_add_up(figures):
    for measure in MEASURE_KEYS:
        assert (
            sum(row["total"][measure] for row in figures["children"]) == (figures["total"][measure])
        ), measure


def test_a_former_city_before_its_merger_shows_everything_it_held(reform, national):
    figures = report_figures(national, reform["units"]["city"], H1_2023)
    # e stopped in 2022; b and c stood under the city on 30/06/2023, though they now belong to
    # a ward under Phú Thọ.
    assert figures["total"]["active"] == 3
    assert figures["total"]["new"] == 1  # c
    assert figures["total"]["replicated"] == 1  # c, replicated from b
    assert figures["by_field"]["security_defence"]["active"] == 1
    assert rows_of(figures) == {
        ("Ban Dân vận Thành ủy Hòa Bình (cũ)", ""): 1,
        ("Phường Phương Lâm (cũ)", ""): 1,
        ("Phường Đồng Tiến (cũ)", ""): 1,
        ("Phường Tân Hòa (cũ)", ""): 0,  # it existed, with nothing registered
    }
    assert_rows_add_up(figures)
    assert figures["structure_date"] == "2023-06-30"


def test_the_former_province_before_its_merger(reform, national):
    figures = report_figures(national, reform["units"]["hoa_binh"], H1_2023)
    assert figures["total"]["active"] == 4  # a b c d
    assert rows_of(figures) == {
        ("Thành phố Hòa Bình (cũ)", ""): 3,
        ("Huyện Cao Phong (cũ)", ""): 1,
    }
    assert_rows_add_up(figures)


def test_the_successor_province_for_the_same_period(reform, national):
    figures = report_figures(national, reform["units"]["phu_tho"], H1_2023)
    assert figures["total"]["active"] == 5  # the former province's four, and g
    # The new wards did not exist: no rows; their predecessors count where they stood.
    assert rows_of(figures) == {
        ("Tỉnh Hòa Bình (cũ)", "sáp nhập từ 01/07/2025"): 4,
        ("Ban Dân vận Tỉnh ủy Phú Thọ", ""): 1,
    }
    assert_rows_add_up(figures)
    former = next(row for row in figures["children"] if row["name"] == "Tỉnh Hòa Bình (cũ)")
    drilled = report_figures(national, reform["units"]["hoa_binh"], H1_2023)
    assert former["drill"] and drilled["total"] == former["total"]


def test_a_new_ward_for_a_period_before_it_existed_shows_its_predecessors(reform, national):
    figures = report_figures(national, reform["units"]["ward"], H1_2023)
    assert figures["total"]["active"] == 2  # b and c; e had stopped
    assert rows_of(figures) == {
        ("Phường Phương Lâm (cũ)", "sáp nhập từ 01/07/2025"): 1,
        ("Phường Đồng Tiến (cũ)", "sáp nhập từ 01/07/2025"): 1,
    }
    assert_rows_add_up(figures)


def test_after_the_merger_each_unit_counts_under_its_successor(reform, national):
    figures = report_figures(national, reform["units"]["phu_tho"], YEAR_2026)
    assert figures["total"]["active"] == 6  # all but e
    assert rows_of(figures) == {
        ("Phường Hòa Bình", ""): 3,  # b c f
        ("Phường Tân Hòa", ""): 1,  # d, from across the former district line
        ("Tỉnh Hòa Bình (cũ)", "sáp nhập từ 01/07/2025"): 1,  # a: the city body has no heir
        ("Ban Dân vận Tỉnh ủy Phú Thọ", ""): 1,
    }
    assert_rows_add_up(figures)
    for row in figures["children"]:
        drilled = report_figures(national, Organisation.objects.get(pk=row["id"]), YEAR_2026)
        assert drilled["total"] == row["total"], row["name"]
    # The former city keeps only what did not go to a new ward.
    city = report_figures(national, reform["units"]["city"], YEAR_2026)
    assert city["total"]["active"] == 1


def test_the_year_on_year_columns_use_the_same_structure(reform, national):
    figures = report_figures(national, reform["units"]["ward"], YEAR_2026)
    funnel = {stage["key"]: stage for stage in figures["funnel"]}
    # 2025, counted as the ward stood at 31/12/2026: f was accepted in it.
    assert funnel["accepted"]["previous"] == 1
    earlier = report_figures(national, reform["units"]["ward"], YEAR_2025)
    assert earlier["total"]["new"] == funnel["accepted"]["previous"]


def test_a_period_spanning_the_merger_states_its_rule(reform, national, client_for):
    figures = report_figures(national, reform["units"]["phu_tho"], YEAR_2025)
    # 2025 ends after the merger: counted as at 31/12/2025, the new wards hold the old ones.
    assert rows_of(figures)[("Phường Hòa Bình", "")] == 3
    page = client_for(national).get(
        reverse("reports:report"), {"don_vi": reform["units"]["phu_tho"].pk, "ky": "2025"}
    )
    document = html.fromstring(page.content.decode())
    rule = document.xpath("//*[@data-structure-rule]")[0].text_content()
    assert rule == "theo cơ cấu tổ chức tại 31/12/2025"


def test_the_page_drills_down_to_the_former_province_historic_report(reform, national, client_for):
    client = client_for(national)
    page = client.get(
        reverse("reports:report"), {"don_vi": reform["units"]["phu_tho"].pk, "ky": "2023-6t1"}
    )
    document = html.fromstring(page.content.decode())
    link = document.xpath(
        "//table[@id='bang-2']//a[@class='drill-down'][contains(., 'Tỉnh Hòa Bình (cũ)')]"
    )[0]
    row = link.xpath("ancestor::tr")[0]
    assert "sáp nhập từ 01/07/2025" in row.text_content()
    drilled = html.fromstring(client.get(link.get("href")).content.decode())
    total = drilled.xpath("//table[@id='bang-1']//tr[@data-row='active']/td[@data-column='total']")
    assert total[0].text_content().strip() == "4"


def test_people_still_see_their_predecessors_records(reform):
    from models_registry.models import DanVanModel

    cadre = user_with_role(reform["units"]["ward"], Role.CADRE, username="canbo-hb")
    names = set(DanVanModel.objects.visible_to(cadre).values_list("name", flat=True))
    assert names == {"b", "c", "e", "f"}
