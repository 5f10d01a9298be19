from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    # The label these models, their tables (danvan_notification, ...), content types,
    # permissions and migration history were made under, when this package was part of
    # ``danvan``. Keeping it leaves every existing database as it is: no table renamed, no
    # migration recorded twice, other apps' dependencies on ("danvan", ...) still met.
    label = "danvan"
    verbose_name = "Thành phần dùng chung"

    def ready(self):
        # The worker's chore that removes import files nobody confirmed.
        from core import staging  # noqa: F401
