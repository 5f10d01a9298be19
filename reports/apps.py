from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Báo cáo sơ kết, tổng kết"

    def ready(self):
        # The figures this app adds to the home page.
        from reports import panels  # noqa: F401
