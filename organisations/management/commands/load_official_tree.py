from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from organisations.official_tree import load_official_tree


class Command(BaseCommand):
    help = (
        "Nạp danh mục đơn vị hành chính từ 01/07/2025 (34 tỉnh, thành phố; 3.321 xã, phường, "
        "đặc khu) theo mã chính thức, cùng các tổ chức chuẩn của mỗi đơn vị. Chạy lại không "
        "thay đổi gì; không bao giờ xóa đơn vị."
    )

    def add_arguments(self, parser):
        parser.add_argument("--province", help="chỉ nạp một tỉnh, thành phố (mã 2 số, ví dụ 19)")
        parser.add_argument(
            "--dry-run", action="store_true", help="chỉ báo cáo những gì sẽ thay đổi"
        )

    def handle(self, *args, province=None, dry_run=False, **options):
        try:
            report = load_official_tree(province=province, dry_run=dry_run)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        for line in report.lines():
            self.stdout.write(line)
