"""The review pages: queue, bulk accept, every move on a model, the panels, the home counters."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from models_registry import services as registry
from models_registry.choices import Status
from models_registry.models import DanVanModel
from organisations.choices import Role
from organisations.mergers import current_merger_index
from reviews import services
from reviews.models import Appraisal, Proposal, Rubric
from tests.factories import DanVanModelFactory, user_with_role
from tests.reviews.conftest import full_scores, result_report

QUEUE = "/tham-dinh/"


def url(name: str, model=None) -> str:
    return reverse(f"reviews:{name}", args=[model.pk] if model is not None else [])


def login_redirect(response) -> bool:
    return response.status_code == 302 and reverse("login") in response["Location"]


def status_of(model) -> str:
    return DanVanModel.objects.values_list("status", flat=True).get(pk=model.pk)


def page(response) -> str:
    return response.content.decode()


def waiting_for(model, days: int, field: str = "submitted_at") -> None:
    moment = timezone.now() - datetime.timedelta(days=days)
    DanVanModel.objects.filter(pk=model.pk).update(**{field: moment})


def statements(captured) -> list[str]:
    """The SQL a request ran, without the savepoints the test's own transaction adds."""
    return [
        query["sql"]
        for query in captured.captured_queries
        if not query["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]


@pytest.fixture
def other_cadre(tree):
    """A cadre of another province: the ward's models are outside their scope."""
    return user_with_role(tree.other_province_ward, Role.CADRE, username="canbo.quanhoa")


@pytest.fixture
def appraised_model(proposed_model, reviewer):
    services.appraisal_save(model=proposed_model, by=reviewer, scores=full_scores())
    return proposed_model


RECOGNITION = {
    "decision_number": "125/QĐ-BDVTU",
    "decision_date": "10/11/2025",
    "decision_signer": "Trần Thị Lan",
}


# --- the scoping matrix -----------------------------------------------------------------------

# (view, the model fixture it acts on, what the allowed reviewer posts, the status it leads to)
REVIEWER_MOVES = [
    ("registration_accept", "submitted_model", {"note": "Đạt yêu cầu."}, Status.ACCEPTED),
    ("registration_return", "submitted_model", {"reason": "Bổ sung ảnh."}, Status.RETURNED),
    ("registration_reject", "submitted_model", {"reason": "Trùng mô hình."}, Status.REJECTED),
    ("model_recognise", "appraised_model", "recognition", Status.RECOGNISED),
    ("model_not_recognise", "appraised_model", {"reason": "Chưa lan tỏa."}, Status.NOT_RECOGNISED),
    (
        "model_return_for_evidence",
        "proposed_model",
        {"reason": "Thiếu biên bản."},
        Status.ACCEPTED,
    ),
]


@pytest.mark.parametrize(("name", "fixture", "data", "after"), REVIEWER_MOVES)
def test_reviewer_moves_scoping(
    request, client, client_for, tree, cadre, reviewer, other_reviewer, name, fixture, data, after
):
    model = request.getfixturevalue(fixture)
    before = status_of(model)
    if data == "recognition":
        data = {**RECOGNITION, "decision_issuer": tree.province.pk}
    target = url(name, model)
    assert login_redirect(client.post(target, data))
    assert client_for(cadre).post(target, data).status_code == 403  # sees it, may not decide
    assert client_for(other_reviewer).post(target, data).status_code == 404
    assert status_of(model) == before
    assert client_for(reviewer).get(target).status_code == 405  # POST only
    response = client_for(reviewer).post(target, data)
    assert response.status_code == 302 and response["Location"] == model.get_absolute_url()
    assert status_of(model) == after


def test_outstanding_scoping_and_toggle(client, client_for, recognised_model, cadre, reviewer):
    target = url("model_outstanding", recognised_model)
    assert login_redirect(client.post(target, {"outstanding": "true"}))
    assert client_for(cadre).post(target, {"outstanding": "true"}).status_code == 403
    assert not DanVanModel.objects.get(pk=recognised_model.pk).is_outstanding
    assert client_for(reviewer).post(target, {"outstanding": "true"}).status_code == 302
    recognised_model.refresh_from_db()
    assert recognised_model.is_outstanding
    client_for(reviewer).post(target, {"outstanding": "false"})
    recognised_model.refresh_from_db()
    assert not recognised_model.is_outstanding and recognised_model.outstanding_at is None


def test_outstanding_out_of_scope(client_for, recognised_model, other_reviewer):
    target = url("model_outstanding", recognised_model)
    assert client_for(other_reviewer).post(target, {"outstanding": "true"}).status_code == 404


def test_propose_scoping(client, client_for, accepted_model, cadre, reviewer, other_cadre):
    report = result_report(accepted_model)
    target = url("model_propose", accepted_model)
    data = {"result_reports": [report.pk], "note": "Kết quả nổi bật."}
    assert login_redirect(client.get(target))
    assert login_redirect(client.post(target, data))
    assert client_for(reviewer).get(target).status_code == 403
    assert client_for(reviewer).post(target, data).status_code == 403
    assert client_for(other_cadre).get(target).status_code == 404
    assert client_for(other_cadre).post(target, data).status_code == 404
    assert status_of(accepted_model) == Status.ACCEPTED
    response = client_for(cadre).get(target)
    assert response.status_code == 200
    assert f'value="{report.pk}"' in page(response) and "Kỳ 01/01/2025 – 30/06/2025" in page(
        response
    )
    response = client_for(cadre).post(target, data)
    assert response.status_code == 302
    assert status_of(accepted_model) == Status.PROPOSED
    proposal = Proposal.objects.get(model=accepted_model)
    assert list(proposal.result_reports.all()) == [report]
    assert proposal.note == "Kết quả nổi bật." and proposal.proposed_by == cadre


def test_appraise_scoping(client, client_for, proposed_model, cadre, reviewer, other_reviewer):
    target = url("model_appraise", proposed_model)
    data = {f"criterion_{pk}": score for pk, score in full_scores().items()}
    assert login_redirect(client.get(target))
    assert client_for(cadre).get(target).status_code == 403
    assert client_for(cadre).post(target, data).status_code == 403
    assert client_for(other_reviewer).get(target).status_code == 404
    assert client_for(other_reviewer).post(target, data).status_code == 404
    assert not Appraisal.objects.exists()
    assert client_for(reviewer).get(target).status_code == 200
    response = client_for(reviewer).post(target, {**data, "comment": "Mô hình hiệu quả."})
    assert response.status_code == 302
    appraisal = Appraisal.objects.get()
    assert appraisal.reviewer == reviewer and appraisal.total == 100
    assert appraisal.comment == "Mô hình hiệu quả."


def test_queue_scoping(client, client_for, submitted_model, cadre, reviewer, other_reviewer):
    assert login_redirect(client.get(QUEUE))
    assert client_for(cadre).get(QUEUE).status_code == 403
    assert (
        client_for(cadre).post(url("bulk_accept"), {"models": [submitted_model.pk]}).status_code
        == 403
    )
    assert status_of(submitted_model) == Status.SUBMITTED
    response = client_for(other_reviewer).get(QUEUE)
    assert response.status_code == 200 and submitted_model.name not in page(response)
    response = client_for(reviewer).get(QUEUE)
    assert response.status_code == 200 and submitted_model.name in page(response)


def test_superuser_reviews_everywhere(client_for, submitted_model, superuser):
    assert submitted_model.name in page(client_for(superuser).get(QUEUE))
    response = client_for(superuser).post(url("registration_accept", submitted_model))
    assert response.status_code == 302 and status_of(submitted_model) == Status.ACCEPTED


# --- forms that fail, states that moved on ----------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fixture", "message"),
    [
        ("registration_return", "submitted_model", "Hãy ghi rõ cần bổ sung, sửa những gì."),
        ("registration_reject", "submitted_model", "Hãy ghi rõ lý do không duyệt."),
        ("model_not_recognise", "appraised_model", "Hãy ghi rõ lý do không công nhận."),
        ("model_return_for_evidence", "proposed_model", "Hãy ghi rõ cần bổ sung minh chứng gì."),
    ],
)
def test_reason_is_required(request, client_for, reviewer, name, fixture, message):
    model = request.getfixturevalue(fixture)
    before = status_of(model)
    response = client_for(reviewer).post(url(name, model), {"reason": "   "})
    assert response.status_code == 400
    assert message in page(response)
    assert status_of(model) == before


def test_failed_recognition_keeps_what_was_typed(client_for, tree, appraised_model, reviewer):
    data = {
        "decision_number": "125/QĐ-BDVTU",
        "decision_date": "",
        "decision_signer": "Trần Thị Lan",
        "decision_issuer": tree.ward.pk,
        "note": "Đề nghị nhân rộng.",
    }
    response = client_for(reviewer).post(url("model_recognise", appraised_model), data)
    assert response.status_code == 400
    html = page(response)
    assert "Hãy nhập ngày quyết định." in html
    assert 'value="125/QĐ-BDVTU"' in html and 'value="Trần Thị Lan"' in html
    assert f'<option value="{tree.ward.pk}" selected>' in html
    assert "Đề nghị nhân rộng." in html
    assert status_of(appraised_model) == Status.PROPOSED

    response = client_for(reviewer).post(
        url("model_recognise", appraised_model), {**data, "decision_date": "31/02/2025"}
    )
    assert response.status_code == 400
    assert "Nhập ngày theo dạng ngày/tháng/năm" in page(response)
    assert 'value="31/02/2025"' in page(response)


def test_issuer_must_be_in_the_reviewers_scope(client_for, tree, appraised_model, reviewer):
    data = {**RECOGNITION, "decision_issuer": tree.other_province.pk}
    response = client_for(reviewer).post(url("model_recognise", appraised_model), data)
    assert response.status_code == 400
    assert status_of(appraised_model) == Status.PROPOSED
    assert "Chỉ chọn được đơn vị mà bạn là cán bộ thẩm định hoặc quản trị." in page(response)
    widget = response.context["form"].fields["decision_issuer"].widget
    options = [value for value, _ in widget.choices]
    assert tree.province.pk in options and tree.other_province.pk not in options


def test_recognition_records_the_decision(client_for, tree, appraised_model, reviewer):
    data = {**RECOGNITION, "decision_issuer": tree.province.pk}
    client_for(reviewer).post(url("model_recognise", appraised_model), data)
    appraised_model.refresh_from_db()
    assert appraised_model.decision_number == "125/QĐ-BDVTU"
    assert appraised_model.decision_date == datetime.date(2025, 11, 10)
    assert appraised_model.decision_signer == "Trần Thị Lan"
    assert appraised_model.decision_issuer == tree.province


def test_conclusion_needs_a_score_sheet(client_for, tree, proposed_model, reviewer):
    data = {**RECOGNITION, "decision_issuer": tree.province.pk}
    response = client_for(reviewer).post(url("model_recognise", proposed_model), data)
    assert response.status_code == 400
    assert "Cần ít nhất một phiếu chấm điểm trước khi kết luận." in page(response)
    assert 'value="125/QĐ-BDVTU"' in page(response)
    assert status_of(proposed_model) == Status.PROPOSED


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("registration_accept", {}),
        ("registration_reject", {"reason": "Trùng mô hình."}),
        # A page left open after a colleague decided: the reason left empty does not matter.
        ("registration_return", {"reason": ""}),
        ("registration_reject", {}),
    ],
)
def test_already_handled_is_said_clearly(client_for, accepted_model, reviewer, name, data):
    response = client_for(reviewer).post(url(name, accepted_model), data, follow=True)
    assert response.redirect_chain[-1][0] == accepted_model.get_absolute_url()
    assert "đã được xử lý (hiện ở trạng thái “Đã duyệt đăng ký”)" in page(response)
    assert status_of(accepted_model) == Status.ACCEPTED


