"""Linking an account to the single sign-on gateway's identifier: the admin's command, its scope
and uniqueness, the audit trail, and the account page that shows it."""

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import AccountProfile
from organisations.choices import Role
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def ward_admin(tree):
    return user_with_role(tree.ward, Role.ADMIN, username="quantri.chuahang")


@pytest.fixture
def ward_cadre(tree):
    return user_with_role(tree.residential, Role.CADRE, username="canbo.to9")


def test_the_admin_links_a_person_and_the_account_page_shows_it(client_for, ward_admin, ward_cadre):
    page = client_for(ward_admin).get(reverse("accounts:account_detail", args=[ward_cadre.pk]))
    assert "Chưa liên kết" in page.content.decode()

    call_command("link_sso_account", "canbo.to9", " 0123-abc ", by="quantri.chuahang")

    profile = AccountProfile.objects.get(user=ward_cadre)
    assert profile.sso_subject == "0123-abc"
    page = client_for(ward_admin).get(reverse("accounts:account_detail", args=[ward_cadre.pk]))
    html = page.content.decode()
    assert "<code>0123-abc</code>" in html
    assert "Mã định danh một cửa: — → 0123-abc" in html  # the page's own trail
    last = profile.history.order_by("pgh_id").last()
    assert last.sso_subject == "0123-abc"
    assert last.pgh_context.metadata["user"] == ward_admin.pk

    call_command("link_sso_account", "canbo.to9", "", by="quantri.chuahang")
    profile.refresh_from_db()
    assert profile.sso_subject is None


def test_an_identifier_links_one_account_only(tree, ward_admin, ward_cadre):
    other = user_with_role(tree.residential, Role.CADRE, username="canbo.khac")
    call_command("link_sso_account", "canbo.to9", "0123-abc", by="quantri.chuahang")

    with pytest.raises(CommandError, match="đã được gắn với một tài khoản khác"):
        call_command("link_sso_account", "canbo.khac", "0123-abc", by="quantri.chuahang")
    assert not AccountProfile.objects.filter(user=other, sso_subject__isnull=False).exists()


def test_only_an_admin_of_the_persons_unit_links_them(tree, ward_cadre):
    stranger = user_with_role(tree.other_ward, Role.ADMIN, username="quantri.khac")
    with pytest.raises(CommandError, match="Bạn không quản lý tài khoản này"):
        call_command("link_sso_account", "canbo.to9", "0123-abc", by=stranger.username)
    assert not AccountProfile.objects.filter(sso_subject="0123-abc").exists()
