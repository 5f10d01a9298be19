"""Commendation round pages: scoping, building a round, its decision, publication, corrections."""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from models_registry.choices import Actor, Status
from organisations.choices import Role
from reviews import services
from reviews.choices import CommendationForm, RoundAction, RoundStatus
from reviews.models import Commendation, CommendationRound
from tests.factories import DanVanModelFactory, user_with_role
from tests.models_registry.conftest import PDF, office_file, upload
from tests.reviews.conftest import round_fields, signed_decision

DECISION = {
    "number": "15/QĐ-BDVTU",
    "decided_on": "18/11/2025",
    "signer": "Trần Thị Lan",
    "authority": "Ban Dân vận Tỉnh ủy Thái Nguyên",
}
LOCKED = "danh sách bị khóa"


def login_redirect(response):
    return response.status_code == 302 and reverse("login") in response["Location"]


def url(name, commendation_round, line=None):
    args = [commendation_round.pk] if line is None else [commendation_round.pk, line.pk]
    return reverse(f"reviews:{name}", args=args)


def page(response) -> str:
    return response.content.decode()


def recognised(unit, **kwargs):
    """A recognised model (the status set directly: these tests are about rounds)."""
    return DanVanModelFactory(owning_unit=unit, status=Status.RECOGNISED, **kwargs)


def publish(commendation_round, by):
    services.round_record_decision(
        commendation_round=commendation_round,
        by=by,
        number="15/QĐ-BDVTU",
        decided_on=datetime.date(2025, 11, 18),
        signer="Trần Thị Lan",
        authority="Ban Dân vận Tỉnh ủy Thái Nguyên",
        upload=signed_decision(),
    )
    return services.round_publish(commendation_round=commendation_round, by=by)


@pytest.fixture
def ward_round(tree, reviewer, recognised_model):
    """A published round organised by the ward: its cadre may see it but not manage it."""
    commendation_round = services.round_create(
        by=reviewer, fields=round_fields(tree.ward, title="Biểu dương phường Chùa Hang 2025")
    )
    services.commendation_nominate(
        commendation_round=commendation_round,
        by=reviewer,
        model=recognised_model,
        form=CommendationForm.PRAISE,
        citation="Tiêu biểu trong vận động hiến đất.",
    )
    return publish(commendation_round, reviewer)


def line_of(commendation_round) -> Commendation:
    return commendation_round.commendations.get()


# --- scoping matrix ---------------------------------------------------------------------------

ROUND_PAGES = [
    "round_detail",
    "round_annex",
    "round_print",
    "round_certificates_pdf",
    "round_decision_file",
]
MANAGER_PAGES = ["round_update", "round_nominees", "round_decision"]
MANAGER_ACTIONS = ["round_nominate", "round_publish"]
LINE_ACTIONS = [
    "commendation_update",
    "commendation_remove",
    "commendation_correct",
    "commendation_revoke",
]


def all_urls(commendation_round):
    line = line_of(commendation_round)
    return (
        [url(name, commendation_round) for name in ROUND_PAGES + MANAGER_PAGES + MANAGER_ACTIONS]
        + [url(name, commendation_round, line) for name in LINE_ACTIONS]
        + [reverse("reviews:round_list"), reverse("reviews:round_create")]
    )


def test_anonymous_is_sent_to_log_in(client, published_round):
    for address in all_urls(published_round):
        assert login_redirect(client.get(address)), address
        assert login_redirect(client.post(address)), address


def test_another_province_sees_nothing(client_for, tree, reviewer, published_round, other_reviewer):
    draft = services.round_create(
        by=reviewer, fields=round_fields(tree.province, title="Sơ kết 6 tháng năm 2025")
    )
    services.commendation_nominate(
        commendation_round=draft, by=reviewer, model=recognised(tree.ward), form="praise"
    )
    client = client_for(other_reviewer)
    for commendation_round in (published_round, draft):
        line = line_of(commendation_round)
        for name in ROUND_PAGES + MANAGER_PAGES:
            assert client.get(url(name, commendation_round)).status_code == 404, name
        for name in MANAGER_ACTIONS:
            response = client.post(url(name, commendation_round), {"confirm": "on"})
            assert response.status_code == 404, name
        for name in LINE_ACTIONS:
            response = client.post(url(name, commendation_round, line), {"dong-1-reason": "x"})
            assert response.status_code == 404, name
    listing = page(client.get(reverse("reviews:round_list")))
    assert published_round.title not in listing
    assert CommendationRound.objects.get(pk=draft.pk).status == RoundStatus.DRAFT
    assert not Commendation.objects.filter(revoked_at__isnull=False).exists()