def test_conclusion_after_another_reviewer_concluded(client_for, recognised_model, reviewer):
    target = url("model_not_recognise", recognised_model)
    response = client_for(reviewer).post(target, {"reason": "Chưa đạt."}, follow=True)
    assert "đã được xử lý" in page(response)
    assert status_of(recognised_model) == Status.RECOGNISED


def test_propose_needs_results(client_for, accepted_model, cadre):
    target = url("model_propose", accepted_model)
    response = client_for(cadre).get(target)
    assert "Mô hình chưa có báo cáo kết quả nào." in page(response)
    response = client_for(cadre).post(target, {"note": "Đề nghị công nhận."})
    assert response.status_code == 400
    assert "Hãy chọn ít nhất một báo cáo kết quả làm căn cứ đề nghị." in page(response)
    assert "Đề nghị công nhận." in page(response)
    assert status_of(accepted_model) == Status.ACCEPTED


def test_propose_when_already_proposed(client_for, proposed_model, cadre):
    target = url("model_propose", proposed_model)
    response = client_for(cadre).get(target, follow=True)
    assert "nên chưa thể đề nghị công nhận" in page(response)
    report = proposed_model.result_reports.get()
    response = client_for(cadre).post(target, {"result_reports": [report.pk]}, follow=True)
    assert "đã được xử lý" in page(response)
    assert Proposal.objects.filter(model=proposed_model).count() == 1


