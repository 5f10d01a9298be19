"""Sending a person who logged in with a one-time password to choose their own first."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from accounts.models import AccountProfile

# The pages a person with a one-time password may still open: the change itself, and leaving.
ALLOWED_URL_NAMES = ("password_change", "password_change_done", "logout", "logged_out")


def must_change_password(user) -> bool:
    """Read with the user by ``danvan.auth.PortalBackend``; asked of the database otherwise."""
    flag = getattr(user, "must_change_password", None)
    if flag is None:
        flag = AccountProfile.objects.filter(user=user, must_change_password=True).exists()
    return flag


class PasswordChangeRequiredMiddleware:
    """Every page but the password change answers with a redirect to it while the signed-in
    person's password is a one-time password handed out by an admin."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.allowed = None

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and must_change_password(user):
            if self.allowed is None:
                self.allowed = {reverse(name) for name in ALLOWED_URL_NAMES}
            if request.path not in self.allowed:
                messages.warning(
                    request,
                    "Bạn đang dùng mật khẩu tạm thời do quản trị viên cấp. "
                    "Hãy đổi sang mật khẩu của riêng bạn để tiếp tục.",
                )
                return redirect("password_change")
        return self.get_response(request)
