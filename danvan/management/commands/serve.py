"""`make run`: prepare the database and demo data, then serve the portal until Ctrl-C."""

import contextlib
import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from demo.management.commands.load_demo import demo_logins, demo_password


class Command(BaseCommand):
    help = "Chuẩn bị cơ sở dữ liệu, nạp dữ liệu demo và chạy cổng thông tin (Ctrl-C để dừng)."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000", help="địa chỉ:cổng để phục vụ")
        parser.add_argument("--no-demo", action="store_true", help="không nạp dữ liệu demo")

    def handle(self, *args, addr, no_demo, **options):
        # A supervisor's SIGTERM or a closed terminal stops everything like Ctrl-C does.
        for stop_signal in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(stop_signal, _interrupt)
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Cơ sở dữ liệu đã sẵn sàng (migrate xong).")
        if not no_demo:
            call_command("load_demo")
        self._print_banner(addr, show_logins=not no_demo)

        # The web server runs as a child process; the embedded database (if used) stays up
        # while any process of the portal holds it and stops when the last one exits.
        # Beside it, the background worker builds large exports (Django's Tasks API, stored in
        # the same database).
        # Each child leads its own process group, so that stopping it reaches the processes it
        # starts too (runserver's auto-reloader runs the server in a grandchild, which would
        # otherwise outlive a killed reloader and keep the embedded database up).
        children = [
            subprocess.Popen(
                [sys.executable, "manage.py", "runserver", addr],
                cwd=settings.BASE_DIR,
                start_new_session=True,
            ),
            subprocess.Popen(
                [sys.executable, "manage.py", "worker", "--no-startup-delay"],
                cwd=settings.BASE_DIR,
                start_new_session=True,
            ),
        ]
        try:
            for child in children:
                child.wait()
        except KeyboardInterrupt:
            self.stdout.write("\nĐang dừng cổng thông tin…")
        finally:
            stop_process_groups(children)
        self.stdout.write("Đã dừng máy chủ web.")

    def _print_banner(self, addr, show_logins):
        url = f"http://{addr}/"
        lines = ["", "=" * 72, f"  Cổng Dân vận khéo đang chạy tại {url}", ""]
        if show_logins:
            lines.append(f"  Tài khoản demo (mật khẩu chung: {demo_password()}):")
            for username, description in demo_logins():
                lines.append(f"    {username:<22} {description}")
            lines.append("")
        lines += [
            f"  Trang quản trị: {url}quan-tri/",
            "  Tiến trình nền (xuất danh sách lớn) chạy cùng máy chủ web.",
            "  Nhấn Ctrl-C để dừng.",
            "=" * 72,
            "",
        ]
        self.stdout.write("\n".join(lines))


def _interrupt(signum, frame):
    raise KeyboardInterrupt


STOP_STEPS = ((signal.SIGINT, 10), (signal.SIGTERM, 5), (signal.SIGKILL, 5))


def stop_process_groups(children: list[subprocess.Popen]) -> None:
    """Stop every child's process group: Ctrl-C first, as a terminal would, then harder. A
    process started with SIGINT ignored (a background job of a script) still stops."""
    for stop_signal, seconds in STOP_STEPS:
        running = [child for child in children if child.poll() is None]
        if not running:
            return
        for child in running:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, stop_signal)
        deadline = time.monotonic() + seconds
        for child in running:
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
