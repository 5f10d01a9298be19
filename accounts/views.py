"""The account pages: an admin manages the people of their subtree (others are 404)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from accounts import services
from accounts.forms import (
    AccountCreateForm,
    AccountDetailsForm,
    AccountFilterForm,
    AccountImportForm,
    RoleGrantForm,
)
from accounts.history import account_history
from accounts.imports import BACKGROUND_KIND as IMPORT_KIND
from accounts.imports import SHEET_TITLE as IMPORT_SHEET_TITLE
from accounts.imports import (
    account_rows,
    accounts_template,
    imported_passwords,
    passwords_workbook,
    read_account_rows,
)
from accounts.selectors import account_list, manageable_accounts, may_manage_accounts
from core.background_imports import import_request, in_background
from core.models import ImportJob, JobStatus
from core.passwords import PortalPasswordChangeView
from core.spreadsheets import SpreadsheetError, read_csv, read_xlsx
from core.two_factor import second_factor_reset

ACCOUNTS_PER_PAGE = 50


def _errors(error: ValidationError) -> list[str]:
    return [message for message in error.messages]


class AccountAdminMixin:
    """Only admins (and superusers) reach the account pages; a person is looked up among those
    the admin manages, anything else is a 404."""

    def dispatch(self, request, *args, **kwargs):
        if not may_manage_accounts(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_person(self):
        return get_object_or_404(manageable_accounts(self.request.user), pk=self.kwargs["pk"])


class AccountListView(AccountAdminMixin, TemplateView):
    template_name = "accounts/account_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        form = AccountFilterForm(self.request.GET or None, by=user)
        filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
        accounts = account_list(
            user,
            text=filters.get("q", ""),
            unit=filters.get("unit"),
            role=filters.get("role", ""),
            active=filters.get("active", ""),
        )
        page = Paginator(accounts, ACCOUNTS_PER_PAGE).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(form=form, page_obj=page, query_prefix=query.urlencode())
        return context


class AccountCreateView(AccountAdminMixin, View):
    template_name = "accounts/account_form.html"

    def get(self, request):
        form = AccountCreateForm(by=request.user)
        return render(request, self.template_name, {"form": form})

    def post(self, request):
        form = AccountCreateForm(request.POST, by=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                person, password = services.account_create(
                    full_name=data["full_name"],
                    username=data["username"],
                    email=data["email"],
                    phone=data["phone"],
                    organisation=data["unit"],
                    role=data["role"],
                    by=request.user,
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                return _one_time_password_page(request, person, password, created=True)
        return render(request, self.template_name, {"form": form}, status=400)


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _one_time_password_page(request, person, password, *, created: bool):
    """The password, shown this once (never stored, never cached)."""
    response = render(
        request,
        "accounts/one_time_password.html",
        {"person": person, "password": password, "created": created},
    )
    response["Cache-Control"] = "no-store"
    return response


class AccountDetailView(AccountAdminMixin, TemplateView):
    template_name = "accounts/account_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        person = self.get_person()
        user = self.request.user
        profile = getattr(person, "account_profile", None)
        context.update(
            person=person,
            profile=profile,
            memberships=person.memberships.select_related("organisation").order_by(
                "organisation__path", "role"
            ),
            history=account_history(person, viewer=user),
            is_self=person.pk == user.pk,
            details_form=kwargs.get("details_form")
            or AccountDetailsForm(
                initial={
                    "full_name": person.get_full_name(),
                    "email": person.email,
                    "phone": profile.phone if profile else "",
                }
            ),
            grant_form=kwargs.get("grant_form") or RoleGrantForm(by=user),
        )
        return context


class AccountActionView(AccountAdminMixin, View):
    """A POST-only change of one person's account: call the service, say so, go back."""

    def post(self, request, pk, **kwargs):
        person = self.get_person()
        try:
            response = self.act(request, person)
        except ValidationError as error:
            for message in _errors(error):
                messages.error(request, message)
            return redirect("accounts:account_detail", pk=person.pk)
        return response or redirect("accounts:account_detail", pk=person.pk)

    def act(self, request, person):
        raise NotImplementedError


class AccountUpdateView(AccountActionView):
    def act(self, request, person):
        form = AccountDetailsForm(request.POST)
        if form.is_valid():
            try:
                services.account_update(user=person, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, "Đã lưu thông tin tài khoản.")
                return None
        view = AccountDetailView(request=request, kwargs={"pk": person.pk})
        context = view.get_context_data(details_form=form)
        return render(request, view.template_name, context, status=400)


class AccountDeactivateView(AccountActionView):
    def act(self, request, person):
        services.account_deactivate(user=person, by=request.user)
        messages.success(
            request, "Đã khóa tài khoản; các phiên đăng nhập của người này đã kết thúc."
        )


class AccountReactivateView(AccountActionView):
    def act(self, request, person):
        services.account_reactivate(user=person, by=request.user)
        messages.success(request, "Đã mở khóa tài khoản.")


class AccountPasswordResetView(AccountActionView):
    def act(self, request, person):
        password = services.account_password_reset(user=person, by=request.user)
        return _one_time_password_page(request, person, password, created=False)


class AccountSessionsEndView(AccountActionView):
    def act(self, request, person):
        count = services.account_sessions_end(user=person, by=request.user)
        messages.success(request, f"Đã kết thúc {count} phiên đăng nhập của người này.")