def test_cadre_sees_a_published_round_of_their_unit_but_cannot_manage_it(
    client_for, ward_round, cadre
):
    client = client_for(cadre)
    assert client.get(url("round_detail", ward_round)).status_code == 200
    assert client.get(url("round_annex", ward_round)).status_code == 200
    assert client.get(url("round_print", ward_round)).status_code == 200
    assert ward_round.title in page(client.get(reverse("reviews:round_list")))
    for name in MANAGER_PAGES:
        assert client.get(url(name, ward_round)).status_code == 403, name
    for name in MANAGER_ACTIONS:
        assert client.post(url(name, ward_round), {"confirm": "on"}).status_code == 403, name
    line = line_of(ward_round)
    for name in LINE_ACTIONS:
        response = client.post(url(name, ward_round, line), {"dong-1-reason": "x"})
        assert response.status_code == 403, name
    assert client.get(reverse("reviews:round_create")).status_code == 403
    line.refresh_from_db()
    assert line.revoked_at is None


def test_cadre_never_sees_a_draft_round(client_for, tree, reviewer, cadre, recognised_model):
    draft = services.round_create(by=reviewer, fields=round_fields(tree.ward))
    assert client_for(cadre).get(url("round_detail", draft)).status_code == 404
    assert client_for(cadre).get(url("round_annex", draft)).status_code == 404


def test_managers_see_the_round_and_its_actions(client_for, draft_round, reviewer, admin_user):
    for user in (reviewer, admin_user):
        response = client_for(user).get(url("round_detail", draft_round))
        assert response.status_code == 200
        body = page(response)
        assert url("round_publish", draft_round) in body
        # The nominee picker, searching the round's own suggestions; the search without it.
        assert url("round_nominate", draft_round) in body
        assert f'data-picker-url="{url("round_nominees", draft_round)}"' in body
        assert "tim-mo-hinh" in body


def test_transitions_are_post_only(client_for, draft_round, reviewer):
    client = client_for(reviewer)
    assert client.get(url("round_publish", draft_round)).status_code == 405
    assert client.get(url("round_nominate", draft_round)).status_code == 405
    line = line_of(draft_round)
    for name in LINE_ACTIONS:
        assert client.get(url(name, draft_round, line)).status_code == 405


# --- the list ---------------------------------------------------------------------------------


def test_list_shows_rounds_newest_first_with_counts(client_for, tree, reviewer, published_round):
    older = services.round_create(
        by=reviewer,
        fields=round_fields(tree.province, title="Sơ kết 2024", held_on=datetime.date(2024, 6, 1)),
    )
    response = client_for(reviewer).get(reverse("reviews:round_list"))
    assert response.status_code == 200
    rounds = list(response.context["rounds"])
    assert rounds == [published_round, older]
    assert [r.commendation_count for r in rounds] == [1, 0]
    body = page(response)
    assert "Tổng kết" in body and "01/01/2025 – 31/12/2025" in body and "Tỉnh Thái Nguyên" in body
    assert reverse("reviews:round_create") in body


def test_list_counts_only_commendations_in_force(client_for, published_round, reviewer):
    services.commendation_revoke(commendation=line_of(published_round), by=reviewer, reason="Sai")
    response = client_for(reviewer).get(reverse("reviews:round_list"))
    assert response.context["rounds"][0].commendation_count == 0


def test_list_has_no_create_button_for_cadres(client_for, cadre):
    response = client_for(cadre).get(reverse("reviews:round_list"))
    assert response.status_code == 200
    assert reverse("reviews:round_create") not in page(response)


def test_list_query_count_does_not_grow_with_rounds(client_for, tree, reviewer):
    client = client_for(reviewer)
    models = [recognised(tree.ward) for _ in range(3)]

    def add_rounds(count):
        for _ in range(count):
            title = f"Đợt {CommendationRound.objects.count() + 1}"
            commendation_round = services.round_create(
                by=reviewer, fields=round_fields(tree.province, title=title)
            )
            for model in models:
                services.commendation_nominate(
                    commendation_round=commendation_round,
                    by=reviewer,
                    model=model,
                    form=CommendationForm.PRAISE,
                )

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("reviews:round_list")).status_code == 200
        return len(captured)

    add_rounds(3)
    few = queries()
    add_rounds(27)
    assert queries() == few


