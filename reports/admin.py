"""Reporting periods and frozen report snapshots in the Django admin.

The current and last year and their halves are built in (reports.periods): admins add only the
other periods (a phase such as 2021–2025, a custom span). Snapshots are a record: they are read
here, limited to the admin's subtree, and never added, changed or deleted.
"""

from django import forms
from django.contrib import admin

from core.forms import SingleLineModelForm
from organisations.admin import ScopedAdminMixin
from reports.models import Period, ReportSnapshot
from reports.periods import half_period, year_period


def built_in_name(start, end) -> str | None:
    """The name of the built-in period with exactly these days, if there is one."""
    if start.year != end.year:
        return None
    for period in (
        year_period(start.year),
        half_period(start.year, 1),
        half_period(start.year, 2),
    ):
        if (period.start, period.end) == (start, end):
            return period.name
    return None


class PeriodAdminForm(SingleLineModelForm):
    class Meta:
        model = Period
        fields = ["name", "kind", "start", "end"]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and (name := built_in_name(start, end)):
            raise forms.ValidationError(
                f"Kỳ “{name}” đã có sẵn trong mẫu báo cáo, không cần tạo thêm."
            )
        return cleaned


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):
    """Stored periods; the built-in years and halves need no rows."""

    form = PeriodAdminForm
    list_display = ["name", "kind", "start", "end"]
    list_filter = ["kind"]
    search_fields = ["name"]
    date_hierarchy = "end"
    fieldsets = [
        (
            None,
            {
                "fields": ["name", "kind", "start", "end"],
                "description": (
                    "Các năm và 6 tháng đầu năm, 6 tháng cuối năm đã có sẵn khi lập báo cáo. "
                    "Chỉ tạo các kỳ khác, ví dụ giai đoạn 2021–2025."
                ),
            },
        )
    ]


@admin.register(ReportSnapshot)
class ReportSnapshotAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Frozen reports of the admin's subtree, read-only."""

    list_display = [
        "organisation",
        "period_name",
        "period_start",
        "period_end",
        "version",
        "created_by",
        "created_at",
    ]
    list_filter = ["period_name"]
    list_select_related = ["organisation", "created_by"]
    search_fields = ["organisation__name", "period_name", "note"]
    date_hierarchy = "created_at"
    fields = [
        "organisation",
        "period_name",
        "period_start",
        "period_end",
        "version",
        "note",
        "created_by",
        "created_at",
    ]
    readonly_fields = fields
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
