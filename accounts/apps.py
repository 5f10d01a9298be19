from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Tài khoản người dùng"

    def ready(self):
        # Registers the background importer of large account files with the worker.
        from accounts import imports  # noqa: F401
