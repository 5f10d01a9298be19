"""Commendation rounds: the list, building a round, its decision, publication and its annex."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.views import View
from django.views.generic import ListView

from core.forms import style_widgets
from core.storage import private_file_response
from core.uploads import KINDS
from organisations.choices import Role
from organisations.selectors import user_roles
from reviews import rules, services
from reviews.annex import annex_filename, write_annex
from reviews.certificates import certificates_filename, certificates_pdf
from reviews.forms.rounds import (
    CorrectionForm,
    DecisionForm,
    LineForm,
    NominateForm,
    PublishForm,
    RevokeForm,
    RoundForm,
)
from reviews.models import Commendation, CommendationRound
from reviews.selectors import rounds as selectors

PAGE_SIZE = 25
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NOT_DONE = "Chưa thực hiện được: hãy xem thông báo lỗi bên dưới."
NOT_MANAGER = "Chỉ cán bộ thẩm định, quản trị của đơn vị tổ chức mới thực hiện được."


def show_errors(form, error: ValidationError, names: Mapping[str, str] | None = None) -> None:
    """Put a service's ValidationError on ``form``: on the field it names, else on the form."""
    names = names or {}
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            name = names.get(name, name)
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)
    style_widgets(form)


def _line_prefix(line: Commendation) -> str:
    # Every line of the page carries its own form; the prefix keeps their fields apart.
    return f"dong-{line.pk}"


class ScopedRoundMixin:
    """Looks the round up among those the user may see (404 outside); managers only for writes."""

    def get_round(self, pk) -> CommendationRound:
        return get_object_or_404(
            CommendationRound.objects.visible_to(self.request.user).select_related(
                "organising_unit"
            ),
            pk=pk,
        )

    def get_managed_round(self, pk) -> CommendationRound:
        commendation_round = self.get_round(pk)
        if not rules.can_manage_round(self.request.user, commendation_round):
            raise PermissionDenied(NOT_MANAGER)
        return commendation_round

    def get_line(self, commendation_round, line_pk) -> Commendation:
        return get_object_or_404(
            commendation_round.commendations.select_related("model"), pk=line_pk
        )


class RoundListView(ListView):
    """The rounds the user may see, newest first, with their number of commendations."""

    template_name = "reviews/round_list.html"
    context_object_name = "rounds"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        return selectors.round_list(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_create"] = selectors.can_create_rounds(self.request.user)
        context["can_import"] = Role.ADMIN in user_roles(self.request.user)
        return context


class RoundFormView(ScopedRoundMixin, View):
    """Open a round (no pk) or change a draft one (pk): title, kind, period, unit, date."""

    template_name = "reviews/round_form.html"

    def get_instance(self) -> CommendationRound | None:
        pk = self.kwargs.get("pk")
        if pk is None:
            if not selectors.can_create_rounds(self.request.user):
                raise PermissionDenied(
                    "Chỉ cán bộ thẩm định, quản trị mới tạo được đợt biểu dương, khen thưởng."
                )
            return None
        return self.get_managed_round(pk)

    def render_form(self, form, instance, status=200):
        context = {"form": form, "round": instance}
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, pk=None):
        instance = self.get_instance()
        if instance is not None and instance.is_published:
            messages.warning(request, "Đợt đã công bố nên không sửa được thông tin đợt.")
            return redirect(instance)
        return self.render_form(RoundForm(instance=instance, user=request.user), instance)

    def post(self, request, pk=None):
        instance = self.get_instance()
        form = RoundForm(request.POST, instance=instance, user=request.user)
        if form.is_valid():
            try:
                if instance is None:
                    saved = services.round_create(by=request.user, fields=form.round_fields())
                else:
                    saved = services.round_update(
                        commendation_round=instance, by=request.user, fields=form.round_fields()
                    )
            except ValidationError as error:
                show_errors(form, error)
            else:
                messages.success(
                    request,
                    "Đã tạo đợt. Hãy đưa các mô hình, điển hình vào danh sách."
                    if instance is None
                    else "Đã lưu thông tin đợt.",
                )
                return redirect(saved)
        messages.error(request, "Chưa lưu được: hãy sửa các ô được đánh dấu bên dưới.")
        return self.render_form(form, instance, status=400)


class RoundDetailView(ScopedRoundMixin, View):
    """A round: its decision, its list and figures, its log; the manager's actions while allowed."""

    def get(self, request, pk):
        return render_detail(request, self.get_round(pk))


