"""Models at every stage of review, reached through the real services, and a round."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from demo.files import pdf_bytes
from models_registry import services as registry
from models_registry.models import ResultReport
from reviews import services
from reviews.choices import CommendationForm, RoundKind
from reviews.models import CommendationRound, Rubric
from tests.factories import DanVanModelFactory


def full_scores(rubric: Rubric | None = None, minus: int = 0) -> dict[int, int]:
    """Every criterion of ``rubric`` (the active one by default) at its maximum less ``minus``."""
    rubric = rubric or Rubric.objects.active().get()
    return {c.pk: max(0, c.max_score - minus) for c in rubric.criteria.all()}


def result_report(model, **kwargs) -> ResultReport:
    return ResultReport.objects.create(
        model=model,
        period_start=kwargs.get("period_start", datetime.date(2025, 1, 1)),
        period_end=kwargs.get("period_end", datetime.date(2025, 6, 30)),
        narrative=kwargs.get("narrative", "Vận động 120 hộ hiến 1.500 m² đất làm đường."),
    )


@pytest.fixture
def submitted_model(tree, cadre):
    """A ward registration sent to the reviewers by the ward's cadre."""
    model = DanVanModelFactory(owning_unit=tree.ward, created_by=cadre, name="Hiến đất làm đường")
    registry.model_submit(model=model, by=cadre)
    return model


@pytest.fixture
def accepted_model(submitted_model, reviewer):
    return services.registration_accept(model=submitted_model, by=reviewer)


@pytest.fixture
def proposed_model(accepted_model, cadre):
    report = result_report(accepted_model)
    services.model_propose(model=accepted_model, by=cadre, result_reports=[report])
    accepted_model.refresh_from_db()
    return accepted_model


@pytest.fixture
def recognised_model(proposed_model, reviewer, tree):
    services.appraisal_save(model=proposed_model, by=reviewer, scores=full_scores())
    return services.model_recognise(
        model=proposed_model,
        by=reviewer,
        decision_number="125/QĐ-BDVTU",
        decision_date=datetime.date(2025, 11, 10),
        decision_signer="Trần Thị Lan",
        decision_issuer=tree.province,
    )


def signed_decision(name: str = "QĐ 15-QĐ-BDVTU.pdf") -> SimpleUploadedFile:
    """The scan of a signed decision, as a reviewer uploads it (a round needs one to publish)."""
    return SimpleUploadedFile(
        name, pdf_bytes("Quyết định 15/QĐ-BDVTU", ["15/QD-BDVTU", "18/11/2025"]), "application/pdf"
    )


def nominated_decided_published(
    reviewer, commendation_round, lines, *, revoked: str, reason: str, **decision
) -> CommendationRound:
    """``commendation_round`` with ``lines`` (model, form, citation) on its list, its decision
    of 18/11/2025 signed by Trần Thị Lan recorded (``decision`` adds to it or overrides it),
    published, then the line of the model named ``revoked`` revoked for ``reason``."""
    for model, form, citation in lines:
        services.commendation_nominate(
            commendation_round=commendation_round,
            by=reviewer,
            model=model,
            form=form,
            citation=citation,
        )
    services.round_record_decision(
        commendation_round=commendation_round,
        by=reviewer,
        **{
            "decided_on": datetime.date(2025, 11, 18),
            "signer": "Trần Thị Lan",
            "upload": signed_decision(),
            **decision,
        },
    )
    services.round_publish(commendation_round=commendation_round, by=reviewer)
    services.commendation_revoke(
        commendation=commendation_round.commendations.get(model__name=revoked),
        by=reviewer,
        reason=reason,
    )
    return CommendationRound.objects.get(pk=commendation_round.pk)


def round_fields(unit, **overrides) -> dict:
    fields = {
        "title": "Tổng kết phong trào “Dân vận khéo” năm 2025",
        "kind": RoundKind.FINAL,
        "period_start": datetime.date(2025, 1, 1),
        "period_end": datetime.date(2025, 12, 31),
        "organising_unit": unit,
        "held_on": datetime.date(2025, 11, 18),
    }
    fields.update(overrides)
    return fields


@pytest.fixture
def draft_round(tree, reviewer, recognised_model):
    """A province round with the recognised model on its list, not yet decided."""
    commendation_round = services.round_create(by=reviewer, fields=round_fields(tree.province))
    services.commendation_nominate(
        commendation_round=commendation_round,
        by=reviewer,
        model=recognised_model,
        form=CommendationForm.CERTIFICATE,
        citation="Có thành tích xuất sắc trong vận động nhân dân hiến đất làm đường.",
    )
    return commendation_round


@pytest.fixture
def published_round(draft_round, reviewer):
    services.round_record_decision(
        commendation_round=draft_round,
        by=reviewer,
        number="15/QĐ-BDVTU",
        decided_on=datetime.date(2025, 11, 18),
        signer="Trần Thị Lan",
        authority="Ban Dân vận Tỉnh ủy Thái Nguyên",
        upload=signed_decision(),
    )
    return services.round_publish(commendation_round=draft_round, by=reviewer)
