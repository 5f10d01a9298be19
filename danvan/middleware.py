"""Request ids and the access log, session lifetime (an absolute limit on top of the idle
timeout), the pages' CSP, the query-string guard and the hold on sessions owing their second
step of sign-in."""

import logging
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.middleware.gzip import GZipMiddleware
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from danvan.client_address import client_ip
from danvan.logs import REQUEST_ID_HEADER, request_id_from, request_id_var

SESSION_STARTED_KEY = "danvan_login_at"
SESSION_SEEN_KEY = "danvan_seen_at"
SECOND_STEP_NOT_OWED_KEY = "danvan_second_step_not_owed"

access_log = logging.getLogger("danvan.access")


class PageCompressionMiddleware(GZipMiddleware):
    """Pages and htmx fragments go gzipped to a browser that accepts it (Django pads each
    compressed page at random against BREACH). Streamed answers, the downloads and exports, go as
    they are: most are compressed formats already, and their length lets the browser show the
    progress of a large file. Static files never get here: whitenoise sends its own compressed
    copies first."""

    def process_response(self, request, response):
        if response.streaming:
            return response
        return super().process_response(request, response)


class RequestIdMiddleware:
    """Give every request an id: the proxy's ``X-Request-ID`` when sane, else a new one.

    The id is on ``request.request_id``, on every log record written while the request is
    answered (``danvan.logs.ContextFilter``), in the ``X-Request-ID`` response header and on the
    error pages, so a person can quote it and an administrator find the request's lines. Then
    one access line: method, path, status, duration, user and client address.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            if access_log.isEnabledFor(logging.INFO):
                self.log_access(request, response, time.perf_counter() - started)
            return response
        finally:
            request_id_var.reset(token)

    def log_access(self, request, response, seconds):
        duration_ms = round(seconds * 1000, 1)
        path = loggable_path(request)
        access_log.info(
            "%s %s %s %sms",
            request.method,
            path,
            response.status_code,
            duration_ms,
            extra={
                "method": request.method,
                "path": path,
                "status": response.status_code,
                "duration_ms": duration_ms,
                "user_id": signed_in_user_id(request),
                "client_ip": client_ip(request),
            },
        )


def loggable_path(request) -> str:
    """The path without the query string, and without a secret it carries (the password-reset
    link's token)."""
    path = request.path
    match = getattr(request, "resolver_match", None)
    token = match.kwargs.get("token") if match else None
    if isinstance(token, str) and token:
        path = path.replace(token, "***")
    return path


def signed_in_user_id(request):
    """The signed-in user's id when the request already read it: asking here would cost the
    session's queries on pages that never needed the user."""
    user = getattr(request, "_cached_user", None)
    if user is not None and user.is_authenticated:
        return user.pk
    return None


class SessionLifetimeMiddleware:
    """Log the user out after ``SESSION_IDLE_TIMEOUT`` without a request or once the session is
    older than ``SESSION_ABSOLUTE_LIFETIME``.

    The session is not saved on every request (``SESSION_SAVE_EVERY_REQUEST`` is off: a page
    would otherwise rewrite and commit its row). It notes when it was last renewed
    (``SESSION_SEEN_KEY``) and is renewed — saved, which moves the row's and the cookie's expiry
    ``SESSION_COOKIE_AGE`` ahead — only when more than ``SESSION_REFRESH_INTERVAL`` has passed
    since. The idle timeout therefore counts from the last renewal, at most that interval
    before the last request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            session = request.session
            now = int(time.time())
            started = session.setdefault(SESSION_STARTED_KEY, now)
            seen = session.get(SESSION_SEEN_KEY)
            idle = seen is not None and now - seen > settings.SESSION_IDLE_TIMEOUT
            if idle or now - started > settings.SESSION_ABSOLUTE_LIFETIME:
                logout(request)
                messages.info(request, "Phiên làm việc đã hết hạn. Vui lòng đăng nhập lại.")
                return redirect_to_login(request.get_full_path())
            if seen is None or now - seen >= settings.SESSION_REFRESH_INTERVAL:
                session[SESSION_SEEN_KEY] = now  # modified: saved with a renewed expiry
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


def note_session_start_at_log_in(sender, request, user, **kwargs):
    """At log-in (``user_logged_in``), note when the session started and was last renewed, so
    that its first page writes nothing more to it."""
    if request is None or not hasattr(request, "session"):
        return
    now = int(time.time())
    request.session[SESSION_STARTED_KEY] = now
    request.session[SESSION_SEEN_KEY] = now


def note_second_step_at_log_in(sender, request, user, **kwargs):
    """At log-in (``user_logged_in``), note a session that owes no second step (no app, no
    role requiring one), so that its pages cost no query for it."""
    from core.two_factor import has_second_factor
    from danvan.two_factor_policy import second_factor_required

    if request is None or not hasattr(request, "session"):
        return
    if not has_second_factor(user) and not second_factor_required(user):
        request.session[SECOND_STEP_NOT_OWED_KEY] = user.pk
    else:
        request.session.pop(SECOND_STEP_NOT_OWED_KEY, None)


class TwoFactorMiddleware:
    """Hold a signed-in session that owes its second step on that step's pages.

    After the password, a user with an authenticator app reaches only the code page (and
    logging out) until a code is accepted; a user whose roles require an app and who has none
    reaches only the set-up pages. The admin site is held the same way.
    """

    VERIFY_PAGES = frozenset({"two_factor_verify", "logout", "logged_out", "healthz"})
    SET_UP_PAGES = frozenset(
        {
            "two_factor_setup",
            "two_factor_recovery_codes",
            "two_factor_recovery_codes_download",
            "two_factor_recovery_codes_saved",
            "logout",
            "logged_out",
            "healthz",
        }
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        from danvan.two_factor_policy import second_factor_owed

        if request.path_info.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return None
        user = request.user
        if not user.is_authenticated or request.session.get(SECOND_STEP_NOT_OWED_KEY) == user.pk:
            return None
        owed = second_factor_owed(user)
        if owed is None:
            if not user.is_verified():
                # Neither an app nor a role that requires one: decided once per session, so
                # pages keep their query counts. A role granted later applies at the next log-in.
                request.session[SECOND_STEP_NOT_OWED_KEY] = user.pk
            return None
        match = request.resolver_match
        name = match.view_name if match else ""
        if name == "admin:logout":
            return None
        if owed == "verify":
            if name in self.VERIFY_PAGES:
                return None
            target = "two_factor_verify"
        else:
            if name in self.SET_UP_PAGES:
                return None
            messages.warning(
                request,
                "Vai trò của bạn yêu cầu đăng nhập hai bước. Vui lòng thiết lập ứng dụng xác "
                "thực trước khi tiếp tục.",
            )
            target = "two_factor_setup"
        next_path = request.get_full_path() if request.method == "GET" else ""
        url = reverse(target)
        if next_path and next_path != "/":
            url = f"{url}?{urlencode({'next': next_path})}"
        return redirect(url)
