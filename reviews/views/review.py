"""The reviewer's queue and every move on a model after its submission."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.views import View
from django_filters.views import FilterView

from core.saved_filters import saved_filters_context
from core.text import whole_number
from models_registry import rules as registry_rules
from models_registry.choices import Status
from models_registry.models import DanVanModel
from organisations.choices import Role
from reviews import rules, services
from reviews.classification import bands_data, classify
from reviews.filters import ReviewQueueFilter
from reviews.forms.review import (
    AppraisalForm,
    EvidenceForm,
    NoteForm,
    NotRecogniseForm,
    OutstandingForm,
    ProposeForm,
    RecogniseForm,
    RejectForm,
    ReturnForm,
)
from reviews.selectors import review as selectors

PAGE_SIZE = 25

# A service's way of saying the state moved on under the user (another reviewer was quicker).
MOVED_ON_CODES = {"already_handled", "transition"}


def moved_on(error: ValidationError) -> bool:
    return getattr(error, "code", None) in MOVED_ON_CODES


def show_on_form(form: forms.Form, error: ValidationError) -> None:
    """Put a service's errors on the fields they name (the form's own names), the rest on top."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def scoped_model(request, pk) -> DanVanModel:
    """The model if ``request.user`` may see it; anything else is a 404."""
    return get_object_or_404(
        DanVanModel.objects.visible_to(request.user).select_related("owning_unit"), pk=pk
    )


class ReviewerRequiredMixin:
    """Pages for reviewers (and superusers) only; anyone else signed in gets a 403."""

    def dispatch(self, request, *args, **kwargs):
        if not selectors.is_reviewer_anywhere(request.user):
            raise PermissionDenied("Chỉ cán bộ thẩm định mới dùng được trang này.")
        return super().dispatch(request, *args, **kwargs)


