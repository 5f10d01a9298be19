"""What every list's filter set shares."""


class CountsConditions:
    """A ``django_filters.FilterSet`` mixin: how many conditions narrow the list, told on the
    button the filters fold behind on a phone (``includes/_filter_toggle.html``)."""

    # Filters that order or page the list rather than narrow it.
    NOT_CONDITIONS = frozenset({"sort"})

    @property
    def active_count(self) -> int:
        """How many conditions narrow the list; a value that was dropped (did not validate) is
        not one, the valid ones beside it still are."""
        if not self.is_bound:
            return 0
        self.form.is_valid()  # cleaned_data holds the values that validated
        data = self.form.cleaned_data
        return sum(
            1
            for name in self.filters
            if name not in self.NOT_CONDITIONS and data.get(name) not in (None, "", [])
        )