def test_nav_link_for_reviewers_and_admins_only(client_for, reviewer, admin_user, cadre):
    link = f'href="{reverse("reviews:round_list")}"'
    assert link in page(client_for(reviewer).get(reverse("home")))
    assert link in page(client_for(admin_user).get(reverse("home")))
    assert link not in page(client_for(cadre).get(reverse("home")))


# --- create and edit --------------------------------------------------------------------------


def round_post(unit, **overrides):
    data = {
        "title": "Sơ kết 6 tháng đầu năm 2026",
        "kind": "interim",
        "period_start": "01/01/2026",
        "period_end": "30/06/2026",
        "organising_unit": unit.pk,
        "held_on": "15/07/2026",
    }
    data.update(overrides)
    return data


def test_create(client_for, tree, reviewer):
    client = client_for(reviewer)
    form_page = client.get(reverse("reviews:round_create"))
    assert form_page.status_code == 200
    assert "Tỉnh Thái Nguyên" in page(form_page)
    assert "Thành phố Hà Nội" not in page(form_page)  # units the reviewer does not manage
    response = client.post(reverse("reviews:round_create"), round_post(tree.province))
    created = CommendationRound.objects.get()
    assert response.status_code == 302 and response["Location"] == created.get_absolute_url()
    assert created.period_start == datetime.date(2026, 1, 1)
    assert created.held_on == datetime.date(2026, 7, 15)
    assert created.status == RoundStatus.DRAFT and created.created_by == reviewer
    assert created.events.get().action == RoundAction.CREATED


def test_create_with_bad_dates_keeps_what_was_typed(client_for, tree, reviewer):
    response = client_for(reviewer).post(
        reverse("reviews:round_create"),
        round_post(tree.province, period_start="31/02/2026", held_on="hôm nay"),
    )
    assert response.status_code == 400
    body = page(response)
    assert 'value="31/02/2026"' in body and 'value="hôm nay"' in body
    assert 'value="Sơ kết 6 tháng đầu năm 2026"' in body
    assert "dd/mm/yyyy" in body
    assert not CommendationRound.objects.exists()


def test_create_refuses_a_period_ending_before_it_starts(client_for, tree, reviewer):
    response = client_for(reviewer).post(
        reverse("reviews:round_create"), round_post(tree.province, period_end="01/12/2025")
    )
    assert response.status_code == 400
    assert "Ngày kết thúc kỳ phải sau ngày bắt đầu" in page(response)
    assert not CommendationRound.objects.exists()


def test_create_refuses_a_unit_the_user_does_not_manage(client_for, tree, reviewer, cadre):
    response = client_for(reviewer).post(
        reverse("reviews:round_create"), round_post(tree.other_province)
    )
    assert response.status_code == 400
    assert "Chỉ chọn được đơn vị" in page(response)
    assert not CommendationRound.objects.exists()


def test_update_a_draft(client_for, draft_round, reviewer):
    client = client_for(reviewer)
    assert 'value="18/11/2025"' in page(client.get(url("round_update", draft_round)))
    data = round_post(draft_round.organising_unit, title="Tổng kết 2025 (sửa)")
    response = client.post(url("round_update", draft_round), data)
    assert response.status_code == 302
    draft_round.refresh_from_db()
    assert draft_round.title == "Tổng kết 2025 (sửa)"
    assert draft_round.events.filter(action=RoundAction.UPDATED).exists()


def test_update_refuses_a_unit_that_leaves_lines_outside(client_for, tree, draft_round, reviewer):
    sibling = recognised(tree.other_ward, name="Mô hình phường Gia Sàng")
    services.commendation_nominate(
        commendation_round=draft_round, by=reviewer, model=sibling, form="praise"
    )
    response = client_for(reviewer).post(
        url("round_update", draft_round), round_post(tree.ward, title="Đợt của phường")
    )
    assert response.status_code == 400
    body = page(response)
    assert "Không đổi được đơn vị tổ chức sang Phường Chùa Hang" in body
    assert "1 mô hình, điển hình (“Mô hình phường Gia Sàng”)" in body
    draft_round.refresh_from_db()
    assert draft_round.organising_unit == tree.province
    assert draft_round.title != "Đợt của phường"


