"""Record the single sign-on gateway's identifier of a person on their account."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.services import account_sso_subject_set


class Command(BaseCommand):
    help = (
        "Gắn mã định danh trên cổng đăng nhập một cửa (giá trị của DJANGO_OIDC_CLAIM) với một "
        "tài khoản; mã rỗng gỡ liên kết."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="tài khoản của người cần liên kết")
        parser.add_argument("subject", help='mã định danh trên cổng một cửa ("" để gỡ)')
        parser.add_argument(
            "--by", required=True, help="tài khoản quản trị thực hiện (ghi vào lịch sử)"
        )

    def handle(self, *args, username, subject, by, **options):
        users = get_user_model().objects
        try:
            person = users.get(username=username)
            admin = users.get(username=by)
        except users.model.DoesNotExist as error:
            raise CommandError("Không tìm thấy tài khoản.") from error
        try:
            account_sso_subject_set(user=person, subject=subject, by=admin)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        if subject.strip():
            self.stdout.write(f"Đã gắn mã định danh một cửa với tài khoản {username}.")
        else:
            self.stdout.write(f"Đã gỡ mã định danh một cửa khỏi tài khoản {username}.")
