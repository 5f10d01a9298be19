"""Admin pages of the appraisal rubric: versions that never change once a sheet used them.

The rubric is national, like themes and indicators: every province's reviewers score on the
version in force, so only superusers make, change and activate versions. Province admins read
it here (what their reviewers score on, and whom to ask for a change), and the pages say so.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from core.forms import SingleLineModelForm
from organisations.choices import Role
from organisations.selectors import user_roles
from reviews import services
from reviews.classification import band_errors, default_bands
from reviews.models import Rubric, RubricBand, RubricCriterion

NATIONAL_RUBRIC = (
    "Bộ tiêu chí thẩm định dùng chung toàn quốc: chỉ quản trị hệ thống tạo phiên bản mới, sửa "
    "và áp dụng; quản trị đơn vị chỉ xem. Cần thay đổi tiêu chí, hãy đề nghị quản trị hệ thống."
)


def reads_national_rubric(user) -> bool:
    """Province admins see the rubric in the admin site without any right to change it."""
    return user.is_active and user.is_staff and Role.ADMIN in user_roles(user)


class ReadByProvinceAdminsMixin:
    def has_module_permission(self, request):
        return super().has_module_permission(request) or reads_national_rubric(request.user)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or reads_national_rubric(request.user)


class RubricCriterionInline(ReadByProvinceAdminsMixin, admin.TabularInline):
    model = RubricCriterion
    fields = ("position", "title", "guidance", "max_score")
    extra = 0


def _kept(formset) -> list[dict]:
    """The cleaned rows of a valid inline formset that are not being deleted."""
    return [
        form.cleaned_data
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


class RubricBandFormSet(BaseInlineFormSet):
    """The bands as a whole: every total from 0 to the maximum in exactly one band, checked
    against the criteria posted beside them (the maximum they add up to)."""

    criteria = None  # the criteria formset of the same page, set by ``RubricAdmin``

    def clean(self):
        # Before the formset's own duplicate check, whose message names the column's code.
        if not any(self.errors):
            self.check_bands()
        super().clean()

    def check_bands(self):
        if self.criteria is not None:
            max_total = (
                sum(row["max_score"] for row in _kept(self.criteria))
                if self.criteria.is_valid()
                else None
            )
        else:
            max_total = self.instance.max_total if self.instance.pk else None
        bands = [(row["label"], row["min_score"]) for row in _kept(self)]
        if not bands and not self.instance.pk:
            return  # a new version without bands gets the defaults
        errors = band_errors(bands, max_total)
        if errors:
            raise ValidationError(errors)


class RubricBandInline(ReadByProvinceAdminsMixin, admin.TabularInline):
    model = RubricBand
    formset = RubricBandFormSet
    fields = ("label", "min_score")
    extra = 0
    verbose_name_plural = (
        "mức xếp loại (tổng điểm từ ngưỡng của một mức đến dưới ngưỡng của mức cao hơn)"
    )


@admin.register(Rubric)
class RubricAdmin(ReadByProvinceAdminsMixin, admin.ModelAdmin):
    form = SingleLineModelForm
    """Rubric versions. A version used by a score sheet is read-only: make a new version."""

    list_display = ("name", "version", "is_active", "max_total_display", "created_at")
    readonly_fields = ("version", "is_active", "created_at")
    fieldsets = [
        (
            None,
            {
                "fields": ("name", "version", "is_active", "created_at"),
                "description": NATIONAL_RUBRIC,
            },
        )
    ]
    inlines = [RubricCriterionInline, RubricBandInline]
    actions = ["make_new_version", "activate"]

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(
            request, {"subtitle": NATIONAL_RUBRIC, **(extra_context or {})}
        )

    @admin.display(description="tổng điểm tối đa")
    def max_total_display(self, rubric):
        return rubric.max_total

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("criteria")

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.appraisals.exists():
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and (obj.is_active or obj.appraisals.exists()):
            return False
        return super().has_delete_permission(request, obj)

    def _create_formsets(self, request, obj, change):
        formsets, inline_instances = super()._create_formsets(request, obj, change)
        criteria = next((f for f in formsets if f.model is RubricCriterion), None)
        for formset in formsets:
            if isinstance(formset, RubricBandFormSet):
                formset.criteria = criteria
        return formsets, inline_instances

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        rubric = form.instance
        if not rubric.bands.exists():
            RubricBand.objects.bulk_create(
                RubricBand(rubric=rubric, label=band.label, min_score=band.min_score)
                for band in default_bands(rubric.max_total)
            )

    def save_model(self, request, obj, form, change):
        if not change:
            last = Rubric.objects.order_by("-version").first()
            obj.version = (last.version + 1) if last else 1
        super().save_model(request, obj, form, change)

    @admin.action(description="Tạo phiên bản mới từ bộ tiêu chí đã chọn", permissions=["change"])
    def make_new_version(self, request, queryset):
        for rubric in queryset:
            new = services.rubric_new_version(source=rubric, by=request.user)
            self.message_user(
                request, f"Đã tạo {new}. Sửa tiêu chí rồi chọn “Áp dụng” để dùng cho lần chấm mới."
            )

    @admin.action(description="Áp dụng cho các lần chấm điểm mới", permissions=["change"])
    def activate(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Hãy chọn đúng một phiên bản.", messages.ERROR)
            return
        try:
            rubric = services.rubric_activate(rubric=queryset.get(), by=request.user)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return
        self.message_user(request, f"Từ nay các phiếu chấm mới dùng {rubric}.")