# --- building the list ------------------------------------------------------------------------


def suggestions(response) -> list[str]:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return [result["text"] for result in json.loads(response.content)["results"]]


def test_nominee_picker_suggests_recognised_models_in_scope(
    client_for, tree, draft_round, reviewer
):
    found = recognised(tree.ward, name="Dân vận khéo trong xây dựng nông thôn mới")
    DanVanModelFactory(
        owning_unit=tree.ward, status=Status.ACCEPTED, name="Dân vận khéo chưa công nhận"
    )
    recognised(tree.other_province_ward, name="Dân vận khéo ở Hà Nội")
    client = client_for(reviewer)
    response = client.get(url("round_nominees", draft_round), {"q": "DAN VAN KHEO nong thon"})
    assert json.loads(response.content)["results"] == [
        {
            "value": found.pk,
            "text": "Dân vận khéo trong xây dựng nông thôn mới",
            "context": "Phường Chùa Hang · Tập thể",
        }
    ]
    assert suggestions(client.get(url("round_nominees", draft_round), {"q": "ha noi"})) == []
    assert suggestions(client.get(url("round_nominees", draft_round))) == []


def test_nominee_picker_suggests_nothing_once_the_round_is_published(
    client_for, tree, reviewer, ward_round
):
    recognised(tree.ward, name="Dân vận khéo sau công bố")
    response = client_for(reviewer).get(url("round_nominees", ward_round), {"q": "dan van"})
    assert suggestions(response) == []


def test_without_the_script_the_page_search_fills_the_nominee_picker(
    client_for, tree, draft_round, reviewer
):
    recognised(tree.ward, name="Dân vận khéo trong xây dựng nông thôn mới")
    recognised(tree.other_province_ward, name="Dân vận khéo ở Hà Nội")
    body = page(client_for(reviewer).get(url("round_detail", draft_round), {"q": "dan van kheo"}))
    options = body.split('name="model"')[1].split("</select>")[0]
    assert "Dân vận khéo trong xây dựng nông thôn mới – Phường Chùa Hang" in options
    assert "Hà Nội" not in options


def test_nominate(client_for, tree, draft_round, reviewer):
    model = recognised(tree.residential, name="Tổ tự quản an ninh")
    response = client_for(reviewer).post(
        url("round_nominate", draft_round),
        {"model": model.pk, "form": CommendationForm.MERIT, "citation": "Giữ vững an ninh."},
    )
    assert response.status_code == 302
    line = draft_round.commendations.get(model=model)
    assert (line.form, line.citation) == (CommendationForm.MERIT, "Giữ vững an ninh.")
    assert draft_round.events.filter(action=RoundAction.NOMINATED, commendation=line).exists()


def test_nominate_refuses_a_model_not_recognised(client_for, tree, draft_round, reviewer):
    model = DanVanModelFactory(owning_unit=tree.ward, status=Status.ACCEPTED, name="Chưa xong")
    response = client_for(reviewer).post(
        url("round_nominate", draft_round),
        {"model": model.pk, "form": CommendationForm.PRAISE, "citation": "Thành tích đã gõ"},
    )
    assert response.status_code == 400
    body = page(response)
    assert "chưa được công nhận" in body
    assert "Thành tích đã gõ" in body  # kept as typed
    assert f'<option value="{model.pk}" selected>Chưa xong – Phường Chùa Hang</option>' in body
    assert not draft_round.commendations.filter(model=model).exists()


def test_nominate_refuses_a_model_outside_the_organising_unit(
    client_for, tree, reviewer, recognised_model
):
    ward_draft = services.round_create(by=reviewer, fields=round_fields(tree.ward))
    elsewhere = recognised(tree.other_ward, name="Mô hình phường Gia Sàng")
    response = client_for(reviewer).post(
        url("round_nominate", ward_draft), {"model": elsewhere.pk, "form": "praise"}
    )
    assert response.status_code == 400
    assert "không thuộc phạm vi của Phường Chùa Hang" in page(response)
    assert not ward_draft.commendations.exists()


def test_nominate_refuses_a_model_the_user_cannot_see(client_for, tree, draft_round, reviewer):
    hidden = recognised(tree.other_province_ward)
    response = client_for(reviewer).post(
        url("round_nominate", draft_round), {"model": hidden.pk, "form": "praise"}
    )
    assert response.status_code == 400
    body = page(response)
    assert "Mô hình, điển hình này không có trong phạm vi của bạn." in body
    assert f'value="{hidden.pk}"' not in body and hidden.name not in body  # never named
    assert not draft_round.commendations.filter(model=hidden).exists()


