"""What each synthetic model is: owner, field, texts, workflow, themes, events and reports.

Rows are plain tuples in the column order of ``MODEL_FIELDS`` and its siblings, ready for
``COPY``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta

from demo.synthetic.draws import cumulative, pick
from demo.synthetic.tree import FIRST_NEW_DAY, place_name
from demo.synthetic.units import Commune, Province
from demo.synthetic.words import (
    COLLECTIVES,
    CORES,
    DECISION_ISSUERS,
    DECISION_SIGNERS,
    DVK_NAMES,
    FIELD_INDICATORS,
    FIELD_THEMES,
    FORCES,
    GIVEN_FEMALE,
    GIVEN_MALE,
    GOALS,
    INDICATOR_RANGES,
    INTROS,
    METHODS,
    MIDDLE_FEMALE,
    MIDDLE_MALE,
    NAME_SUFFIXES,
    OUTPUTS,
    POSITIONS,
    RESOURCES,
    RESULT_SENTENCES,
    SITUATIONS,
    SURNAMES,
    SUSTAINABILITY,
    TARGET_GROUPS,
    TERRITORY_NOTES,
)
from demo.synthetic.workflow import AS_OF_DAY, EPOCH_DATE, date_of, office_time, workflow
from models_registry.choices import Actor, EventAction, Field, ModelKind, Status

# More models every year as the movement spread; 2026 is not over yet.
YEAR_WEIGHTS = {
    2016: 4,
    2017: 5,
    2018: 6,
    2019: 7,
    2020: 7,
    2021: 8,
    2022: 9,
    2023: 10,
    2024: 11,
    2025: 12,
    2026: 10,
}
# Shares as in real reports ("kinh tế 51, văn hóa – xã hội 70, an ninh – quốc phòng 46, xây dựng
# hệ thống chính trị 12").
FIELD_WEIGHTS = {
    Field.ECONOMY: 30,
    Field.CULTURE_SOCIETY: 36,
    Field.SECURITY_DEFENCE: 24,
    Field.POLITICAL_SYSTEM: 10,
}
EXEMPLAR_SHARE = 0.2
INDIVIDUAL_SHARE_OF_EXEMPLARS = 0.6
DVK_NAME_SHARE = 0.12  # names that carry the movement's own "Dân vận khéo"
REPLICA_SHARE = 0.1
REPORTED_SHARE = 0.35  # of the models carried out long enough to report results
# Where the owning unit sits: province bodies, communes and their mass organisations, residential
# areas.
PROVINCE_TIER = 0.06
COMMUNE_TIER = 0.56
THEME_COUNT_WEIGHTS = [15, 45, 30, 10]  # how many themes a model carries: 0, 1, 2, 3
# Models started before this day belong to the units of the time: the former communes (and
# former provinces), which today's merged.
REFORM_DAY = (FIRST_NEW_DAY - EPOCH_DATE).days

# Column order of the rows below.
MODEL_FIELDS = (
    "id",
    "created_at",
    "updated_at",
    "name",
    "kind",
    "actor",
    "person_name",
    "person_position",
    "field",
    "owning_unit",
    # The copy of the unit's path, which the database's trigger would set: skipped by the load.
    "owning_path",
    "territory_note",
    "situation",
    "goals",
    "content",
    "target_group",
    "forces",
    "funds",
    "workdays",
    "socialised_funds",
    "resources_note",
    "start_date",
    "schedule",
    "evaluation_date",
    "outputs",
    "sustainability",
    "contact_name",
    "contact_phone",
    "replicated_from",
    "status",
    "submitted_at",
    "returned_at",
    "accepted_at",
    "rejected_at",
    "proposed_at",
    "recognised_at",
    "not_recognised_at",
    "discontinued_at",
    "status_reason",
    "decision_number",
    "decision_date",
    "decision_signer",
    "is_outstanding",
    "outstanding_at",
)
EVENT_FIELDS = ("model", "action", "from_status", "to_status", "reason", "source", "created_at")
REPORT_FIELDS = (
    "id",
    "model",
    "period_start",
    "period_end",
    "narrative",
    "created_at",
    "updated_at",
)
VALUE_FIELDS = ("report", "indicator", "value")
_CARRIED_OUT = (
    Status.ACCEPTED,
    Status.PROPOSED,
    Status.RECOGNISED,
    Status.NOT_RECOGNISED,
    Status.DISCONTINUED,
)


@dataclass
class GeneratedRegistry:
    """What a run generated, by status, and where the time went."""

    models: int = 0
    themes: int = 0  # model–theme links
    territories: int = 0  # model–residential area links
    replicas: int = 0
    events: int = 0
    reports: int = 0
    values: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def _lower_first(text: str) -> str:
    return text[0].lower() + text[1:]


class Generator:
    """Draws owners, fields and texts, with the weights, ids and earlier models they need."""

    def __init__(
        self, rng: random.Random, provinces: list[Province], themes, indicators, unit_paths
    ):
        self.rng = rng
        self.provinces = provinces
        self.unit_paths: dict[int, str] = unit_paths  # every owning unit's tree path
        # Uneven provinces: the busiest registers three times as many models as the quietest.
        weights = [1 + 2 * rng.random() for _ in provinces]
        self.province_weights = cumulative(weights)
        for province in provinces:
            province.commune_weights = cumulative(
                [0.3 + 1.7 * rng.random() for _ in province.communes]
            )
        self.fields = list(FIELD_WEIGHTS)
        self.field_weights = cumulative(FIELD_WEIGHTS.values())
        self.theme_ids = {
            name: [themes[theme] for theme in names if theme in themes]
            for name, names in FIELD_THEMES.items()
        }
        self.indicator_ids = {
            name: [(indicators[code], code) for code in codes if code in indicators]
            for name, codes in FIELD_INDICATORS.items()
        }
        self.lowered = {
            name: [_lower_first(core) for core in cores] for name, cores in CORES.items()
        }
        # Earlier models a new one may replicate, per province: (id, field, name).
        self.originals: list[list[tuple[int, str, str]]] = [[] for _ in provinces]
        self.next_originals: list[list[tuple[int, str, str]]] = [[] for _ in provinces]

    def owning_unit(self, start_day: int) -> tuple[int, Province, int, Commune | None, int | None]:
        """``(province index, province, owning unit, its commune, a residential area)`` of a
        model started on ``start_day``: before the 2025 reform, a unit of the time."""
        rng = self.rng
        index = pick(self.province_weights, rng)
        province = self.provinces[index]
        former = start_day < REFORM_DAY
        tier = rng.random()
        if tier < PROVINCE_TIER:
            units = province.units
            if former and province.former_units and rng.random() < 0.5:
                units = province.former_units
            return index, province, rng.choice(units), None, None
        commune = province.communes[pick(province.commune_weights, rng)]
        if former and commune.predecessors:
            commune = rng.choice(commune.predecessors)
        if tier < PROVINCE_TIER + COMMUNE_TIER or not commune.areas:
            if commune.bodies and rng.random() < 0.55:
                return index, province, rng.choice(commune.bodies), commune, None
            return index, province, commune.pk, commune, None
        area = rng.choice(commune.areas)
        return index, province, area, commune, area

    def person(self) -> tuple[str, str]:
        """``(title, full name)`` of a man or a woman."""
        rng = self.rng
        if rng.random() < 0.55:
            middle, given, title = rng.choice(MIDDLE_MALE), rng.choice(GIVEN_MALE), "Ông"
        else:
            middle, given, title = rng.choice(MIDDLE_FEMALE), rng.choice(GIVEN_FEMALE), "Bà"
        return title, f"{rng.choice(SURNAMES)} {middle} {given}"

    def texts(self, field_name: str, replica_of: tuple[int, str, str] | None):
        """``(kind, actor, name, person name, position, content)``."""
        rng = self.rng
        cores = CORES[field_name]
        core_index = rng.randrange(len(cores))
        core, core_lower = cores[core_index], self.lowered[field_name][core_index]
        intro = rng.choice(INTROS)
        methods = rng.sample(METHODS[field_name], 2)
        if replica_of is not None:
            name = replica_of[2]
            content = (
                f"Nhân rộng mô hình “{name}”: {_lower_first(intro)} {core_lower}; {methods[0]}."
            )
            return ModelKind.MODEL, Actor.COLLECTIVE, name, "", "", content
        content = f"{intro} {core_lower}: {methods[0]}; {methods[1]}."
        number = rng.randrange(1, 30)
        if rng.random() >= EXEMPLAR_SHARE:
            draw = rng.random()
            if draw < DVK_NAME_SHARE:
                name = rng.choice(DVK_NAMES[field_name])
                content = f"{name}: {core_lower}, {methods[0]}; {methods[1]}."
            elif draw < 0.55:
                name = core
            else:
                suffix = rng.choice(NAME_SUFFIXES)
                name = f"{core} {suffix.format(n=number, place=place_name(rng))}"
            return ModelKind.MODEL, Actor.COLLECTIVE, name, "", "", content
        if rng.random() < INDIVIDUAL_SHARE_OF_EXEMPLARS:
            title, person = self.person()
            position = rng.choice(POSITIONS).format(n=number)
            name = f"{title} {person} – {position}"
            content = (
                f"Điển hình “Dân vận khéo” trong vận động nhân dân {core_lower}: {methods[0]}."
            )
            return ModelKind.EXEMPLAR, Actor.INDIVIDUAL, name, person, position, content
        collective = rng.choice(COLLECTIVES).format(n=number)
        name = f"{collective} với mô hình “{core}”"
        return ModelKind.EXEMPLAR, Actor.COLLECTIVE, name, "", "", content


class Rows:
    """The rows that hang off a chunk of models, loaded after the models themselves."""

    def __init__(self):
        self.themes: list[tuple] = []
        self.territories: list[tuple] = []
        self.events: list[tuple] = []
        self.reports: list[list] = []  # the id is filled in just before loading
        self.values: list[tuple] = []  # (report position in ``reports``, indicator, value)


def make_model(generator: Generator, model_id: int, start_day: int, rows: Rows, result):
    """One model's row; its themes, territories, events and reports go to ``rows``."""
    rng = generator.rng
    index, _, unit, commune, area = generator.owning_unit(start_day)
    field_name = generator.fields[pick(generator.field_weights, rng)]
    replica_of = None
    originals = generator.originals[index]
    if originals and rng.random() < REPLICA_SHARE:
        replica_of = rng.choice(originals)
        field_name = replica_of[1]
        result.replicas += 1
    kind, actor, name, person, position, content = generator.texts(field_name, replica_of)
    if replica_of is None and kind == ModelKind.MODEL:
        generator.next_originals[index].append((model_id, field_name, name))

    steps = workflow(rng, start_day)
    status = steps[-1][1]
    result.by_status[status] = result.by_status.get(status, 0) + 1
    # What the services leave on the row: the time each status was last reached, and the
    # reason of the last move.
    moments = [office_time(day, rng) for _, _, day, _ in steps]
    reached = {}
    for (_, to_status, _, _), moment in zip(steps[1:], moments[1:], strict=True):
        reached[to_status] = moment
    reason = steps[-1][3]

    start = date_of(start_day)
    evaluation = start + timedelta(days=rng.randrange(180, 730))
    economy = field_name == Field.ECONOMY
    funds = rng.randrange(5, 900) * 1_000_000 if economy or rng.random() < 0.4 else None
    social = rng.randrange(1, 300) * 1_000_000 if rng.random() < 0.3 else None
    decision_number, decision_date, signer, outstanding_at = "", None, "", None
    if status == Status.RECOGNISED:
        decision_number = f"{rng.randrange(1, 999)}/{rng.choice(DECISION_ISSUERS)}"
        decision_date = reached[Status.RECOGNISED].date()
        # Drawn from the id, not the generator, so the rest of the data set stays as it was.
        signer = DECISION_SIGNERS[model_id % len(DECISION_SIGNERS)]
        if model_id % 10 < 3:  # about a third of the recognised are marked outstanding
            outstanding_at = reached[Status.RECOGNISED]
    _, contact = generator.person()
    get = reached.get
    row = (
        model_id,
        moments[0],
        moments[-1],
        name,
        kind,
        actor,
        person,
        position,
        field_name,
        unit,
        generator.unit_paths[unit],
        rng.choice(TERRITORY_NOTES) if rng.random() < 0.05 else "",
        rng.choice(SITUATIONS[field_name]),
        rng.choice(GOALS),
        content,
        rng.choice(TARGET_GROUPS),
        rng.choice(FORCES),
        funds,
        rng.randrange(20, 3_000),
        social,
        rng.choice(RESOURCES),
        start,
        f"Từ tháng {start.month}/{start.year} đến tháng {evaluation.month}/{evaluation.year}",
        evaluation,
        rng.choice(OUTPUTS),
        rng.choice(SUSTAINABILITY),
        contact,
        f"09{rng.randrange(10, 99)} {rng.randrange(100, 999)} {rng.randrange(100, 999)}",
        replica_of[0] if replica_of else None,
        status,
        get(Status.SUBMITTED),
        get(Status.RETURNED),
        get(Status.ACCEPTED),
        get(Status.REJECTED),
        get(Status.PROPOSED),
        get(Status.RECOGNISED),
        get(Status.NOT_RECOGNISED),
        get(Status.DISCONTINUED),
        reason,
        decision_number,
        decision_date,
        signer,
        outstanding_at is not None,
        outstanding_at,
    )

    theme_ids = generator.theme_ids[field_name]
    how_many = min(len(theme_ids), pick(_THEME_COUNTS, rng))
    for theme in rng.sample(theme_ids, how_many):
        rows.themes.append((model_id, theme))
    if area is not None:
        if rng.random() < 0.5:
            rows.territories.append((model_id, area))
    elif commune is not None and commune.areas and rng.random() < 0.3:
        for territory in rng.sample(commune.areas, min(len(commune.areas), rng.randrange(1, 4))):
            rows.territories.append((model_id, territory))

    previous = ""
    for (action, to_status, _, step_reason), moment in zip(steps, moments, strict=True):
        rows.events.append((model_id, action, previous, to_status, step_reason, "", moment))
        previous = to_status
    if status in _CARRIED_OUT and rng.random() < REPORTED_SHARE:
        accepted_day = next(day for _, to, day, _ in steps if to == Status.ACCEPTED)
        end_day = steps[-1][2] if status == Status.DISCONTINUED else AS_OF_DAY
        _add_reports(generator, rows, model_id, field_name, accepted_day, end_day, rng)
    return row


