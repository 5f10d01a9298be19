"""Admin pages of the appraisal rubric: versions that never change once a sheet used them.

The rubric is national, like themes and indicators: every province's reviewers score on the
version in force, so only superusers make, change and activate versions. Province admins read
it here (what their reviewers score on, and whom to ask for a change), and the pages say so.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from core.forms import SingleLineModelForm
from organisations.choices import Role
from organisations.selectors import user_roles
from reviews import services
from reviews.models import Rubric, RubricCriterion

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
    inlines = [RubricCriterionInline]
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