def test_change_and_remove_a_line_of_a_draft(client_for, draft_round, reviewer):
    client = client_for(reviewer)
    line = line_of(draft_round)
    prefix = f"dong-{line.pk}"
    response = client.post(
        url("commendation_update", draft_round, line),
        {f"{prefix}-form": CommendationForm.MERIT, f"{prefix}-citation": "Nội dung mới"},
    )
    assert response.status_code == 302
    line.refresh_from_db()
    assert (line.form, line.citation) == (CommendationForm.MERIT, "Nội dung mới")
    response = client.post(url("commendation_remove", draft_round, line))
    assert response.status_code == 302
    assert not draft_round.commendations.exists()
    assert draft_round.events.filter(action=RoundAction.REMOVED).exists()


def test_a_bad_line_form_is_shown_with_the_line_open(client_for, draft_round, reviewer):
    line = line_of(draft_round)
    prefix = f"dong-{line.pk}"
    response = client_for(reviewer).post(
        url("commendation_update", draft_round, line),
        {f"{prefix}-form": "huan-chuong", f"{prefix}-citation": "Đã gõ"},
    )
    assert response.status_code == 400
    assert f'class="collapse show" id="sua-khen-{line.pk}"' in page(response)
    line.refresh_from_db()
    assert line.form == CommendationForm.CERTIFICATE


def test_line_of_another_round_is_not_found(client_for, draft_round, ward_round, reviewer):
    foreign = line_of(ward_round)
    response = client_for(reviewer).post(url("commendation_remove", draft_round, foreign))
    assert response.status_code == 404
    assert Commendation.objects.filter(pk=foreign.pk).exists()


# --- decision and publication -----------------------------------------------------------------


def test_record_the_decision_and_download_its_file(client_for, draft_round, reviewer, cadre):
    client = client_for(reviewer)
    assert client.get(url("round_decision", draft_round)).status_code == 200
    response = client.post(
        url("round_decision", draft_round), {**DECISION, "upload": upload("QĐ 15.pdf", PDF)}
    )
    assert response.status_code == 302
    draft_round.refresh_from_db()
    assert draft_round.decision_number == "15/QĐ-BDVTU"
    assert draft_round.decision_date == datetime.date(2025, 11, 18)
    assert draft_round.decision_file_name == "QĐ 15.pdf"
    detail = page(client.get(url("round_detail", draft_round)))
    assert "15/QĐ-BDVTU" in detail and url("round_decision_file", draft_round) in detail
    download = client.get(url("round_decision_file", draft_round))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert "Q%C4%90%2015.pdf" in download["Content-Disposition"]  # the original name


def test_decision_file_must_be_a_scan(client_for, draft_round, reviewer):
    docx = office_file("word/document.xml")
    response = client_for(reviewer).post(
        url("round_decision", draft_round), {**DECISION, "upload": upload("qd.docx", docx)}
    )
    assert response.status_code == 400
    body = page(response)
    assert "PDF hoặc ảnh JPG, PNG" in body and 'value="15/QĐ-BDVTU"' in body
    draft_round.refresh_from_db()
    assert draft_round.decision_number == "" and not draft_round.decision_file


def test_decision_refuses_a_date_in_the_future(client_for, draft_round, reviewer):
    response = client_for(reviewer).post(
        url("round_decision", draft_round),
        {**DECISION, "decided_on": f"01/01/{timezone.localdate().year + 1}"},
    )
    assert response.status_code == 400
    assert "không được sau hôm nay" in page(response)


def test_no_decision_file_answers_404(client_for, draft_round, reviewer):
    assert client_for(reviewer).get(url("round_decision_file", draft_round)).status_code == 404


