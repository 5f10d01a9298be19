"""Sending a person who logged in with a one-time password to choose their own first."""

from django.contrib import messages
from django.shortcuts import redirect

from accounts.models import AccountProfile

# The pages a person with a one-time password may still open: the change itself, leaving, and
# the second step of sign-in (``two_factor_*``), which comes first when their role requires it.
ALLOWED_URL_NAMES = frozenset(
    {"password_change", "password_change_done", "logout", "logged_out", "healthz"}
)
ALLOWED_URL_PREFIX = "two_factor"


def must_change_password(user) -> bool:
    """Read with the user by ``danvan.auth.PortalBackend``; asked of the database otherwise."""
    flag = getattr(user, "must_change_password", None)
    if flag is None:
        flag = AccountProfile.objects.filter(user=user, must_change_password=True).exists()
    return flag


class PasswordChangeRequiredMiddleware:
    """Every other page answers with a redirect to the password change while the signed-in
    person's password is a one-time password handed out by an admin.

    Decided by the resolved page's name (``process_view``), after the second step of sign-in
    has had its say, so that the two obligations never send a person back and forth.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or not must_change_password(user):
            return None
        match = request.resolver_match
        name = match.view_name if match else ""
        if name in ALLOWED_URL_NAMES or name.startswith(ALLOWED_URL_PREFIX):
            return None
        messages.warning(
            request,
            "Bạn đang dùng mật khẩu tạm thời do quản trị viên cấp. "
            "Hãy đổi sang mật khẩu của riêng bạn để tiếp tục.",
        )
        return redirect("password_change")