class QueueView(ReviewerRequiredMixin, FilterView):
    """Registrations and proposals waiting for the reviewer, oldest first, with waiting days."""

    filterset_class = ReviewQueueFilter
    template_name = "reviews/queue.html"
    paginate_by = PAGE_SIZE
    strict = False

    def get_filterset_kwargs(self, filterset_class):
        return {
            "data": self.request.GET or None,
            "queryset": selectors.review_queue(self.request.user),
            "user": self.request.user,
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.request.GET.copy()
        params.pop("page", None)
        context["query_prefix"] = params.urlencode()
        context["rows"] = selectors.with_waiting_days(context["page_obj"].object_list)
        context["can_bulk_accept"] = any(row.status == Status.SUBMITTED for row in context["rows"])
        context.update(saved_filters_context(self.request.user, "hang-cho", params.urlencode()))
        return context


class BulkAcceptView(ReviewerRequiredMixin, View):
    """POST: accept the registrations ticked in the queue; report those that could not be."""

    def post(self, request):
        query = QueryDict(request.POST.get("query", "")).urlencode()
        back = reverse("reviews:queue") + (f"?{query}" if query else "")
        posted = (whole_number(value) for value in request.POST.getlist("models"))
        ids = list(dict.fromkeys(pk for pk in posted if pk is not None))
        if not ids:
            messages.warning(request, "Chưa chọn đăng ký nào để duyệt.")
            return redirect(back)
        # Looked up through the reviewer's scope: an id outside it is simply not found.
        found = list(
            DanVanModel.objects.visible_to(request.user, [Role.REVIEWER])
            .filter(pk__in=ids)
            .select_related("owning_unit")
            .order_by("submitted_at", "pk")
        )
        outcome = services.registration_accept_many(models=found, by=request.user)
        missing = sorted(set(ids) - {model.pk for model in found})
        if outcome.accepted:
            messages.success(request, f"Đã duyệt {len(outcome.accepted)} đăng ký.")
        else:
            messages.info(request, "Không có đăng ký nào được duyệt.")
        refused = [(f"“{model}”", reason) for model, reason in outcome.refused]
        refused += [(f"Hồ sơ số {pk}", "không tìm thấy trong phạm vi của bạn.") for pk in missing]
        if refused:
            messages.warning(
                request,
                format_html(
                    "Không duyệt được {} hồ sơ:<ul class='mb-0'>{}</ul>",
                    len(refused),
                    format_html_join("", "<li>{}: {}</li>", refused),
                ),
            )
        return redirect(back)


class ModelActionView(View):
    """A POST-only move on one model: scope (404), role (403), the form, the service, a message.

    When the form or the service refuses, the form comes back alone with what was typed (400);
    when the state moved on meanwhile, the model's page says so.
    """

    http_method_names = ["post"]
    template_name = "reviews/review_action.html"
    form_class: type[forms.Form] = NoteForm
    title = ""
    button = ""
    button_class = "btn-primary"

    def may_act(self, user, model) -> bool:
        return rules.is_reviewer_of(user, model)

    def get_form(self, data):
        return self.form_class(data)

    def perform(self, model, data) -> str:
        """Call the service; return the success message."""
        raise NotImplementedError

    def post(self, request, pk):
        model = scoped_model(request, pk)
        if not self.may_act(request.user, model):
            raise PermissionDenied("Chỉ cán bộ thẩm định của đơn vị cấp trên mới thực hiện được.")
        form = self.get_form(request.POST)
        if form.is_valid():
            try:
                message = self.perform(model, form.cleaned_data)
            except ValidationError as error:
                if moved_on(error):
                    messages.error(request, " ".join(error.messages))
                    return redirect(model)
                show_on_form(form, error)
            else:
                messages.success(request, message)
                return redirect(model)
        context = {"model": model, "form": form, "view": self}
        return render(request, self.template_name, context, status=400)


class RegistrationAcceptView(ModelActionView):
    """POST: accept a submitted registration, with an optional note."""

    form_class = NoteForm
    title = "Duyệt đăng ký"
    button = "Duyệt đăng ký"
    button_class = "btn-success"

    def perform(self, model, data):
        services.registration_accept(model=model, by=self.request.user, note=data["note"])
        return f"Đã duyệt đăng ký “{model}”."


class RegistrationReturnView(ModelActionView):
    """POST: send a submitted registration back for more information (reason required)."""

    form_class = ReturnForm
    title = "Trả lại để bổ sung"
    button = "Trả lại để bổ sung"
    button_class = "btn-warning"

    def perform(self, model, data):
        services.registration_return(model=model, by=self.request.user, reason=data["reason"])
        return f"Đã trả lại “{model}” để đơn vị bổ sung."


class RegistrationRejectView(ModelActionView):
    """POST: refuse a submitted registration (reason required)."""

    form_class = RejectForm
    title = "Không duyệt đăng ký"
    button = "Không duyệt"
    button_class = "btn-danger"

    def perform(self, model, data):
        services.registration_reject(model=model, by=self.request.user, reason=data["reason"])
        return f"Đã ghi nhận không duyệt “{model}”."


class ModelRecogniseView(ModelActionView):
    """POST: recognise a proposed model, recording the decision."""

    form_class = RecogniseForm
    title = "Công nhận mô hình, điển hình"
    button = "Công nhận"
    button_class = "btn-success"

    def get_form(self, data):
        return RecogniseForm(data, user=self.request.user)

    def perform(self, model, data):
        services.model_recognise(
            model=model,
            by=self.request.user,
            decision_number=data["decision_number"],
            decision_date=data["decision_date"],
            decision_signer=data["decision_signer"],
            decision_issuer=data["decision_issuer"],
            note=data["note"],
        )
        return f"Đã công nhận “{model}”."


class ModelNotRecogniseView(ModelActionView):
    """POST: conclude a proposal with "not recognised" (reason required)."""

    form_class = NotRecogniseForm
    title = "Không công nhận"
    button = "Không công nhận"
    button_class = "btn-danger"

    def perform(self, model, data):
        services.model_not_recognise(model=model, by=self.request.user, reason=data["reason"])
        return f"Đã kết luận không công nhận “{model}”."


class ModelReturnForEvidenceView(ModelActionView):
    """POST: send a proposal back for more evidence (reason required)."""

    form_class = EvidenceForm
    title = "Trả lại để bổ sung minh chứng"
    button = "Trả lại để bổ sung minh chứng"
    button_class = "btn-warning"

    def perform(self, model, data):
        services.model_return_for_evidence(model=model, by=self.request.user, reason=data["reason"])
        return f"Đã trả lại đề nghị công nhận “{model}” để bổ sung minh chứng."


class ModelOutstandingView(ModelActionView):
    """POST: mark a recognised model as outstanding, or take the mark back."""

    form_class = OutstandingForm

    def perform(self, model, data):
        outstanding = data["outstanding"]
        services.model_mark_outstanding(model=model, by=self.request.user, outstanding=outstanding)
        if outstanding:
            return f"Đã chọn “{model}” là tiêu biểu."
        return f"Đã bỏ chọn tiêu biểu cho “{model}”."


class ModelProposeView(View):
    """A cadre proposes their accepted model for recognition, choosing the results it rests on."""

    template_name = "reviews/propose.html"

    def dispatch(self, request, *args, **kwargs):
        self.model = scoped_model(request, kwargs["pk"])
        if not registry_rules.can_register_in(request.user, self.model.owning_unit):
            raise PermissionDenied("Chỉ cán bộ của đơn vị chủ trì mới đề nghị công nhận được.")
        return super().dispatch(request, *args, **kwargs)

    def render_form(self, form, status=200):
        context = {"model": self.model, "form": form}
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, pk):
        if not rules.can_propose(request.user, self.model):
            messages.warning(
                request,
                f"“{self.model}” đang ở trạng thái “{self.model.get_status_display()}” "
                "nên chưa thể đề nghị công nhận.",
            )
            return redirect(self.model)
        return self.render_form(ProposeForm(model=self.model))

    def post(self, request, pk):
        form = ProposeForm(request.POST, model=self.model)
        if form.is_valid():
            try:
                services.model_propose(
                    model=self.model,
                    by=request.user,
                    result_reports=form.cleaned_data["result_reports"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                if moved_on(error):
                    messages.error(request, " ".join(error.messages))
                    return redirect(self.model)
                show_on_form(form, error)
            else:
                messages.success(
                    request, "Đã gửi đề nghị công nhận. Bạn sẽ được báo khi có kết luận."
                )
                return redirect(self.model)
        return self.render_form(form, status=400)


class ModelAppraiseView(View):
    """A reviewer's score sheet for a proposed model: one score per criterion, and a comment."""

    template_name = "reviews/review_appraisal.html"

    def dispatch(self, request, *args, **kwargs):
        self.model = scoped_model(request, kwargs["pk"])
        if not rules.is_reviewer_of(request.user, self.model):
            raise PermissionDenied("Chỉ cán bộ thẩm định của đơn vị cấp trên mới chấm điểm được.")
        self.sheet = selectors.sheet_to_fill(self.model, request.user)
        return super().dispatch(request, *args, **kwargs)

    def max_total(self) -> int:
        return sum(criterion.max_score for criterion in self.sheet.criteria)

    def classified(self, total: int) -> str:
        label = classify(total, self.sheet.rubric.bands.all())
        return f", xếp loại “{label}”" if label else ""

    def render_form(self, form, status=200, scores=None):
        # The total the service would store for the scores shown (it adds them up); the page's
        # script keeps it current as scores are typed.
        shown = form.scores() if scores is None else scores
        running_total = sum(shown.values())
        bands = self.sheet.rubric.bands.all()
        context = {
            "model": self.model,
            "form": form,
            "sheet": self.sheet,
            "max_total": self.max_total(),
            "running_total": running_total,
            "classification": classify(running_total, bands),
            "bands": bands_data(bands),
            "unscored": len(self.sheet.criteria) - len(shown),
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, pk):
        if self.model.status != Status.PROPOSED:
            messages.warning(
                request,
                f"“{self.model}” không ở trạng thái chờ thẩm định "
                f"(hiện là “{self.model.get_status_display()}”).",
            )
            return redirect(self.model)
        if self.sheet.rubric is None:
            messages.error(
                request, "Chưa có bộ tiêu chí thẩm định đang áp dụng; hãy báo quản trị viên."
            )
            return redirect(self.model)
        initial = {
            AppraisalForm.field_name(criterion): self.sheet.scores.get(criterion.pk)
            for criterion in self.sheet.criteria
        }
        if self.sheet.appraisal:
            initial["comment"] = self.sheet.appraisal.comment
        form = AppraisalForm(initial=initial, criteria=self.sheet.criteria)
        return self.render_form(form, scores=self.sheet.scores)

    def post(self, request, pk):
        form = AppraisalForm(request.POST, criteria=self.sheet.criteria)
        if form.is_valid():
            try:
                appraisal = services.appraisal_save(
                    model=self.model,
                    by=request.user,
                    scores=form.scores(),
                    comment=form.cleaned_data["comment"],
                )
            except ValidationError as error:
                if moved_on(error):
                    messages.error(request, " ".join(error.messages))
                    return redirect(self.model)
                show_on_form(form, error)
            else:
                messages.success(
                    request,
                    f"Đã lưu phiếu chấm điểm: tổng {appraisal.total}/{self.max_total()} điểm"
                    f"{self.classified(appraisal.total)}.",
                )
                return redirect(f"{self.model.get_absolute_url()}#tham-dinh")
        return self.render_form(form, status=400)
