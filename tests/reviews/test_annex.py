"""The annex workbook (danh sách kèm theo quyết định) and the print view of a round."""

import io
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from openpyxl import load_workbook

from models_registry.choices import Actor, Status
from reviews import services
from reviews.annex import annex_filename
from reviews.choices import CommendationForm
from tests.factories import DanVanModelFactory
from tests.reviews.conftest import nominated_decided_published, round_fields

FORMULA = '=HYPERLINK("http://example.com","Bấm vào đây")'


def recognised(unit, **kwargs):
    return DanVanModelFactory(owning_unit=unit, status=Status.RECOGNISED, **kwargs)


@pytest.fixture
def commended_round(tree, reviewer):
    """A published province round: collectives and an individual, one line revoked afterwards."""
    commendation_round = services.round_create(
        by=reviewer, fields=round_fields(tree.province, title="Tổng kết năm 2025")
    )
    lines = [
        (
            recognised(tree.ward, name="Hiến đất mở đường thôn Nà Pài"),
            CommendationForm.MERIT,
            "Dẫn đầu phong trào hiến đất làm đường.",
        ),
        (
            recognised(
                tree.residential,
                name="Điển hình tổ trưởng dân vận khéo",
                actor=Actor.INDIVIDUAL,
                person_name="Hoàng Văn Bình",
                person_position="Tổ trưởng tổ dân phố 9",
                field="security_defence",
            ),
            CommendationForm.MERIT,
            FORMULA,
        ),
        (
            recognised(tree.other_ward, name="Chợ văn minh Gia Sàng", field="culture_society"),
            CommendationForm.PRAISE,
            "Xây dựng chợ văn minh.",
        ),
        (
            recognised(tree.ward, name="Mô hình bị thu hồi"),
            CommendationForm.CERTIFICATE,
            "Kê khai sai.",
        ),
    ]
    return nominated_decided_published(
        reviewer,
        commendation_round,
        lines,
        revoked="Mô hình bị thu hồi",
        reason="Hồ sơ kê khai không đúng",
        number="15/QĐ-BDVTU",
        authority="Ban Dân vận Tỉnh ủy Thái Nguyên",
    )


def download(client, commendation_round):
    response = client.get(reverse("reviews:round_annex", args=[commendation_round.pk]))
    assert response.status_code == 200
    return response, load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def rows_after_header(sheet):
    """Every non-empty row below the column headers, as tuples without trailing blanks."""
    rows = []
    for values in sheet.iter_rows(min_row=9, max_col=5, values_only=True):
        values = list(values)
        while values and values[-1] is None:
            values.pop()
        if values:
            rows.append(tuple(values))
    return rows


def test_annex_title_sections_and_values(client_for, commended_round, reviewer):
    response, workbook = download(client_for(reviewer), commended_round)
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert 'filename="danh-sach-kem-theo-qd-15-qd-bdvtu.xlsx"' in response["Content-Disposition"]
    sheet = workbook.active
    # Headed by the authority, a Party body by its name: under the Party's line.
    assert sheet["A1"].value == "BAN DÂN VẬN TỈNH ỦY THÁI NGUYÊN"
    assert sheet["A2"].value == "*"
    assert sheet["C1"].value == "ĐẢNG CỘNG SẢN VIỆT NAM"
    assert sheet["A4"].value == "DANH SÁCH TẬP THỂ, CÁ NHÂN ĐƯỢC KHEN THƯỞNG, BIỂU DƯƠNG"
    assert sheet["A5"].value == (
        "KÈM THEO QUYẾT ĐỊNH SỐ 15/QĐ-BDVTU NGÀY 18/11/2025 CỦA BAN DÂN VẬN TỈNH ỦY THÁI NGUYÊN"
    )
    assert sheet["A6"].value == "Tổng kết năm 2025"
    headers = [cell.value for cell in sheet[8]]
    assert headers == [
        "STT",
        "Tên tập thể / Họ và tên cá nhân",
        "Chức vụ – đơn vị",
        "Lĩnh vực",
        "Thành tích",
    ]
    assert rows_after_header(sheet) == [
        ("I. BẰNG KHEN",),
        ("1. Tập thể",),
        (
            1,
            "Hiến đất mở đường thôn Nà Pài",
            "Phường Chùa Hang",
            "Kinh tế",
            "Dẫn đầu phong trào hiến đất làm đường.",
        ),
        ("2. Cá nhân",),
        (
            1,
            "Hoàng Văn Bình",
            "Tổ trưởng tổ dân phố 9 – Tổ dân phố 9",
            "Quốc phòng – an ninh",
            "'" + FORMULA,
        ),
        ("II. BIỂU DƯƠNG",),
        ("1. Tập thể",),
        (
            1,
            "Chợ văn minh Gia Sàng",
            "Phường Gia Sàng",
            "Văn hóa – xã hội",
            "Xây dựng chợ văn minh.",
        ),
        ("Danh sách có 2 tập thể và 1 cá nhân.",),
        (None, None, "Trần Thị Lan"),  # the signer, under the list
    ]


