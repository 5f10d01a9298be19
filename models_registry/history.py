"""A model's history: who changed which field, from what to what, and when.

Read from the rows the audit-trail triggers wrote (the model, its result reports, values and
files, and the link rows of its themes, territory and coordinating units), so bulk writes and
imports show too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from types import SimpleNamespace

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.urls import Resolver404, resolve
from django.utils import formats, timezone
from django.utils.dateparse import parse_date

from core.templatetags.danvan_tags import grouped
from models_registry.choices import RELATION_FIELDS, Actor, Field, ModelKind, Status
from models_registry.models import DanVanModel, Theme
from organisations.models import Organisation

# Fields that change on every save or are derived: never worth a line in the history.
HISTORY_SKIPPED = {"updated_at", "created_at", "search_vector", "status_reason"}
HISTORY_LIMIT = 200
TEXT_PREVIEW = 160

# The relations whose link rows are audited (every one of RELATION_FIELDS): the event model of
# each, the column naming the linked row, and what that row is.
RELATIONS = {
    "themes": ("ThemeLinkHistory", "theme_id", Theme),
    "territory": ("TerritoryLinkHistory", "organisation_id", Organisation),
    "coordinating_units": ("CoordinatorLinkHistory", "organisation_id", Organisation),
}
assert set(RELATIONS) == set(RELATION_FIELDS)
_RELATION_OF_EVENT = {
    f"models_registry.{event_model}": (name, column)
    for name, (event_model, column, _target) in RELATIONS.items()
}


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
    **{label: "mô hình" for label in _RELATION_OF_EVENT},
}
_ACTIONS = {"insert": "Thêm", "update": "Sửa", "delete": "Xóa"}
_MODEL_EVENTS = "models_registry.DanVanModelHistory"
# Every foreign key a change may hold, shown by the name of what it points at, as the model's
# page shows that field: units and models only among what the reader may see (the page says
# nothing of others), the decision's issuer (the review panel names it to whoever sees the model)
# and people always.
_NAMED_IDS = {
    field.attname: field.related_model
    for field in DanVanModel._meta.concrete_fields
    if field.many_to_one
}
_NAMED_ALWAYS = {"decision_issuer_id", "created_by_id"}
assert set(_NAMED_IDS) >= _NAMED_ALWAYS
_FIELDS = {
    **{field.attname: field for field in DanVanModel._meta.concrete_fields},
    **{name: DanVanModel._meta.get_field(name) for name in RELATIONS},
}
_AUTOSAVE_URL_NAMES = {"model_autosave", "model_autosave_new"}
_NUMBER_FIELDS = (models.IntegerField, models.DecimalField, models.FloatField)


def _shown(value, name: str, names: dict) -> str:
    """A stored value as the page words it. The audit rows hold JSON (dates as ISO text), the
    review panel live values; both read the same."""
    if name in RELATIONS:
        linked = names.get(name, {})
        return "; ".join(sorted(linked.get(pk, f"#{pk}") for pk in value)) or "—"
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
    Themes, territory and coordinating units added or removed read as a change of that field
    in the same entry as the save that made them. A unit or model a field refers to by id is
    named only when ``user`` may see it (never without a user); consecutive autosaves by one
    person read as one change.
    """
    from pghistory.models import Events

    events = list(
        Events.objects.references(model).order_by("-pgh_created_at", "-pgh_id")[:HISTORY_LIMIT]
    )
    events = _with_relation_changes(model, events)
    user_ids, ids = set(), {name: set() for name in (*_NAMED_IDS, *RELATIONS)}
    for event in events:
        context = event.pgh_context or {}
        if str(context.get("user", "")).isdigit():
            user_ids.add(int(context["user"]))
        for name, pair in (event.pgh_diff or {}).items():
            if name in RELATIONS:
                ids[name].update(*pair)
            elif name in ids:
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


