"""The demo data: the seeds' tree in today's two-tier shape, one user per role, registered models
walked through the workflow by the services (proposals, score sheets, decisions, commendation
rounds and notifications included), all of it idempotent."""

import json
import re
from collections import Counter
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from pghistory.models import Context

from core.models import Notification
from core.uploads import inspect_upload
from demo.reviews import READ_AFTER
from models_registry import rules
from models_registry.choices import ACTIVE_STATUSES, Actor, EventAction, Field, ModelKind, Status
from models_registry.models import (
    Attachment,
    DanVanModel,
    ResultReport,
    ResultValue,
    WorkflowEvent,
)
from organisations import official_tree
from organisations.choices import Role
from organisations.models import Membership, Organisation
from organisations.official_tree import official_provinces
from organisations.selectors import has_role_on
from reviews.choices import CommendationForm, RoundKind, RoundStatus
from reviews.models import (
    Appraisal,
    AppraisalScore,
    Commendation,
    CommendationRound,
    Proposal,
    RoundEvent,
    Rubric,
)

pytestmark = pytest.mark.django_db

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
REVIEWER_ACTIONS = {
    EventAction.ACCEPTED,
    EventAction.RETURNED,
    EventAction.REJECTED,
    EventAction.RECOGNISED,
    EventAction.NOT_RECOGNISED,
    EventAction.RETURNED_FOR_EVIDENCE,
    EventAction.OUTSTANDING,
    EventAction.COMMENDED,
}
CAU_GIAY_ROUND = (
    "Sơ kết 01 năm thực hiện phong trào thi đua “Dân vận khéo” giai đoạn 2016 – 2020 quận Cầu Giấy"
)


@pytest.fixture(autouse=True)
def private_media(settings, demo_load):
    """The demo's files stay where its load put them (not a folder per test)."""
    settings.PRIVATE_MEDIA_ROOT = demo_load.media
    return demo_load.media


@pytest.fixture
def demo(demo_load):
    """The demo, loaded and committed once for the session (``demo_load`` in tests/conftest.py):
    its first run's summary. Each test runs in a transaction rolled back at its end, so none sees
    another's changes."""
    return demo_load.output


def demo_entries() -> list[dict]:
    """Every demo model entry: the full ones and the compact ones of the rounds' fixture."""
    models = json.loads((FIXTURES / "demo_models.json").read_text("utf-8"))["models"]
    rounds = json.loads((FIXTURES / "demo_rounds.json").read_text("utf-8"))
    return [*models, *rounds["models"]["entries"]]


def user(username):
    return get_user_model().objects.get(username=username)


def visible_names(username):
    return set(Organisation.objects.visible_to(user(username)).values_list("name", flat=True))


def history_counts():
    """Rows of every audit-trail table of the registry and the reviews, and their contexts."""
    names = {
        "models_registry": (
            "DanVanModelHistory",
            "ResultReportHistory",
            "ResultValueHistory",
            "AttachmentHistory",
        ),
        "reviews": (
            "AppraisalHistory",
            "AppraisalScoreHistory",
            "CommendationRoundHistory",
            "CommendationHistory",
        ),
    }
    tables = [apps.get_model(app, name) for app, models in names.items() for name in models]
    return tuple(table.objects.count() for table in (*tables, Context))


def counts():
    return (
        Organisation.objects.count(),
        get_user_model().objects.count(),
        Membership.objects.count(),
        Organisation.merged_from.through.objects.count(),
        DanVanModel.objects.count(),
        WorkflowEvent.objects.count(),
        ResultReport.objects.count(),
        ResultValue.objects.count(),
        Attachment.objects.count(),
        Proposal.objects.count(),
        Appraisal.objects.count(),
        AppraisalScore.objects.count(),
        CommendationRound.objects.count(),
        Commendation.objects.count(),
        RoundEvent.objects.count(),
        Notification.objects.count(),
        *history_counts(),
    )


def files():
    return sorted(p for p in Path(settings.PRIVATE_MEDIA_ROOT).rglob("*") if p.is_file())


