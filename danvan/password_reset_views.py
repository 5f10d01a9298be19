"""The pages of "Quên mật khẩu?": ask, told it was sent, set a new password, done."""

from __future__ import annotations

import logging

from django import forms
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import SetPasswordForm
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.views.generic import FormView, TemplateView

from accounts.services import account_password_changed
from core.models import PasswordChangeFailure
from core.password_reset import password_reset_request
from danvan.client_address import client_ip

logger = logging.getLogger(__name__)


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(
        label="Địa chỉ e-mail",
        max_length=254,
        error_messages={
            "required": "Vui lòng nhập địa chỉ e-mail.",
            "invalid": "Địa chỉ e-mail không hợp lệ.",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "class": "form-control"}),
    )


class NewPasswordForm(SetPasswordForm):
    """Django's form (the rules of ``AUTH_PASSWORD_VALIDATORS``), labelled in Vietnamese."""

    error_messages = {"password_mismatch": "Hai mật khẩu đã nhập không khớp nhau."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "Mật khẩu mới"
        self.fields["new_password2"].label = "Nhập lại mật khẩu mới"
        self.fields["new_password2"].help_text = "Nhập lại đúng mật khẩu trên để xác nhận."
        for field in self.fields.values():
            field.error_messages["required"] = "Vui lòng nhập mật khẩu."


@method_decorator(login_not_required, name="dispatch")
class PasswordResetRequestView(FormView):
    """The same answer for every address typed; 429 past the rate limit."""

    form_class = PasswordResetRequestForm
    template_name = "registration/password_reset_form.html"

    def form_valid(self, form):
        accepted = password_reset_request(
            email=form.cleaned_data["email"], client_ip=client_ip(self.request)
        )
        if not accepted:
            response = self.render_to_response(self.get_context_data(form=form, limited=True))
            response.status_code = 429
            return response
        return redirect("password_reset_done")


@method_decorator(login_not_required, name="dispatch")
class PasswordResetSentView(TemplateView):
    template_name = "registration/password_reset_done.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(minutes=settings.PASSWORD_RESET_TIMEOUT // 60, **kwargs)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's single-use link check, for active accounts only; no log-in afterwards."""

    form_class = NewPasswordForm
    reset_url_token = "dat-mat-khau-moi"
    success_url = reverse_lazy("password_reset_complete")
    template_name = "registration/password_reset_confirm.html"

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None

    def form_valid(self, form):
        response = super().form_valid(form)
        # The person proved they own the address: earlier wrong guesses of the old password
        # no longer hold the password-change page locked.
        PasswordChangeFailure.objects.filter(user=form.user).delete()
        # A password of their own: a one-time password handed out by an admin is replaced.
        account_password_changed(user=form.user)
        logger.info("Password of user %s set through a reset link", form.user.pk)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_reset_complete.html"
