"""Signing in through the province's single sign-on gateway (OpenID Connect, code flow).

Off unless DJANGO_OIDC_ENABLED. A person signs in through the gateway only into an account that
already exists and carries the gateway's identifier for them (``AccountProfile.sso_subject``,
compared with the claim named by DJANGO_OIDC_CLAIM): no account is ever created here and none is
found by e-mail. A locked account is refused. The session then passes through the same
middleware as a password log-in: the portal's own second step is still asked of anyone with an
authenticator app unless DJANGO_OIDC_SATISFIES_SECOND_STEP says the gateway's counts.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import LoginView
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from danvan.auth import PortalBackend
from danvan.middleware import SECOND_STEP_NOT_OWED_KEY

# Why the gateway's sign-in was refused, kept in the session for the page that says so.
REFUSAL_KEY = "danvan_sso_refusal"
UNKNOWN, LOCKED, FAILED = "unknown", "locked", "failed"

REFUSALS = {
    UNKNOWN: (
        "Tài khoản một cửa của bạn chưa được liên kết với tài khoản nào trên Cổng. Cổng không tự "
        "tạo tài khoản: hãy đề nghị quản trị viên đơn vị của bạn tạo tài khoản (hoặc liên kết "
        "tài khoản sẵn có) với mã định danh một cửa của bạn, rồi đăng nhập lại."
    ),
    LOCKED: ("Tài khoản của bạn trên Cổng đã bị khóa. Hãy liên hệ quản trị viên đơn vị của bạn."),
    FAILED: (
        "Không đăng nhập được bằng tài khoản một cửa. Vui lòng thử lại, hoặc đăng nhập bằng "
        "tên đăng nhập và mật khẩu của Cổng."
    ),
}


class GatewayBackend(OIDCAuthenticationBackend):
    """The gateway's code flow, matching accounts by the stable claim alone."""

    def authenticate(self, request, **kwargs):
        if not settings.OIDC_ENABLED:
            return None
        return super().authenticate(request, **kwargs)

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        subject = subject_of(claims)
        user = (
            self.UserModel.objects.filter(account_profile__sso_subject=subject).first()
            if subject
            else None
        )
        if user is None:
            return self.refuse(UNKNOWN)
        if not self.user_can_authenticate(user):
            return self.refuse(LOCKED)
        return user

    def refuse(self, reason: str) -> None:
        self.request.session[REFUSAL_KEY] = reason
        return None

    def get_user(self, user_id):
        # The same signed-in user as after a password log-in (bell count, password flag).
        return PortalBackend().get_user(user_id)


def exempt_from_lockout(request, credentials) -> bool:
    """For django-axes: the gateway's answers are not password guesses (it throttles its own
    log-in). Without this, people refused for want of a linked account, counted without a user
    name against their office's address, would lock everyone's gateway log-in there."""
    match = getattr(request, "resolver_match", None)
    return (
        not (credentials or {}).get("username")
        and match is not None
        and match.view_name == "oidc_authentication_callback"
    )


def subject_of(claims) -> str:
    value = claims.get(settings.OIDC_CLAIM)
    return str(value).strip() if value not in (None, "") else ""


def _only_when_enabled(view):
    def guarded(request, *args, **kwargs):
        if not settings.OIDC_ENABLED:
            raise Http404
        return view(request, *args, **kwargs)

    return login_not_required(guarded)


@method_decorator(_only_when_enabled, name="dispatch")
class GatewayRedirectView(OIDCAuthenticationRequestView):
    """Sends the browser to the gateway's sign-in page (state, nonce and PKCE kept in the
    session)."""


@method_decorator(_only_when_enabled, name="dispatch")
class GatewayCallbackView(OIDCAuthenticationCallbackView):
    """Where the gateway sends the browser back with its code."""

    @property
    def failure_url(self):
        return reverse("single_sign_on_refused")

    def login_failure(self):
        self.request.session.setdefault(REFUSAL_KEY, FAILED)
        return super().login_failure()

    def login_success(self):
        response = super().login_success()
        if settings.OIDC_SATISFIES_SECOND_STEP:
            # The gateway ran its own second step; the portal's is not asked again.
            self.request.session[SECOND_STEP_NOT_OWED_KEY] = self.user.pk
        return response


@_only_when_enabled
def refused(request):
    reason = request.session.pop(REFUSAL_KEY, FAILED)
    context = {"message": REFUSALS.get(reason, REFUSALS[FAILED])}
    return render(request, "registration/single_sign_on_refused.html", context, status=403)


class PortalLoginView(LoginView):
    """Django's log-in page, offering the gateway beside the form when it is switched on."""

    def get_context_data(self, **kwargs):
        return super().get_context_data(single_sign_on=settings.OIDC_ENABLED, **kwargs)