def test_score_sheet_form(client_for, proposed_model, reviewer):
    rubric = Rubric.objects.active().get()
    criteria = list(rubric.criteria.all())
    response = client_for(reviewer).get(url("model_appraise", proposed_model))
    html = page(response)
    for criterion in criteria:
        assert criterion.title in html and criterion.guidance in html
        assert f'name="criterion_{criterion.pk}"' in html
        assert f'<td class="text-end">{criterion.max_score}</td>' in html
    assert "Tổng điểm tối đa: 100" in html


def test_score_sheet_running_total(client_for, proposed_model, reviewer):
    criteria = list(Rubric.objects.active().get().criteria.all())
    html = page(client_for(reviewer).get(url("model_appraise", proposed_model)))
    assert 'data-max-total="100"' in html and "js/appraisal.js" in html
    assert '<output class="fw-semibold" data-score-sum>0</output>/100' in html
    assert f"còn {len(criteria)} tiêu chí chưa chấm" in html
    for criterion in criteria:
        field = re.search(rf'<input[^>]*name="criterion_{criterion.pk}"[^>]*>', html).group()
        assert f'data-score-max="{criterion.max_score}"' in field

    appraisal = services.appraisal_save(
        model=proposed_model, by=reviewer, scores=full_scores(minus=2)
    )
    html = page(client_for(reviewer).get(url("model_appraise", proposed_model)))
    assert f"data-score-sum>{appraisal.total}</output>/100" in html
    assert appraisal.total == 100 - 2 * len(criteria)
    assert "tiêu chí chưa chấm" not in html

    # A refused sheet shows the total of the scores the server read, the refused one left out.
    first, *rest = criteria
    data = {f"criterion_{first.pk}": first.max_score + 5}
    data.update({f"criterion_{c.pk}": 1 for c in rest})
    html = page(client_for(reviewer).post(url("model_appraise", proposed_model), data))
    assert f"data-score-sum>{len(rest)}</output>/100" in html
    assert "còn 1 tiêu chí chưa chấm" in html


