"""The account pages over HTTP: scope, the rules of who may do what, one-time passwords,
deactivation and sessions, and the audit trail."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from accounts.models import AccountProfile
from organisations.choices import Role
from organisations.models import Membership
from tests.factories import DEFAULT_PASSWORD, user_with_role

User = get_user_model()


@pytest.fixture
def ward_admin(tree):
    return user_with_role(tree.ward, Role.ADMIN, username="quantri.chuahang")


@pytest.fixture
def ward_cadre(tree):
    return user_with_role(
        tree.residential, Role.CADRE, username="canbo.to9", first_name="Lê Thị Hoà"
    )


@pytest.fixture
def other_ward_cadre(tree):
    return user_with_role(tree.other_ward, Role.CADRE, username="canbo.giasang")


def url(name, *args):
    return reverse(f"accounts:{name}", args=args)


def logged_in(user, password=DEFAULT_PASSWORD) -> Client:
    """A fresh client logged in through the log-in page, as a person would."""
    client = Client()
    response = client.post(reverse("login"), {"username": user.username, "password": password})
    assert response.status_code == 302, response.content.decode()[:2000]
    return client


# --- Scope -------------------------------------------------------------------------------------


def test_list_shows_only_the_admins_subtree(client_for, ward_admin, ward_cadre, other_ward_cadre):
    response = client_for(ward_admin).get(url("account_list"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "canbo.to9" in page
    assert "canbo.giasang" not in page


def test_province_admin_sees_all_of_the_province(
    client_for, admin_user, ward_cadre, other_ward_cadre, other_reviewer
):
    page = client_for(admin_user).get(url("account_list")).content.decode()
    assert "canbo.to9" in page
    assert "canbo.giasang" in page
    assert "thamdinh.khac" not in page


def test_search_ignores_diacritics_and_finds_phone(client_for, admin_user, ward_cadre):
    AccountProfile.objects.create(user=ward_cadre, phone="0912345678")
    client = client_for(admin_user)
    assert "canbo.to9" in client.get(url("account_list"), {"q": "le thi hoa"}).content.decode()
    assert "canbo.to9" in client.get(url("account_list"), {"q": "345678"}).content.decode()
    assert "canbo.to9" not in client.get(url("account_list"), {"q": "nguyen"}).content.decode()


def test_filters_by_unit_role_and_state(client_for, tree, admin_user, ward_cadre, other_ward_cadre):
    client = client_for(admin_user)
    page = client.get(url("account_list"), {"unit": tree.ward.pk}).content.decode()
    assert "canbo.to9" in page and "canbo.giasang" not in page
    page = client.get(url("account_list"), {"role": Role.ADMIN}).content.decode()
    assert "canbo.to9" not in page and "quantri" in page
    User.objects.filter(pk=ward_cadre.pk).update(is_active=False)
    page = client.get(url("account_list"), {"active": "0"}).content.decode()
    assert "canbo.to9" in page and "canbo.giasang" not in page


def test_people_outside_the_subtree_are_404_for_every_page_and_action(
    client_for, ward_admin, other_ward_cadre, admin_user
):
    client = client_for(ward_admin)
    for person in (other_ward_cadre, admin_user):
        assert client.get(url("account_detail", person.pk)).status_code == 404
        for action in (
            "account_deactivate",
            "account_reactivate",
            "account_password_reset",
            "account_sessions_end",
            "account_second_factor_reset",
            "account_update",
            "account_role_grant",
        ):
            assert client.post(url(action, person.pk), {"full_name": "X"}).status_code == 404
    other_ward_cadre.refresh_from_db()
    assert other_ward_cadre.is_active
    assert other_ward_cadre.check_password(DEFAULT_PASSWORD)


def test_a_person_with_one_role_outside_is_not_manageable(client_for, tree, ward_admin, ward_cadre):
    from organisations.services import membership_grant

    membership_grant(user=ward_cadre, organisation=tree.other_ward, role=Role.CADRE, by=None)
    client = client_for(ward_admin)
    assert client.get(url("account_detail", ward_cadre.pk)).status_code == 404
    assert "canbo.to9" not in client.get(url("account_list")).content.decode()


def test_people_without_admin_role_have_no_account_pages(client_for, cadre, reviewer):
    for user in (cadre, reviewer):
        assert client_for(user).get(url("account_list")).status_code == 404


def test_superusers_are_never_shown_nor_touched(client_for, tree, admin_user, superuser):
    from organisations.services import membership_grant

    membership_grant(user=superuser, organisation=tree.ward, role=Role.CADRE, by=None)
    client = client_for(admin_user)
    assert "sieuquantri" not in client.get(url("account_list")).content.decode()
    assert client.get(url("account_detail", superuser.pk)).status_code == 404
    assert client.post(url("account_deactivate", superuser.pk)).status_code == 404
    superuser.refresh_from_db()
    assert superuser.is_active


def test_create_form_cannot_make_staff_or_superusers(client_for, tree, admin_user):
    response = client_for(admin_user).post(
        url("account_create"),
        {
            "full_name": "Trần Văn Bình",
            "email": "binh@example.vn",
            "unit": tree.ward.pk,
            "role": Role.CADRE,
            "is_superuser": "on",
            "is_staff": "on",
        },
    )
    assert response.status_code == 200
    person = User.objects.get(email="binh@example.vn")
    assert not person.is_superuser and not person.is_staff


# --- Roles -------------------------------------------------------------------------------------


def test_commune_admin_cannot_grant_a_role_above_their_unit(
    client_for, tree, ward_admin, ward_cadre
):
    response = client_for(ward_admin).post(
        url("account_role_grant", ward_cadre.pk), {"unit": tree.province.pk, "role": Role.ADMIN}
    )
    assert response.status_code == 400
    assert "không thuộc phạm vi quản trị của bạn" in response.content.decode()
    assert not Membership.objects.filter(user=ward_cadre, role=Role.ADMIN).exists()


def test_commune_admin_grants_admin_on_their_unit_or_below(
    client_for, tree, ward_admin, ward_cadre
):
    response = client_for(ward_admin).post(
        url("account_role_grant", ward_cadre.pk), {"unit": tree.residential.pk, "role": Role.ADMIN}
    )
    assert response.status_code == 302
    assert Membership.objects.filter(
        user=ward_cadre, organisation=tree.residential, role=Role.ADMIN
    ).exists()


def test_province_admin_can_raise_a_cadre_to_admin_of_the_province(
    client_for, tree, admin_user, ward_cadre
):
    response = client_for(admin_user).post(
        url("account_role_grant", ward_cadre.pk), {"unit": tree.province.pk, "role": Role.ADMIN}
    )
    assert response.status_code == 302
    ward_cadre.refresh_from_db()
    assert ward_cadre.is_staff  # the admin role opens the admin site, as membership_grant does


def test_the_service_refuses_out_of_scope_units_whatever_the_form(tree, ward_admin, ward_cadre):
    from django.core.exceptions import ValidationError

    from accounts import services

    with pytest.raises(ValidationError, match="phạm vi"):
        services.account_role_grant(
            user=ward_cadre, organisation=tree.province, role=Role.ADMIN, by=ward_admin
        )


def test_revoke_a_role_but_never_the_last(client_for, tree, admin_user, ward_cadre):
    client = client_for(admin_user)
    only = ward_cadre.memberships.get()
    response = client.post(url("account_role_revoke", ward_cadre.pk, only.pk), follow=True)
    assert "vai trò cuối cùng" in response.content.decode()
    assert Membership.objects.filter(pk=only.pk).exists()

    client.post(
        url("account_role_grant", ward_cadre.pk), {"unit": tree.ward.pk, "role": Role.REVIEWER}
    )
    response = client.post(url("account_role_revoke", ward_cadre.pk, only.pk))
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=only.pk).exists()


def test_admins_cannot_act_on_themselves(client_for, admin_user):
    client = client_for(admin_user)
    assert client.get(url("account_detail", admin_user.pk)).status_code == 200
    response = client.post(url("account_deactivate", admin_user.pk), follow=True)
    assert "chính mình" in response.content.decode()
    admin_user.refresh_from_db()
    assert admin_user.is_active


# --- One-time passwords ------------------------------------------------------------------------


def one_time_password_on(response) -> str:
    match = re.search(r'id="mat-khau-mot-lan">([^<]+)<', response.content.decode())
    assert match, response.content.decode()[:3000]
    return match.group(1)


def test_create_then_forced_password_change_end_to_end(client_for, tree, admin_user):
    response = client_for(admin_user).post(
        url("account_create"),
        {
            "full_name": "Nguyễn Văn An",
            "email": "an@example.vn",
            "phone": "0912 345 678",
            "unit": tree.ward.pk,
            "role": Role.CADRE,
        },
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    password = one_time_password_on(response)
    person = User.objects.get(username="nguyen.van.an")
    assert person.account_profile.phone == "0912345678"
    assert person.memberships.get().organisation == tree.ward

    client = logged_in(person, password)
    for page in (reverse("home"), reverse("models_registry:model_list")):
        response = client.get(page)
        assert response.status_code == 302
        assert response["Location"] == reverse("password_change")
    assert client.get(reverse("password_change")).status_code == 200

    response = client.post(
        reverse("password_change"),
        {
            "old_password": password,
            "new_password1": "Mat-khau-rieng-cua-An-2026",
            "new_password2": "Mat-khau-rieng-cua-An-2026",
        },
    )
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    person.account_profile.refresh_from_db()
    assert not person.account_profile.must_change_password


def test_create_refuses_a_unit_outside_and_a_taken_email(client_for, tree, ward_admin, ward_cadre):
    ward_cadre.email = "hoa@example.vn"
    ward_cadre.save()
    client = client_for(ward_admin)
    response = client.post(
        url("account_create"),
        {"full_name": "A", "unit": tree.other_ward.pk, "role": Role.CADRE},
    )
    assert response.status_code == 400
    assert "không thuộc phạm vi quản trị của bạn" in response.content.decode()
    response = client.post(
        url("account_create"),
        {"full_name": "B", "email": "HOA@example.vn", "unit": tree.ward.pk, "role": Role.CADRE},
    )
    assert response.status_code == 400
    assert "đã được dùng" in response.content.decode()
    assert not User.objects.filter(first_name__in=["A", "B"]).exists()


def test_password_reset_gives_a_one_time_password_and_ends_sessions(
    client_for, admin_user, ward_cadre
):
    their_client = logged_in(ward_cadre)
    assert their_client.get(reverse("home")).status_code == 200

    response = client_for(admin_user).post(url("account_password_reset", ward_cadre.pk))
    password = one_time_password_on(response)

    assert their_client.get(reverse("home")).status_code == 302  # logged out
    client = logged_in(ward_cadre, password)
    assert client.get(reverse("home"))["Location"] == reverse("password_change")


# --- Deactivation and sessions -----------------------------------------------------------------


def test_a_deactivated_persons_open_session_ends_at_the_next_request(
    client_for, admin_user, ward_cadre
):
    their_client = logged_in(ward_cadre)
    assert their_client.get(reverse("home")).status_code == 200
    # Even with the session row left in place, Django's backend refuses an inactive user.
    User.objects.filter(pk=ward_cadre.pk).update(is_active=False)
    response = their_client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_deactivate_through_the_page_logs_out_and_blocks_log_in(client_for, admin_user, ward_cadre):
    their_client = logged_in(ward_cadre)
    response = client_for(admin_user).post(url("account_deactivate", ward_cadre.pk))
    assert response.status_code == 302
    assert their_client.get(reverse("home")).status_code == 302
    response = Client().post(
        reverse("login"), {"username": ward_cadre.username, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 200  # the form again, not a redirect in

    client_for(admin_user).post(url("account_reactivate", ward_cadre.pk))
    assert logged_in(ward_cadre).get(reverse("home")).status_code == 200


def test_ending_sessions_logs_the_person_out(client_for, admin_user, ward_cadre):
    first, second = logged_in(ward_cadre), logged_in(ward_cadre)
    bystander = logged_in(user_with_role(admin_user.memberships.get().organisation, Role.CADRE))
    assert Session.objects.count() == 3
    response = client_for(admin_user).post(url("account_sessions_end", ward_cadre.pk), follow=True)
    assert "Đã kết thúc 2 phiên đăng nhập" in response.content.decode()
    for client in (first, second):
        assert client.get(reverse("home")).status_code == 302
    assert bystander.get(reverse("home")).status_code == 200


# --- Audit trail -------------------------------------------------------------------------------


def test_person_page_shows_the_audit_trail(client_for, tree, admin_user):
    client = client_for(admin_user)
    client.post(
        url("account_create"),
        {
            "full_name": "Phạm Thu Hà",
            "email": "ha@example.vn",
            "unit": tree.ward.pk,
            "role": "cadre",
        },
    )
    person = User.objects.get(email="ha@example.vn")
    client.post(
        url("account_update", person.pk),
        {"full_name": "Phạm Thu Hằng", "email": "hang@example.vn", "phone": ""},
    )
    client.post(
        url("account_role_grant", person.pk), {"unit": tree.residential.pk, "role": "reviewer"}
    )
    client.post(url("account_password_reset", person.pk))
    client.post(url("account_sessions_end", person.pk))
    client.post(url("account_deactivate", person.pk))

    page = client.get(url("account_detail", person.pk)).content.decode()
    trail = page[page.index('id="lich-su"') :]
    admin_name = admin_user.get_full_name()
    assert "Tạo tài khoản" in trail
    assert "Họ và tên: Phạm Thu Hà → Phạm Thu Hằng" in trail
    assert "E-mail: ha@example.vn → hang@example.vn" in trail
    assert "Cấp vai trò Cán bộ thẩm định tại Tổ dân phố 9" in trail
    assert "Cấp vai trò Cán bộ cơ sở tại Phường Chùa Hang" in trail
    assert "Trạng thái: Đang hoạt động → Đã khóa" in trail
    assert "Cấp lại mật khẩu dùng một lần" in trail
    assert "Kết thúc mọi phiên đăng nhập" in trail
    assert "Trạng thái: Đang hoạt động → Đã khóa" in trail
    entries = trail.split('<li class="list-group-item">')[1:]
    assert len(entries) == 7
    assert all(admin_name in entry for entry in entries)


def test_revoking_the_last_admin_role_closes_the_admin_site(client_for, tree, admin_user):
    colleague = user_with_role(tree.ward, Role.ADMIN, username="quantri.phuong")
    user_with_role_membership = Membership.objects.create(
        user=colleague, organisation=tree.residential, role=Role.CADRE
    )
    assert user_with_role_membership.pk
    colleague.refresh_from_db()
    assert colleague.is_staff
    admin_membership = colleague.memberships.get(role=Role.ADMIN)
    response = client_for(admin_user).post(
        url("account_role_revoke", colleague.pk, admin_membership.pk)
    )
    assert response.status_code == 302
    colleague.refresh_from_db()
    assert not colleague.is_staff
    assert not colleague.groups.exists()
    assert client_for(colleague).get(url("account_list")).status_code == 404


def test_deactivation_deletes_the_persons_sessions_once_committed(
    client_for, admin_user, ward_cadre, django_capture_on_commit_callbacks
):
    logged_in(ward_cadre)
    logged_in(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(admin_user).post(url("account_deactivate", ward_cadre.pk))
    owners = {str(session.get_decoded().get("_auth_user_id")) for session in Session.objects.all()}
    assert str(ward_cadre.pk) not in owners
    assert str(admin_user.pk) in owners


def test_editing_with_an_email_already_taken_is_refused(client_for, admin_user, ward_cadre):
    user_with_role(admin_user.memberships.get().organisation, Role.CADRE, email="x@example.vn")
    response = client_for(admin_user).post(
        url("account_update", ward_cadre.pk),
        {"full_name": "Lê Thị Hoà", "email": "X@example.vn", "phone": ""},
    )
    assert response.status_code == 400
    assert "đã được dùng cho một tài khoản khác" in response.content.decode()
    ward_cadre.refresh_from_db()
    assert ward_cadre.email == ""


def test_the_unit_filter_covers_units_merged_into_it(client_for, tree, admin_user):
    user_with_role(tree.former_ward, Role.CADRE, username="canbo.ducxuan")
    page = client_for(admin_user).get(url("account_list"), {"unit": tree.province.pk})
    assert "canbo.ducxuan" in page.content.decode()


def test_one_time_passwords_are_hashed_lightly_then_rehashed_at_log_in(
    production_password_hashers, client_for, tree, admin_user
):
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    response = client_for(admin_user).post(
        url("account_create"), {"full_name": "Đỗ Minh Châu", "unit": tree.ward.pk, "role": "cadre"}
    )
    password = one_time_password_on(response)
    person = User.objects.get(username="do.minh.chau")
    assert person.password.startswith("pbkdf2_sha256$50000$")
    logged_in(person, password)
    person.refresh_from_db()
    assert person.password.startswith(f"pbkdf2_sha256${PBKDF2PasswordHasher.iterations}$")


def test_the_second_step_comes_first_and_never_loops_with_the_password_change(
    settings, client_for, tree, admin_user
):
    settings.OTP_REQUIRED_ROLES = ["reviewer"]  # the new account's role, not the admin's
    response = client_for(admin_user).post(
        url("account_create"), {"full_name": "Vũ Thị Lan", "unit": tree.ward.pk, "role": "reviewer"}
    )
    password = one_time_password_on(response)
    client = logged_in(User.objects.get(username="vu.thi.lan"), password)
    setup = reverse("two_factor_setup")
    for page in (reverse("home"), reverse("password_change")):
        response = client.get(page)
        assert response.status_code == 302
        assert response["Location"].split("?")[0] == setup
    assert client.get(setup).status_code == 200


def test_the_person_is_told_of_a_role_granted_or_revoked(
    client_for, tree, admin_user, ward_cadre, django_capture_on_commit_callbacks
):
    from core.models import Notification

    client = client_for(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url("account_role_grant", ward_cadre.pk), {"unit": tree.ward.pk, "role": "reviewer"}
        )
    granted = ward_cadre.memberships.get(role=Role.REVIEWER)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("account_role_revoke", ward_cadre.pk, granted.pk))
    titles = list(
        Notification.objects.filter(recipient=ward_cadre)
        .order_by("pk")
        .values_list("title", flat=True)
    )
    assert titles == [
        "Bạn được cấp vai trò Cán bộ thẩm định tại Phường Chùa Hang",
        "Vai trò Cán bộ thẩm định của bạn tại Phường Chùa Hang đã được thu hồi",
    ]


def test_an_admin_resets_the_second_factor_of_a_person_they_manage(
    client_for, ward_admin, ward_cadre, other_ward_cadre
):
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from core.models import SecondFactorEvent

    for person in (ward_cadre, other_ward_cadre):
        TOTPDevice.objects.create(user=person, name="Điện thoại", confirmed=True)
        StaticDevice.objects.create(user=person, name="Mã dự phòng", confirmed=True)
    client = client_for(ward_admin)
    page = client.get(url("account_detail", ward_cadre.pk)).content.decode()
    assert "Đặt lại xác thực hai bước" in page
    response = client.post(url("account_second_factor_reset", ward_cadre.pk), follow=True)
    assert "Đã đặt lại xác thực hai bước của người này." in response.content.decode()
    assert not TOTPDevice.objects.filter(user=ward_cadre).exists()
    assert not StaticDevice.objects.filter(user=ward_cadre).exists()
    event = SecondFactorEvent.objects.get(user=ward_cadre)
    assert event.by == ward_admin and event.devices_removed == 2
    # Outside the admin's subtree: not found, and nothing removed.
    assert client.post(url("account_second_factor_reset", other_ward_cadre.pk)).status_code == 404
    assert TOTPDevice.objects.filter(user=other_ward_cadre).count() == 1
