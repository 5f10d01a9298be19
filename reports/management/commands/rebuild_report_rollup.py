"""Count the report roll-up anew: after bulk loads that bypass the triggers, or a reorganisation."""

import time

from django.core.management.base import BaseCommand

from core.numbers import vn_number
from reports.rollup import rebuild_rollup


class Command(BaseCommand):
    help = (
        "Tính lại bảng số liệu tổng hợp của báo cáo từ các mô hình, báo cáo kết quả và khen "
        "thưởng (sau khi nạp dữ liệu hàng loạt hoặc sắp xếp lại cây đơn vị)."
    )

    def handle(self, *args, **options):
        started = time.perf_counter()
        counts = rebuild_rollup()
        self.stdout.write(
            f"Đã tính lại số liệu tổng hợp trong {time.perf_counter() - started:.1f} giây: "
            f"{vn_number(counts['reports_modelcount'])} dòng mô hình, "
            f"{vn_number(counts['reports_indicatorcount'])} dòng chỉ tiêu, "
            f"{vn_number(counts['reports_commendationfact'])} khen thưởng."
        )