def test_score_sheet_errors_stay_on_their_criterion(client_for, proposed_model, reviewer):
    first, second, *rest = Rubric.objects.active().get().criteria.all()
    data = {f"criterion_{first.pk}": first.max_score + 5, "comment": "Cần xem lại."}
    data.update({f"criterion_{c.pk}": 1 for c in rest})
    response = client_for(reviewer).post(url("model_appraise", proposed_model), data)
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors[f"criterion_{first.pk}"] == [f"Điểm phải từ 0 đến {first.max_score}."]
    assert form.errors[f"criterion_{second.pk}"] == ["Hãy chấm điểm tiêu chí này."]
    assert not any(f"criterion_{c.pk}" in form.errors for c in rest)
    html = page(response)
    assert f'value="{first.max_score + 5}"' in html and "Cần xem lại." in html
    assert not Appraisal.objects.exists()


def test_score_sheet_only_while_proposed(client_for, recognised_model, reviewer):
    target = url("model_appraise", recognised_model)
    response = client_for(reviewer).get(target, follow=True)
    assert response.redirect_chain[-1][0] == recognised_model.get_absolute_url()
    assert "không ở trạng thái chờ thẩm định (hiện là “Đã công nhận”)" in page(response)
    data = {f"criterion_{pk}": 1 for pk in full_scores()}
    response = client_for(reviewer).post(target, data, follow=True)
    assert "đã được xử lý" in page(response)
    assert Appraisal.objects.get().total == 100  # the sheet the recognition rests on


def test_correcting_a_sheet_keeps_its_rubric(client_for, tree, proposed_model, reviewer, superuser):
    old = Rubric.objects.active().get()
    services.appraisal_save(model=proposed_model, by=reviewer, scores=full_scores(old, minus=1))
    new = services.rubric_new_version(source=old, by=superuser)
    new.criteria.filter(position=1).update(title="Mục tiêu rõ, đo đếm được")
    services.rubric_activate(rubric=new, by=superuser)

    html = page(client_for(reviewer).get(url("model_appraise", proposed_model)))
    assert "Mục tiêu, tiêu chí rõ ràng" in html and "Mục tiêu rõ, đo đếm được" not in html
    first = old.criteria.get(position=1)
    assert f'name="criterion_{first.pk}" value="{first.max_score - 1}"' in html

    data = {f"criterion_{pk}": score for pk, score in full_scores(old).items()}
    client_for(reviewer).post(url("model_appraise", proposed_model), data)
    appraisal = Appraisal.objects.get()
    assert appraisal.rubric == old and appraisal.total == 100

    colleague = user_with_role(tree.province, Role.REVIEWER)
    html = page(client_for(colleague).get(url("model_appraise", proposed_model)))
    assert "Mục tiêu rõ, đo đếm được" in html


# --- bulk accept ------------------------------------------------------------------------------