def test_load_demo_is_idempotent(demo, django_capture_on_commit_callbacks):
    entries = demo_entries()
    assert f"{len(entries)} mô hình, điển hình mới, 2 đợt biểu dương, khen thưởng mới" in demo
    assert DanVanModel.objects.count() == len(entries)
    assert Notification.objects.exists()
    before, stored = counts(), files()

    output = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", stdout=output)

    assert counts() == before
    assert files() == stored
    assert "0 đơn vị mới" in output.getvalue()
    assert "0 người dùng mới" in output.getvalue()
    assert "0 mô hình, điển hình mới" in output.getvalue()
    assert "0 đợt biểu dương, khen thưởng mới" in output.getvalue()


def test_demo_tree_follows_the_seeds_and_rolls_up_former_units(demo):
    thai_nguyen = visible_names("thamdinh.thainguyen")
    assert {
        "Phường Linh Sơn",
        "Phường Chùa Hang (cũ)",
        "Tổ dân phố 9",
        "Thành phố Bắc Kạn (cũ)",
        "Phường Đức Xuân",
        "Phường Đức Xuân (cũ)",
        "Phường Nguyễn Thị Minh Khai (cũ)",
        "Tổ 15",
        "Xã Nông Thượng (cũ)",
        "Thôn Khuổi Chang",
        "Huyện Bạch Thông (cũ)",
        "Thành phố Thái Nguyên (cũ)",
    } <= thai_nguyen
    assert "Phường Quan Hoa (cũ)" not in thai_nguyen

    assert {"Xã Mông Hóa (cũ)", "Phường Kỳ Sơn (cũ)", "Phường Kỳ Sơn", "Xã Vầy Nưa (cũ)"} <= (
        visible_names("thamdinh.phutho")
    )
    assert {
        "Chi bộ số 40",
        "Hội Liên hiệp Phụ nữ phường Quan Hoa (cũ)",
        "Phường Dịch Vọng (cũ)",
        "Phường Cầu Giấy",
        "Phường Yên Hòa",
    } <= visible_names("thamdinh.hanoi")
    # The cadre of the new Phường Cầu Giấy sees the former wards merged into it, not Trung Hòa.
    assert visible_names("canbo.phuongcaugiay") >= {
        "Hội Liên hiệp Phụ nữ phường Quan Hoa (cũ)",
        "Phường Dịch Vọng (cũ)",
    }
    assert "Phường Trung Hòa (cũ)" not in visible_names("canbo.phuongcaugiay")
    assert Organisation.objects.get(code="005").valid_to.isoformat() == "2025-06-30"


def test_demo_users_cover_every_role_at_commune_and_province_level(demo):
    levels_by_role = {}
    for membership in Membership.objects.select_related("organisation"):
        levels_by_role.setdefault(membership.role, set()).add(membership.organisation.level)
    for role in ("cadre", "reviewer", "admin"):
        assert {"commune", "province"} <= levels_by_role[role]
    assert get_user_model().objects.get(username="quantri").is_superuser


def test_demo_models_cover_the_registry(demo):
    models = DanVanModel.objects.filter(code__startswith="DEMO-")
    assert models.count() >= 60
    assert set(models.values_list("field", flat=True)) == set(Field.values)
    assert set(models.values_list("kind", flat=True)) == set(ModelKind.values)
    assert set(models.values_list("actor", flat=True)) == set(Actor.values)
    statuses = Counter(models.values_list("status", flat=True))
    assert set(statuses) == set(Status.values)
    assert models.filter(replicated_from__isnull=False).count() >= 5
    assert models.filter(result_reports__isnull=False).distinct().count() >= 10
    assert models.filter(attachments__isnull=False).distinct().count() >= 10
    assert ResultValue.objects.filter(report__model__in=models).exists()
    assert models.filter(territory__level="residential").exists()
    assert models.exclude(territory_note="").exists()
    years = {start.year for start in models.values_list("start_date", flat=True)}
    assert years == {2016, *range(2019, 2027)}


