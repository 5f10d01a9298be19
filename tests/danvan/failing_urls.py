"""The portal's URLs plus a page that fails, for the tests of the error page."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from danvan.urls import handler500
from danvan.urls import urlpatterns as portal_urlpatterns

__all__ = ["handler500", "urlpatterns"]


class PageFailure(Exception):
    pass


@login_not_required
def failing_page(request):
    raise PageFailure("the page broke")


urlpatterns = [path("trang-loi/", failing_page), *portal_urlpatterns]