def test_decision_file_scoping(
    client, client_for, tree, reviewer, cadre, other_reviewer, recognised_model
):
    """The signed file follows its round: managers always, the unit's users once published."""
    signed = signed_decision("QĐ 7-QĐ-BDVP.pdf")
    content = signed.read()
    signed.seek(0)
    ward_round = services.round_create(by=reviewer, fields=round_fields(tree.ward))
    services.commendation_nominate(
        commendation_round=ward_round, by=reviewer, model=recognised_model, form="praise"
    )
    services.round_record_decision(
        commendation_round=ward_round,
        by=reviewer,
        number="7/QĐ-BDVP",
        decided_on=datetime.date(2025, 11, 18),
        signer="Trần Thị Lan",
        authority="Đảng ủy phường Chùa Hang",
        upload=signed,
    )
    address = url("round_decision_file", ward_round)

    def downloaded(user) -> bytes:
        response = client_for(user).get(address)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        return b"".join(response.streaming_content)

    assert login_redirect(client.get(address))
    assert client_for(other_reviewer).get(address).status_code == 404
    assert client_for(cadre).get(address).status_code == 404  # a draft's decision: managers only
    assert downloaded(reviewer) == content

    services.round_publish(commendation_round=ward_round, by=reviewer)
    client.logout()
    assert login_redirect(client.get(address))
    assert client_for(other_reviewer).get(address).status_code == 404
    assert downloaded(cadre) == content  # published: the ward's cadres read their decision
    assert downloaded(reviewer) == content
    # A cadre of a sibling ward sees neither the round nor its decision.
    sibling_cadre = user_with_role(tree.other_ward, Role.CADRE, username="canbo.giasang")
    assert client_for(sibling_cadre).get(address).status_code == 404


def test_publish_without_the_signed_file_is_refused(client_for, draft_round, reviewer):
    client = client_for(reviewer)
    client.post(url("round_decision", draft_round), DECISION)
    detail = page(client.get(url("round_detail", draft_round)))
    assert "Chưa tải lên tệp quyết định đã ký" in detail
    response = client.post(url("round_publish", draft_round), {"confirm": "on"})
    assert response.status_code == 400
    assert "Hãy tải lên tệp quyết định đã ký" in page(response)
    draft_round.refresh_from_db()
    assert draft_round.status == RoundStatus.DRAFT


def test_publish_without_a_decision_is_refused(client_for, draft_round, reviewer):
    response = client_for(reviewer).post(url("round_publish", draft_round), {"confirm": "on"})
    assert response.status_code == 400
    assert "Hãy ghi quyết định" in page(response)
    draft_round.refresh_from_db()
    assert draft_round.status == RoundStatus.DRAFT


def test_publish_needs_the_confirmation(client_for, draft_round, reviewer):
    client = client_for(reviewer)
    client.post(url("round_decision", draft_round), {**DECISION, "upload": signed_decision()})
    response = client.post(url("round_publish", draft_round), {})
    assert response.status_code == 400
    assert "Hãy đánh dấu xác nhận" in page(response)
    draft_round.refresh_from_db()
    assert draft_round.status == RoundStatus.DRAFT
    response = client.post(url("round_publish", draft_round), {"confirm": "on"})
    assert response.status_code == 302
    draft_round.refresh_from_db()
    assert draft_round.status == RoundStatus.PUBLISHED and draft_round.published_by == reviewer


# --- after publication ------------------------------------------------------------------------


def test_published_round_is_locked(client_for, tree, published_round, reviewer):
    client = client_for(reviewer)
    line = line_of(published_round)
    prefix = f"dong-{line.pk}"

    assert client.get(url("round_update", published_round)).status_code == 302
    response = client.post(
        url("round_update", published_round),
        round_post(tree.province, title="Đổi tên sau công bố"),
    )
    assert response.status_code == 400 and LOCKED in page(response)

    model = recognised(tree.ward)
    response = client.post(
        url("round_nominate", published_round), {"model": model.pk, "form": "praise"}
    )
    assert response.status_code == 400 and LOCKED in page(response)

    response = client.post(
        url("commendation_update", published_round, line),
        {f"{prefix}-form": "merit", f"{prefix}-citation": "Sửa lén"},
    )
    assert response.status_code == 400 and LOCKED in page(response)

    response = client.post(url("commendation_remove", published_round, line))
    assert response.status_code == 400 and LOCKED in page(response)

    assert client.get(url("round_decision", published_round)).status_code == 302
    response = client.post(url("round_decision", published_round), DECISION)
    assert response.status_code == 302

    published_round.refresh_from_db()
    line.refresh_from_db()
    assert published_round.title != "Đổi tên sau công bố"
    assert (line.form, line.citation) != ("merit", "Sửa lén")
    assert published_round.commendations.count() == 1
    assert not published_round.events.filter(
        action__in=[RoundAction.NOMINATED, RoundAction.CHANGED, RoundAction.REMOVED],
        created_at__gt=published_round.published_at,
    ).exists()


