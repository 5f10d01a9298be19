"""Rubric versions: admins copy the national appraisal rubric (criteria and classification
bands) into a new version and make it the one new score sheets use."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from reviews.classification import band_errors
from reviews.models import (
    Rubric,
)


def _require_rubric_manager(by) -> None:
    # The rubric is national: superusers (who hold every permission) manage it.
    if not by.has_perm("reviews.change_rubric"):
        raise PermissionDenied("Chỉ quản trị hệ thống mới thay đổi được bộ tiêu chí thẩm định.")


def _lock_rubrics() -> None:
    # Every version's row (a handful). A concurrent change waits for this one to commit, and its
    # next statement then sees the new version number and the version made active; locking only
    # the rows it is about to read would let it act on what it read before the wait.
    list(Rubric.objects.select_for_update().order_by("pk").values_list("pk", flat=True))


@transaction.atomic
def rubric_new_version(*, source: Rubric, by) -> Rubric:
    """A new, not yet active version with ``source``'s criteria, to change freely."""
    _require_rubric_manager(by)
    _lock_rubrics()
    last = Rubric.objects.order_by("-version").first()
    rubric = Rubric.objects.create(name=source.name, version=last.version + 1, is_active=False)
    for criterion in source.criteria.all():
        criterion.pk = None
        criterion.rubric = rubric
        criterion.save()
    for band in source.bands.all():
        band.pk = None
        band.rubric = rubric
        band.save()
    return rubric


@transaction.atomic
def rubric_activate(*, rubric: Rubric, by) -> Rubric:
    """Make ``rubric`` the version new score sheets use; sheets already made keep theirs."""
    _require_rubric_manager(by)
    _lock_rubrics()
    rubric = Rubric.objects.select_for_update().get(pk=rubric.pk)
    if not rubric.criteria.exists():
        raise ValidationError("Bộ tiêu chí chưa có tiêu chí nào.", code="empty")
    errors = band_errors(
        [(band.label, band.min_score) for band in rubric.bands.all()], rubric.max_total
    )
    if errors:
        raise ValidationError(errors, code="bands")
    Rubric.objects.filter(is_active=True).exclude(pk=rubric.pk).update(is_active=False)
    rubric.is_active = True
    rubric.save(update_fields=["is_active"])
    return rubric
