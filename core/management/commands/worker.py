"""`manage.py worker`: the background worker (django-tasks-db's ``db_worker``, same options),
which also looks every ``JOB_HEARTBEAT_SECONDS`` for jobs whose worker died and queues them again
or fails them (``core.jobs.reap``)."""

from django_tasks_db.management.commands import db_worker

from core.jobs import Sweeper


class Command(db_worker.Command):
    help = "Chạy tiến trình nền: xuất dữ liệu, tệp báo cáo, nhập tệp lớn, gửi e-mail."

    def handle(self, *args, **options):
        sweeper = Sweeper()
        sweeper.start()
        try:
            super().handle(*args, **options)
        finally:
            sweeper.stop()