def test_published_round_page_offers_corrections_not_edits(client_for, published_round, reviewer):
    body = page(client_for(reviewer).get(url("round_detail", published_round)))
    line = line_of(published_round)
    assert url("commendation_correct", published_round, line) in body
    assert url("commendation_revoke", published_round, line) in body
    assert url("commendation_update", published_round, line) not in body
    assert url("round_publish", published_round) not in body


def test_correct_requires_a_reason_and_is_recorded(client_for, published_round, reviewer):
    client = client_for(reviewer)
    line = line_of(published_round)
    prefix = f"dong-{line.pk}"
    data = {f"{prefix}-form": "merit", f"{prefix}-citation": "Thành tích đính chính"}
    response = client.post(url("commendation_correct", published_round, line), data)
    assert response.status_code == 400
    assert "Hãy ghi lý do đính chính" in page(response)
    line.refresh_from_db()
    assert line.form == CommendationForm.CERTIFICATE
    assert not published_round.events.filter(action=RoundAction.CORRECTED).exists()

    data[f"{prefix}-reason"] = "Ghi nhầm hình thức khen"
    response = client.post(url("commendation_correct", published_round, line), data)
    assert response.status_code == 302
    line.refresh_from_db()
    assert (line.form, line.citation) == ("merit", "Thành tích đính chính")
    event = published_round.events.get(action=RoundAction.CORRECTED)
    assert event.commendation == line and event.actor == reviewer
    assert event.reason.startswith("Ghi nhầm hình thức khen")
    assert "Ghi nhầm hình thức khen" in page(client.get(url("round_detail", published_round)))


def test_revoke_requires_a_reason_and_stays_listed(client_for, published_round, reviewer):
    client = client_for(reviewer)
    line = line_of(published_round)
    address = url("commendation_revoke", published_round, line)
    response = client.post(address, {f"dong-{line.pk}-reason": "  "})
    assert response.status_code == 400
    assert "Hãy ghi lý do thu hồi" in page(response)
    line.refresh_from_db()
    assert line.revoked_at is None
    assert not published_round.events.filter(action=RoundAction.REVOKED).exists()

    response = client.post(address, {f"dong-{line.pk}-reason": "Hồ sơ kê khai không đúng"})
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.revoked_at is not None and line.revoked_reason == "Hồ sơ kê khai không đúng"
    event = published_round.events.get(action=RoundAction.REVOKED)
    assert event.reason == "Hồ sơ kê khai không đúng" and event.actor == reviewer

    body = page(client.get(url("round_detail", published_round)))
    assert f'id="khen-{line.pk}" class="revoked' in body
    assert "Đã thu hồi" in body and "Hồ sơ kê khai không đúng" in body
    assert url("commendation_revoke", published_round, line) not in body  # nothing more to do
    response = client.post(address, {f"dong-{line.pk}-reason": "Lần nữa"})
    assert response.status_code == 400 and "đã bị thu hồi" in page(response)


def test_detail_lists_lines_counts_and_log(client_for, tree, draft_round, reviewer):
    person = recognised(
        tree.ward,
        name="Điển hình dân vận khéo",
        actor=Actor.INDIVIDUAL,
        person_name="Hoàng Văn Bình",
        person_position="Bí thư chi bộ tổ dân phố 9",
    )
    services.commendation_nominate(
        commendation_round=draft_round, by=reviewer, model=person, form=CommendationForm.MERIT
    )
    response = client_for(reviewer).get(url("round_detail", draft_round))
    body = page(response)
    assert "Hoàng Văn Bình" in body and "Bí thư chi bộ tổ dân phố 9" in body
    assert "Hiến đất làm đường" in body and "Phường Chùa Hang" in body
    counts = {row.label: (row.collective, row.individual) for row in response.context["counts"]}
    assert counts == {"Bằng khen": (0, 1), "Giấy khen": (1, 0)}
    assert response.context["count_total"].total == 2
    assert "Đưa vào danh sách" in body and "Tạo đợt biểu dương" in body  # the event log


# --- the model page's panel -------------------------------------------------------------------


