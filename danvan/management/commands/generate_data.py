"""Build a realistic national data set with bulk loading (benchmarks, load tests)."""

import time

from django.core.management.base import BaseCommand

from organisations.synthetic import generate_organisation_tree


class Command(BaseCommand):
    help = "Sinh dữ liệu mẫu quy mô toàn quốc (khoảng 150.000 đơn vị) bằng nạp hàng loạt."

    def add_arguments(self, parser):
        parser.add_argument(
            "--organisations",
            type=int,
            default=150_000,
            help="số đơn vị cần sinh (mặc định 150.000)",
        )
        parser.add_argument("--seed", type=int, default=2025)

    def handle(self, *args, organisations, seed, **options):
        started = time.perf_counter()
        tree = generate_organisation_tree(organisations, seed=seed)
        elapsed = time.perf_counter() - started
        summary = (
            f"Đã sinh {tree.organisations:_} đơn vị ({len(tree.provinces)} tỉnh, "
            f"{len(tree.communes):_} xã/phường) trong {elapsed:.1f} giây."
        )
        self.stdout.write(summary.replace("_", "."))