def test_every_demo_model_belongs_to_a_demo_cadre_and_is_complete(demo):
    cadres = [m.user for m in Membership.objects.filter(role=Role.CADRE).select_related("user")]
    for model in DanVanModel.objects.select_related("owning_unit", "created_by"):
        assert model.created_by in cadres, model.code
        assert has_role_on(model.created_by, model.owning_unit, [Role.CADRE]), model.code
        assert model.themes.exists(), model.code
        # Drafts too: the demo fills every item, a draft is one not yet sent.
        assert rules.missing_items(model) == [], model.code


def test_demo_workflow_is_recorded_like_the_services_record_it(demo):
    now = timezone.now()
    for model in DanVanModel.objects.select_related("owning_unit").prefetch_related(
        "events__actor"
    ):
        events = sorted(model.events.all(), key=lambda event: event.pk)
        assert events[0].action == EventAction.CREATED
        moves = [event for event in events if event.to_status]
        for before, after in zip(moves, moves[1:], strict=False):
            assert after.from_status == before.to_status, model.code
        assert moves[-1].to_status == model.status, model.code
        times = [event.created_at for event in events]
        assert times == sorted(times) and times[-1] < now, model.code
        if model.status in (Status.RETURNED, Status.REJECTED, Status.NOT_RECOGNISED):
            assert model.status_reason and moves[-1].reason, model.code
        for event in events:
            if event.action in REVIEWER_ACTIONS:
                assert has_role_on(event.actor, model.owning_unit, [Role.REVIEWER]), model.code
            else:
                assert event.actor == model.created_by, model.code
        if model.status == Status.DISCONTINUED:
            assert model.status_reason, model.code
        if model.recognised_at:
            assert model.decision_number and model.decision_date, model.code
            assert model.decision_signer and model.decision_issuer_id, model.code
            assert model.decision_date <= timezone.localdate(model.recognised_at)
        if model.result_reports.exists():
            assert model.status in (*ACTIVE_STATUSES, Status.DISCONTINUED), model.code
    # The audit trail says where the rows came from.
    history = apps.get_model("models_registry", "DanVanModelHistory").objects.filter(
        pgh_obj__code__startswith="DEMO-"
    )
    assert history.exists()
    assert not history.exclude(pgh_context__metadata__source="demo").exists()


def test_demo_attachments_are_real_files(demo):
    attachments = Attachment.objects.all()
    assert attachments.filter(result_report__isnull=True).exists()
    assert attachments.filter(result_report__isnull=False).exists()
    assert {a.extension for a in attachments} >= {".pdf", ".png", ".jpg"}
    root = Path(settings.PRIVATE_MEDIA_ROOT).resolve()
    for attachment in attachments:
        path = Path(attachment.file.path).resolve()
        assert path.is_relative_to(root) and path.stat().st_size == attachment.size
        upload = SimpleUploadedFile(attachment.original_name, path.read_bytes())
        kind = inspect_upload(upload, max_bytes=settings.ATTACHMENT_MAX_BYTES)
        assert (kind.extension, kind.content_type) == (
            attachment.extension,
            attachment.content_type,
        )


def test_every_status_has_demo_models(demo):
    statuses = Counter(
        DanVanModel.objects.filter(code__startswith="DEMO-").values_list("status", flat=True)
    )
    assert all(statuses[status] >= 1 for status in Status.values), statuses


def test_proposed_models_wait_on_an_open_proposal_scored_by_different_reviewers(demo):
    active = Rubric.objects.active().get()
    proposed = DanVanModel.objects.filter(status=Status.PROPOSED)
    assert proposed.exists()
    sheets_per_proposal = set()
    for model in proposed:
        proposal = Proposal.objects.open().get(model=model)
        assert proposal.proposed_by == model.created_by, model.code
        assert proposal.result_reports.exists(), model.code
        reviewers = list(proposal.appraisals.values_list("reviewer", flat=True))
        assert 1 <= len(reviewers) <= 2 and len(set(reviewers)) == len(reviewers), model.code
        assert not proposal.appraisals.exclude(rubric=active).exists(), model.code
        sheets_per_proposal.add(len(reviewers))
    assert sheets_per_proposal == {1, 2}
    assert user("thamdinh2.thainguyen").appraisals.exists()


