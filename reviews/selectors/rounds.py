"""Reads of commendation rounds: the list, a round's lines and figures, the annex's sections."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q

from core.text import bare_document_number, without_lead
from models_registry.choices import Actor, Status
from models_registry.models import DanVanModel
from organisations.letterhead import (
    IssuingBody,
    Letterhead,
    issuing_body,
    letterhead,
    number_line,
    place_date,
    signature_lines,
)
from organisations.models import Organisation
from organisations.querysets import subtree_q, with_predecessors
from organisations.selectors import user_roles
from reviews.choices import CommendationForm
from reviews.models import Commendation, CommendationRound
from reviews.querysets import ROUND_MANAGER_ROLES

# The order of the annex, the print-out and the counts: the highest form first.
FORM_ORDER = (
    CommendationForm.MERIT,
    CommendationForm.CERTIFICATE,
    CommendationForm.PRAISE,
    CommendationForm.OTHER,
)
ACTOR_ORDER = (Actor.COLLECTIVE, Actor.INDIVIDUAL)
NOMINEES_SHOWN = 15


def nominable_models(commendation_round: CommendationRound, user):
    """Recognised models the round may commend: visible to ``user`` and under its unit."""
    paths = with_predecessors([commendation_round.organising_unit.path])
    return (
        DanVanModel.objects.visible_to(user)
        .filter(subtree_q(paths, "owning_unit__path"), status=Status.RECOGNISED)
        .exclude(commendations__round=commendation_round)
    )


BULK_CANDIDATES_SHOWN = 500


def bulk_units(commendation_round: CommendationRound, user):
    """Units whose models ``user`` may add to the round at once: seen by ``user`` and under the
    round's organising unit (merged units included)."""
    paths = with_predecessors([commendation_round.organising_unit.path])
    return Organisation.objects.visible_to(user).filter(subtree_q(paths))


def bulk_candidates(
    commendation_round: CommendationRound, user, *, unit, start, end, outstanding: bool
):
    """The recognised models of ``unit``'s subtree recognised (or, with ``outstanding``, chosen
    as outstanding) between ``start`` and ``end`` (Vietnam dates), that the round may commend;
    each says whether it is already on the round's list (``listed``)."""
    paths = with_predecessors([commendation_round.organising_unit.path])
    moment = "outstanding_at" if outstanding else "recognised_at"
    found = (
        DanVanModel.objects.visible_to(user)
        .filter(subtree_q(paths, "owning_unit__path"), status=Status.RECOGNISED)
        .filter(subtree_q(with_predecessors([unit.path]), "owning_unit__path"))
        .filter(**{f"{moment}__date__gte": start, f"{moment}__date__lte": end})
    )
    if outstanding:
        found = found.filter(is_outstanding=True)
    return (
        found.annotate(
            listed=Exists(
                Commendation.objects.filter(round=commendation_round, model=OuterRef("pk"))
            )
        )
        .select_related("owning_unit")
        .order_by("owning_unit__path", "name", "pk")
    )


def lines_outside_unit(commendation_round: CommendationRound, unit=None) -> list[Commendation]:
    """Lines of the round whose model is not under ``unit`` (the round's organising unit by
    default, merged units included): a round may only commend its own unit's models."""
    unit = unit or commendation_round.organising_unit
    paths = with_predecessors([unit.path])
    return list(
        commendation_round.commendations.exclude(subtree_q(paths, "model__owning_unit__path"))
        .select_related("model")
        .order_by("position", "pk")
    )


def can_create_rounds(user) -> bool:
    """Whether ``user`` is a reviewer or admin somewhere, so may open a round."""
    return bool(user_roles(user) & set(ROUND_MANAGER_ROLES))


def round_list(user):
    """Rounds ``user`` may see, newest first, each with its number of commendations in force."""
    return (
        CommendationRound.objects.visible_to(user)
        .select_related("organising_unit")
        .annotate(
            commendation_count=Count(
                "commendations", filter=Q(commendations__revoked_at__isnull=True)
            )
        )
        .order_by("-held_on", "-pk")
    )


