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


class ReportJobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Only the person who asked for a report file or a freeze may follow it."""
        if not user or not user.is_authenticated:
            return self.none()
        return self.filter(requested_by=user)
