"""Session lifetime (an absolute limit on top of the idle timeout) and the query-string guard."""

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