def test_annex_neutralises_formulas_and_leaves_out_revoked_lines(
    client_for, commended_round, reviewer
):
    _, workbook = download(client_for(reviewer), commended_round)
    sheet = workbook.active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    texts = " ".join(str(cell.value) for cell in cells)
    assert "Mô hình bị thu hồi" not in texts and "Kê khai sai" not in texts
    assert "GIẤY KHEN" not in texts  # the only Giấy khen was revoked


def test_annex_is_formatted_for_printing(client_for, commended_round, reviewer):
    _, workbook = download(client_for(reviewer), commended_round)
    sheet = workbook.active
    assert sheet.print_title_rows == "$8:$8"
    assert str(sheet.page_setup.paperSize) == str(sheet.PAPERSIZE_A4)
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    header = sheet["B8"]
    assert header.font.b and header.border.left.style == "thin"
    citation = sheet["E11"]
    assert citation.alignment.wrap_text and citation.border.bottom.style == "thin"
    assert sheet.column_dimensions["E"].width >= 50
    assert "A4:E4" in {str(merged) for merged in sheet.merged_cells.ranges}


def test_draft_annex_leaves_the_decision_blank(client_for, draft_round, reviewer):
    response, workbook = download(client_for(reviewer), draft_round)
    sheet = workbook.active
    assert sheet["A5"].value == "KÈM THEO QUYẾT ĐỊNH SỐ …………… NGÀY ……/……/………"
    assert "Dự thảo" in sheet["A7"].value
    assert (
        'filename="danh-sach-tong-ket-phong-trao-dan-van-kheo-nam-2025.xlsx"'
        in response["Content-Disposition"]
    )


def test_annex_filename_is_ascii(commended_round):
    commended_round.decision_number = "=7/QĐ-UBND ĐỨC XUÂN"
    assert annex_filename(commended_round) == "danh-sach-kem-theo-qd-7-qd-ubnd-duc-xuan.xlsx"


def test_annex_scope(client, client_for, commended_round, cadre, other_reviewer):
    address = reverse("reviews:round_annex", args=[commended_round.pk])
    assert client.get(address).status_code == 302
    assert client_for(other_reviewer).get(address).status_code == 404
    # The ward cadre is outside the province's round (a ward round is tested with the views).
    assert client_for(cadre).get(address).status_code == 404


# --- the print view ---------------------------------------------------------------------------


def test_print_has_one_page_per_commendation_in_force(client_for, commended_round, reviewer):
    response = client_for(reviewer).get(reverse("reviews:round_print", args=[commended_round.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('<article class="certificate"') == 3
    assert body.count('<div class="cert-title">BẰNG KHEN</div>') == 2
    assert body.count('<div class="cert-title">BIỂU DƯƠNG</div>') == 1
    assert "GIẤY KHEN" not in body and "Mô hình bị thu hồi" not in body
    assert "Hoàng Văn Bình" in body and "Tổ trưởng tổ dân phố 9 – Tổ dân phố 9" in body
    assert "BAN DÂN VẬN TỈNH ỦY THÁI NGUYÊN" in body
    assert "Thái Nguyên, ngày 18 tháng 11 năm 2025" in body
    assert "Trần Thị Lan" in body and "Quyết định số 15/QĐ-BDVTU" in body
    # One certificate per A4 landscape page, from the portal's own stylesheet (no inline style
    # under the pages' Content-Security-Policy), and a print button its script answers.
    assert "/static/css/certificates.css" in body and "data-print" in body
    stylesheet = Path(finders.find("css/certificates.css")).read_text()
    assert "@page { size: A4 landscape" in stylesheet and "page-break-after: always" in stylesheet
    assert "@media print" in stylesheet
    assert "window.print()" in Path(finders.find("js/portal.js")).read_text()
    assert "Dự thảo" not in body


def test_print_of_a_draft_is_marked(client_for, draft_round, reviewer):
    body = client_for(reviewer).get(reverse("reviews:round_print", args=[draft_round.pk]))
    body = body.content.decode()
    assert body.count('<article class="certificate"') == 1
    assert '<div class="cert-draft">Dự thảo</div>' in body
    assert "ngày …… tháng …… năm ………" in body
