"""The demo data: the seeds' tree in today's two-tier shape, one user per role, idempotent."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from organisations.models import Membership, Organisation

pytestmark = pytest.mark.django_db


def visible_names(username):
    user = get_user_model().objects.get(username=username)
    return set(Organisation.objects.visible_to(user).values_list("name", flat=True))


def test_load_demo_is_idempotent():
    call_command("load_demo", verbosity=0)
    counts = (
        Organisation.objects.count(),
        get_user_model().objects.count(),
        Membership.objects.count(),
        Organisation.merged_from.through.objects.count(),
    )
    call_command("load_demo", verbosity=0)
    assert counts == (
        Organisation.objects.count(),
        get_user_model().objects.count(),
        Membership.objects.count(),
        Organisation.merged_from.through.objects.count(),
    )


def test_demo_tree_follows_the_seeds_and_rolls_up_former_units():
    call_command("load_demo", verbosity=0)
    thai_nguyen = visible_names("thamdinh.thainguyen")
    assert {
        "Phường Chùa Hang",
        "Tổ dân phố 9",
        "Thành phố Bắc Kạn (cũ)",
        "Phường Đức Xuân",
        "Phường Nguyễn Thị Minh Khai",
        "Tổ 15",
        "Xã Nông Thượng",
        "Thôn Khuổi Chang",
    } <= thai_nguyen
    assert "Phường Quan Hoa" not in thai_nguyen

    assert {"Xã Mông Hóa", "Phường Kỳ Sơn"} <= visible_names("thamdinh.phutho")
    assert {"Chi bộ số 40", "Hội Liên hiệp Phụ nữ phường Quan Hoa", "Phường Dịch Vọng"} <= (
        visible_names("thamdinh.hanoi")
    )
    assert visible_names("canbo.quanhoa") >= {"Hội Liên hiệp Phụ nữ phường Quan Hoa"}
    assert "Phường Trung Hòa" not in visible_names("canbo.quanhoa")
    assert Organisation.objects.get(code="01-CAUGIAY").valid_to.isoformat() == "2025-06-30"


def test_demo_users_cover_every_role_at_commune_and_province_level():
    call_command("load_demo", verbosity=0)
    levels_by_role = {}
    for membership in Membership.objects.select_related("organisation"):
        levels_by_role.setdefault(membership.role, set()).add(membership.organisation.level)
    for role in ("cadre", "reviewer", "admin"):
        assert {"commune", "province"} <= levels_by_role[role]
    assert get_user_model().objects.get(username="quantri").is_superuser
