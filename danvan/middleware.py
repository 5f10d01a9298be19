"""Session lifetime (an absolute limit on top of the idle timeout), the pages' CSP and the
query-string guard."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render

SESSION_STARTED_KEY = "danvan_login_at"


class SessionLifetimeMiddleware:
    """Log the user out once their session is older than ``SESSION_ABSOLUTE_LIFETIME``.

    The idle timeout needs no code: the session cookie's age is renewed on every request
    (``SESSION_SAVE_EVERY_REQUEST``), so it lapses after ``SESSION_COOKIE_AGE`` of inactivity.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            started = request.session.setdefault(SESSION_STARTED_KEY, now)
            if now - started > settings.SESSION_ABSOLUTE_LIFETIME:
                logout(request)
                messages.info(request, "Phiên làm việc đã hết hạn. Vui lòng đăng nhập lại.")
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)


def content_security_policy(directives: dict[str, list[str]]) -> str:
    """The header's value: ``name value value; name value``."""
    return "; ".join(" ".join([name, *values]) for name, values in directives.items())


class ContentSecurityPolicyMiddleware:
    """Send ``settings.CONTENT_SECURITY_POLICY`` with every HTML page.

    Django 5.2 has none built in. The policy allows only the portal's own files: any script
    or style written into a page (injected markup included) is refused by the browser.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = content_security_policy(settings.CONTENT_SECURITY_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        content_type = response.get("Content-Type", "")
        if content_type.startswith("text/html") and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.header
        return response


class QueryStringGuardMiddleware:
    """Answer 400 to a query string holding a NUL character, before any view reads it.

    No form sends one and PostgreSQL refuses it in any text value, so a search or a filter
    holding it would otherwise end in a server error on every page that reads its parameters.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any("\x00" in key or "\x00" in "".join(values) for key, values in request.GET.lists()):
            context = {
                "message": "Địa chỉ trang chứa ký tự không hợp lệ (ký tự rỗng). "
                "Hãy xóa ký tự đó trong ô tìm kiếm hoặc bộ lọc rồi thử lại."
            }
            return render(request, "400.html", context, status=400)
        return self.get_response(request)
