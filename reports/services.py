"""Writes of the reports app: freezing a report (chốt số liệu), and the report files it keeps."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.core.files.base import File
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Max

from organisations.choices import Role
from organisations.models import Organisation
from organisations.selectors import has_role_on
from reports import narrative, selectors, workbook
from reports.choices import JobKind
from reports.models import ReportSnapshot
from reports.periods import ReportPeriod

FREEZER_ROLES = (Role.REVIEWER, Role.ADMIN)
FILE_EXTENSIONS = {JobKind.WORKBOOK: "xlsx", JobKind.NARRATIVE: "docx"}
NOT_FREEZER = "Chỉ cán bộ thẩm định, quản trị của đơn vị (hoặc cấp trên) mới chốt được số liệu."


def can_freeze(user, organisation: Organisation) -> bool:
    """Reviewers and admins whose scope covers the unit may freeze its report."""
    return user.is_authenticated and has_role_on(user, organisation, FREEZER_ROLES)


def write_report_file(
    kind: str,
    out,
    *,
    by,
    organisation: Organisation,
    period: ReportPeriod,
    figures: dict,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Write the workbook or the draft narrative of ``figures`` to the binary file ``out``."""
    if kind == JobKind.WORKBOOK:
        rows = selectors.report_model_rows(by, organisation, period)
        workbook.write_workbook(figures, out, model_rows=rows, progress=progress)
    elif kind == JobKind.NARRATIVE:
        narrative.write_narrative(figures, out)
    else:
        raise ValueError(f"Not a report file: {kind}")


def store_report_file(field_file, name: str, write: Callable[[object], None]) -> None:
    """Write a file through ``write`` into a scratch file, then keep it in ``field_file``."""
    with tempfile.TemporaryFile() as scratch:
        write(scratch)
        _keep(field_file, name, scratch)


def _keep(field_file, name: str, scratch) -> None:
    scratch.seek(0)
    field_file.save(name, File(scratch), save=False)


def _stored(figures: dict) -> dict:
    """``figures`` as the snapshot's JSON field gives them back."""
    return json.loads(json.dumps(figures, cls=DjangoJSONEncoder))


def _without_moment(figures: dict) -> dict:
    return {key: value for key, value in figures.items() if key != "generated_at"}


def snapshot_freeze(
    *,
    by,
    organisation: Organisation,
    period: ReportPeriod,
    note: str = "",
    progress: Callable[[int], None] | None = None,
) -> ReportSnapshot:
    """Freeze the figures, the workbook and the narrative of a unit's report for a period as a
    new version (1, 2, …); earlier versions are kept as they were.

    ``progress`` is told how many rows of the workbook's data sheet are written, as the report
    file jobs are.
    """
    if not can_freeze(by, organisation) or not (
        Organisation.objects.visible_to(by).filter(pk=organisation.pk).exists()
    ):
        raise PermissionDenied(NOT_FREEZER)
    # The figures and files are made before the unit is locked, outside any transaction: a
    # large unit's take minutes, which would hold the lock (and keep the progress written
    # meanwhile from being seen). Under the lock only the version is numbered and stored.
    figures = selectors.report_figures(by, organisation, period)
    with tempfile.TemporaryFile() as workbook_file, tempfile.TemporaryFile() as narrative_file:
        files = ((JobKind.WORKBOOK, workbook_file), (JobKind.NARRATIVE, narrative_file))
        for kind, scratch in files:
            write_report_file(
                kind,
                scratch,
                by=by,
                organisation=organisation,
                period=period,
                figures=figures,
                progress=progress if kind == JobKind.WORKBOOK else None,
            )
        with transaction.atomic():
            # The unit's row lock serialises two freezes of it: each sees the other's version.
            unit = (
                Organisation.objects.visible_to(by)
                .select_for_update()
                .filter(pk=organisation.pk)
                .first()
            )
            if unit is None or not can_freeze(by, unit):
                raise PermissionDenied(NOT_FREEZER)
            versions = ReportSnapshot.objects.of(unit, period.start, period.end)
            latest = versions.order_by("-version").first()
            # The same freeze asked again (a double click): same person, note and figures (the
            # moment they were counted apart).
            if (
                latest is not None
                and latest.created_by_id == by.pk
                and latest.note == note
                and _without_moment(latest.figures) == _without_moment(_stored(figures))
            ):
                return latest
            last = versions.aggregate(last=Max("version"))["last"]
            snapshot = ReportSnapshot(
                organisation=unit,
                period_name=period.name,
                period_start=period.start,
                period_end=period.end,
                version=(last or 0) + 1,
                figures=figures,
                note=note,
                created_by=by,
            )
            stem = f"bao-cao-{period.start:%Y%m%d}-{period.end:%Y%m%d}-lan-{snapshot.version}"
            try:
                _keep(
                    snapshot.workbook, f"{stem}.{FILE_EXTENSIONS[JobKind.WORKBOOK]}", workbook_file
                )
                _keep(
                    snapshot.narrative,
                    f"{stem}.{FILE_EXTENSIONS[JobKind.NARRATIVE]}",
                    narrative_file,
                )
                snapshot.full_clean()
                snapshot.save()
            except BaseException:
                # Nothing of a failed freeze stays behind, not even its files.
                for field_file in (snapshot.workbook, snapshot.narrative):
                    if field_file.name:
                        field_file.storage.delete(field_file.name)
                raise
    return snapshot
