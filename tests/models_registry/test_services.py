"""The registry's services: drafts, submission, discontinuation, attachments, result reports."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from models_registry import services
from models_registry.choices import TRANSITIONS, EventAction, Status
from models_registry.models import DanVanModel, Indicator, WorkflowEvent
from organisations.choices import Role
from tests.factories import DanVanModelFactory, user_with_role
from tests.models_registry.conftest import PDF


def pdf(name="ke-hoach.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def test_draft_may_leave_every_mandatory_item_empty(tree, cadre):
    model = services.model_create(by=cadre, fields={"owning_unit": tree.ward})
    assert model.status == Status.DRAFT
    assert model.events.get().action == EventAction.CREATED
    assert str(model).startswith("(Bản nháp chưa đặt tên")


def test_cadre_cannot_register_outside_their_units(tree, cadre):
    with pytest.raises(PermissionDenied):
        services.model_create(by=cadre, fields={"owning_unit": tree.other_ward})
    assert not DanVanModel.objects.exists()


def test_reviewer_cannot_register(tree, reviewer):
    with pytest.raises(PermissionDenied):
        services.model_create(by=reviewer, fields={"owning_unit": tree.ward})


def test_submit_lists_every_missing_item_and_changes_nothing(tree, cadre):
    model = services.model_create(
        by=cadre, fields={"owning_unit": tree.ward, "name": "Nuôi Dê", "field": "economy"}
    )
    with pytest.raises(ValidationError) as error:
        services.model_submit(model=model, by=cadre)
    message = error.value.messages[0]
    for label in ("Thực trạng", "Mục tiêu", "Nội dung, cách làm", "Địa bàn", "Người liên hệ"):
        assert label in message
    assert "Tên mô hình" not in message
    model.refresh_from_db()
    assert model.status == Status.DRAFT and model.submitted_at is None


def test_individual_needs_name_and_position(tree, cadre):
    model = DanVanModelFactory(owning_unit=tree.ward, actor="individual")
    with pytest.raises(ValidationError, match="Họ tên và chức vụ"):
        services.model_submit(model=model, by=cadre)


def test_submit_complete_registration(tree, cadre):
    model = DanVanModelFactory(owning_unit=tree.ward)
    services.model_submit(model=model, by=cadre)
    model.refresh_from_db()
    assert model.status == Status.SUBMITTED and model.submitted_at is not None
    event = WorkflowEvent.objects.get(model=model, action=EventAction.SUBMITTED)
    assert (event.from_status, event.to_status, event.actor) == ("draft", "submitted", cadre)


def test_resubmitting_a_returned_registration_is_recorded_as_such(tree, cadre):
    model = DanVanModelFactory(owning_unit=tree.ward, status=Status.RETURNED)
    services.model_submit(model=model, by=cadre)
    assert model.events.filter(action=EventAction.RESUBMITTED).exists()


@pytest.mark.parametrize("status", [s for s in Status if Status.SUBMITTED not in TRANSITIONS[s]])
def test_submit_refused_from_every_other_status(tree, cadre, status):
    model = DanVanModelFactory(owning_unit=tree.ward, status=status)
    with pytest.raises(ValidationError):
        services.model_submit(model=model, by=cadre)
    model.refresh_from_db()
    assert model.status == status


def test_update_only_while_draft_or_returned(tree, cadre):
    model = DanVanModelFactory(owning_unit=tree.ward, status=Status.SUBMITTED)
    with pytest.raises(ValidationError):
        services.model_update(model=model, by=cadre, fields={"name": "Đổi tên"})
    model.refresh_from_db()
    assert model.name != "Đổi tên"


def test_update_cannot_move_a_model_out_of_scope(tree, cadre):
    model = DanVanModelFactory(owning_unit=tree.ward)
    with pytest.raises(PermissionDenied):
        services.model_update(model=model, by=cadre, fields={"owning_unit": tree.other_ward})


@pytest.mark.parametrize("status", list(Status))
def test_discontinue_transition_table(tree, cadre, status):
    model = DanVanModelFactory(owning_unit=tree.ward, status=status)
    if Status.DISCONTINUED in TRANSITIONS[status]:
        services.model_discontinue(model=model, by=cadre, reason="Hết kinh phí")
        model.refresh_from_db()
        assert model.status == Status.DISCONTINUED and model.discontinued_at
        assert model.status_reason == "Hết kinh phí"
    else:
        with pytest.raises(ValidationError):
            services.model_discontinue(model=model, by=cadre, reason="Hết kinh phí")
        model.refresh_from_db()
        assert model.status == status


def test_discontinue_needs_a_reason(tree, cadre):
    model = DanVanModelFactory(owning_unit=tree.ward, status=Status.ACCEPTED)
    with pytest.raises(ValidationError):
        services.model_discontinue(model=model, by=cadre, reason="  ")


def test_attachments_all_or_none(tree, cadre):
    model = DanVanModelFactory(owning_unit=tree.ward)
    fake = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 not a pdf")
    with pytest.raises(ValidationError, match="không phải tệp PDF"):
        services.attachment_add(model=model, by=cadre, uploads=[pdf(), fake])
    assert not model.attachments.exists()
    services.attachment_add(model=model, by=cadre, uploads=[pdf()])
    attachment = model.attachments.get()
    assert attachment.original_name == "ke-hoach.pdf"
    assert attachment.file.read() == PDF


def test_at_most_twenty_attachments(tree, cadre, settings):
    model = DanVanModelFactory(owning_unit=tree.ward)
    services.attachment_add(model=model, by=cadre, uploads=[pdf(f"{i}.pdf") for i in range(20)])
    with pytest.raises(ValidationError, match="tối đa 20"):
        services.attachment_add(model=model, by=cadre, uploads=[pdf()])
    assert model.attachments.count() == 20


def test_result_report_only_for_active_models(tree, cadre):
    participants = Indicator.objects.get(code="participants")
    draft = DanVanModelFactory(owning_unit=tree.ward)
    with pytest.raises(PermissionDenied):
        services.result_report_create(
            model=draft,
            by=cadre,
            period_start=date(2025, 1, 1),
            period_end=date(2025, 6, 30),
            narrative="…",
            values={participants: Decimal(10)},
        )
    active = DanVanModelFactory(owning_unit=tree.ward, status=Status.ACCEPTED)
    report = services.result_report_create(
        model=active,
        by=cadre,
        period_start=date(2025, 1, 1),
        period_end=date(2025, 6, 30),
        narrative="120 hộ tham gia",
        values={participants: Decimal(120)},
        uploads=[pdf()],
    )
    assert report.values.get().value == 120
    assert report.attachments.count() == 1
    assert active.events.filter(action=EventAction.RESULT_REPORTED).exists()


def test_audit_trail_records_inserts_and_updates(tree, cadre):
    model = services.model_create(by=cadre, fields={"owning_unit": tree.ward, "name": "A"})
    services.model_update(model=model, by=cadre, fields={"name": "Nuôi Dê"})
    labels = list(model.history.order_by("pgh_id").values_list("pgh_label", "name"))
    assert labels == [("insert", "A"), ("update", "Nuôi Dê")]


def test_admin_role_alone_cannot_register(tree):
    admin = user_with_role(tree.province, Role.ADMIN)
    with pytest.raises(PermissionDenied):
        services.model_create(by=admin, fields={"owning_unit": tree.ward})