def test_bulk_accept(client_for, tree, submitted_model, accepted_model_elsewhere, reviewer):
    second = DanVanModelFactory(owning_unit=tree.residential, name="Góc xanh")
    registry.model_submit(model=second, by=user_with_role(tree.ward, Role.CADRE))
    foreign = DanVanModelFactory(
        owning_unit=tree.other_province_ward, name="Nuôi Dê Quan Hoa", status=Status.SUBMITTED
    )
    ids = [submitted_model.pk, second.pk, foreign.pk, accepted_model_elsewhere.pk]
    response = client_for(reviewer).post(
        url("bulk_accept"), {"models": ids, "query": "status=submitted"}, follow=True
    )
    assert response.redirect_chain[0][0] == f"{QUEUE}?status=submitted"
    assert status_of(submitted_model) == status_of(second) == Status.ACCEPTED
    assert status_of(foreign) == Status.SUBMITTED  # out of scope: not found
    html = page(response)
    assert "Đã duyệt 2 đăng ký." in html
    assert "Không duyệt được 2 hồ sơ:" in html
    assert f"<li>Hồ sơ số {foreign.pk}: không tìm thấy trong phạm vi của bạn.</li>" in html
    assert "“Trồng bí xanh”: Hồ sơ “Trồng bí xanh” đã được xử lý" in html


@pytest.fixture
def accepted_model_elsewhere(tree, reviewer):
    """A registration of the other ward, already accepted by the time the reviewer ticks it."""
    model = DanVanModelFactory(owning_unit=tree.other_ward, name="Trồng bí xanh")
    registry.model_submit(model=model, by=user_with_role(tree.other_ward, Role.CADRE))
    services.registration_accept(model=model, by=reviewer)
    return model


def test_queue_offers_select_all_only_with_registrations_to_accept(
    client_for, submitted_model, proposed_model_elsewhere, reviewer
):
    select_all = 'data-select-all="models"'
    html = page(client_for(reviewer).get(QUEUE))
    assert select_all in html and "Chọn tất cả đăng ký chờ duyệt trên trang này" in html
    html = page(client_for(reviewer).get(QUEUE, {"status": "proposed"}))
    assert proposed_model_elsewhere.name in html and select_all not in html


@pytest.fixture
def proposed_model_elsewhere(tree, reviewer):
    cadre = user_with_role(tree.ward, Role.CADRE)
    model = DanVanModelFactory(owning_unit=tree.residential, name="Đèn đường", created_by=cadre)
    registry.model_submit(model=model, by=cadre)
    services.registration_accept(model=model, by=reviewer)
    services.model_propose(model=model, by=cadre, result_reports=[result_report(model)])
    return model


def test_bulk_accept_sends_anonymous_users_to_log_in(client, submitted_model):
    response = client.post(url("bulk_accept"), {"models": [submitted_model.pk]})
    assert login_redirect(response)
    assert status_of(submitted_model) == Status.SUBMITTED


def test_bulk_accept_with_nothing_ticked(client_for, reviewer):
    response = client_for(reviewer).post(url("bulk_accept"), {"models": ["abc"]}, follow=True)
    assert "Chưa chọn đăng ký nào để duyệt." in page(response)


# --- the queue --------------------------------------------------------------------------------


@pytest.fixture
def queue(tree, proposed_model):
    """Registrations and a proposal waiting different numbers of days, one in another province."""
    models = {
        "ward": DanVanModelFactory(
            owning_unit=tree.ward, name="Dân vận phường", status=Status.SUBMITTED
        ),
        "residential": DanVanModelFactory(
            owning_unit=tree.residential,
            name="Ông Hạnh",
            kind="exemplar",
            actor="individual",
            person_name="Nông Văn Hạnh",
            person_position="Tổ trưởng",
            field="political_system",
            status=Status.SUBMITTED,
        ),
        "former": DanVanModelFactory(
            owning_unit=tree.former_ward, name="Đức Xuân", status=Status.SUBMITTED
        ),
        "foreign": DanVanModelFactory(
            owning_unit=tree.other_province_ward, name="Quan Hoa", status=Status.SUBMITTED
        ),
        "proposed": proposed_model,
    }
    for key, days in (("ward", 2), ("residential", 12), ("former", 30), ("foreign", 40)):
        waiting_for(models[key], days)
    waiting_for(proposed_model, 5, "proposed_at")
    return models


def names(response) -> list[str]:
    return [row.name for row in response.context["rows"]]


def test_queue_order_and_waiting_days(client_for, queue, reviewer):
    response = client_for(reviewer).get(QUEUE)
    assert names(response) == ["Đức Xuân", "Ông Hạnh", queue["proposed"].name, "Dân vận phường"]
    assert [row.waiting_days for row in response.context["rows"]] == [30, 12, 5, 2]
    html = page(response)
    assert '<td data-label="Số ngày chờ" class="text-end waiting-days">30 ngày</td>' in html
    # Only registrations can be accepted in bulk; a proposal needs its appraisal.
    boxes = re.findall(r'name="models" value="(\d+)"', html)
    assert sorted(map(int, boxes)) == sorted(
        queue[key].pk for key in ("ward", "residential", "former")
    )
    assert "Duyệt các đăng ký đã chọn" in html


