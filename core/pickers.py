"""Searchable pickers: a plain ``<select>`` that ``static/js/picker.js`` turns into a search box
with removable chips.

Without JavaScript the select works as it is, listing the choices the form gives it; with it,
the user types a name (with or without diacritics) and the server's search answers with
``{"results": [{"value", "text", "context"}]}``. The form still validates every choice against
its own scoped queryset: the search only suggests.
"""

from __future__ import annotations

from django import forms

PICKER_SCRIPT = "js/picker.js"


class PickerMixin:
    def __init__(
        self, *args, search_url, placeholder="Gõ tên để tìm (có dấu hoặc không dấu)…", **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.search_url = search_url
        self.placeholder = placeholder

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        widget_attrs["data-choice-picker"] = "multiple" if self.allow_multiple_selected else "one"
        widget_attrs["data-picker-url"] = str(self.search_url)
        widget_attrs["data-picker-placeholder"] = self.placeholder
        return context


class PickerSelect(PickerMixin, forms.Select):
    """One choice among many units or models."""


class PickerSelectMultiple(PickerMixin, forms.SelectMultiple):
    """Several choices among many units or models, shown as removable chips."""
