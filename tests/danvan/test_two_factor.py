"""Two-step sign-in over HTTP: setting up an authenticator app, the code after the password,
recovery codes, roles that require it, and an admin's reset. Codes are computed here from the
device's key, as the phone's app would."""

from datetime import timedelta

import pytest
import time_machine
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core import two_factor
from core.models import Notification, NotificationKind, SecondFactorEvent, SecondFactorEventKind
from danvan.two_factor_policy import required_roles
from tests.danvan.test_health_and_settings import PRODUCTION, run_manage
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("login")
VERIFY_URL = reverse("two_factor_verify")
SETUP_URL = reverse("two_factor_setup")
CODES_URL = reverse("two_factor_recovery_codes")
HOME_URL = reverse("home")
MODELS_URL = reverse("models_registry:model_list")


@pytest.fixture(autouse=True)
def nobody_required(settings):
    """The tests' own default, whatever the developer's .env says."""
    settings.OTP_REQUIRED_ROLES = []


def log_in(client, user):
    response = client.post(LOGIN_URL, {"username": user.username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302, "the password step itself must succeed"
    return response


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code the phone shows now (or ``steps_ahead`` periods of 30 s later)."""
    value = totp(
        device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=steps_ahead
    )
    return f"{value:0{device.digits}d}"


def set_up(user) -> tuple[TOTPDevice, list[str]]:
    """An authenticator app confirmed through the service, with its recovery codes."""
    device = two_factor.authenticator_start(user=user)
    return two_factor.authenticator_confirm(user=user, token=code_for(device))


def history(model_name: str, user):
    table = apps.get_model("danvan", model_name)
    return list(table.objects.filter(user=user).select_related("pgh_context").order_by("pgh_id"))


def test_setting_up_an_app_shows_a_qr_code_and_recovery_codes_once(client, cadre):
    log_in(client, cadre)
    page = client.get(SETUP_URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Thiết lập đăng nhập hai bước" in html and '<svg width="' in html
    device = TOTPDevice.objects.get(user=cadre)
    assert not device.confirmed
    assert "otpauth://totp/" in html and device.config_url.split("secret=")[1][:8] in html
    # Opening the page again keeps the same secret (the phone may already have scanned it).
    client.get(SETUP_URL)
    assert TOTPDevice.objects.filter(user=cadre).count() == 1

    refused = client.post(SETUP_URL, {"code": "000000" if code_for(device) != "000000" else "1"})
    assert "Mã xác thực không đúng" in refused.content.decode()
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed

    with time_machine.travel(timezone.now() + timedelta(seconds=5)):
        response = client.post(SETUP_URL, {"code": code_for(device)})
    assert response.status_code == 302 and response.url == CODES_URL
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    codes = list(StaticToken.objects.filter(device__user=cadre).values_list("token", flat=True))
    assert len(codes) == 10 and len(set(codes)) == 10

    shown = client.get(CODES_URL).content.decode()
    assert all(code in shown for code in codes) and "Tải về" in shown
    download = client.get(reverse("two_factor_recovery_codes_download"))
    assert download["Content-Disposition"].startswith("attachment")
    text = download.content.decode()
    assert all(code in text.splitlines() for code in codes) and cadre.username in text

    assert client.post(reverse("two_factor_recovery_codes_saved")).url == HOME_URL
    again = client.get(CODES_URL).content.decode()
    assert not any(code in again for code in codes) and "còn <strong>10</strong>" in again
    assert client.get(reverse("two_factor_recovery_codes_download")).status_code == 404
    # The session that set the app up has passed its second step.
    assert client.get(HOME_URL).status_code == 200

    assert SecondFactorEvent.objects.filter(
        user=cadre, kind=SecondFactorEventKind.SET_UP, by=cadre
    ).exists()
    labels = [event.pgh_label for event in history("AuthenticatorDeviceHistory", cadre)]
    assert labels == ["add", "confirm"]
    assert not hasattr(history("AuthenticatorDeviceHistory", cadre)[0], "key")


def test_a_confirmed_app_cannot_be_replaced_from_the_set_up_page(client, cadre):
    device, _ = set_up(cadre)
    log_in(client, cadre)
    client.post(VERIFY_URL, {"code": code_for(device, steps_ahead=1)})
    response = client.get(SETUP_URL)
    assert response.status_code == 302 and response.url == reverse("two_factor")
    assert TOTPDevice.objects.filter(user=cadre).count() == 1


def test_after_the_password_a_user_with_an_app_must_enter_its_code(client, cadre):
    device, _ = set_up(cadre)
    log_in(client, cadre)
    for url in (HOME_URL, MODELS_URL, CODES_URL, SETUP_URL, reverse("admin:index")):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(VERIFY_URL), url
    page = client.get(f"{VERIFY_URL}?next={MODELS_URL}")
    assert "Đăng nhập hai bước" in page.content.decode()

    response = client.post(VERIFY_URL, {"code": code_for(device, 1), "next": MODELS_URL})
    assert response.status_code == 302 and response.url == MODELS_URL
    assert client.get(HOME_URL).status_code == 200
    # Logging out and in again asks again.
    client.post(reverse("logout"))
    log_in(client, cadre)
    assert client.get(HOME_URL).url.startswith(VERIFY_URL)


def test_the_verify_page_never_sends_elsewhere(client, cadre):
    device, _ = set_up(cadre)
    log_in(client, cadre)
    response = client.post(VERIFY_URL, {"code": code_for(device, 1), "next": "https://evil.test/"})
    assert response.status_code == 302 and response.url == HOME_URL


def test_a_wrong_code_is_refused_and_the_next_tries_wait(client, cadre):
    device, _ = set_up(cadre)
    log_in(client, cadre)
    wrong = str((int(code_for(device, 1)) + 1) % 10**6).zfill(6)
    response = client.post(VERIFY_URL, {"code": wrong})
    assert response.status_code == 200
    assert "Mã xác thực không đúng hoặc đã hết hạn" in response.content.decode()
    assert client.get(HOME_URL).url.startswith(VERIFY_URL)

    # Straight after a wrong code even the right one waits (django-otp's throttling).
    throttled = client.post(VERIFY_URL, {"code": code_for(device, 1)})
    assert throttled.status_code == 429
    assert "nhập sai mã quá nhiều lần" in throttled.content.decode()
    assert "giây" in throttled.content.decode()
    assert client.get(HOME_URL).url.startswith(VERIFY_URL)

    with time_machine.travel(timezone.now() + timedelta(seconds=35)):
        response = client.post(VERIFY_URL, {"code": code_for(device, 1)})
        assert response.status_code == 302 and response.url == HOME_URL
        assert client.get(HOME_URL).status_code == 200


def test_a_recovery_code_works_once(client, cadre):
    _, codes = set_up(cadre)
    log_in(client, cadre)
    response = client.post(VERIFY_URL, {"code": f" {codes[0][:4].upper()}-{codes[0][4:]} "})
    assert response.status_code == 302 and response.url == HOME_URL
    home = client.get(HOME_URL)
    assert home.status_code == 200 and "còn 9 mã" in home.content.decode()

    client.post(reverse("logout"))
    log_in(client, cadre)
    spent = client.post(VERIFY_URL, {"code": codes[0]})
    assert spent.status_code == 200 and "Mã xác thực không đúng" in spent.content.decode()
    assert client.get(HOME_URL).url.startswith(VERIFY_URL)
    assert StaticToken.objects.filter(device__user=cadre).count() == 9


def test_new_recovery_codes_replace_the_old_ones(client, cadre):
    device, old_codes = set_up(cadre)
    log_in(client, cadre)
    client.post(VERIFY_URL, {"code": code_for(device, 1)})
    response = client.post(CODES_URL)
    assert response.status_code == 302
    new_codes = set(StaticToken.objects.filter(device__user=cadre).values_list("token", flat=True))
    assert len(new_codes) == 10 and not new_codes & set(old_codes)
    shown = client.get(CODES_URL).content.decode()
    assert all(code in shown for code in new_codes)
    assert SecondFactorEvent.objects.filter(
        user=cadre, kind=SecondFactorEventKind.RECOVERY_CODES
    ).exists()


def test_a_role_that_requires_it_sends_to_the_set_up_page_until_done(client, settings, reviewer):
    settings.OTP_REQUIRED_ROLES = ["reviewer", "admin"]
    log_in(client, reviewer)
    for url in (HOME_URL, MODELS_URL, reverse("two_factor"), reverse("admin:index")):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(SETUP_URL), url
    page = client.get(SETUP_URL)
    assert page.status_code == 200 and "Vai trò của bạn" in page.content.decode()

    device = TOTPDevice.objects.get(user=reviewer)
    response = client.post(SETUP_URL, {"code": code_for(device)})
    assert response.url == CODES_URL
    assert client.get(CODES_URL).status_code == 200
    assert client.get(HOME_URL).status_code == 200
    # The next sign-in asks for the code like anyone else's.
    client.post(reverse("logout"))
    log_in(client, reviewer)
    assert client.get(HOME_URL).url.startswith(VERIFY_URL)


def test_users_without_a_required_role_and_without_an_app_are_unaffected(client, settings, cadre):
    settings.OTP_REQUIRED_ROLES = ["reviewer", "admin"]
    response = log_in(client, cadre)
    assert response.url == HOME_URL
    assert client.get(HOME_URL).status_code == 200
    assert client.get(MODELS_URL).status_code == 200
    assert not TOTPDevice.objects.filter(user=cadre).exists()


def test_the_admin_site_asks_a_staff_member_with_an_app_for_the_code(client, admin_user):
    device, _ = set_up(admin_user)
    response = client.post(
        reverse("admin:login"),
        {"username": admin_user.username, "password": DEFAULT_PASSWORD, "next": "/quan-tri/"},
    )
    assert response.status_code == 302
    blocked = client.get(reverse("admin:index"))
    assert blocked.status_code == 302 and blocked.url.startswith(VERIFY_URL)
    client.post(VERIFY_URL, {"code": code_for(device, 1)})
    assert client.get(reverse("admin:index")).status_code == 200


def test_an_admin_resets_a_second_factor_from_the_admin_site(
    client, superuser, cadre, django_capture_on_commit_callbacks
):
    set_up(cadre)
    device = TOTPDevice.objects.get(user=cadre)
    client.force_login(superuser)
    changelist = reverse("admin:danvan_authenticatordevice_changelist")
    listed = client.get(changelist)
    assert listed.status_code == 200 and cadre.username in listed.content.decode()
    assert device.key not in listed.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            changelist, {"action": "reset_second_factor", "_selected_action": [device.pk]}
        )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=cadre).exists()
    assert not StaticDevice.objects.filter(user=cadre).exists()
    event = SecondFactorEvent.objects.get(user=cadre, kind=SecondFactorEventKind.RESET)
    assert event.by == superuser and event.devices_removed == 2
    removed = [e for e in history("AuthenticatorDeviceHistory", cadre) if e.pgh_label == "remove"]
    assert len(removed) == 1 and removed[0].pgh_context.metadata["user"] == superuser.pk
    assert Notification.objects.filter(
        recipient=cadre, kind=NotificationKind.SECOND_FACTOR_RESET
    ).exists()
    events = client.get(reverse("admin:danvan_secondfactorevent_changelist")).content.decode()
    assert "Đặt lại xác thực hai bước" in events

    # The password alone signs in again (no role requires an app).
    other = type(client)()
    log_in(other, cadre)
    assert other.get(HOME_URL).status_code == 200


def test_the_reset_lists_are_closed_to_province_admins(client, admin_user):
    client.force_login(admin_user)
    changelist = reverse("admin:danvan_authenticatordevice_changelist")
    assert client.get(changelist).status_code == 403
    assert client.get(reverse("admin:danvan_secondfactorevent_changelist")).status_code == 403


def test_a_reset_session_of_a_required_role_goes_back_to_set_up(client, settings, reviewer):
    settings.OTP_REQUIRED_ROLES = ["reviewer"]
    device, _ = set_up(reviewer)
    log_in(client, reviewer)
    client.post(VERIFY_URL, {"code": code_for(device, 1)})
    assert client.get(HOME_URL).status_code == 200
    two_factor.second_factor_reset(user=reviewer, by=UserFactory(is_superuser=True))
    assert client.get(HOME_URL).url.startswith(SETUP_URL)


def test_django_otp_device_pages_are_off_the_admin_site(client, superuser):
    client.force_login(superuser)
    assert client.get("/quan-tri/otp_totp/totpdevice/").status_code == 404
    assert client.get("/quan-tri/otp_static/staticdevice/").status_code == 404


def test_an_unknown_required_role_is_a_configuration_error(settings):
    settings.OTP_REQUIRED_ROLES = ["reviewer", "thamdinh"]
    with pytest.raises(ImproperlyConfigured, match="thamdinh"):
        required_roles()


def test_the_admin_site_itself_refuses_a_session_owing_its_code(client, settings, admin_user):
    """Without the middleware's hold, the admin site still asks for its own log-in."""
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.endswith("TwoFactorMiddleware")]
    set_up(admin_user)
    log_in(client, admin_user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))


REQUIRED_ROLES = "from django.conf import settings; print(sorted(settings.OTP_REQUIRED_ROLES))"


@pytest.mark.parametrize(
    ("environment", "roles"),
    [
        ({}, "['admin', 'reviewer']"),
        ({"DJANGO_DEBUG": "true"}, "[]"),
        ({"DJANGO_OTP_REQUIRED_ROLES": "admin"}, "['admin']"),
    ],
    ids=["production", "development", "chosen"],
)
def test_reviewers_and_admins_must_set_up_an_app_in_production_only(environment, roles):
    result = run_manage("shell", "-c", REQUIRED_ROLES, **{**PRODUCTION, **environment})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == roles
