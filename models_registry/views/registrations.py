"""Finding models, reading one, registering and changing one, submitting, discontinuing."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import urlencode
from django.views import View
from django.views.generic import DetailView
from django_filters.views import FilterView

from core import hooks
from core.saved_filters import saved_filters_context
from core.text import whole_number
from models_registry import filters, history, rules, selectors, services
from models_registry.choices import Field
from models_registry.filters import DEFAULT_SORT, SORT_ORDERING, DanVanModelFilter
from models_registry.forms import DanVanModelForm, DiscontinueForm
from models_registry.models import (
    CreationToken,
    DanVanModel,
)
from models_registry.views import keyset

PAGE_SIZE = 25
PICKER_RESULTS = 20


class CountedPaginator(Paginator):
    """A paginator told its count (the per-field counts already summed it, no second query)
    that reads a page in two steps within one statement: the page's ids first, then the rows.

    The ids of a page come from the list index alone (``danvanmodel_unit_list``: unit, field,
    status, start date and id), so a province's tens of thousands of candidates are sorted
    without reading their wide rows; only the page's 25 rows are then read from the table.
    """

    def __init__(self, *args, known_count: int, known_page=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.count = known_count
        self.known_page = known_page  # (number, ids) when they came with the count

    def page(self, number):
        number = self.validate_number(number)
        listed = self.object_list
        if self.known_page and self.known_page[0] == number:
            ids = self.known_page[1]
        else:
            bottom = (number - 1) * self.per_page
            ids = listed.values("pk")[bottom : bottom + self.per_page]
        ordering = listed.query.order_by or DanVanModel._meta.ordering
        rows = DanVanModel.objects.filter(pk__in=ids).for_list().order_by(*ordering)
        return self._get_page(rows, number, self)


class ModelListView(FilterView):
    """Every model the user may see, filtered, searched, sorted and counted by field.

    The first pages may be asked by number; beyond them the "Sau"/"Trước" links of a list or a
    search carry a cursor instead (``models_registry.views.keyset``), so that a deep page
    costs what the second one does. A search counts its matches up to
    ``filters.SEARCH_COUNT_LIMIT`` and says "more than" beyond.
    """

    filterset_class = DanVanModelFilter
    template_name = "models_registry/model_list.html"
    paginate_by = PAGE_SIZE
    strict = False

    def get(self, request, *args, **kwargs):
        self.filterset = DanVanModelFilter.lenient(request.GET, user=request.user)
        self.object_list = self.filterset.qs.for_list()
        self.known_page = None
        self.capped = False
        self.page_notice = ""
        number = whole_number(request.GET.get(self.page_kwarg) or "1")
        if self.filterset.searching:
            # The counts come with a page of ids: the page asked for by number, else the first
            # (a cursor's page is read after them, a page too far is not shown).
            first = number if number and number <= keyset.MAX_NUMBERED_PAGE else 1
            if request.GET.get(keyset.CURSOR_PARAMETER):
                first = 1
            searched = self.filterset.kept_search(first, self.paginate_by)
            self.field_counts, ids, self.capped = searched
            self.known_page = (first, ids)
        else:
            self.field_counts = self.filterset.counts_by_field()
        self.keyset_page = self._cursor_page(request, number)
        context = self.get_context_data(filter=self.filterset, object_list=self.object_list)
        return self.render_to_response(context)

    def _sort(self) -> str:
        return self.filterset.form.cleaned_data.get("sort") or DEFAULT_SORT

    def _cursor_page(self, request, number) -> keyset.KeysetPage | None:
        """The page a cursor opens; None for a page asked by number (the paginator's)."""
        text = request.GET.get(keyset.CURSOR_PARAMETER)
        if not text:
            if number is not None and number > keyset.MAX_NUMBERED_PAGE:
                self.page_notice = keyset.PAGE_TOO_FAR
                self.request.GET = _without(request.GET, self.page_kwarg)
            return None
        try:
            cursor = keyset.read_cursor(text, self._sort())
        except keyset.BadCursor:
            self.page_notice = keyset.BAD_CURSOR
            self.request.GET = _without(request.GET, keyset.CURSOR_PARAMETER, self.page_kwarg)
            return None
        ids, more = keyset.page_ids(self.object_list, cursor, self.paginate_by)
        ordering = SORT_ORDERING[cursor.sort]
        rows = list(DanVanModel.objects.filter(pk__in=ids).for_list().order_by(*ordering))
        total = self._count()
        return keyset.KeysetPage(
            object_list=rows,
            number=cursor.number,
            num_pages=max(1, -(-total // self.paginate_by)),
            previous=more if not cursor.forward else True,
            following=more if cursor.forward else True,
        )

    def _count(self) -> int:
        """The rows the pages are numbered over: a capped search's, one more than the limit
        (the page after the last one asked by number is then reached by its cursor)."""
        if self.capped:
            return filters.SEARCH_COUNT_LIMIT + 1
        return sum(self.field_counts.values())

    def paginate_queryset(self, queryset, page_size):
        if self.keyset_page is not None:
            page = self.keyset_page
            return page, page, page.object_list, page.has_other_pages()
        return super().paginate_queryset(queryset, page_size)

    def get_paginator(self, queryset, per_page, **kwargs):
        return CountedPaginator(
            queryset,
            per_page,
            known_count=self._count(),
            known_page=self.known_page,
            **kwargs,
        )

    def _link_pages(self, page, params) -> None:
        """The links to the pages around ``page`` (a list's, not a search's): by number up to
        ``MAX_NUMBERED_PAGE``, by a cursor on the first or last row beyond it."""
        rows = list(page.object_list)
        sort = self._sort()

        def link(number, row, forward):
            if number <= keyset.MAX_NUMBERED_PAGE:
                extra = (self.page_kwarg, [number])
            else:
                cursor = keyset.make_cursor(sort, row, forward=forward, number=number)
                extra = (keyset.CURSOR_PARAMETER, [cursor])
            return urlencode([*params.lists(), extra], doseq=True)

        if rows and page.has_next():
            page.next_link = link(page.number + 1, rows[-1], True)
        if rows and page.has_previous():
            page.previous_link = link(page.number - 1, rows[0], False)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = _without(self.request.GET, "page", keyset.CURSOR_PARAMETER)
        context["query_prefix"] = params.urlencode()
        if context.get("page_obj") is not None:
            self._link_pages(context["page_obj"], params)
        context["page_notice"] = self.page_notice
        context["field_counts"] = [
            (value, label, self.field_counts.get(value, 0)) for value, label in Field.choices
        ]
        context["unclassified"] = self.field_counts.get("", 0)
        context["total"] = sum(self.field_counts.values())
        context["capped"] = self.capped
        context["count_limit"] = filters.SEARCH_COUNT_LIMIT
        context["can_register"] = selectors.can_register_anywhere(self.request.user)
        context["export_query"] = params.urlencode()
        context.update(saved_filters_context(self.request.user, "mo-hinh", params.urlencode()))
        return context


def _without(params, *names):
    """A copy of the query ``params`` without ``names``."""
    params = params.copy()
    for name in names:
        params.pop(name, None)
    return params


class ScopedModelMixin:
    """Looks the model up among those the user may see: anything else is a 404."""

    def get_model(self, pk) -> DanVanModel:
        return get_object_or_404(DanVanModel.objects.visible_to(self.request.user), pk=pk)


class ModelDetailView(ScopedModelMixin, DetailView):
    """Every section of a registration, its files, results, replication links and history."""

    template_name = "models_registry/model_detail.html"
    context_object_name = "model"

    def get_object(self, queryset=None):
        return get_object_or_404(selectors.detail_queryset(self.request.user), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        model = self.object
        # An origin or a replica outside the user's scope is not mentioned at all: its name,
        # and even that it exists, belong to another unit.
        context["replicated_from"], context["replicas"] = selectors.origin_and_replicas(user, model)
        context["attachments"], context["result_reports"] = selectors.files_and_reports(model)
        context["events"] = model.events.select_related("actor").order_by("-created_at", "-pk")
        context["history"] = history.model_history(model, user)
        context["can_edit"] = rules.can_edit(user, model)
        context["can_report"] = rules.can_report_results(user, model)
        context["can_discontinue"] = rules.can_discontinue(user, model)
        context["can_delete"] = rules.can_delete_draft(user, model)
        context["missing"] = rules.missing_items(model) if context["can_edit"] else []
        context["sections"] = selectors.model_sections(model)
        # What later apps show on this page (review actions, appraisals, commendations).
        context["panels"] = hooks.panels(hooks.MODEL_DETAIL, self.request, model)
        return context


def _missing_message(error: ValidationError) -> str:
    return " ".join(error.messages)


class AlreadySent(Exception):
    """The blank form was posted again after its first post sent the registration."""

    def __init__(self, model: DanVanModel):
        super().__init__(model)
        self.model = model


ALREADY_SENT = "Đăng ký này đã được gửi duyệt (từ lần bấm trước), không cần gửi lại."
UNTOUCHED = "Biểu mẫu còn trống nên chưa lưu bản nháp nào. Hãy điền ít nhất một mục rồi lưu."


def untouched(form: DanVanModelForm, instance: DanVanModel | None) -> bool:
    """A blank registration form sent with nothing filled in (a stray Enter or click, the
    autosave of a form only looked at): it makes no draft. Once its first post has made one,
    the form edits that draft, empty or not."""
    if instance is not None or form.has_content():
        return False
    token = form.cleaned_data.get("creation_token")
    return not (token and CreationToken.objects.filter(token=token, model__isnull=False).exists())


class ModelFormView(ScopedModelMixin, View):
    """Create (no pk) or change (pk) a registration; "save" keeps a draft, "submit" sends it."""

    template_name = "models_registry/model_form.html"

    def get_instance(self) -> DanVanModel | None:
        pk = self.kwargs.get("pk")
        if pk is None:
            if not selectors.can_register_anywhere(self.request.user):
                raise PermissionDenied("Chỉ cán bộ cơ sở được đăng ký mô hình.")
            return None
        model = self.get_model(pk)
        if not rules.can_edit(self.request.user, model):
            raise PermissionDenied(
                "Mô hình này không sửa được: chỉ sửa khi còn là bản nháp hoặc được trả lại."
            )
        return model

    def render_form(self, form, instance, *, status=200, lost_files=()):
        context = {
            "form": form,
            "model": instance,
            "missing": rules.missing_items(instance) if instance else [],
            "lost_files": lost_files,
            "attachments": list(instance.attachments.filter(result_report=None))
            if instance
            else [],
            "autosave_url": reverse("models_registry:model_autosave", args=[instance.pk])
            if instance
            else reverse("models_registry:model_autosave_new"),
            "saved_at": int(instance.updated_at.timestamp() * 1000) if instance else 0,
            "can_delete": bool(instance) and rules.can_delete_draft(self.request.user, instance),
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, pk=None):
        instance = self.get_instance()
        form = DanVanModelForm(instance=instance, user=request.user)
        return self.render_form(form, instance)

    def post(self, request, pk=None):
        instance = self.get_instance()
        form = DanVanModelForm(request.POST, request.FILES, instance=instance, user=request.user)
        if not form.is_valid():
            lost = [upload.name for upload in request.FILES.getlist("attachments")]
            messages.error(request, "Chưa lưu được: hãy sửa các ô được đánh dấu bên dưới.")
            return self.render_form(form, instance, status=400, lost_files=lost)
        if untouched(form, instance):
            form.add_error(None, UNTOUCHED)
            return self.render_form(form, instance, status=400)
        try:
            model = self.save(form, instance)
        except AlreadySent as sent:
            messages.info(request, ALREADY_SENT)
            return redirect(sent.model)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
            lost = [upload.name for upload in request.FILES.getlist("attachments")]
            return self.render_form(form, instance, status=400, lost_files=lost)
        if request.POST.get("action") == "submit":
            try:
                services.model_submit(model=model, by=request.user)
            except ValidationError as error:
                if error.code == "transition":  # sent meanwhile, by this form's other post
                    messages.info(request, ALREADY_SENT)
                    return redirect(model)
                messages.warning(request, "Đã lưu bản nháp. " + _missing_message(error))
                return redirect("models_registry:model_update", pk=model.pk)
            messages.success(request, "Đã gửi duyệt. Bạn sẽ được báo khi có kết quả xét duyệt.")
            return redirect(model)
        messages.success(request, "Đã lưu bản nháp.")
        return redirect("models_registry:model_update", pk=model.pk)

    @transaction.atomic
    def save(self, form, instance) -> DanVanModel:
        # One transaction for the registration and its files: without ATOMIC_REQUESTS a file
        # refused after model_create committed would leave a draft the re-shown (still "new")
        # form knows nothing of, and posting again would make a second one.
        user = self.request.user
        uploads = form.cleaned_data.get("attachments") or []
        token = form.cleaned_data.get("creation_token")
        # A double click sends the same files twice: those already kept are not kept again.
        skip_kept = False
        if instance is None and token:
            model, created = services.model_create_once(
                by=user, token=token, fields=form.model_fields(), relations=form.relations()
            )
            if not created:
                model = self.save_again(form, model)
            skip_kept = True  # the other post may store its files after this one's
        elif instance is None:
            model = services.model_create(
                by=user, fields=form.model_fields(), relations=form.relations()
            )
        else:
            model = services.model_update(
                model=instance, by=user, fields=form.model_fields(), relations=form.relations()
            )
        if uploads:
            services.attachment_add(model=model, by=user, uploads=uploads, skip_kept=skip_kept)
        return model

    def save_again(self, form, model) -> DanVanModel:
        """The blank form posted again: this post changes the model its first post made, as an
        edit would, unless the first post already sent it (``AlreadySent``)."""
        if not rules.can_edit(self.request.user, model):
            raise AlreadySent(model)
        try:
            return services.model_update(
                model=model,
                by=self.request.user,
                fields=form.model_fields(),
                relations=form.relations(),
            )
        except ValidationError as error:
            if error.code == "not_editable":  # sent while this post waited for it
                raise AlreadySent(model) from error
            raise


class ModelAutosaveView(ModelFormView):
    """Saves the draft as the cadre types (text fields only); answers JSON for the script."""

    def get(self, request, pk=None):
        raise Http404

    def post(self, request, pk=None):
        try:
            instance = self.get_instance()
        except PermissionDenied as error:
            return JsonResponse({"ok": False, "error": str(error)}, status=403)
        form = DanVanModelForm(request.POST, instance=instance, user=request.user).without_files()
        if not form.is_valid():
            errors = {
                (form.fields[name].label if name in form.fields else ""): list(messages_)
                for name, messages_ in form.errors.items()
            }
            return JsonResponse({"ok": False, "errors": errors}, status=400)
        if untouched(form, instance):
            return JsonResponse({"ok": True, "empty": True})
        try:
            model = self.save(form, instance)
        except AlreadySent:
            return JsonResponse({"ok": False, "error": ALREADY_SENT}, status=409)
        except ValidationError as error:
            return JsonResponse({"ok": False, "errors": {"": error.messages}}, status=400)
        saved = timezone.localtime(model.updated_at)
        return JsonResponse(
            {
                "ok": True,
                "id": model.pk,
                "edit_url": reverse("models_registry:model_update", args=[model.pk]),
                "autosave_url": reverse("models_registry:model_autosave", args=[model.pk]),
                "saved_at": int(model.updated_at.timestamp() * 1000),
                "saved_at_text": formats.time_format(saved, "H:i:s"),
                "missing": [item.label for item in rules.missing_items(model)],
            }
        )


class ModelSubmitView(ScopedModelMixin, View):
    """POST: send a registration to the reviewers (from its page)."""

    def post(self, request, pk):
        model = self.get_model(pk)
        if not rules.can_register_in(request.user, model.owning_unit):
            raise PermissionDenied("Bạn không có quyền gửi duyệt mô hình này.")
        try:
            services.model_submit(model=model, by=request.user)
        except ValidationError as error:
            messages.error(request, _missing_message(error))
            if rules.can_edit(request.user, model):
                return redirect("models_registry:model_update", pk=model.pk)
            return redirect(model)
        messages.success(request, "Đã gửi duyệt.")
        return redirect(model)


class ModelDeleteDraftView(ScopedModelMixin, View):
    """Delete a draft its author no longer wants: GET asks, POST deletes."""

    template_name = "models_registry/model_delete.html"

    def dispatch(self, request, *args, **kwargs):
        self.model = self.get_model(kwargs["pk"])
        # Someone else's registration: whether it could be deleted is none of their business.
        if not rules.owns_draft(request.user, self.model):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, pk):
        if not rules.can_delete_draft(request.user, self.model):
            raise PermissionDenied("Chỉ xóa được bản nháp chưa từng gửi duyệt.")
        context = {"model": self.model, "attachments": self.model.attachments.count()}
        return render(request, self.template_name, context)

    def post(self, request, pk):
        name = self.model.name or "chưa đặt tên"
        try:
            services.model_delete_draft(model=self.model, by=request.user)
        except ValidationError as error:  # sent meanwhile, from another tab
            messages.error(request, " ".join(error.messages))
            return redirect(self.model)
        messages.success(request, f"Đã xóa bản nháp “{name}”.")
        return redirect("models_registry:model_list")


class ModelDiscontinueView(ScopedModelMixin, View):
    """Stop a model being carried out, with a reason."""

    template_name = "models_registry/model_discontinue.html"

    def dispatch(self, request, *args, **kwargs):
        self.model = self.get_model(kwargs["pk"])
        if not rules.can_register_in(request.user, self.model.owning_unit):
            raise PermissionDenied("Bạn không có quyền dừng mô hình này.")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, pk):
        return render(request, self.template_name, {"model": self.model, "form": DiscontinueForm()})

    def post(self, request, pk):
        form = DiscontinueForm(request.POST)
        if form.is_valid():
            try:
                services.model_discontinue(
                    model=self.model,
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    discontinued_on=form.cleaned_data["discontinued_on"],
                )
            except ValidationError as error:
                # Stopped meanwhile: the model's page says so. (A dict of errors has no code.)
                if getattr(error, "code", None) == "transition":
                    messages.info(request, " ".join(error.messages))
                    return redirect(self.model)
                form.add_error(None, error)  # a dict of errors lands on its fields
            else:
                messages.success(request, "Đã ghi nhận dừng thực hiện mô hình.")
                return redirect(self.model)
        context = {"model": self.model, "form": form}
        return render(request, self.template_name, context, status=400)


class ModelPickerView(View):
    """The "replicated from" picker's suggestions, as JSON: models the user can see, carried
    out, matching the text (with or without diacritics, or a code). ``any_status`` drops the
    "carried out": the admin's field takes any model the admin sees."""

    def get(self, request):
        text = request.GET.get("q", "").strip()
        exclude = whole_number(request.GET.get("exclude"))
        results = []
        if text:
            found = DanVanModel.objects.visible_to(request.user)
            if not request.GET.get("any_status"):
                found = found.replicable()
            found = (
                found.matching(text).select_related("owning_unit").order_by("-start_date", "-pk")
            )
            if exclude is not None:
                found = found.exclude(pk=exclude)
            results = [
                {
                    "value": model.pk,
                    "text": str(model),
                    "context": ", ".join(
                        filter(None, [model.owning_unit.name, model.code, _year(model.start_date)])
                    ),
                }
                for model in found[:PICKER_RESULTS]
            ]
        return JsonResponse({"results": results}, json_dumps_params={"ensure_ascii": False})


def _year(day) -> str:
    return str(day.year) if day else ""
