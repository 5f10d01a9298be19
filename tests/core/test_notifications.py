"""Notifications: the bell, the user's own list, opening, reading, e-mail settings and the task."""

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core.models import Notification, NotificationKind, NotificationPreference
from core.notifications import notify, notify_on_commit, preference_set
from core.tasks import send_notification_email
from organisations.mergers import current_merger_index
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LIST_URL = reverse("notification_list")
READ_ALL_URL = reverse("notification_read_all")
SETTINGS_URL = reverse("notification_settings")


def tell(user, title="Đăng ký “Nuôi Dê” đã được duyệt", url="/mo-hinh/1/", **kwargs):
    """One notification for ``user`` (made directly: the services' part is tested elsewhere)."""
    return Notification.objects.create(
        recipient=user, kind=NotificationKind.ACCEPTED, title=title, url=url, **kwargs
    )


def email_tasks():
    return DBTaskResult.objects.filter(task_path__endswith="send_notification_email")


@pytest.fixture
def stranger(db):
    return UserFactory(username="nguoikhac")


@pytest.mark.parametrize(
    ("method", "url_name", "with_pk"),
    [
        ("get", "notification_list", False),
        ("get", "notification_settings", False),
        ("post", "notification_settings", False),
        ("post", "notification_read_all", False),
        ("get", "notification_open", True),
        ("post", "notification_read", True),
    ],
)
def test_anonymous_users_are_sent_to_log_in(client, cadre, method, url_name, with_pk):
    args = [tell(cadre).pk] if with_pk else []
    response = getattr(client, method)(reverse(url_name, args=args))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert Notification.objects.filter(read_at__isnull=False).count() == 0


def test_bell_shows_the_unread_count_on_every_page(client_for, cadre, stranger):
    for number in range(3):
        tell(cadre, title=f"Thông báo số {number}")
    tell(cadre, title="Đã đọc rồi", read_at=timezone.now())
    tell(stranger)
    page = client_for(cadre).get(reverse("home")).content.decode()
    assert "3 thông báo chưa đọc" in page
    assert f'href="{LIST_URL}"' in page


def test_bell_without_unread_has_no_badge(client_for, cadre):
    page = client_for(cadre).get(reverse("home")).content.decode()
    assert "thông báo chưa đọc" not in page
    assert f'href="{LIST_URL}"' in page


def test_list_shows_only_the_users_own_newest_first(client_for, cadre, stranger):
    older = tell(cadre, title="Cũ hơn")
    newer = tell(cadre, title="Mới hơn")
    tell(stranger, title="Của người khác")
    response = client_for(cadre).get(LIST_URL)
    assert response.status_code == 200
    assert list(response.context["notifications"]) == [newer, older]
    page = response.content.decode()
    assert "Của người khác" not in page
    assert "Đánh dấu tất cả là đã đọc" in page
    assert reverse("notification_read", args=[newer.pk]) in page


def test_list_is_paginated_by_25(client_for, cadre):
    Notification.objects.bulk_create(
        Notification(recipient=cadre, kind=NotificationKind.ACCEPTED, title=f"Số {n}")
        for n in range(30)
    )
    client = client_for(cadre)
    assert len(client.get(LIST_URL).context["notifications"]) == 25
    assert len(client.get(LIST_URL, {"page": 2}).context["notifications"]) == 5


def test_list_query_count_does_not_grow_with_the_page(
    client_for, cadre, django_assert_max_num_queries
):
    for number in range(25):
        tell(cadre, title=f"Số {number}")
    client = client_for(cadre)
    current_merger_index()  # read once a process after the tree changed, not once a request
    with django_assert_max_num_queries(8):
        client.get(LIST_URL)


def test_opening_marks_read_and_goes_to_its_page(client_for, cadre):
    notification = tell(cadre, url="/mo-hinh/42/")
    response = client_for(cadre).get(notification.get_absolute_url())
    assert response.status_code == 302 and response.url == "/mo-hinh/42/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_opening_without_a_link_goes_to_the_list(client_for, cadre):
    notification = tell(cadre, url="")
    response = client_for(cadre).get(notification.get_absolute_url())
    assert response.url == LIST_URL


@pytest.mark.parametrize(
    "url",
    [
        "https://lua-dao.example/dang-nhap",
        "//lua-dao.example/dang-nhap",
        "/\\lua-dao.example",
        "javascript:alert(1)",
        "mo-hinh/1/",
    ],
)
def test_opening_never_follows_a_link_off_the_portal(client_for, cadre, url):
    notification = tell(cadre, url=url)
    response = client_for(cadre).get(notification.get_absolute_url())
    assert response.status_code == 302 and response.url == LIST_URL


