"""Restore an archive written by `manage.py backup` into an empty database and storage."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from core.numbers import vn_number
from core.storage import private_storage
from danvan.backups import BackupError, megabytes
from danvan.backups.restore import restore_backup


class Command(BaseCommand):
    help = (
        "Khôi phục một bản sao lưu vào cơ sở dữ liệu trống và kho tệp trống, kiểm tra mã "
        "SHA-256 của mọi thành phần trước và sau khi khôi phục."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="tệp .tar do `manage.py backup` ghi")

    def handle(self, *args, archive, **options):
        connections["default"].close()  # the restore uses connections of its own
        try:
            report = restore_backup(
                archive,
                settings_dict=connections["default"].settings_dict,
                storage=private_storage(),
                log=self.stdout.write,
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Đã khôi phục {report.tables} bảng ({vn_number(report.rows)} dòng) và "
            f"{vn_number(report.files)} tệp ({megabytes(report.bytes)} MB); số dòng của từng "
            "bảng và mã SHA-256 của từng tệp khớp với bản sao lưu."
        )
        for note in report.notes:
            self.stdout.write(f"Lưu ý: {note}")
