"""Scoped reads of report snapshots."""

from django.db import models

from organisations.querysets import ScopedQuerySetMixin


class ReportSnapshotQuerySet(ScopedQuerySetMixin, models.QuerySet):
    """A snapshot is visible to whoever sees its unit."""

    scope_path_lookup = "organisation__path"

    def of(self, organisation, start, end):
        """Every version frozen for this unit and period, newest first."""
        return self.filter(organisation=organisation, period_start=start, period_end=end).order_by(
            "-version"
        )
