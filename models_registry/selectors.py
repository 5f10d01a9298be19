"""Reads of the registry for pages: the filtered list, a model's sections and its history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import QuerySet
from django.urls import Resolver404, resolve
from django.utils import formats, timezone
from django.utils.dateparse import parse_date

from danvan.templatetags.danvan_tags import grouped
from models_registry.choices import Actor, Field, ModelKind, Status
from models_registry.filters import DanVanModelFilter
from models_registry.models import DanVanModel
from models_registry.rules import REGISTRANT_ROLES
from organisations.models import Organisation
from organisations.querysets import scope_paths

# Fields that change on every save or are derived: never worth a line in the history.
HISTORY_SKIPPED = {"updated_at", "created_at", "search_vector", "status_reason"}
HISTORY_LIMIT = 200
TEXT_PREVIEW = 160


def can_register_anywhere(user) -> bool:
    """Whether ``user`` registers models for at least one unit."""
    return user.is_authenticated and (
        user.is_superuser or bool(scope_paths(user, REGISTRANT_ROLES))
    )


def filtered_models(user, params) -> QuerySet[DanVanModel]:
    """The models of the list page for ``params`` (its GET parameters), scoped to ``user``.

    The list, its export and the background export all come through here, so a file always
    holds exactly what the screen showed. Invalid parameters are ignored, as on the page.
    """
    filterset = DanVanModelFilter.lenient(params, user=user)
    return filterset.qs


@dataclass(frozen=True)
class Section:
    title: str
    rows: list[tuple[str, object]]


def model_sections(model: DanVanModel) -> list[Section]:
    """The registration as the form's numbered sections, for the detail page."""

    def label(name):
        return DanVanModel._meta.get_field(name).verbose_name.capitalize()

    def rows(*names):
        return [(label(name), getattr(model, name)) for name in names]

    return [
        Section("1. Thực trạng, lý do xây dựng", rows("situation")),
        Section("2. Mục tiêu, tiêu chí đánh giá", rows("goals")),
        Section("3. Nội dung, cách làm", rows("content")),
        Section("4. Đối tượng tác động", rows("target_group")),
        Section("5. Lực lượng thực hiện và vai trò", rows("forces")),
        Section(
            "6. Nguồn lực",
            rows("funds", "workdays", "socialised_funds", "resources_note"),
        ),
        Section("7. Thời gian thực hiện", rows("start_date", "schedule", "evaluation_date")),
        Section("8. Sản phẩm, kết quả kiểm chứng được", rows("outputs")),
        Section("9. Tính bền vững, khả năng nhân rộng", rows("sustainability")),
        Section("10. Liên hệ", rows("contact_name", "contact_phone")),
    ]


@dataclass
class HistoryEntry:
    when: object
    who: str
    what: str
    changes: list[tuple[str, str, str]]


_CHOICE_LABELS = {
    "kind": dict(ModelKind.choices),
    "actor": dict(Actor.choices),
    "field": dict(Field.choices),
    "status": dict(Status.choices),
}
_OBJECT_NAMES = {
    "models_registry.DanVanModelHistory": "mô hình",
    "models_registry.ResultReportHistory": "báo cáo kết quả",
    "models_registry.AttachmentHistory": "tệp đính kèm",
    "models_registry.ResultValueHistory": "giá trị chỉ tiêu",
}
_ACTIONS = {"insert": "Thêm", "update": "Sửa", "delete": "Xóa"}
_MODEL_EVENTS = "models_registry.DanVanModelHistory"
# The ids a change may hold, resolved to names only among what the reader may see.
_NAMED_IDS = {"owning_unit_id": Organisation, "replicated_from_id": DanVanModel}
_FIELDS = {field.attname: field for field in DanVanModel._meta.concrete_fields}
_AUTOSAVE_URL_NAMES = {"model_autosave", "model_autosave_new"}
_NUMBER_FIELDS = (models.IntegerField, models.DecimalField, models.FloatField)


def _shown(value, name: str, names: dict) -> str:
    """A stored value as the page words it. The audit rows hold JSON (dates as ISO text), the
    review panel live values; both read the same."""
    if value in (None, ""):
        return "—"
    if name in _CHOICE_LABELS:
        return str(_CHOICE_LABELS[name].get(value, value))
    if name in names:
        # Out of the reader's scope: nothing about it, as if there were none.
        return names[name].get(value, "—")
    model_field = _FIELDS.get(name)
    if isinstance(value, str) and isinstance(model_field, models.DateField):
        value = model_field.to_python(value)  # DateTimeField is a DateField too
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return formats.date_format(value, "H:i d/m/Y")
    if isinstance(value, date):
        return formats.date_format(value, "d/m/Y")
    if isinstance(model_field, models.BooleanField):
        return "Có" if value else "Không"
    if isinstance(model_field, _NUMBER_FIELDS):
        # Amounts and counts only: phone numbers and codes are text fields, never grouped.
        return grouped(value)
    text = str(value)
    return text if len(text) <= TEXT_PREVIEW else text[:TEXT_PREVIEW] + "…"


def _day(value) -> str:
    day = parse_date(value) if isinstance(value, str) else value
    return formats.date_format(day, "d/m/Y") if day else "—"


