from django.apps import AppConfig


class ModelsRegistryConfig(AppConfig):
    name = "models_registry"
    verbose_name = "Mô hình, điển hình"

    def ready(self):
        from core.saved_filters import register_page

        register_page(
            "mo-hinh", label="Danh sách mô hình, điển hình", url_name="models_registry:model_list"
        )