def test_queue_filters(client_for, tree, queue, reviewer):
    client = client_for(reviewer)
    assert names(client.get(QUEUE, {"status": "proposed"})) == [queue["proposed"].name]
    assert names(client.get(QUEUE, {"status": "submitted"})) == [
        "Đức Xuân",
        "Ông Hạnh",
        "Dân vận phường",
    ]
    assert names(client.get(QUEUE, {"field": "political_system"})) == ["Ông Hạnh"]
    assert names(client.get(QUEUE, {"kind": "exemplar"})) == ["Ông Hạnh"]
    assert names(client.get(QUEUE, {"unit": tree.ward.pk})) == [
        "Ông Hạnh",
        queue["proposed"].name,
        "Dân vận phường",
    ]
    # The province's subtree includes the former province merged into it.
    assert "Đức Xuân" in names(client.get(QUEUE, {"unit": tree.province.pk}))
    # Values that do not validate are ignored, never a draft or an error.
    assert len(names(client.get(QUEUE, {"status": "draft", "unit": "abc"}))) == 4


def test_queue_filters_fold_behind_a_button_that_counts_them(client_for, tree, queue, reviewer):
    client = client_for(reviewer)
    plain = client.get(QUEUE)
    assert plain.context["filter"].active_count == 0
    html = plain.content.decode()
    assert 'data-bs-target="#bo-loc" aria-expanded="false" aria-controls="bo-loc"' in html
    assert '<div class="collapse d-sm-block" id="bo-loc">' in html
    assert "điều kiện đang áp dụng" not in html
    # A dropped value (not a queue status) is no condition; those beside it still narrow.
    narrowed = client.get(
        QUEUE, {"status": "draft", "field": "political_system", "kind": "exemplar"}
    )
    assert names(narrowed) == ["Ông Hạnh"]
    assert narrowed.context["filter"].active_count == 2
    assert '>2<span class="visually-hidden"> điều kiện đang áp dụng' in narrowed.content.decode()


def test_queue_unit_choices_stay_in_scope(client_for, tree, queue, reviewer):
    response = client_for(reviewer).get(QUEUE, {"unit": tree.other_province.pk})
    assert "Quan Hoa" not in names(response)
    options = [value for value, _ in response.context["filter"].form.fields["unit"].widget.choices]
    assert tree.province.pk in options and tree.other_province.pk not in options


def test_queue_pagination(client_for, tree, reviewer):
    for number in range(27):
        DanVanModelFactory(owning_unit=tree.ward, name=f"Mô hình {number}", status="submitted")
    response = client_for(reviewer).get(QUEUE, {"status": "submitted"})
    assert len(names(response)) == 25
    assert "status=submitted&amp;page=2" in page(response)
    assert len(names(client_for(reviewer).get(QUEUE, {"status": "submitted", "page": 2}))) == 2


def test_queue_query_count_does_not_grow_with_the_page(client_for, tree, reviewer):
    client = client_for(reviewer)
    params = {"status": "submitted", "unit": tree.ward.pk, "field": "economy"}
    current_merger_index()  # read once a process after the tree changed, not once a request
    counts = []
    for total in (3, 30):
        while DanVanModel.objects.count() < total:
            DanVanModelFactory(owning_unit=tree.residential, status=Status.SUBMITTED)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(QUEUE, params)
        assert len(response.context["rows"]) == min(total, 25)
        counts.append(len(statements(captured)))
    assert counts[0] == counts[1], counts
    # Session, user, scope, the unit picker, the unit, its mergers, count, rows, unread count.
    assert counts[1] <= 10, counts


# --- the panel on the model page --------------------------------------------------------------


def test_panel_for_a_submitted_registration(client_for, submitted_model, cadre, reviewer):
    html = page(client_for(reviewer).get(submitted_model.get_absolute_url()))
    for name in ("registration_accept", "registration_return", "registration_reject"):
        assert f'action="{url(name, submitted_model)}"' in html
    assert 'id="tra_lai_reason"' in html and 'id="khong_duyet_reason"' in html
    assert "Thay đổi so với lần gửi trước" not in html  # first submission
    html = page(client_for(cadre).get(submitted_model.get_absolute_url()))
    assert url("registration_accept", submitted_model) not in html
    assert 'id="tham-dinh"' not in html  # nothing for the cadre to see or do yet