def test_decided_models_rest_on_score_sheets_of_the_active_rubric(demo):
    active = Rubric.objects.active().get()
    criteria = active.criteria.count()
    decided = DanVanModel.objects.filter(status__in=[Status.RECOGNISED, Status.NOT_RECOGNISED])
    assert decided.count() >= 60
    for model in decided:
        proposal = model.proposals.get(outcome=model.status)
        assert proposal.closed_at and proposal.created_at < proposal.closed_at, model.code
        appraisals = list(proposal.appraisals.prefetch_related("scores"))
        assert appraisals, model.code
        for appraisal in appraisals:
            assert appraisal.rubric == active, model.code
            assert has_role_on(appraisal.reviewer, model.owning_unit, [Role.REVIEWER])
            scores = [score.score for score in appraisal.scores.all()]
            assert len(scores) == criteria and sum(scores) == appraisal.total, model.code
            assert proposal.created_at < appraisal.created_at < proposal.closed_at, model.code
        # Recognised models scored well, the others did not.
        best = max(appraisal.total for appraisal in appraisals)
        assert (best >= 75) == (model.status == Status.RECOGNISED), model.code


def test_a_proposal_was_returned_for_more_evidence(demo):
    returned = Proposal.objects.filter(outcome="returned").select_related("model")
    assert returned.count() >= 2
    for proposal in returned:
        event = proposal.model.events.get(action=EventAction.RETURNED_FOR_EVIDENCE)
        assert event.reason and event.created_at == proposal.closed_at
    statuses = {proposal.model.status for proposal in returned}
    assert {Status.ACCEPTED, Status.RECOGNISED} <= statuses


def test_outstanding_models_were_recognised_first(demo):
    outstanding = DanVanModel.objects.filter(is_outstanding=True)
    assert outstanding.count() >= 8
    ha_noi = Organisation.objects.get(code="01").path
    assert outstanding.filter(owning_unit__path__startswith=ha_noi).exists()
    assert outstanding.exclude(owning_unit__path__startswith=ha_noi).exists()
    for model in outstanding:
        assert model.status == Status.RECOGNISED, model.code
        assert model.recognised_at < model.outstanding_at < timezone.now(), model.code
        event = model.events.get(action=EventAction.OUTSTANDING)
        assert event.created_at == model.outstanding_at, model.code


def test_cau_giay_2017_round_commends_22_collectives_and_16_individuals(demo):
    commendation_round = CommendationRound.objects.get(title=CAU_GIAY_ROUND)
    assert commendation_round.status == RoundStatus.PUBLISHED
    assert commendation_round.kind == RoundKind.INTERIM
    assert commendation_round.organising_unit.code == "005"
    assert (commendation_round.held_on.year, commendation_round.held_on.month) == (2017, 11)
    in_force = Commendation.objects.filter(round=commendation_round).in_force()
    actors = Counter(in_force.values_list("model__actor", flat=True))
    assert actors == {Actor.COLLECTIVE: 22, Actor.INDIVIDUAL: 16}
    forms = Counter(in_force.values_list("form", flat=True))
    assert forms[CommendationForm.PRAISE] > forms[CommendationForm.CERTIFICATE] > 0
    district = commendation_round.organising_unit
    for commendation in in_force.select_related("model__owning_unit"):
        model = commendation.model
        assert model.status == Status.RECOGNISED
        assert model.owning_unit.path.startswith(district.path), model.code
        assert model.decision_date < commendation_round.held_on, model.code
        assert commendation.created_at.date() < commendation_round.held_on