def _with_relation_changes(model: DanVanModel, events: list) -> list:
    """``events`` with the link rows folded into the model's own events.

    The links of one save (one transaction and request context) become a field of that save's
    diff, ``{relation: (ids before, ids after)}``, worked out backwards from the links the model
    has now. Links made with the model's creation are part of the creation; links changed by a
    save that touched no field of the model read as a change of the model of their own.
    """
    if not any(event.pgh_model in _RELATION_OF_EVENT for event in events):
        return events
    state = {name: set(_linked_ids(model, name)) for name in RELATIONS}
    diffs: dict[tuple, dict[str, list]] = {}
    for event in events:  # newest first: each link undone takes the state one step back
        if event.pgh_model not in _RELATION_OF_EVENT:
            continue
        name, column = _RELATION_OF_EVENT[event.pgh_model]
        key = (event.pgh_created_at, event.pgh_context_id)
        pair = diffs.setdefault(key, {}).setdefault(name, [None, frozenset(state[name])])
        linked = (event.pgh_data or {}).get(column)
        if event.pgh_label == "add":
            state[name].discard(linked)
        else:
            state[name].add(linked)
        pair[0] = frozenset(state[name])

    folded, saves = [], {}
    for event in events:
        key = (event.pgh_created_at, event.pgh_context_id)
        # A creation wins over a save in the same transaction: its links are its first values.
        if event.pgh_model == _MODEL_EVENTS and (key not in saves or event.pgh_label == "insert"):
            saves[key] = event
    for event in events:
        if event.pgh_model in _RELATION_OF_EVENT:
            key = (event.pgh_created_at, event.pgh_context_id)
            relation_diff = {
                name: (tuple(sorted(before)), tuple(sorted(after)))
                for name, (before, after) in diffs.pop(key, {}).items()
                if before != after
            }
            if not relation_diff:
                continue  # already folded, or links that came back to where they were
            save = saves.get(key)
            if save is None:
                folded.append(
                    SimpleNamespace(
                        pgh_model=_MODEL_EVENTS,
                        pgh_label="update",
                        pgh_created_at=event.pgh_created_at,
                        pgh_context_id=event.pgh_context_id,
                        pgh_context=event.pgh_context,
                        pgh_data={},
                        pgh_diff=relation_diff,
                    )
                )
            elif save.pgh_label == "update":
                save.pgh_diff = {**(save.pgh_diff or {}), **relation_diff}
            continue
        folded.append(event)
    return folded


# The annotations the detail page reads the linked ids with (``selectors.detail_queryset``).
LINKED_ID_ANNOTATIONS = {
    "themes": "theme_ids",
    "territory": "territory_ids",
    "coordinating_units": "coordinating_ids",
}


def _linked_ids(model: DanVanModel, name: str) -> list[int]:
    """The ids linked now; read from the page's annotation or prefetched rows when it has them."""
    annotated = getattr(model, LINKED_ID_ANNOTATIONS[name], None)
    if annotated is not None:
        return list(annotated)
    return [linked.pk for linked in getattr(model, name).all()]


def relation_changes_since(model: DanVanModel, moment: datetime) -> dict[str, tuple]:
    """``{relation: (ids then, ids now)}`` for the relations whose links changed after
    ``moment``, worked out from the links now and the link rows written since."""
    changes = {}
    for name, (event_model, column, _target) in RELATIONS.items():
        now = set(_linked_ids(model, name))
        then = set(now)
        later = (
            apps.get_model("models_registry", event_model)
            .objects.filter(danvanmodel_id=model.pk, pgh_created_at__gt=moment)
            .order_by("-pgh_id")
            .values_list("pgh_label", column)
        )
        for label, linked in later:
            if label == "add":
                then.discard(linked)
            else:
                then.add(linked)
        if then != now:
            changes[name] = (tuple(sorted(then)), tuple(sorted(now)))
    return changes


def _related_names(ids: dict[str, set], user) -> dict[str, dict]:
    """The names of what a change refers to by id (a query for each kind).

    Units and models a field points at are named only among those ``user`` may see, and
    without a user not at all; the decision's issuer and people always. The themes, territory
    and coordinating units are the model's own content, shown on its page to whoever may see
    it, so they are always named.
    """
    names = {}
    for name, related in _NAMED_IDS.items():
        wanted = ids.get(name)
        if not wanted or (user is None and name not in _NAMED_ALWAYS):
            names[name] = {}
        elif related is get_user_model():
            names[name] = {
                person.pk: person.get_full_name() or person.username
                for person in related.objects.filter(pk__in=wanted)
            }
        else:
            rows = related.objects if name in _NAMED_ALWAYS else related.objects.visible_to(user)
            names[name] = dict(rows.filter(pk__in=wanted).order_by().values_list("pk", "name"))
    for name, (_event_model, _column, target) in RELATIONS.items():
        wanted = ids.get(name)
        names[name] = (
            dict(target.objects.filter(pk__in=wanted).order_by().values_list("pk", "name"))
            if wanted
            else {}
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
    """``(label, before, after)`` for ``{attname or relation: (before, after)}`` of one model,
    worded as its history words them (units and models a field points at named only when
    ``user`` may see them; a relation's value is a collection of ids)."""
    ids = {name: {value for value in diff.get(name, ()) if value} for name in _NAMED_IDS}
    for name in RELATIONS:
        if name in diff:
            ids[name] = set().union(*diff[name])
    return _labelled_changes(diff, _related_names(ids, user))