def test_panel_lists_changes_of_a_resubmission(client_for, submitted_model, cadre, reviewer):
    client_for(reviewer).post(
        url("registration_return", submitted_model), {"reason": "Ghi rõ kinh phí."}
    )
    # The cadre sees why it came back.
    html = page(client_for(cadre).get(submitted_model.get_absolute_url()))
    assert "Ghi rõ kinh phí." in html and "status-reason" in html
    registry.model_update(
        model=submitted_model, by=cadre, fields={"funds": 180_000_000, "contact_name": "Lò Thị Mai"}
    )
    registry.model_submit(model=submitted_model, by=cadre)

    html = page(client_for(reviewer).get(submitted_model.get_absolute_url()))
    section = html[html.index("Thay đổi so với lần gửi trước") : html.index("Xét duyệt đăng ký")]
    rows = re.findall(r'<th scope="row" class="fw-semibold">([^<]+)</th>', section)
    assert rows == ["Người liên hệ", "Kinh phí (đồng)"]
    assert "<del>Nguyễn Văn An</del>" in section and "<ins>Lò Thị Mai</ins>" in section
    assert "<del>150.000.000</del>" in section and "<ins>180.000.000</ins>" in section


def test_resubmitted_text_is_compared_word_by_word(client_for, submitted_model, cadre, reviewer):
    hostile = '<script>alert("x")</script>'
    services.registration_return(model=submitted_model, by=reviewer, reason="Ghi rõ mục tiêu.")
    registry.model_update(
        model=submitted_model,
        by=cadre,
        fields={"goals": f"Bê tông hóa 3 km đường liên thôn {hostile}."},
    )
    registry.model_submit(model=submitted_model, by=cadre)

    html = page(client_for(reviewer).get(submitted_model.get_absolute_url()))
    section = html[html.index("Thay đổi so với lần gửi trước") : html.index("Xét duyệt đăng ký")]
    assert "Bê tông hóa <del>2</del> km đường liên <del>thôn.</del>" in section
    assert (
        "Bê tông hóa <ins>3</ins> km đường liên <ins>thôn "
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;.</ins>"
    ) in section
    assert "<script>alert" not in html


def test_panel_for_a_proposal(client_for, tree, proposed_model, cadre, reviewer):
    proposal = Proposal.objects.get(model=proposed_model)
    proposal.note = "Vận động 120 hộ hiến đất."
    proposal.save()
    report = proposed_model.result_reports.get()
    html = page(client_for(reviewer).get(proposed_model.get_absolute_url()))
    assert "Chấm điểm theo bộ tiêu chí" in html
    for name in ("model_recognise", "model_not_recognise", "model_return_for_evidence"):
        assert f'action="{url(name, proposed_model)}"' in html
    assert f'<option value="{tree.province.pk}">' in html  # issuer choices in scope
    assert "Vận động 120 hộ hiến đất." in html and report.get_absolute_url() in html
    assert "Chưa có phiếu chấm điểm." in html

    html = page(client_for(cadre).get(proposed_model.get_absolute_url()))
    assert "Vận động 120 hộ hiến đất." in html and "Đang thẩm định" in html
    assert url("model_recognise", proposed_model) not in html
    assert url("model_appraise", proposed_model) not in html


def test_panel_of_a_model_discontinued_while_proposed(client_for, proposed_model, cadre, reviewer):
    registry.model_discontinue(model=proposed_model, by=cadre, reason="Hết kinh phí")
    for user in (cadre, reviewer):
        html = page(client_for(user).get(proposed_model.get_absolute_url()))
        assert "Đang thẩm định" not in html and "đang thẩm định" not in html
        assert "Không kết luận: mô hình đã dừng thực hiện" in html
        assert "Đề nghị công nhận gần nhất" in html
        assert url("model_recognise", proposed_model) not in html


def test_panel_shows_every_sheet_and_the_average(client_for, tree, proposed_model, cadre, reviewer):
    services.appraisal_save(
        model=proposed_model, by=reviewer, scores=full_scores(), comment="Lan tỏa mạnh."
    )
    colleague = user_with_role(tree.province, Role.REVIEWER, first_name="Hoàng Văn Bình")
    services.appraisal_save(model=proposed_model, by=colleague, scores=full_scores(minus=1))
    html = page(client_for(cadre).get(proposed_model.get_absolute_url()))
    assert html.count('class="border rounded p-2 mb-2 score-sheet"') == 2
    assert "Hoàng Văn Bình</span>: 93/100 điểm" in html
    assert ": 100/100 điểm" in html and "Lan tỏa mạnh." in html
    assert '<strong class="average-total">96,5</strong>' in html
    assert '<td>Mục tiêu, tiêu chí rõ ràng</td><td class="text-end">9/10</td>' in html
    html = page(client_for(reviewer).get(proposed_model.get_absolute_url()))
    assert "Sửa phiếu chấm điểm của bạn" in html