def test_cau_giay_round_decision_is_recorded_and_published(demo):
    commendation_round = CommendationRound.objects.get(title=CAU_GIAY_ROUND)
    assert commendation_round.decision_number and commendation_round.decision_signer
    assert commendation_round.decision_authority == "Ban Thường vụ Quận ủy Cầu Giấy"
    assert commendation_round.decision_date == commendation_round.held_on
    published = timezone.localtime(commendation_round.published_at)
    assert published.date() == commendation_round.held_on
    assert commendation_round.published_by == user("thamdinh.hanoi")
    actions = list(commendation_round.events.order_by("pk").values_list("action", flat=True))
    assert actions == ["created", *["nominated"] * 38, "decision", "published"]
    times = list(commendation_round.events.order_by("pk").values_list("created_at", flat=True))
    assert times == sorted(times) and times[-1] == commendation_round.published_at
    commended = WorkflowEvent.objects.filter(
        action=EventAction.COMMENDED, model__commendations__round=commendation_round
    )
    assert commended.count() == 38
    assert set(commended.values_list("created_at", flat=True)) == {commendation_round.published_at}


def test_draft_round_of_thai_nguyen_is_the_reviewers_work(demo, client):
    draft = CommendationRound.objects.get(status=RoundStatus.DRAFT)
    assert draft.organising_unit.code == "19"
    assert draft.commendations.count() == 2 and not draft.decision_number
    published = CommendationRound.objects.get(title=CAU_GIAY_ROUND)

    reviewer = user("thamdinh.thainguyen")
    assert set(CommendationRound.objects.visible_to(reviewer)) == {draft}
    client.force_login(reviewer)
    assert client.get(draft.get_absolute_url()).status_code == 200
    assert client.get(published.get_absolute_url()).status_code == 404

    client.force_login(user("quantri"))
    assert client.get(draft.get_absolute_url()).status_code == 200
    assert client.get(published.get_absolute_url()).status_code == 200


def test_review_dates_span_the_demo_years(demo):
    now = timezone.now()
    proposal_years = {p.created_at.year for p in Proposal.objects.all()}
    assert {2017, 2019, 2021, 2025} <= proposal_years
    assert {a.created_at.year for a in Appraisal.objects.all()} >= {2017, 2020, 2023}
    for proposal in Proposal.objects.select_related("model"):
        assert proposal.created_at < now
        if proposal.outcome == Status.RECOGNISED:
            assert proposal.closed_at == proposal.model.recognised_at
    assert {r.created_at.year for r in CommendationRound.objects.all()} == {2017, 2026}


def test_notifications_are_dated_like_the_steps_they_tell_of(demo):
    notifications = Notification.objects.all()
    assert notifications.filter(recipient__username="thamdinh.thainguyen").exists()
    assert notifications.filter(recipient__username="canbo.caugiay").exists()
    now = timezone.now()
    assert not notifications.filter(created_at__gte=now).exists()
    # Old news has been read; what came in the last month still waits on the bell.
    recent = notifications.filter(created_at__gte=now - READ_AFTER)
    assert notifications.exclude(pk__in=recent).exists()
    assert not notifications.exclude(pk__in=recent).filter(read_at__isnull=True).exists()
    assert not recent.filter(read_at__isnull=False).exists()
    commended = notifications.filter(kind="commended")
    published = CommendationRound.objects.get(title=CAU_GIAY_ROUND).published_at
    assert commended.count() == 38
    assert set(commended.values_list("created_at", flat=True)) == {published}


REFORM_EVE = date(2025, 6, 30)
REFORM_DAY = date(2025, 7, 1)


def merger_links():
    """``(predecessor, successor)`` of every merger link of the demo tree."""
    links = Organisation.merged_from.through.objects.select_related(
        "from_organisation", "to_organisation"
    )
    return [(link.to_organisation, link.from_organisation) for link in links]


def former_district(unit):
    return next(a for a in Organisation.objects.get_ancestors(unit) if a.level == "district")


