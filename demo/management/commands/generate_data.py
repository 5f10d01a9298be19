"""Build a realistic national data set with bulk loading (benchmarks, load tests)."""

import time

from django.core.management.base import BaseCommand, CommandError

from core.numbers import vn_number
from demo.synthetic import (
    delete_synthetic_models,
    generate_models,
    synthetic_models,
    vacuum_registry,
)
from demo.synthetic.tree import ensure_organisation_tree, find_synthetic_root
from models_registry.choices import Status


class Command(BaseCommand):
    help = (
        "Sinh dữ liệu mẫu quy mô toàn quốc bằng nạp hàng loạt: cây đơn vị (khoảng 150.000 đơn vị, "
        "dùng lại nếu đã có) và các mô hình, điển hình thuộc các đơn vị đó."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--organisations",
            type=int,
            default=150_000,
            help="số đơn vị cần sinh khi chưa có cây đơn vị mẫu (mặc định 150.000)",
        )
        parser.add_argument(
            "--models",
            type=int,
            default=0,
            help="số mô hình, điển hình cần sinh (mặc định 0: chỉ sinh cây đơn vị)",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="xóa các mô hình mẫu đã sinh trước đó rồi sinh lại",
        )
        parser.add_argument("--seed", type=int, default=2025)

    def handle(self, *args, organisations, models, replace, seed, **options):
        if models < 0:
            raise CommandError("Số mô hình phải là số không âm.")
        root = find_synthetic_root()
        if models and root is not None and not replace:
            existing = synthetic_models(root).count()
            if existing:
                raise CommandError(
                    f"Cây đơn vị mẫu đã có {vn_number(existing)} mô hình mẫu; không sinh thêm để "
                    "khỏi trùng lặp. Dùng --replace để xóa chúng và sinh lại."
                )

        started = time.perf_counter()
        tree, created = ensure_organisation_tree(organisations, seed=seed)
        elapsed = time.perf_counter() - started
        if created:
            self.stdout.write(
                f"Đã sinh {vn_number(tree.organisations)} đơn vị ({len(tree.provinces)} tỉnh, "
                f"{vn_number(len(tree.communes))} xã/phường; trước 01/07/2025: "
                f"{tree.former_provinces} tỉnh, {vn_number(tree.former_districts)} huyện, "
                f"{vn_number(tree.former_communes)} xã/phường, "
                f"{vn_number(tree.mergers)} quan hệ sáp nhập) trong {elapsed:.1f} giây."
            )
        else:
            self.stdout.write(
                f"Dùng lại cây đơn vị mẫu đã có: {vn_number(tree.organisations)} đơn vị "
                f"({len(tree.provinces)} tỉnh, {vn_number(len(tree.communes))} xã/phường)."
            )
        if not models:
            return

        root = find_synthetic_root()
        if replace:
            started = time.perf_counter()
            deleted = delete_synthetic_models(root)
            if deleted:
                self.stdout.write(
                    f"Đã xóa {vn_number(deleted)} mô hình mẫu cũ trong "
                    f"{time.perf_counter() - started:.1f} giây."
                )

        started = time.perf_counter()
        result = generate_models(
            models,
            root=root,
            seed=seed,
            progress=lambda message: self.stdout.write(f"  {message}"),
        )
        loaded = time.perf_counter() - started
        vacuumed = vacuum_registry()
        total = time.perf_counter() - started
        self.stdout.write(
            f"Đã sinh {vn_number(result.models)} mô hình, điển hình trong {total:.1f} giây "
            f"(nạp {result.seconds['load']:.1f} giây, tạo lại chỉ mục "
            f"{result.seconds['indexes']:.1f} giây, ANALYZE {result.seconds['analyze']:.1f} "
            f"giây, số liệu tổng hợp báo cáo {result.seconds['rollup']:.1f} "
            f"giây, VACUUM {vacuumed:.1f} giây; tổng {loaded:.1f} giây trước VACUUM)."
        )
        self.stdout.write(
            f"  {vn_number(result.themes)} liên kết chủ đề, "
            f"{vn_number(result.territories)} địa bàn, "
            f"{vn_number(result.replicas)} mô hình nhân rộng, {vn_number(result.events)} sự kiện, "
            f"{vn_number(result.reports)} báo cáo kết quả với {vn_number(result.values)} giá trị "
            "chỉ tiêu."
        )
        statuses = ", ".join(
            f"{Status(status).label} {vn_number(count)}"
            for status, count in sorted(result.by_status.items(), key=lambda item: -item[1])
        )
        self.stdout.write(f"  Trạng thái: {statuses}.")
