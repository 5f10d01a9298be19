"""Searchable pickers: a plain ``<select>`` that ``static/js/picker.js`` turns into a search box
with removable chips.

Without JavaScript the select works as it is, listing the choices the form gives it; with it,
the user types a name (with or without diacritics) and the server's search answers with
``{"results": [{"value", "text", "context"}]}``. The form still validates every choice against
its own scoped queryset: the search only suggests.
"""

from __future__ import annotations

from django import forms

from core.forms import QuickSelect

PICKER_SCRIPT = "js/picker.js"


class PickerMixin:
    def __init__(
        self, *args, search_url, placeholder="Gõ tên để tìm (có dấu hoặc không dấu)…", **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.search_url = search_url
        self.placeholder = placeholder

    def build_attrs(self, base_attrs, extra_attrs=None):
        attrs = super().build_attrs(base_attrs, extra_attrs)
        attrs["data-choice-picker"] = "multiple" if self.allow_multiple_selected else "one"
        attrs["data-picker-url"] = str(self.search_url)
        attrs["data-picker-placeholder"] = self.placeholder
        return attrs


class PickerSelect(PickerMixin, QuickSelect):
    """One choice among many units or models (its options written out like ``QuickSelect``'s)."""


class PickerSelectMultiple(PickerMixin, forms.SelectMultiple):
    """Several choices among many units or models, shown as removable chips."""
