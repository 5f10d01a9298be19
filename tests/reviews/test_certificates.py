"""The round's certificates (PDF and the print page) and annex headed by the issuing body's
convention, with the signer's capacity, title and name, and without words printed twice."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from models_registry.choices import Actor, Status
from organisations.choices import DocumentHeading, SigningCapacity
from organisations.models import Organisation
from reviews import services
from reviews.choices import CommendationForm
from reviews.models import CommendationRound
from tests.factories import DanVanModelFactory
from tests.reviews.conftest import nominated_decided_published, round_fields

PARTY = "ĐẢNG CỘNG SẢN VIỆT NAM"
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"


def decided_round(
    tree, reviewer, *, authority, number, heading="", title="Tổng kết năm 2025", **signer
):
    """A province round with two lines in force (a collective, an individual) and one revoked,
    its decision recorded as typed."""
    commendation_round = services.round_create(
        by=reviewer, fields=round_fields(tree.province, title=title)
    )
    lines = [
        (
            DanVanModelFactory(
                owning_unit=tree.ward, status=Status.RECOGNISED, name="Hiến đất làm đường"
            ),
            CommendationForm.MERIT,
            # Typed with the words the certificate prints before it.
            "Đã có thành tích: Đã có thành tích xuất sắc trong vận động hiến đất làm đường.",
        ),
        (
            DanVanModelFactory(
                owning_unit=tree.residential,
                status=Status.RECOGNISED,
                actor=Actor.INDIVIDUAL,
                person_name="Hoàng Văn Bình",
                person_position="Tổ trưởng",
            ),
            CommendationForm.CERTIFICATE,
            "Tiêu biểu trong giữ gìn an ninh trật tự.",
        ),
        (
            DanVanModelFactory(owning_unit=tree.ward, status=Status.RECOGNISED, name="Thu hồi"),
            CommendationForm.PRAISE,
            "Kê khai sai.",
        ),
    ]
    return nominated_decided_published(
        reviewer,
        commendation_round,
        lines,
        revoked="Thu hồi",
        reason="Kê khai sai",
        number=number,
        authority=authority,
        heading=heading,
        **signer,
    )


@pytest.fixture
def party_round(tree, reviewer):
    Organisation.objects.filter(pk=tree.province.pk).update(
        document_superior="Tỉnh ủy Thái Nguyên", document_abbreviation="BDVTU"
    )
    return decided_round(
        tree,
        reviewer,
        authority="Ban Dân vận Tỉnh ủy",
        number="Quyết định số 15-QĐ/BDVTU",
        signer_title="Phó Trưởng ban",
        signing_capacity=SigningCapacity.DEPUTY,
        signing_for="Trưởng ban",
    )


@pytest.fixture
def state_round(tree, reviewer):
    return decided_round(
        tree,
        reviewer,
        authority="Ủy ban nhân dân tỉnh Thái Nguyên",
        number="Số: 27/QĐ-UBND",
        title="Sơ kết 6 tháng đầu năm 2025",
        signer_title="Chủ tịch",
        signing_capacity=SigningCapacity.ON_BEHALF,
    )


def pdf_pages(client, commendation_round) -> list[str]:
    response = client.get(reverse("reviews:round_certificates_pdf", args=[commendation_round.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="khen-thuong-')
    assert disposition.endswith('.pdf"')
    reader = PdfReader(io.BytesIO(response.content))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def test_the_decision_number_is_kept_without_the_words_typed_before_it(party_round, state_round):
    assert party_round.decision_number == "15-QĐ/BDVTU"
    assert state_round.decision_number == "27/QĐ-UBND"
    assert party_round.decision_signer_title == "Phó Trưởng ban"
    assert party_round.decision_signing_capacity == SigningCapacity.DEPUTY


def test_certificates_pdf_of_a_party_body(client_for, party_round, reviewer):
    address = reverse("reviews:round_certificates_pdf", args=[party_round.pk])
    assert client_for(reviewer).get(address)["Content-Disposition"] == (
        'attachment; filename="khen-thuong-tong-ket-nam-2025.pdf"'
    )
    pages = pdf_pages(client_for(reviewer), party_round)
    assert len(pages) == 2  # the revoked line is not printed
    merit, certificate = pages
    for text in pages:
        assert PARTY in text and NATION not in text and MOTTO not in text
        assert "TỈNH ỦY THÁI NGUYÊN BAN DÂN VẬN TỈNH ỦY" in text
        assert "Quyết định số 15-QĐ/BDVTU ngày 18/11/2025" in text
        assert "Thái Nguyên, ngày 18 tháng 11 năm 2025" in text
        assert "K/T TRƯỞNG BAN PHÓ TRƯỞNG BAN" in text and "Trần Thị Lan" in text
        assert "Dự thảo" not in text and "DỰ THẢO" not in text
    assert "BẰNG KHEN" in merit and "Hiến đất làm đường" in merit
    # Typed twice over, printed once.
    assert "Đã có thành tích xuất sắc trong vận động hiến đất làm đường." in merit
    assert merit.count("thành tích") == 1
    assert "GIẤY KHEN" in certificate and "Hoàng Văn Bình" in certificate
    assert "Đã có thành tích: Tiêu biểu trong giữ gìn an ninh trật tự." in certificate
    assert "Quyết định số Quyết định" not in merit + certificate


def test_certificates_pdf_of_a_state_body(client_for, state_round, reviewer):
    pages = pdf_pages(client_for(reviewer), state_round)
    assert len(pages) == 2
    for text in pages:
        assert NATION in text and MOTTO in text and PARTY not in text
        assert "ỦY BAN NHÂN DÂN TỈNH THÁI NGUYÊN" in text
        assert "Quyết định số 27/QĐ-UBND ngày 18/11/2025" in text
        assert "Số: 27" not in text
        assert "TM. ỦY BAN NHÂN DÂN TỈNH THÁI NGUYÊN CHỦ TỊCH" in text


def test_an_explicit_heading_overrides_the_authoritys_name(client_for, tree, reviewer):
    commendation_round = decided_round(
        tree,
        reviewer,
        authority="Ủy ban nhân dân tỉnh Thái Nguyên",
        number="3/QĐ-BDVTU",
        heading=DocumentHeading.PARTY,
        title="Biểu dương năm 2025",
    )
    pages = pdf_pages(client_for(reviewer), commendation_round)
    assert PARTY in pages[0] and NATION not in pages[0]


def test_a_draft_is_marked_and_left_blank(client_for, draft_round, reviewer):
    pages = pdf_pages(client_for(reviewer), draft_round)
    assert len(pages) == 1
    # The province's own convention (State by default) and dots where nothing is decided.
    assert NATION in pages[0] and "DỰ THẢO" in pages[0].upper()
    assert "Quyết định số …………… ngày ……/……/………" in pages[0]
    assert "ngày …… tháng …… năm ………" in pages[0]


def test_certificates_pdf_scope(client, client_for, party_round, cadre, other_reviewer):
    address = reverse("reviews:round_certificates_pdf", args=[party_round.pk])
    response = client.get(address)
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert client_for(other_reviewer).get(address).status_code == 404
    assert client_for(cadre).get(address).status_code == 404  # a ward cadre, a province round


def test_print_page_has_the_same_heading_and_signature(client_for, party_round, reviewer):
    response = client_for(reviewer).get(reverse("reviews:round_print", args=[party_round.pk]))
    body = response.content.decode()
    assert body.count(PARTY) == 2 and NATION not in body
    assert body.count('<div class="cert-signature-title fw-bold">K/T TRƯỞNG BAN</div>') == 2
    assert body.count('<div class="cert-signature-title fw-bold">PHÓ TRƯỞNG BAN</div>') == 2
    assert "Đã có thành tích: Đã có thành tích" not in body
    assert reverse("reviews:round_certificates_pdf", args=[party_round.pk]) in body


def test_annex_is_headed_and_signed_by_the_issuing_body(client_for, party_round, reviewer):
    response = client_for(reviewer).get(reverse("reviews:round_annex", args=[party_round.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert [sheet[f"A{row}"].value for row in (1, 2, 3)] == [
        "TỈNH ỦY THÁI NGUYÊN",
        "BAN DÂN VẬN TỈNH ỦY",
        "*",
    ]
    assert sheet["A2"].font.b and not sheet["A1"].font.b
    assert sheet["C1"].value == PARTY and sheet["C1"].font.u == "single"
    assert sheet["C2"].value is None
    assert sheet["A5"].value == (
        "KÈM THEO QUYẾT ĐỊNH SỐ 15-QĐ/BDVTU NGÀY 18/11/2025 CỦA BAN DÂN VẬN TỈNH ỦY"
    )
    values = [cell.value for row in sheet.iter_rows(min_col=3, max_col=3) for cell in row]
    signature = values[values.index("K/T TRƯỞNG BAN") :]
    assert [value for value in signature if value] == [
        "K/T TRƯỞNG BAN",
        "PHÓ TRƯỞNG BAN",
        "Trần Thị Lan",
    ]


def test_annex_of_a_state_body(client_for, state_round, reviewer):
    response = client_for(reviewer).get(reverse("reviews:round_annex", args=[state_round.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet["A1"].value == "ỦY BAN NHÂN DÂN TỈNH THÁI NGUYÊN" and sheet["A2"].value is None
    assert sheet["C1"].value == NATION and sheet["C2"].value == MOTTO
    assert sheet["C2"].font.u == "single" and sheet["C1"].font.u is None
    assert "QUYẾT ĐỊNH SỐ 27/QĐ-UBND NGÀY" in sheet["A5"].value


def test_the_decision_form_records_the_heading_and_the_signer(client_for, draft_round, reviewer):
    client = client_for(reviewer)
    address = reverse("reviews:round_decision", args=[draft_round.pk])
    page = client.get(address).content.decode()
    assert "Chức vụ của người ký" in page and "Thể thức văn bản" in page
    assert "Ký thay (KT.)" in page
    response = client.post(
        address,
        {
            "number": "Quyết định số 15/QĐ-BDVTU",
            "decided_on": "18/11/2025",
            "signer": "Trần Thị Lan",
            "authority": "Ủy ban MTTQ Việt Nam tỉnh",
            "heading": "party",
            "signer_title": "Phó Chủ tịch",
            "signing_capacity": "on_behalf",
            "signing_for": "Ban Thường trực",
        },
    )
    assert response.status_code == 302
    draft_round.refresh_from_db()
    assert draft_round.decision_number == "15/QĐ-BDVTU"
    assert draft_round.decision_heading == DocumentHeading.PARTY
    assert draft_round.decision_signer_title == "Phó Chủ tịch"
    assert draft_round.decision_signing_capacity == SigningCapacity.ON_BEHALF
    assert draft_round.decision_signing_for == "Ban Thường trực"
    # Shown again as recorded.
    page = client.get(address).content.decode()
    assert 'value="Phó Chủ tịch"' in page and 'value="Ban Thường trực"' in page


def test_a_number_of_only_leading_words_is_refused(client_for, draft_round, reviewer):
    response = client_for(reviewer).post(
        reverse("reviews:round_decision", args=[draft_round.pk]),
        {
            "number": "Quyết định số",
            "decided_on": "18/11/2025",
            "signer": "Trần Thị Lan",
            "authority": "Ban Dân vận Tỉnh ủy",
        },
    )
    assert response.status_code == 400
    assert "Hãy nhập số quyết định." in response.content.decode()


def test_a_number_recorded_with_its_words_before_is_printed_once(client_for, party_round, reviewer):
    # Rounds recorded before numbers were kept bare still hold what was typed.
    CommendationRound.objects.filter(pk=party_round.pk).update(
        decision_number="Quyết định số 15-QĐ/BDVTU"
    )
    client = client_for(reviewer)
    pages = pdf_pages(client, party_round)
    assert "Quyết định số 15-QĐ/BDVTU ngày 18/11/2025" in pages[0]
    assert "Quyết định số Quyết định" not in pages[0]
    response = client.get(reverse("reviews:round_annex", args=[party_round.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet["A5"].value.startswith("KÈM THEO QUYẾT ĐỊNH SỐ 15-QĐ/BDVTU NGÀY")