def test_model_panel_shows_commendations_once_published(
    client_for, tree, draft_round, reviewer, cadre, recognised_model
):
    model_url = recognised_model.get_absolute_url()
    assert "Khen thưởng, biểu dương" not in page(client_for(cadre).get(model_url))
    # The reviewer who builds the round sees the draft line, marked as not yet published.
    reviewer_view = page(client_for(reviewer).get(model_url))
    assert "Khen thưởng, biểu dương" in reviewer_view and "Chưa công bố" in reviewer_view

    publish(draft_round, reviewer)
    cadre_view = page(client_for(cadre).get(model_url))
    assert "Khen thưởng, biểu dương" in cadre_view
    assert "Giấy khen" in cadre_view and draft_round.title in cadre_view
    assert "Quyết định số 15/QĐ-BDVTU ngày 18/11/2025" in cadre_view
    # The province's round is outside the ward cadre's scope: named, not linked.
    assert draft_round.get_absolute_url() not in cadre_view
    assert draft_round.get_absolute_url() in page(client_for(reviewer).get(model_url))

    services.commendation_revoke(commendation=line_of(draft_round), by=reviewer, reason="Sai sót")
    cadre_view = page(client_for(cadre).get(model_url))
    assert "Đã thu hồi" in cadre_view and "Sai sót" in cadre_view


def test_model_panel_lists_commendations_across_rounds(
    client_for, tree, published_round, ward_round, reviewer, cadre, recognised_model
):
    body = page(client_for(cadre).get(recognised_model.get_absolute_url()))
    start = body.index("commendations-panel")
    panel = body[start : body.index("</section>", start)]
    assert "Giấy khen" in panel and published_round.title in panel
    assert "Biểu dương" in panel and ward_round.title in panel
    # Newest round first: both are held the same day, so the later one leads.
    assert panel.index(ward_round.title) < panel.index(published_round.title)
    # The ward's own round is open to its cadre; the province's is named, not linked.
    assert ward_round.get_absolute_url() in panel
    assert published_round.get_absolute_url() not in panel


def test_model_panel_is_hidden_without_commendations(client_for, recognised_model, reviewer):
    body = page(client_for(reviewer).get(recognised_model.get_absolute_url()))
    assert "Khen thưởng, biểu dương" not in body


def test_decision_file_with_active_content_is_refused(client_for, draft_round, reviewer):
    from tests.hostile.uploads import PDF_ACTIVE

    pdf = upload("QĐ 15.pdf", PDF_ACTIVE["js-in-object-stream"])
    response = client_for(reviewer).post(
        url("round_decision", draft_round), {**DECISION, "upload": pdf}
    )
    assert response.status_code == 400
    assert "chứa nội dung tự chạy" in page(response)
    draft_round.refresh_from_db()
    assert not draft_round.decision_file


def test_decision_scan_is_stored_without_location_and_pdf_downloads(
    client_for, draft_round, reviewer
):
    from tests.hostile.uploads import jpeg_with_gps

    client = client_for(reviewer)
    scan = upload("QĐ 15.jpg", jpeg_with_gps())
    response = client.post(url("round_decision", draft_round), {**DECISION, "upload": scan})
    assert response.status_code == 302
    download = client.get(url("round_decision_file", draft_round))
    body = b"".join(download.streaming_content)
    assert b"GPS" not in body and body.startswith(b"\xff\xd8")
    assert download["Content-Security-Policy"] == "sandbox"
    assert download["X-Content-Type-Options"] == "nosniff"
    client.post(url("round_decision", draft_round), {**DECISION, "upload": upload("QĐ.pdf", PDF)})
    download = client.get(url("round_decision_file", draft_round))
    assert download["Content-Disposition"].startswith("attachment;")


def test_create_posted_twice_opens_one_round(client_for, tree, reviewer):
    client = client_for(reviewer)
    first = client.post(reverse("reviews:round_create"), round_post(tree.province))
    second = client.post(reverse("reviews:round_create"), round_post(tree.province))
    created = CommendationRound.objects.get()
    assert first.status_code == 302
    assert second.status_code == 400
    assert "Đã có đợt “Sơ kết 6 tháng đầu năm 2026”" in page(second)
    assert created.events.get().action == RoundAction.CREATED
    # Another round of the same unit and period (another title) can still be opened.
    client.post(reverse("reviews:round_create"), round_post(tree.province, title="Đợt bổ sung"))
    assert CommendationRound.objects.count() == 2