def test_panel_adds_no_query_per_sheet(client_for, tree, proposed_model, reviewer):
    client = client_for(reviewer)
    services.appraisal_save(model=proposed_model, by=reviewer, scores=full_scores())
    with CaptureQueriesContext(connection) as one:
        client.get(proposed_model.get_absolute_url())
    for minus in (1, 2, 3):
        colleague = user_with_role(tree.province, Role.REVIEWER)
        services.appraisal_save(model=proposed_model, by=colleague, scores=full_scores(minus=minus))
    with CaptureQueriesContext(connection) as four:
        response = client.get(proposed_model.get_absolute_url())
    assert page(response).count("score-sheet") == 4
    assert len(statements(four)) == len(statements(one))


def test_panel_for_a_recognised_model(client_for, tree, recognised_model, cadre, reviewer):
    html = page(client_for(cadre).get(recognised_model.get_absolute_url()))
    decision = html[html.index("Quyết định công nhận") : html.index("proposal-summary")]
    for text in ("125/QĐ-BDVTU", "10/11/2025", "Trần Thị Lan", tree.province.name):
        assert text in decision
    assert "Công nhận (" in html  # the proposal's outcome
    assert url("model_outstanding", recognised_model) not in html
    html = page(client_for(reviewer).get(recognised_model.get_absolute_url()))
    assert "Chọn là tiêu biểu" in html
    client_for(reviewer).post(url("model_outstanding", recognised_model), {"outstanding": "true"})
    html = page(client_for(cadre).get(recognised_model.get_absolute_url()))
    assert "Mô hình, điển hình tiêu biểu" in html
    assert "Bỏ chọn tiêu biểu" in page(
        client_for(reviewer).get(recognised_model.get_absolute_url())
    )


def test_propose_button_for_the_cadre_only(client_for, accepted_model, cadre, reviewer):
    target = url("model_propose", accepted_model)
    html = page(client_for(cadre).get(accepted_model.get_absolute_url()))
    assert f'href="{target}">Đề nghị công nhận</a>' in html
    assert target not in page(client_for(reviewer).get(accepted_model.get_absolute_url()))


# --- home and navigation ----------------------------------------------------------------------


def test_home_counters_for_reviewers(client_for, queue, reviewer, other_reviewer, cadre):
    html = page(client_for(reviewer).get("/"))
    assert "Đăng ký chờ duyệt: <strong>3</strong>" in html
    assert "Đề nghị công nhận chờ thẩm định: <strong>1</strong>" in html
    assert "Hồ sơ chờ lâu nhất: <strong>30</strong> ngày" in html
    assert f'href="{QUEUE}"' in html
    html = page(client_for(other_reviewer).get("/"))
    assert "Đăng ký chờ duyệt: <strong>1</strong>" in html
    assert "Đề nghị công nhận chờ thẩm định: <strong>0</strong>" in html
    assert "Việc thẩm định đang chờ bạn" not in page(client_for(cadre).get("/"))


def test_home_counters_are_counted_again_after_a_write(client_for, queue, reviewer, cadre, tree):
    """Kept between requests (no count while nothing was written), counted again after the
    registration is submitted, then after it is accepted."""
    client = client_for(reviewer)
    assert "Đăng ký chờ duyệt: <strong>3</strong>" in page(client.get("/"))
    with CaptureQueriesContext(connection) as captured:
        assert "Đăng ký chờ duyệt: <strong>3</strong>" in page(client.get("/"))
    assert not [q for q in captured.captured_queries if "FILTER (WHERE" in q["sql"]]
    model = DanVanModelFactory(owning_unit=tree.ward, created_by=cadre, name="Mới gửi")
    registry.model_submit(model=model, by=cadre)
    assert "Đăng ký chờ duyệt: <strong>4</strong>" in page(client.get("/"))
    services.registration_accept(model=model, by=reviewer)
    assert "Đăng ký chờ duyệt: <strong>3</strong>" in page(client.get("/"))


def test_home_counters_are_kept_apart_by_scope(
    client_for, queue, reviewer, other_reviewer, superuser
):
    """Asked in turn with nothing written in between, each reviewer gets their own counters."""
    for user, submitted in ((reviewer, 3), (other_reviewer, 1), (superuser, 4), (reviewer, 3)):
        html = page(client_for(user).get("/"))
        assert f"Đăng ký chờ duyệt: <strong>{submitted}</strong>" in html, user


def test_menu_link_for_reviewers(client_for, reviewer, cadre, superuser):
    link = f'href="{QUEUE}">Thẩm định</a>'
    assert link in page(client_for(reviewer).get("/"))
    assert link in page(client_for(superuser).get("/"))
    assert link not in page(client_for(cadre).get("/"))
