"""Session lifetime: an absolute limit on top of the idle timeout."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login

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