def test_every_merged_away_unit_ends_the_day_before_its_successor_begins(demo):
    links = merger_links()
    assert len(links) == 25
    for predecessor, successor in links:
        assert predecessor.valid_to == REFORM_EVE, predecessor.code
        assert predecessor.name.endswith("(cũ)"), predecessor.code
        if successor.valid_from is not None:  # the provinces that kept their name have none
            assert predecessor.valid_to < successor.valid_from == REFORM_DAY, successor.code
        assert successor.valid_to is None and not successor.name.endswith("(cũ)")
    # Every former unit is dated, and only former units carry "(cũ)".
    former = Organisation.objects.filter(valid_to__isnull=False)
    assert set(former.values_list("valid_to", flat=True)) == {REFORM_EVE}
    assert set(former) == set(Organisation.objects.filter(name__endswith="(cũ)"))


def test_new_communes_hang_under_the_province_and_merge_across_former_districts(demo):
    successors = {}
    for predecessor, successor in merger_links():
        successors.setdefault(successor, []).append(predecessor)
    across = {}
    for successor, predecessors in successors.items():
        if successor.level != "commune":
            continue
        province = Organisation.objects.get_parent(successor)
        assert province.level == "province" and province.valid_to is None, successor.code
        assert all(p.level == "commune" for p in predecessors), successor.code
        districts = {former_district(p).name for p in predecessors}
        if len(districts) > 1:
            across[successor.name] = (province.code, districts)
    assert across == {
        "Xã Phong Quang": ("19", {"Thành phố Bắc Kạn (cũ)", "Huyện Bạch Thông (cũ)"}),
        "Xã Tân Cương": ("19", {"Thành phố Thái Nguyên (cũ)", "Thành phố Sông Công (cũ)"}),
        "Phường Thống Nhất": ("25", {"Thành phố Hòa Bình (cũ)", "Huyện Đà Bắc (cũ)"}),
    }
    # Former districts stay where they were: under their former province, or under the
    # province that kept its name (Thái Nguyên), never under a new commune.
    for district in Organisation.objects.filter(level="district", kind="peoples_committee"):
        assert Organisation.objects.get_parent(district).level == "province", district.code


def test_models_of_former_units_are_dated_before_the_reform_and_new_ones_after(demo):
    models = DanVanModel.objects.filter(code__startswith="DEMO-").select_related("owning_unit")
    # Communes only: a former district's own bodies may have decided after the reform.
    communes = Organisation.objects.filter(level="commune")
    ended = list(communes.filter(valid_to__isnull=False).values_list("path", "valid_to"))
    began = list(communes.filter(valid_from__isnull=False).values_list("path", "valid_from"))
    old = new = 0
    for model in models:
        path = model.owning_unit.path
        for prefix, valid_to in ended:
            if path.startswith(prefix):
                assert model.start_date <= valid_to, model.code
                old += 1
                break
        for prefix, valid_from in began:
            if path.startswith(prefix):
                assert model.start_date >= valid_from, model.code
                new += 1
                break
    assert old >= 20 and new >= 15
    # Former units' models were decided or stopped years before the reform.
    decided = models.filter(owning_unit__valid_to__isnull=False, decision_date__isnull=False)
    assert {d.year for d in decided.values_list("decision_date", flat=True)} >= {2021, 2022, 2024}
    stopped = models.filter(
        status=Status.DISCONTINUED, discontinued_at__date__lt=REFORM_DAY
    ).values_list("code", flat=True)
    assert {"DEMO-068", "DEMO-073", "DEMO-078"} <= set(stopped)


