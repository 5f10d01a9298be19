"""Review actions, the proposal and its score sheets on a model page; queue counters at home."""

from __future__ import annotations

from core import hooks
from models_registry.choices import Status
from reviews import rules
from reviews.forms.review import (
    EvidenceForm,
    NoteForm,
    NotRecogniseForm,
    RecogniseForm,
    RejectForm,
    ReturnForm,
)
from reviews.selectors import review as selectors


def _reviewer_actions(user, model) -> dict:
    """The forms a reviewer of the model may use now (unbound; ids kept apart on one page)."""
    if model.status == Status.SUBMITTED:
        return {
            "can_decide": True,
            "accept_form": NoteForm(auto_id="duyet_%s"),
            "return_form": ReturnForm(auto_id="tra_lai_%s"),
            "reject_form": RejectForm(auto_id="khong_duyet_%s"),
            "resubmission": selectors.changes_since_previous_submission(model, user),
        }
    if model.status == Status.PROPOSED:
        return {
            "can_appraise": True,
            "recognise_form": RecogniseForm(user=user, auto_id="cong_nhan_%s"),
            "not_recognise_form": NotRecogniseForm(auto_id="khong_cong_nhan_%s"),
            "evidence_form": EvidenceForm(auto_id="minh_chung_%s"),
        }
    if model.status == Status.RECOGNISED:
        return {"can_mark_outstanding": True}
    return {}


@hooks.register(hooks.MODEL_DETAIL)
def review_panel(request, model) -> hooks.Panel | None:
    """What the reviewer may do now, the proposal with its score sheets, the decision.

    No panel when there is nothing to do or show.
    """
    user = request.user
    context = {"model": model}
    if rules.is_reviewer_of(user, model):
        context.update(_reviewer_actions(user, model))
    context["can_propose"] = rules.can_propose(user, model)
    # Only a model that was once proposed has a proposal to read.
    summary = selectors.latest_proposal(model) if model.proposed_at else None
    if summary is not None:
        context["summary"] = summary
        context["own_sheet"] = any(
            sheet.appraisal.reviewer_id == user.pk for sheet in summary.sheets
        )
    if model.decision_number:
        context["has_decision"] = True
        context["decision_issuer"] = model.decision_issuer
    shown = ("can_decide", "can_appraise", "can_mark_outstanding", "summary", "has_decision")
    if not (context["can_propose"] or model.is_outstanding or any(key in context for key in shown)):
        return None
    return hooks.Panel("reviews/partials/_review_panel.html", context, order=10)


@hooks.register(hooks.HOME)
def queue_panel(request) -> hooks.Panel | None:
    """For reviewers: how many registrations and proposals wait, the longest wait, the queue."""
    if not selectors.is_reviewer_anywhere(request.user):
        return None
    counts = selectors.queue_counts(request.user)
    return hooks.Panel("reviews/partials/_home_queue.html", {"counts": counts}, order=10)