class AccountSecondFactorResetView(AccountActionView):
    """For a person who lost their phone: their authenticator app and recovery codes removed
    (the person is one the admin manages: ``get_person`` looked them up in scope)."""

    def act(self, request, person):
        removed = second_factor_reset(user=person, by=request.user)
        if removed:
            messages.success(request, "Đã đặt lại xác thực hai bước của người này.")
        else:
            messages.info(request, "Người này chưa thiết lập xác thực hai bước.")


class AccountRoleGrantView(AccountActionView):
    def act(self, request, person):
        form = RoleGrantForm(request.POST, by=request.user)
        if form.is_valid():
            try:
                services.account_role_grant(
                    user=person,
                    organisation=form.cleaned_data["unit"],
                    role=form.cleaned_data["role"],
                    by=request.user,
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, "Đã cấp vai trò.")
                return None
        view = AccountDetailView(request=request, kwargs={"pk": person.pk})
        context = view.get_context_data(grant_form=form)
        return render(request, view.template_name, context, status=400)


class AccountRoleRevokeView(AccountActionView):
    def act(self, request, person):
        membership = get_object_or_404(person.memberships, pk=self.kwargs["membership_pk"])
        services.account_role_revoke(membership=membership, by=request.user)
        messages.success(request, "Đã thu hồi vai trò.")


class PasswordChangeView(PortalPasswordChangeView):
    """The portal's password change; choosing one's own password meets the one-time
    password's obligation."""

    def form_valid(self, form):
        response = super().form_valid(form)
        services.account_password_changed(user=form.user)
        return response


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEMPLATE_FILENAME = "mau-nhap-tai-khoan.xlsx"
PASSWORDS_FILENAME = "mat-khau-dung-mot-lan.xlsx"
# Session key: the one-time passwords of the last import, until their file is downloaded.
IMPORTED_PASSWORDS = "accounts_imported_passwords"


class AccountImportTemplateView(AccountAdminMixin, View):
    """The empty file, its unit drop-down limited to the admin's subtree."""

    def get(self, request):
        response = HttpResponse(accounts_template(request.user), content_type=XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{TEMPLATE_FILENAME}"'
        return response


class AccountImportView(AccountAdminMixin, View):
    """GET: the form. POST: check the whole file; create every account or none."""

    template_name = "accounts/account_import.html"

    def render_page(self, form, *, status=200, **context):
        context.update(form=form, template_filename=TEMPLATE_FILENAME)
        return render(self.request, self.template_name, context, status=status)

    def get(self, request):
        return self.render_page(AccountImportForm())

    def post(self, request):
        form = AccountImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_page(form, status=400)
        upload = form.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_FILE_BYTES:
            form.add_error("file", "Tệp quá lớn.")
            return self.render_page(form, status=400)
        data = upload.read()
        try:
            if upload.name.lower().endswith(".csv"):
                dataset = read_csv(data)
            else:
                dataset = read_xlsx(data, IMPORT_SHEET_TITLE)
            raw_rows = account_rows(dataset)
            if in_background(len(raw_rows)):
                return self.queue(upload, data, len(raw_rows))
            rows, errors = read_account_rows(raw_rows, by=request.user)
        except SpreadsheetError as error:
            form.add_error("file", str(error))
            return self.render_page(form, status=400)
        if not errors:
            try:
                created = services.accounts_import(rows=rows, by=request.user)
            except ValidationError as error:
                errors = _errors(error)
        if errors:
            messages.error(
                request, "Tệp có lỗi nên chưa nhập được; không có tài khoản nào được tạo."
            )
            return self.render_page(form, status=400, errors=errors)
        request.session[IMPORTED_PASSWORDS] = imported_passwords(rows, created)
        return self.render_page(AccountImportForm(), created=len(created))

    def queue(self, upload, data: bytes, rows: int):
        """A large file: checked and written by the background worker, followed on its page."""
        job = import_request(
            by=self.request.user,
            kind=IMPORT_KIND,
            title="Nhập tài khoản từ tệp",
            data=data,
            file_name=upload.name,
            rows=rows,
            options={"csv": upload.name.lower().endswith(".csv")},
            next_url=reverse("accounts:account_list"),
        )
        return redirect(job)


class AccountImportPasswordsView(AccountAdminMixin, View):
    """The passwords file of the last import, for the admin who made it, once."""

    def get(self, request):
        created = request.session.pop(IMPORTED_PASSWORDS, None)
        if not created:
            raise Http404("Tệp mật khẩu đã được tải về hoặc đã hết hạn.")
        response = HttpResponse(passwords_workbook(created), content_type=XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{PASSWORDS_FILENAME}"'
        response["Cache-Control"] = "no-store"
        return response


class AccountImportJobPasswordsView(AccountAdminMixin, View):
    """The passwords file of a large import, for the admin who made it, once."""

    def get(self, request, pk):
        job = get_object_or_404(
            ImportJob.objects.visible_to(request.user),
            pk=pk,
            kind=IMPORT_KIND,
            status=JobStatus.DONE,
        )
        content = services.import_passwords_take(job=job)
        if content is None:
            raise Http404("Tệp mật khẩu đã được tải về hoặc đã hết hạn.")
        response = HttpResponse(content, content_type=XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{PASSWORDS_FILENAME}"'
        response["Cache-Control"] = "no-store"
        return response