def round_lines(commendation_round: CommendationRound) -> list[Commendation]:
    """Every line of the round's list (revoked ones too), in list order."""
    return list(
        commendation_round.commendations.select_related("model__owning_unit").order_by(
            "position", "pk"
        )
    )


def round_events(commendation_round: CommendationRound):
    """The round's event log, newest first."""
    return commendation_round.events.select_related("actor").order_by("-created_at", "-pk")


@dataclass
class CountRow:
    label: str
    collective: int = 0
    individual: int = 0

    @property
    def total(self) -> int:
        return self.collective + self.individual


def round_counts(lines: list[Commendation]) -> tuple[list[CountRow], CountRow]:
    """Lines in force counted by form and by collective / individual, with the totals."""
    rows = {form: CountRow(form.label) for form in FORM_ORDER}
    total = CountRow("Cộng")
    for line in lines:
        if line.revoked_at:
            continue
        side = "individual" if line.model.actor == Actor.INDIVIDUAL else "collective"
        for row in (rows[line.form], total):
            setattr(row, side, getattr(row, side) + 1)
    return [row for row in rows.values() if row.total], total


def nominee_search(commendation_round: CommendationRound, user, text: str) -> list:
    """Recognised models the round may still commend whose name or content match ``text``."""
    text = (text or "").strip()
    if not text:
        return []
    found = (
        nominable_models(commendation_round, user)
        .matching(text)
        .select_related("owning_unit")
        .order_by("name", "pk")
    )
    return list(found[:NOMINEES_SHOWN])


@dataclass
class AnnexGroup:
    actor: str
    label: str
    lines: list[Commendation] = field(default_factory=list)


@dataclass
class AnnexSection:
    form: str
    label: str
    groups: list[AnnexGroup] = field(default_factory=list)


def commendations_in_force(commendation_round: CommendationRound) -> list[Commendation]:
    """The round's lines not revoked, by form (highest first), collectives before individuals."""
    lines = [line for line in round_lines(commendation_round) if not line.revoked_at]
    form_rank = {form: rank for rank, form in enumerate(FORM_ORDER)}
    actor_rank = {actor: rank for rank, actor in enumerate(ACTOR_ORDER)}
    return sorted(
        lines, key=lambda line: (form_rank[line.form], actor_rank.get(line.model.actor, 0))
    )


def annex_sections(commendation_round: CommendationRound) -> list[AnnexSection]:
    """The lines in force grouped as the annex lists them; empty groups are left out."""
    sections: dict[str, AnnexSection] = {}
    for line in commendations_in_force(commendation_round):
        section = sections.get(line.form)
        if section is None:
            section = sections[line.form] = AnnexSection(line.form, line.get_form_display())
        actor = Actor.INDIVIDUAL if line.model.actor == Actor.INDIVIDUAL else Actor.COLLECTIVE
        if not section.groups or section.groups[-1].actor != actor:
            section.groups.append(AnnexGroup(actor, actor.label))
        section.groups[-1].lines.append(line)
    return list(sections.values())


def recipient(line: Commendation) -> tuple[str, str]:
    """Who is commended, as the annex and the certificates name them: (name, position – unit)."""
    model = line.model
    unit = model.owning_unit.name
    if model.actor == Actor.INDIVIDUAL:
        name = model.person_name or model.name
        return name, " – ".join(part for part in (model.person_position, unit) if part)
    return model.name, unit


@dataclass
class ModelCommendation:
    commendation: Commendation
    round_visible: bool


def model_commendations(user, model) -> list[ModelCommendation]:
    """A model's commendations across rounds that ``user`` may see, newest round first.

    Each says whether its round's page is open to ``user`` (a ward cadre sees the province's
    commendation of their model, not the province's round).
    """
    commendations = list(
        Commendation.objects.visible_to(user)
        .filter(model=model)
        .select_related("round")
        .order_by("-round__held_on", "-round__pk")
    )
    if not commendations:
        return []
    visible_rounds = set(
        CommendationRound.objects.visible_to(user)
        .filter(pk__in={line.round_id for line in commendations})
        .values_list("pk", flat=True)
    )
    return [ModelCommendation(line, line.round_id in visible_rounds) for line in commendations]