_THEME_COUNTS = cumulative(THEME_COUNT_WEIGHTS)


def _add_reports(generator, rows: Rows, model_id, field_name, first_day, end_day, rng) -> None:
    """Up to three yearly result reports, each with a few indicator values, and their events."""
    indicators = generator.indicator_ids[field_name]
    period_start = first_day
    for _ in range(rng.randrange(1, 4)):
        period_end = min(period_start + 364, end_day - 20)
        if period_end - period_start < 90:
            break
        reported = office_time(period_end + rng.randrange(1, 20), rng)
        begins = date_of(period_start)
        ends = date_of(period_end)
        narrative = rng.choice(RESULT_SENTENCES).format(
            months=max(1, (period_end - first_day) // 30), people=rng.randrange(20, 2_000)
        )
        position = len(rows.reports)
        rows.reports.append([None, model_id, begins, ends, narrative, reported, reported])
        for indicator, code in rng.sample(indicators, min(len(indicators), rng.randrange(2, 5))):
            low, high = INDICATOR_RANGES[code]
            value = rng.randrange(low, high)
            if code == "funds":
                value *= 1_000_000
            rows.values.append((position, indicator, value))
        period = f"Kỳ {begins:%d/%m/%Y} – {ends:%d/%m/%Y}"
        rows.events.append((model_id, EventAction.RESULT_REPORTED, "", "", period, "", reported))
        period_start = period_end + 1
