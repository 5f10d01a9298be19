"""The home page's figures: a cadre's models by status, a reviewer's and an admin's key figures
of the current period with a link to the report; nothing for a user without a membership."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from models_registry.choices import Status
from models_registry.models import DanVanModel
from organisations import services as organisations
from organisations.choices import Role
from organisations.models import Organisation
from reports import panels
from reports.periods import default_period
from reports.selectors import key_figures, models_by_status, report_figures
from reviews.choices import CommendationForm
from tests.factories import DanVanModelFactory, UserFactory, user_with_role
from tests.reports.test_figures import published_round


def home(client) -> str:
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def figure(page: str, name: str) -> str:
    return re.search(rf'figure-{name}">([^<]*)<', page)[1]


@pytest.fixture
def registry(tree, cadre):
    """Models of the ward at every stage, counted in the current half-year, and one elsewhere."""
    now = timezone.now()
    made = {
        "draft": DanVanModelFactory(owning_unit=tree.ward, created_by=cadre),
        "returned": DanVanModelFactory(
            owning_unit=tree.residential, status=Status.RETURNED, submitted_at=now
        ),
        "submitted": DanVanModelFactory(
            owning_unit=tree.ward, status=Status.SUBMITTED, submitted_at=now
        ),
        "accepted": DanVanModelFactory(
            owning_unit=tree.ward, status=Status.ACCEPTED, submitted_at=now, accepted_at=now
        ),
        "recognised": DanVanModelFactory(
            owning_unit=tree.ward,
            status=Status.RECOGNISED,
            kind="exemplar",
            actor="individual",
            person_name="Nông Văn Hạnh",
            submitted_at=now,
            accepted_at=now,
            recognised_at=now,
        ),
        "province": DanVanModelFactory(
            owning_unit=tree.other_ward, status=Status.ACCEPTED, submitted_at=now, accepted_at=now
        ),
        "elsewhere": DanVanModelFactory(
            owning_unit=tree.other_province_ward,
            status=Status.ACCEPTED,
            submitted_at=now,
            accepted_at=now,
        ),
    }
    published_round(
        tree.province,
        timezone.localdate(),
        (made["recognised"], CommendationForm.PRAISE, False),
    )
    return made


def test_a_cadre_sees_their_models_by_status(client_for, registry, cadre):
    assert models_by_status(cadre) == {
        Status.DRAFT: 1,
        Status.RETURNED: 1,
        Status.SUBMITTED: 1,
        Status.ACCEPTED: 1,
        Status.RECOGNISED: 1,
    }
    page = home(client_for(cadre))
    assert "Mô hình, điển hình của đơn vị bạn" in page
    assert page.count('class="status-count"') == 5
    assert f'href="/mo-hinh/?status={Status.RETURNED}"' in page
    assert 'class="home-awaiting-count">2<' in page  # the draft and the returned one
    assert "home-figures" not in page  # no report figures for a cadre


def test_a_reviewer_sees_the_current_period_of_their_province(client_for, registry, reviewer, tree):
    page = home(client_for(reviewer))
    period = default_period()
    total = report_figures(reviewer, tree.province, period)["total"]
    assert key_figures(reviewer, tree.province, period) == total
    assert total["active"] == 3  # accepted, recognised, the other ward's
    assert f"Số liệu {period.name.lower()} – Tỉnh Thái Nguyên" in page
    assert figure(page, "active") == "3" == str(total["active"])
    assert figure(page, "new") == str(total["new"])
    assert figure(page, "recognised") == "1"
    assert "1</span> cá nhân" in page and "0</span> tập thể" in page
    link = f'href="{reverse("reports:report")}?don_vi={tree.province.pk}&amp;ky={period.key}"'
    assert link in page
    assert "home-statuses" not in page  # not a cadre


def test_an_admin_sees_the_same_for_their_province(client_for, registry, admin_user, tree):
    page = home(client_for(admin_user))
    assert "– Tỉnh Thái Nguyên" in page
    assert figure(page, "active") == "3"


def test_a_commune_reviewer_sees_their_commune(client_for, registry, tree):
    ward_reviewer = user_with_role(tree.ward, Role.REVIEWER, username="thamdinh.phuong")
    page = home(client_for(ward_reviewer))
    assert "– Phường Chùa Hang" in page
    assert figure(page, "active") == "2"  # not the other ward's


def test_the_top_unit_of_several_is_the_shallowest(client_for, registry, tree):
    user = user_with_role(tree.ward, Role.REVIEWER, username="hai.don.vi")
    organisations.membership_grant(user=user, organisation=tree.province, role=Role.ADMIN, by=None)
    assert "– Tỉnh Thái Nguyên" in home(client_for(user))


def test_large_figures_are_grouped(client_for, registry, reviewer, monkeypatch):
    def many(user, unit, period):
        counted = dict.fromkeys(
            ("active", "new", "recognised", "commended_collectives", "commended_individuals"), 0
        )
        return {**counted, "active": 1_234_567}

    monkeypatch.setattr(panels, "key_figures", many)
    assert figure(home(client_for(reviewer)), "active") == "1.234.567"


def test_one_key_figures_call_at_most(client_for, registry, tree, monkeypatch):
    user = user_with_role(tree.ward, Role.CADRE, username="ca.ba.vai.tro")
    organisations.membership_grant(user=user, organisation=tree.ward, role=Role.REVIEWER, by=None)
    organisations.membership_grant(user=user, organisation=tree.province, role=Role.ADMIN, by=None)
    calls = []

    def counted(*args):
        calls.append(args)
        return key_figures(*args)

    monkeypatch.setattr(panels, "key_figures", counted)
    page = home(client_for(user))
    assert len(calls) == 1
    assert "home-statuses" in page and "home-figures" in page


def test_the_home_page_query_count_stays_small(
    client_for, registry, reviewer, django_assert_max_num_queries
):
    client = client_for(reviewer)
    with django_assert_max_num_queries(20):
        home(client)
    # Asked again with nothing written: the kept counters and figures, a read of each version.
    with django_assert_max_num_queries(7):
        home(client)


@pytest.mark.parametrize("who", ["nobody", "superuser"])
def test_no_figures_without_a_membership(client_for, registry, superuser, who):
    user = superuser if who == "superuser" else UserFactory(username="chua.phan.quyen")
    page = home(client_for(user))
    assert "home-figures" not in page and "home-statuses" not in page


def test_a_cadre_of_an_empty_unit_is_told_so(client_for, tree):
    lonely = user_with_role(tree.other_ward, Role.CADRE, username="canbo.giasang")
    page = home(client_for(lonely))
    assert "Đơn vị bạn chưa có mô hình, điển hình nào trên cổng." in page


def test_the_figures_are_counted_again_after_a_write(client_for, registry, reviewer, tree):
    """Kept between requests, counted again after a model is accepted, after a commendation is
    published (no model written) and after the unit is renamed."""
    client = client_for(reviewer)
    page = home(client)
    assert figure(page, "active") == "3"
    assert "0</span> tập thể" in page
    with CaptureQueriesContext(connection) as captured:
        home(client)
    assert not [q for q in captured.captured_queries if "reports_indicatorcount" in q["sql"]]
    now = timezone.now()
    submitted = registry["submitted"]
    DanVanModel.objects.filter(pk=submitted.pk).update(status=Status.ACCEPTED, accepted_at=now)
    assert figure(home(client), "active") == "4"
    published_round(
        tree.province, timezone.localdate(), (registry["accepted"], CommendationForm.PRAISE, False)
    )
    assert "1</span> tập thể" in home(client)
    Organisation.objects.filter(pk=tree.province.pk).update(name="Tỉnh Thái Nguyên mới")
    assert "– Tỉnh Thái Nguyên mới" in home(client)


def test_the_figures_are_kept_apart_by_scope(client_for, registry, reviewer, tree):
    ward_reviewer = user_with_role(tree.ward, Role.REVIEWER, username="thamdinh.phuong")
    for user, active in ((reviewer, "3"), (ward_reviewer, "2"), (reviewer, "3")):
        assert figure(home(client_for(user)), "active") == active


def test_a_cadres_statuses_are_counted_again_after_a_write(client_for, registry, cadre, tree):
    client = client_for(cadre)
    assert home(client).count('class="status-count"') == 5
    with CaptureQueriesContext(connection) as captured:
        home(client)
    counted = '"models_registry_danvanmodel"."status" AS "status"'
    assert not [q for q in captured.captured_queries if counted in q["sql"]]
    DanVanModelFactory(owning_unit=tree.ward, status=Status.REJECTED)
    assert home(client).count('class="status-count"') == 6
    other = user_with_role(tree.other_ward, Role.CADRE, username="canbo.phuong.khac")
    assert home(client_for(other)).count('class="status-count"') == 1  # the other ward's