def render_detail(request, commendation_round, *, status=200, bound=None, open_line=None):
    """The round page; ``bound`` replaces default forms by refused ones, as typed, with errors."""
    user = request.user
    bound = bound or {}
    lines = selectors.round_lines(commendation_round)
    can_manage = rules.can_manage_round(user, commendation_round)
    is_draft = not commendation_round.is_published
    can_edit = can_manage and is_draft
    can_correct = can_manage and not is_draft
    for line in lines:
        line.open_form = open_line[0] if open_line and open_line[1] == line.pk else ""
        if line.revoked_at:
            continue
        initial = {"form": line.form, "citation": line.citation}
        prefix = _line_prefix(line)
        if can_edit:
            line.edit_form = bound.get(("edit", line.pk)) or LineForm(
                initial=initial, prefix=prefix
            )
        elif can_correct:
            line.correct_form = bound.get(("correct", line.pk)) or CorrectionForm(
                initial=initial, prefix=prefix
            )
            line.revoke_form = bound.get(("revoke", line.pk)) or RevokeForm(prefix=prefix)
    counts, total = selectors.round_counts(lines)
    query = request.GET.get("q", "").strip()
    context = {
        "round": commendation_round,
        "lines": lines,
        "counts": counts,
        "count_total": total,
        "events": selectors.round_events(commendation_round),
        "can_manage": can_manage,
        "can_edit": can_edit,
        "can_correct": can_correct,
        "line_columns": 7 if can_edit or can_correct else 6,  # the columns after "STT"
        "has_decision": bool(commendation_round.decision_number),
        "has_decision_file": bool(commendation_round.decision_file),
    }
    if can_edit:
        # Without the script, the page's search (``q``) fills the nominee picker's options.
        nominees = selectors.nominee_search(commendation_round, user, query)
        context.update(
            query=query,
            nominees_found=bool(nominees),
            nominate_form=bound.get("nominate")
            or NominateForm(user=user, commendation_round=commendation_round, found=nominees),
            publish_form=bound.get("publish") or PublishForm(),
        )
    return render(request, "reviews/round_detail.html", context, status=status)


class RoundNomineesView(ScopedRoundMixin, View):
    """The nominee picker's suggestions, as JSON: recognised models the round may still
    commend whose name or content match the text, with or without diacritics."""

    def get(self, request, pk):
        commendation_round = self.get_managed_round(pk)
        # A published round's list is locked: nothing more can be nominated.
        query = "" if commendation_round.is_published else request.GET.get("q", "").strip()
        results = [
            {"value": model.pk, "text": str(model), "context": nominee_context(model)}
            for model in selectors.nominee_search(commendation_round, request.user, query[:100])
        ]
        return JsonResponse({"results": results})


def nominee_context(model) -> str:
    """Where a nominee comes from, under its name in the picker."""
    person = f": {model.person_name}" if model.is_individual and model.person_name else ""
    parts = [model.owning_unit.name, f"{model.get_actor_display()}{person}"]
    if model.decision_number:
        parts.append(f"công nhận theo Quyết định số {model.decision_number}")
    return " · ".join(parts)


class RoundActionView(ScopedRoundMixin, View):
    """POST only: validate a small form, call the service, say what happened, back to the round.

    A refusal (ValidationError) shows the round page again with the form as typed and its errors.
    """

    form_class = None
    form_key = ""
    success_message = ""

    def get_form(self, request):
        return self.form_class(request.POST, request.FILES)

    def act(self, form) -> None:
        raise NotImplementedError

    def post(self, request, pk, **kwargs):
        self.round = self.get_managed_round(pk)
        self.prepare(**kwargs)
        form = self.get_form(request)
        if form.is_valid():
            try:
                self.act(form)
            except ValidationError as error:
                show_errors(form, error)
            else:
                messages.success(request, self.success_message)
                return redirect(self.success_url())
        for error in form.non_field_errors():
            messages.error(request, error)
        if not form.non_field_errors():
            messages.error(request, NOT_DONE)
        return self.refused(form)

    def prepare(self, **kwargs) -> None:
        """Look up what the action is about (a line of the round)."""

    def success_url(self) -> str:
        return self.round.get_absolute_url()

    def refused(self, form):
        return render_detail(self.request, self.round, status=400, bound={self.form_key: form})


class RoundNominateView(RoundActionView):
    """Put a recognised model of the round's unit on its list."""

    form_key = "nominate"
    success_message = "Đã đưa vào danh sách."

    def get_form(self, request):
        return NominateForm(request.POST, user=request.user, commendation_round=self.round)

    def act(self, form):
        self.line = services.commendation_nominate(
            commendation_round=self.round,
            by=self.request.user,
            model=form.cleaned_data["model"],
            form=form.cleaned_data["form"],
            citation=form.cleaned_data["citation"],
        )
        self.success_message = f"Đã đưa “{self.line.model}” vào danh sách."

    def success_url(self):
        return self.line.get_absolute_url()


class LineActionView(RoundActionView):
    """An action on one line of the round's list (its form is prefixed by the line)."""

    def prepare(self, line_pk):
        self.line = self.get_line(self.round, line_pk)

    def get_form(self, request):
        return self.form_class(request.POST, prefix=_line_prefix(self.line))

    def success_url(self):
        return self.line.get_absolute_url()

    def refused(self, form):
        return render_detail(
            self.request,
            self.round,
            status=400,
            bound={(self.form_key, self.line.pk): form},
            open_line=(self.form_key, self.line.pk),
        )


