"""The pages of two-step sign-in: the code after the password, setting up an authenticator app,
and one's recovery codes."""

from base64 import b32encode

import segno
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views import View
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from core import two_factor
from danvan.two_factor_forms import FirstCodeForm, SecondStepCodeForm
from danvan.two_factor_policy import second_factor_owed, second_factor_required

# The recovery codes just made, kept in the session only until the user says they are saved.
FRESH_CODES_KEY = "danvan_fresh_recovery_codes"


def safe_next(request) -> str:
    """The page asked for before the second step, when it is on this portal; else home."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


@method_decorator(never_cache, name="dispatch")
class SecondStepView(View):
    """After the password: a code from the app (or a recovery code) opens the portal."""

    template_name = "registration/two_factor_verify.html"

    def get(self, request):
        if second_factor_owed(request.user) != "verify":
            return redirect(safe_next(request))
        return self.page(SecondStepCodeForm())

    def post(self, request):
        if second_factor_owed(request.user) != "verify":
            return redirect(safe_next(request))
        form = SecondStepCodeForm(request.POST)
        if not form.is_valid():
            return self.page(form)
        try:
            device = two_factor.second_factor_check(
                user=request.user, token=form.cleaned_data["code"]
            )
        except two_factor.TooManyAttempts as throttled:
            form.add_error(None, throttled.message)
            return self.page(form, status=429)
        if device is None:
            form.add_error(
                None,
                "Mã xác thực không đúng hoặc đã hết hạn. Hãy nhập mã đang hiện trong ứng dụng, "
                "hoặc một mã dự phòng chưa dùng. Lưu ý: nhập sai nhiều lần, bạn sẽ phải đợi lâu "
                "hơn trước mỗi lần thử.",
            )
            return self.page(form)
        otp_login(self.request, device)
        if isinstance(device, StaticDevice):
            left = two_factor.recovery_codes_left(request.user)
            messages.warning(
                request,
                f"Bạn vừa dùng một mã dự phòng (mỗi mã chỉ dùng được một lần); còn {left} mã. "
                "Nếu đã mất điện thoại, hãy nhờ quản trị viên đặt lại xác thực hai bước.",
            )
        return redirect(safe_next(request))

    def page(self, form, status=200):
        context = {"form": form, "next": safe_next(self.request)}
        return render(self.request, self.template_name, context, status=status)


class TwoFactorOverviewView(View):
    """One's own second step: whether an app is set up, and the recovery codes left."""

    def get(self, request):
        context = {
            "devices": two_factor.confirmed_devices(request.user),
            "required": second_factor_required(request.user),
        }
        return render(request, "registration/two_factor_overview.html", context)


def qr_code_svg(uri: str) -> str:
    """The ``otpauth://`` address as an inline SVG QR code, drawn here (nothing fetched)."""
    return segno.make(uri, error="m").svg_inline(scale=5, border=2, dark="#000", light="#fff")


@method_decorator(never_cache, name="dispatch")
class TwoFactorSetupView(View):
    """Scan the QR code (or type the secret), then confirm with the app's first code."""

    template_name = "registration/two_factor_setup.html"

    def get(self, request):
        return self.page(FirstCodeForm())

    def post(self, request):
        form = FirstCodeForm(request.POST)
        if not form.is_valid():
            return self.page(form)
        try:
            device, codes = two_factor.authenticator_confirm(
                user=request.user, token=form.cleaned_data["code"]
            )
        except two_factor.TooManyAttempts as throttled:
            form.add_error(None, throttled.message)
            return self.page(form, status=429)
        except ValidationError as error:
            form.add_error(None, error)
            return self.page(form)
        # The code just typed proves the phone: this session has passed its second step.
        otp_login(request, device)
        request.session[FRESH_CODES_KEY] = codes
        messages.success(request, "Đã bật đăng nhập hai bước cho tài khoản của bạn.")
        return redirect("two_factor_recovery_codes")

    def page(self, form, status=200):
        try:
            device = two_factor.authenticator_start(user=self.request.user)
        except ValidationError as error:
            messages.info(self.request, error.messages[0])
            return redirect("two_factor")
        uri = device.config_url
        secret = b32encode(device.bin_key).decode()
        context = {
            "form": form,
            "qr_code": mark_safe(qr_code_svg(uri)),  # noqa: S308 - markup made by segno
            "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
            "otpauth_uri": uri,
            "required": second_factor_required(self.request.user),
        }
        return render(self.request, self.template_name, context, status=status)


@method_decorator(never_cache, name="dispatch")
class RecoveryCodesView(View):
    """The recovery codes just made (shown until saved), or a button to make new ones."""

    def get(self, request):
        context = {
            "codes": request.session.get(FRESH_CODES_KEY),
            "devices": two_factor.confirmed_devices(request.user),
        }
        return render(request, "registration/two_factor_recovery_codes.html", context)

    def post(self, request):
        try:
            codes = two_factor.recovery_codes_regenerate(user=request.user)
        except ValidationError as error:
            messages.error(request, error.messages[0])
            return redirect("two_factor")
        request.session[FRESH_CODES_KEY] = codes
        messages.success(request, "Đã tạo bộ mã dự phòng mới; các mã cũ không còn dùng được.")
        return redirect("two_factor_recovery_codes")


@method_decorator(never_cache, name="dispatch")
class RecoveryCodesDownloadView(View):
    """The codes just made, as a text file to keep."""

    def get(self, request):
        codes = request.session.get(FRESH_CODES_KEY)
        if not codes:
            raise Http404("Không còn mã dự phòng nào để tải về.")
        user = request.user
        lines = [
            "Cổng Dân vận khéo – mã dự phòng đăng nhập hai bước",
            f"Tài khoản: {user.get_username()}",
            "Mỗi mã chỉ dùng được một lần, khi không có điện thoại bên mình.",
            "",
            *codes,
            "",
        ]
        response = HttpResponse("\r\n".join(lines), content_type="text/plain; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="ma-du-phong.txt"'
        return response


class RecoveryCodesSavedView(View):
    """The user has kept the codes: they are no longer shown."""

    def post(self, request):
        request.session.pop(FRESH_CODES_KEY, None)
        return redirect("home")