def _is_autosave(context: dict, seen: dict) -> bool:
    url = context.get("url")
    if not url:
        return False
    if url not in seen:
        try:
            match = resolve(url)
        except Resolver404:
            seen[url] = False
        else:
            seen[url] = (
                match.namespace == "models_registry" and match.url_name in _AUTOSAVE_URL_NAMES
            )
    return seen[url]


def _collapsed_autosaves(events, autosave_of) -> list[tuple[object, dict, int]]:
    """``(newest event, diff, count)`` for the events, newest first, where a run of consecutive
    autosaves of the model by one person reads as one change (the oldest value → the newest).

    Every audit row stays in the database; only the page is spared a line per typing pause.
    """
    runs: list[tuple[object, dict, int]] = []
    run_key = None
    for event in events:
        context = event.pgh_context or {}
        key = (
            ("autosave", context.get("user"))
            if event.pgh_model == _MODEL_EVENTS
            and event.pgh_label == "update"
            and autosave_of(context)
            else None
        )
        diff = event.pgh_diff or {}
        if key is not None and key == run_key:
            newest, merged, count = runs[-1]
            for name, (old, new) in diff.items():
                # Older than everything merged so far: its "before" is the run's "before".
                merged[name] = (old, merged[name][1] if name in merged else new)
            runs[-1] = (newest, merged, count + 1)
        else:
            runs.append((event, dict(diff), 1))
        run_key = key
    return runs


def model_history(model: DanVanModel, user=None) -> list[HistoryEntry]:
    """Who changed what and when: the audit trail of the model, its reports and its files.

    Read from the rows the database triggers wrote (so bulk writes show too), newest first.
    A unit or model a change refers to is named only when ``user`` may see it (never without a
    user); consecutive autosaves by one person read as one change.
    """
    from pghistory.models import Events

    events = list(
        Events.objects.references(model).order_by("-pgh_created_at", "-pgh_id")[:HISTORY_LIMIT]
    )
    user_ids, ids = set(), {name: set() for name in _NAMED_IDS}
    for event in events:
        context = event.pgh_context or {}
        if str(context.get("user", "")).isdigit():
            user_ids.add(int(context["user"]))
        for name, pair in (event.pgh_diff or {}).items():
            if name in ids:
                ids[name].update(value for value in pair if value)
    users = {
        person.pk: person.get_full_name() or person.username
        for person in get_user_model().objects.filter(pk__in=user_ids)
    }
    names = _related_names(ids, user)
    seen_urls: dict[str, bool] = {}

    entries = []
    for event, diff, count in _collapsed_autosaves(
        events, lambda context: _is_autosave(context, seen_urls)
    ):
        context = event.pgh_context or {}
        user_id = context.get("user")
        who = users.get(int(user_id)) if str(user_id or "").isdigit() else None
        if who is None:
            who = {"import": "Nhập từ tệp", "demo": "Dữ liệu mẫu"}.get(
                context.get("source"), "Hệ thống"
            )
        if context.get("file"):
            who = f"{who} (tệp {context['file']})"
        subject = _OBJECT_NAMES.get(event.pgh_model, "dữ liệu")
        what = f"{_ACTIONS.get(event.pgh_label, event.pgh_label)} {subject}"
        if count > 1:
            what = f"{what} (tự động lưu {count} lần)"
        if event.pgh_model != _MODEL_EVENTS:
            data = event.pgh_data or {}
            detail = data.get("original_name") or (
                f"{_day(data.get('period_start'))} – {_day(data.get('period_end'))}"
                if "period_start" in data
                else ""
            )
            if detail:
                what = f"{what}: {detail}"
        changes = []
        if event.pgh_label == "update":
            changes = _labelled_changes(diff, names)
            if not changes and event.pgh_model == _MODEL_EVENTS:
                continue
        entries.append(HistoryEntry(event.pgh_created_at, who, what, changes))
    return entries


def _related_names(ids: dict[str, set], user) -> dict[str, dict]:
    """The names of the units and models a change refers to by id, among those ``user`` may
    see (a query for each kind); without a user, none."""
    names = {}
    for name, related in _NAMED_IDS.items():
        wanted = ids.get(name)
        if not wanted or user is None:
            names[name] = {}
            continue
        names[name] = dict(
            related.objects.visible_to(user)
            .filter(pk__in=wanted)
            .order_by()
            .values_list("pk", "name")
        )
    return names


def _labelled_changes(diff: dict, names: dict) -> list[tuple[str, str, str]]:
    changes = []
    for name, (old, new) in sorted(diff.items()):
        if name in HISTORY_SKIPPED or old == new:
            continue  # old == new: autosaves that came back to where they started
        model_field = _FIELDS.get(name)
        label = str(model_field.verbose_name if model_field else name).capitalize()
        before, after = _shown(old, name, names), _shown(new, name, names)
        if name in names and before == after:
            continue  # both out of the reader's scope: nothing to say about them
        changes.append((label, before, after))
    return changes


def field_changes(diff: dict[str, tuple], *, user=None) -> list[tuple[str, str, str]]:
    """``(label, before, after)`` for ``{attname: (before, after)}`` of one model, worded as its
    history words them (units and models named only when ``user`` may see them)."""
    ids = {name: {value for value in diff.get(name, ()) if value} for name in _NAMED_IDS}
    return _labelled_changes(diff, _related_names(ids, user))