def test_someone_elses_notification_answers_404(client_for, cadre, stranger):
    notification = tell(stranger)
    client = client_for(cadre)
    assert client.get(notification.get_absolute_url()).status_code == 404
    assert client.post(reverse("notification_read", args=[notification.pk])).status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_one_read_returns_to_the_same_page(client_for, cadre):
    notification = tell(cadre)
    other = tell(cadre)
    response = client_for(cadre).post(
        reverse("notification_read", args=[notification.pk]), {"page": "2"}
    )
    assert response.status_code == 302 and response.url == f"{LIST_URL}?page=2"
    notification.refresh_from_db()
    other.refresh_from_db()
    assert notification.read_at is not None and other.read_at is None


def test_mark_one_read_is_post_only(client_for, cadre):
    notification = tell(cadre)
    response = client_for(cadre).get(reverse("notification_read", args=[notification.pk]))
    assert response.status_code == 405


def test_read_all_marks_only_the_users_own(client_for, cadre, stranger):
    for _ in range(3):
        tell(cadre)
    theirs = tell(stranger)
    client = client_for(cadre)
    response = client.post(READ_ALL_URL, follow=True)
    assert "Đã đánh dấu 3 thông báo là đã đọc." in response.content.decode()
    assert not Notification.objects.filter(recipient=cadre, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None
    page = response.content.decode()
    assert "thông báo chưa đọc" not in page and "Đánh dấu tất cả là đã đọc" not in page
    assert client.get(READ_ALL_URL).status_code == 405


def test_settings_show_the_address_and_switch_emails_off_and_on(client_for, cadre):
    cadre.email = "canbo@chuahang.example"
    cadre.save()
    client = client_for(cadre)
    response = client.get(SETTINGS_URL)
    page = response.content.decode()
    assert "canbo@chuahang.example" in page
    assert response.context["form"]["email_enabled"].value() is True
    assert not NotificationPreference.objects.exists()

    response = client.post(SETTINGS_URL, {}, follow=True)
    assert "Đã tắt nhận thông báo qua e-mail." in response.content.decode()
    assert NotificationPreference.objects.get(user=cadre).email_enabled is False
    assert response.context["form"]["email_enabled"].value() is False

    client.post(SETTINGS_URL, {"email_enabled": "on"})
    assert NotificationPreference.objects.get(user=cadre).email_enabled is True


def test_settings_say_when_there_is_no_address(client_for, cadre):
    page = client_for(cadre).get(SETTINGS_URL).content.decode()
    assert "chưa có địa chỉ e-mail" in page
    assert "không gửi được thông báo qua e-mail" in page


def test_notify_queues_one_email_per_recipient_with_an_address_and_emails_on(tree, cadre):
    with_address = UserFactory(email="a@example.vn")
    muted = UserFactory(email="b@example.vn")
    preference_set(user=muted, email_enabled=False)
    without_address = UserFactory(email="")
    created = notify(
        recipients=[with_address, with_address, muted, without_address, cadre],
        exclude=cadre,
        kind=NotificationKind.SUBMITTED,
        title="Đăng ký mới: “Nuôi Dê” chờ duyệt",
        url="/mo-hinh/7/",
    )
    assert sorted(n.recipient_id for n in created) == sorted(
        [with_address.pk, muted.pk, without_address.pk]
    )
    tasks = list(email_tasks())
    assert len(tasks) == 1
    mine = Notification.objects.get(recipient=with_address)
    assert tasks[0].args_kwargs["args"] == [mine.pk]


def test_notify_skips_inactive_users(db):
    inactive = UserFactory(email="c@example.vn", is_active=False)
    assert notify(recipients=[inactive], kind=NotificationKind.ACCEPTED, title="x") == []
    assert not email_tasks().exists()


def test_email_task_sends_the_title_and_a_link(settings, db):
    settings.PORTAL_BASE_URL = "https://danvan.example.gov.vn"
    user = UserFactory(email="canbo@example.vn")
    notification = tell(user, title="Đăng ký “Nuôi Dê” bị trả lại", url="/mo-hinh/5/")
    notification.body = "Lý do: thiếu kế hoạch."
    notification.save()
    send_notification_email.call(notification.pk)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["canbo@example.vn"]
    assert "Đăng ký “Nuôi Dê” bị trả lại" in message.subject
    assert "https://danvan.example.gov.vn/mo-hinh/5/" in message.body
    assert "Lý do: thiếu kế hoạch." in message.body


def test_email_task_does_nothing_for_a_deleted_notification_or_no_address(db):
    user = UserFactory(email="")
    send_notification_email.call(tell(user).pk)
    send_notification_email.call(987654)
    assert mail.outbox == []


def test_notify_on_commit_waits_for_the_commit(cadre, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            notify_on_commit(recipients=[cadre], kind=NotificationKind.ACCEPTED, title="Đã duyệt")
            assert not Notification.objects.exists()
        assert not Notification.objects.exists()
    assert len(callbacks) == 1
    assert Notification.objects.get().recipient == cadre


def test_notify_on_commit_tells_nobody_when_rolled_back(cadre, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notify_on_commit(recipients=[cadre], kind=NotificationKind.ACCEPTED, title="Đã duyệt")
        raise RuntimeError("rolled back")
    assert callbacks == []
    assert not Notification.objects.exists()
