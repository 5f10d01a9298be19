"""The reviewer's queue filters: every choice limited to the reviewer's scope."""

from __future__ import annotations

import django_filters

from core.filtersets import CountsConditions
from core.forms import QuickSelect, style_widgets
from core.pickers import PickerSelect
from core.text import whole_number
from models_registry.choices import Field, ModelKind, Status
from models_registry.filters import DanVanModelFilter
from models_registry.models import DanVanModel
from organisations.models import Organisation
from organisations.pickers import unit_options, unit_search_url
from organisations.selectors import nearby_units
from reviews.rules import REVIEWER_ROLES

QUEUE_STATUS_CHOICES = (
    (Status.SUBMITTED, "Đăng ký chờ duyệt"),
    (Status.PROPOSED, "Đề nghị công nhận chờ thẩm định"),
)


class ReviewQueueFilter(CountsConditions, django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label="Việc chờ xử lý",
        choices=QUEUE_STATUS_CHOICES,
        empty_label="Tất cả",
        widget=QuickSelect,
    )
    field = django_filters.ChoiceFilter(
        label="Lĩnh vực",
        choices=Field.choices,
        empty_label="Tất cả",
        widget=QuickSelect,
    )
    kind = django_filters.ChoiceFilter(
        label="Loại",
        choices=ModelKind.choices,
        empty_label="Tất cả",
        widget=QuickSelect,
    )
    unit = django_filters.ModelChoiceFilter(
        label="Đơn vị (gồm cả đơn vị trực thuộc)",
        queryset=Organisation.objects.none(),
        method="filter_unit",
        empty_label="Toàn bộ phạm vi",
        widget=PickerSelect(search_url="", placeholder="Toàn bộ phạm vi; gõ tên đơn vị để lọc…"),
    )

    class Meta:
        model = DanVanModel
        fields = ["status", "field", "kind", "unit"]

    def __init__(self, data=None, *args, user, **kwargs):
        self.user = user
        super().__init__(data, *args, **kwargs)
        # Any unit the reviewer reviews for is accepted; the picker lists the top ones.
        self.filters["unit"].queryset = Organisation.objects.visible_to(user, REVIEWER_ROLES)

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            chosen = str(form.data.get("unit") or "")
            include = [pk] if (pk := whole_number(chosen)) is not None else []
            units = nearby_units(self.user, REVIEWER_ROLES, levels=1, include=include)
            widget = form.fields["unit"].widget
            widget.choices = [("", "Toàn bộ phạm vi"), *unit_options(units)]
            # The search offers the units the user reviews for, like the filter accepts.
            widget.search_url = unit_search_url(roles=REVIEWER_ROLES)
            style_widgets(form)
        return self._form

    # The registry list's rule: a unit's subtree, with the units merged into it.
    filter_unit = DanVanModelFilter.filter_unit