def test_a_new_ward_cadre_sees_the_records_of_the_wards_merged_into_theirs(demo, client):
    # Hand count of Phường Thống Nhất's records: three wards of Thành phố Hòa Bình (cũ) and
    # xã Vầy Nưa of Huyện Đà Bắc (cũ) recognised 2020–2022 (DEMO-075, 076, 077) and stopped one
    # in 2024 (DEMO-078); the new ward has carried two since 2025 (DEMO-079, 080).
    cadre = user("canbo.thongnhat")
    seen = DanVanModel.objects.visible_to(cadre)
    assert Counter(seen.values_list("status", flat=True)) == {
        Status.RECOGNISED: 3,
        Status.DISCONTINUED: 1,
        Status.ACCEPTED: 2,
    }
    assert set(seen.filter(start_date__lt=REFORM_DAY).values_list("code", flat=True)) == {
        "DEMO-075",
        "DEMO-076",
        "DEMO-077",
        "DEMO-078",
    }
    client.force_login(cadre)
    vay_nua = DanVanModel.objects.get(code="DEMO-077")
    assert client.get(vay_nua.get_absolute_url()).status_code == 200
    elsewhere = DanVanModel.objects.get(code="DEMO-001")
    assert client.get(elsewhere.get_absolute_url()).status_code == 404

    # Phường Đức Xuân took Đức Xuân, Nguyễn Thị Minh Khai and Huyền Tụng, not Nông Thượng (now
    # part of Phường Bắc Kạn).
    cadre = user("canbo.ducxuan")
    units = {
        m.owning_unit.code
        for m in DanVanModel.objects.visible_to(cadre).select_related("owning_unit")
    }
    assert {"058-01840-MTTQ", "01834-T15-BCTMT", "01846-MTTQ", "01840-MTTQ"} <= units
    assert not any(code.startswith(("01852", "05710")) for code in units)
    client.force_login(cadre)
    assert (
        client.get(DanVanModel.objects.get(code="DEMO-002").get_absolute_url()).status_code == 200
    )
    assert (
        client.get(DanVanModel.objects.get(code="DEMO-004").get_absolute_url()).status_code == 404
    )


# --- Official codes ------------------------------------------------------------------------------

FORMER_CODE = re.compile(r"[0-9]{2}|[0-9]{3}|[0-9]{5}|[0-9]{3}-[0-9]{5}")


def official_units() -> dict[str, str]:
    """Name by code of every province and commune of the pinned package (since 01/07/2025)."""
    return {
        unit.code: unit.name
        for province in official_provinces()
        for unit in (province.unit, *province.communes)
    }


def test_demo_units_in_force_have_the_official_code_and_name(demo):
    official = official_units()
    units = Organisation.objects.filter(kind="peoples_committee")
    in_force = units.filter(valid_to__isnull=True)
    assert {(unit.code, unit.name) for unit in in_force} <= set(official.items())
    assert {"19", "25", "01", "05710", "01840", "00167", "00175"} <= {u.code for u in in_force}
    # Former units: their codes before 01/07/2025 (district 3 digits, commune 5), or the former
    # district's and their own when a successor took theirs; never a code of today's list.
    for unit in units.filter(valid_to__isnull=False):
        assert FORMER_CODE.fullmatch(unit.code), unit.code
        assert unit.code not in official, unit.code
    # Bodies and residential areas follow their unit's code.
    for body in Organisation.objects.exclude(kind="peoples_committee").exclude(code="TW"):
        ancestors = list(Organisation.objects.get_ancestors(body))[::-1]
        unit = next(a for a in ancestors if a.kind == "peoples_committee" or a.is_root())
        assert body.code.startswith(f"{unit.code}-"), (body.code, unit.code)


def test_the_official_tree_loaded_after_the_demo_matches_its_units(demo):
    demo_units = dict(Organisation.objects.values_list("code", "pk"))
    for province in ("19", "25", "01"):
        report = official_tree.load_official_tree(province=province)
        assert not report.renamed and not report.reclassified, report.lines()
        assert not report.held_by_former_units and not report.no_longer_listed, report.lines()
        assert not {code for code, _ in report.created} & set(demo_units), report.lines()
        assert report.created  # the rest of the province's communes came in
    # The demo's units are the ones matched: none stored twice, none replaced.
    assert dict(Organisation.objects.filter(code__in=demo_units).values_list("code", "pk")) == (
        demo_units
    )
    for province in ("19", "25", "01"):
        names = Counter(
            Organisation.objects.get_children(Organisation.objects.get(code=province))
            .filter(level="commune", valid_to__isnull=True, kind="peoples_committee")
            .values_list("name", flat=True)
        )
        assert [name for name, count in names.items() if count > 1] == [], province
    assert Organisation.objects.filter(name="Phường Linh Sơn").count() == 1
    assert Organisation.objects.filter(name="Phường Cầu Giấy").count() == 1
