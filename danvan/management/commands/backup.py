"""Back up the database and every stored file into one archive (see danvan/backups)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils import timezone

from core.storage import private_storage
from danvan.backups import BackupError
from danvan.backups.create import write_backup


class Command(BaseCommand):
    help = (
        "Sao lưu cơ sở dữ liệu và mọi tệp đã lưu vào một tệp .tar, kèm manifest.json ghi mã "
        "SHA-256 của từng thành phần."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            help="tệp sao lưu cần ghi (mặc định: DJANGO_BACKUP_DIR/danvan-<ngày>-<giờ>.tar)",
        )

    def handle(self, *args, output=None, **options):
        if output is None:
            stamp = f"{timezone.localtime():%Y%m%d-%H%M%S}"
            output = Path(settings.BACKUP_DIR) / f"danvan-{stamp}.tar"
        if output.exists():
            raise CommandError(f"Tệp {output} đã có; hãy chọn tên khác.")
        storage = private_storage()
        location = getattr(storage, "location", None)
        if location and output.resolve().is_relative_to(Path(location).resolve()):
            raise CommandError(
                f"Không ghi bản sao lưu vào trong kho tệp ({location}): nó sẽ tự sao lưu chính nó."
            )
        try:
            write_backup(
                output,
                settings_dict=connections["default"].settings_dict,
                storage=storage,
                log=self.stdout.write,
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