# The heading and the verb of each form's certificate.
CERTIFICATE_WORDING = {
    CommendationForm.MERIT: ("BẰNG KHEN", "Tặng"),
    CommendationForm.CERTIFICATE: ("GIẤY KHEN", "Tặng"),
    CommendationForm.PRAISE: ("BIỂU DƯƠNG", ""),
    CommendationForm.OTHER: ("KHEN THƯỞNG", "Tặng"),
}
# Administrative words a place name is written without ("Thái Nguyên, ngày …").
PLACE_PREFIXES = ("Thành phố ", "Tỉnh ", "Phường ", "Xã ", "Đặc khu ", "Thị trấn ")


# What a certificate writes before the citation, and the ways people start one themselves.
CITATION_LEAD = "Đã có thành tích"
CITATION_LEADS = ("vì đã có thành tích", "đã có thành tích", "có thành tích", "thành tích")


def citation_sentence(citation: str) -> str:
    """The citation as the certificate prints it: after "Đã có thành tích", once, however the
    reviewer began it ("Đã có thành tích xuất sắc…" is not printed "…thành tích: Đã có…")."""
    citation = (citation or "").strip()
    if not citation:
        return ""
    rest = without_lead(citation, *CITATION_LEADS)
    if rest == citation:
        return f"{CITATION_LEAD}: {citation}"
    # The reviewer wrote the lead: their sentence goes on after it, with their colon if any.
    colon = citation[: len(citation) - len(rest)].rstrip().endswith(":")
    return f"{CITATION_LEAD}{': ' if colon else ' '}{rest}".strip()


@dataclass
class CertificatePage:
    line: Commendation
    title: str
    verb: str
    name: str
    position: str
    citation: str = ""


def certificate_pages(commendation_round: CommendationRound) -> list[CertificatePage]:
    """One printed page per commendation in force, in the annex's order."""
    pages = []
    for line in commendations_in_force(commendation_round):
        title, verb = CERTIFICATE_WORDING[line.form]
        pages.append(
            CertificatePage(
                line, title, verb, *recipient(line), citation=citation_sentence(line.citation)
            )
        )
    return pages


@dataclass(frozen=True)
class RoundDocument:
    """What the round's certificates and annex print around their lists: the issuing body's
    heading, the decision they refer to, the dateline and the signature block."""

    body: IssuingBody
    letterhead: Letterhead
    number: str
    decision: str
    dateline: str
    signature: list[str]
    signer: str


def decision_reference(commendation_round: CommendationRound) -> str:
    """ "Quyết định số 215-QĐ/QU ngày 21/11/2017", the number without words typed before it."""
    number = bare_document_number(commendation_round.decision_number) or "……………"
    date = commendation_round.decision_date
    return f"Quyết định số {number} ngày {f'{date:%d/%m/%Y}' if date else '……/……/………'}"


def round_document(commendation_round: CommendationRound) -> RoundDocument:
    """The round's issuing body (its authority, headed as the round or its organising unit
    says) with the heading, decision, dateline and signature its printouts carry."""
    body = issuing_body(
        commendation_round.organising_unit,
        name=commendation_round.decision_authority,
        heading=commendation_round.decision_heading,
    )
    dateline = place_date(
        place_name(commendation_round.organising_unit), commendation_round.decision_date
    )
    number = number_line(body, commendation_round.decision_number)
    return RoundDocument(
        body=body,
        letterhead=letterhead(body, number=number, dateline=dateline),
        number=number,
        decision=decision_reference(commendation_round),
        dateline=dateline,
        signature=signature_lines(
            body,
            capacity=commendation_round.decision_signing_capacity,
            on_behalf_of=commendation_round.decision_signing_for,
            title=commendation_round.decision_signer_title,
        ),
        signer=commendation_round.decision_signer,
    )


def place_name(unit) -> str:
    """The unit's locality as a dateline writes it: "Tỉnh Thái Nguyên" → "Thái Nguyên"."""
    name = unit.name.removesuffix(" (cũ)")
    for prefix in PLACE_PREFIXES:
        if name.startswith(prefix):
            return name.removeprefix(prefix)
    return name
