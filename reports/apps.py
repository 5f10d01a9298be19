from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Báo cáo sơ kết, tổng kết"

    def ready(self):
        # The figures this app adds to the home page, and the worker's chore that counts a stale
        # roll-up anew.
        from reports import panels, rollup  # noqa: F401
