from django.apps import AppConfig


class DanvanConfig(AppConfig):
    name = "danvan"
    verbose_name = "Cổng Dân vận khéo"
