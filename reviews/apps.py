from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Thẩm định, công nhận, biểu dương"

    def ready(self):
        # The panels this app adds to the registry's pages and to the home page.
        from core.saved_filters import register_page
        from reviews import panels  # noqa: F401

        register_page("hang-cho", label="Hàng chờ thẩm định", url_name="reviews:queue")