class CommendationUpdateView(LineActionView):
    """Change the form or citation of a line of a draft round."""

    form_class = LineForm
    form_key = "edit"
    success_message = "Đã lưu hình thức, nội dung khen."

    def act(self, form):
        services.commendation_update(
            commendation=self.line,
            by=self.request.user,
            form=form.cleaned_data["form"],
            citation=form.cleaned_data["citation"],
        )


class CommendationRemoveView(LineActionView):
    """Take a line off a draft round's list."""

    form_class = forms.Form  # a bare button: nothing to type
    form_key = "remove"

    def act(self, form):
        services.commendation_remove(commendation=self.line, by=self.request.user)
        self.success_message = f"Đã bỏ “{self.line.model}” khỏi danh sách."

    def success_url(self):
        return self.round.get_absolute_url()


class CommendationCorrectView(LineActionView):
    """Correct a published line (new form or citation), with the reason on record."""

    form_class = CorrectionForm
    form_key = "correct"
    success_message = "Đã ghi đính chính."

    def act(self, form):
        services.commendation_correct(
            commendation=self.line,
            by=self.request.user,
            form=form.cleaned_data["form"],
            citation=form.cleaned_data["citation"],
            reason=form.cleaned_data["reason"],
        )


class CommendationRevokeView(LineActionView):
    """Revoke a published line, with the reason; it stays listed, struck through."""

    form_class = RevokeForm
    form_key = "revoke"
    success_message = "Đã thu hồi khen thưởng."

    def act(self, form):
        services.commendation_revoke(
            commendation=self.line, by=self.request.user, reason=form.cleaned_data["reason"]
        )


class RoundPublishView(RoundActionView):
    """Publish a decided round: its commendations show on the models and the list is locked."""

    form_class = PublishForm
    form_key = "publish"
    success_message = "Đã công bố đợt. Danh sách đã được khóa."

    def act(self, form):
        services.round_publish(commendation_round=self.round, by=self.request.user)


class RoundDecisionView(ScopedRoundMixin, View):
    """Record a draft round's decision: number, date, signer, authority, the signed file."""

    template_name = "reviews/round_decision.html"

    def dispatch(self, request, *args, **kwargs):
        self.round = self.get_managed_round(kwargs["pk"])
        if self.round.is_published:
            messages.warning(request, "Đợt đã công bố nên không sửa được quyết định.")
            return redirect(self.round)
        return super().dispatch(request, *args, **kwargs)

    def render_form(self, form, status=200):
        context = {"round": self.round, "form": form}
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, pk):
        return self.render_form(DecisionForm(initial=DecisionForm.initial_from(self.round)))

    def post(self, request, pk):
        form = DecisionForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.round_record_decision(
                    commendation_round=self.round,
                    by=request.user,
                    number=data["number"],
                    decided_on=data["decided_on"],
                    signer=data["signer"],
                    authority=data["authority"],
                    upload=data["upload"],
                    heading=data["heading"],
                    signer_title=data["signer_title"],
                    signing_capacity=data["signing_capacity"],
                    signing_for=data["signing_for"],
                )
            except ValidationError as error:
                show_errors(form, error, DecisionForm.SERVICE_FIELDS)
            else:
                messages.success(request, "Đã ghi quyết định.")
                return redirect(self.round)
        messages.error(request, "Chưa lưu được quyết định: hãy sửa các ô được đánh dấu bên dưới.")
        return self.render_form(form, status=400)


class RoundDecisionFileView(ScopedRoundMixin, View):
    """Streams the signed decision to someone who may see the round; anyone else gets a 404."""

    def get(self, request, pk):
        commendation_round = self.get_round(pk)
        if not commendation_round.decision_file:
            raise Http404("Đợt chưa có tệp quyết định.")
        kind = KINDS.get(commendation_round.decision_file_extension)
        return private_file_response(
            commendation_round.decision_file,
            filename=commendation_round.decision_file_name
            or f"quyet-dinh{commendation_round.decision_file_extension}",
            content_type=kind.content_type if kind else "application/octet-stream",
        )


class RoundAnnexView(ScopedRoundMixin, View):
    """The list attached to the round's decision, as a formatted workbook."""

    def get(self, request, pk):
        commendation_round = self.get_round(pk)
        scratch = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
        write_annex(commendation_round, scratch)
        scratch.seek(0)
        return FileResponse(
            scratch,
            as_attachment=True,
            filename=annex_filename(commendation_round),
            content_type=XLSX_TYPE,
        )


class RoundCertificatesPdfView(ScopedRoundMixin, View):
    """The round's certificates as one PDF, a page each, for whoever may see the round."""

    def get(self, request, pk):
        commendation_round = self.get_round(pk)
        response = HttpResponse(
            certificates_pdf(commendation_round), content_type="application/pdf"
        )
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=certificates_filename(commendation_round)
        )
        return response


class RoundPrintView(ScopedRoundMixin, View):
    """One certificate-style page per commendation in force, to print."""

    def get(self, request, pk):
        commendation_round = self.get_round(pk)
        context = {
            "round": commendation_round,
            "pages": selectors.certificate_pages(commendation_round),
            "document": selectors.round_document(commendation_round),
        }
        return render(request, "reviews/round_print.html", context)
