"""The registration printed as the official form: a PDF and a .docx read back, and their scope."""

import io
import re
import unicodedata
from urllib.parse import unquote

import pytest
from django.urls import reverse
from docx import Document
from pypdf import PdfReader

from models_registry.choices import Status
from organisations.choices import Role
from tests.factories import DanVanModelFactory, user_with_role

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
TITLE = "PHIẾU ĐĂNG KÝ MÔ HÌNH “DÂN VẬN KHÉO”"
ANSWERS = {
    "situation": "Đường liên thôn lầy lội, người dân đi lại khó khăn.",
    "goals": "Bê tông hóa 2 km đường liên thôn.",
    "content": "Vận động nhân dân hiến đất, góp ngày công làm đường.",
    "target_group": "Các hộ dân trong thôn Nà Pài.",
    "forces": "Chi bộ lãnh đạo, Ban công tác Mặt trận vận động.",
    "resources_note": "Vật liệu do doanh nghiệp ủng hộ.",
    "schedule": "Quý II: vận động; quý III: thi công.",
    "outputs": "2 km đường bê tông, 1.200 m² đất được hiến.",
    "sustainability": "Nhân dân tự quản, bảo dưỡng; nhân rộng ra các thôn khác.",
}


@pytest.fixture
def model(tree):
    return DanVanModelFactory(
        owning_unit=tree.ward,
        name="Hiến đất làm đường ở tổ dân phố Đồng Quý",
        status=Status.SUBMITTED,
        funds=150_000_000,
        workdays=1_250,
        **ANSWERS,
    )


def words(text: str) -> str:
    """Text with its whitespace collapsed (a PDF breaks lines where the page ends)."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def docx_text(document) -> str:
    """The paragraphs of a document and of its tables' cells (the heading, the signatures)."""
    cells = [
        paragraph.text
        for table in document.tables
        for cell in table.rows[0].cells
        for paragraph in cell.paragraphs
    ]
    return " ".join([paragraph.text for paragraph in document.paragraphs] + cells)


def expected_texts(model) -> list[str]:
    return [NATION, MOTTO, TITLE, model.name, "150.000.000", "1.250", *ANSWERS.values()]


def pdf_of(response):
    return PdfReader(io.BytesIO(b"".join(response.streaming_content)))


def download(client, model, extension):
    return client.get(reverse(f"models_registry:model_print_{extension}", args=[model.pk]))


def test_the_pdf_is_an_a4_registration_form_with_every_answer(client_for, cadre, model):
    response = download(client_for(cadre), model, "pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.content))
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(width - 595.3) < 1 and abs(height - 841.9) < 1
    text = words(" ".join(page.extract_text() for page in reader.pages))
    for expected in expected_texts(model):
        assert words(expected) in text
    for number in range(1, 11):
        assert re.search(rf"\b{number}\. \S", text)
    assert "NGƯỜI ĐĂNG KÝ" in text
    assert "PHƯỜNG CHÙA HANG" in text
    # A typical registration fits on two pages.
    assert len(reader.pages) <= 2
    # In the font shipped with the portal (its @font-face family), whatever the server has.
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert fonts and all("+Form-Serif" in font for font in fonts)


def test_typed_markup_is_printed_as_text_and_fetches_nothing(client_for, cadre, tree):
    typed = '<img src="file:///etc/passwd"> <b>Nuôi Dê</b> & <style>@import "http://x"</style>'
    model = DanVanModelFactory(owning_unit=tree.ward, name="Nuôi Dê", content=typed)
    for extension in ("pdf", "docx"):
        response = download(client_for(cadre), model, extension)
        if extension == "pdf":
            reader = PdfReader(io.BytesIO(response.content))
            text = words(" ".join(page.extract_text() for page in reader.pages))
        else:
            text = words(docx_text(Document(io.BytesIO(response.content))))
        assert words(typed) in text


def test_a_blank_draft_prints_dots_to_fill_in(client_for, cadre, tree):
    blank = DanVanModelFactory(
        owning_unit=tree.ward, name="", situation="", goals="", contact_name="", contact_phone=""
    )
    response = download(client_for(cadre), blank, "docx")
    assert response.status_code == 200
    assert unquote(response["Content-Disposition"]).endswith(f"Phiếu đăng ký - {blank.pk}.docx")
    text = docx_text(Document(io.BytesIO(response.content)))
    assert "ngày …… tháng …… năm" in text
    assert text.count("……………………") >= 4
    assert download(client_for(cadre), blank, "pdf").content.startswith(b"%PDF")


def test_the_docx_holds_the_same_form_on_a4_with_official_margins(client_for, cadre, model):
    response = download(client_for(cadre), model, "docx")

    assert response.status_code == 200
    document = Document(io.BytesIO(response.content))
    section = document.sections[0]
    sizes = [
        round(length.mm)
        for length in (section.page_width, section.page_height, section.top_margin)
        + (section.bottom_margin, section.left_margin, section.right_margin)
    ]
    assert sizes == [210, 297, 20, 20, 30, 15]
    assert document.styles["Normal"].font.name == "Times New Roman"
    text = words(docx_text(document))
    for expected in expected_texts(model):
        assert words(expected) in text
    assert "NGƯỜI ĐĂNG KÝ" in text
    headings = [p.text for p in document.paragraphs if p.runs and p.runs[0].bold]
    numbered = [h for h in headings if re.match(r"\d+\. ", h)]
    assert [int(h.split(".")[0]) for h in numbered] == list(range(1, 11))


def test_an_exemplar_is_titled_as_one(client_for, cadre, tree):
    exemplar = DanVanModelFactory(
        owning_unit=tree.ward,
        kind="exemplar",
        actor="individual",
        name="Ông Nông Văn Hạnh – Trưởng Ban công tác Mặt trận tổ 15",
        person_name="Nông Văn Hạnh",
        person_position="Trưởng Ban công tác Mặt trận tổ 15",
    )
    document = Document(io.BytesIO(download(client_for(cadre), exemplar, "docx").content))
    text = words(" ".join(p.text for p in document.paragraphs))
    assert "PHIẾU ĐĂNG KÝ ĐIỂN HÌNH “DÂN VẬN KHÉO”" in text
    assert "Họ và tên: Nông Văn Hạnh" in text


@pytest.mark.parametrize("extension", ["pdf", "docx"])
def test_the_file_is_a_download_named_in_vietnamese(client_for, cadre, model, extension):
    response = download(client_for(cadre), model, extension)

    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    named = unquote(disposition.split("filename*=UTF-8''")[1])
    assert named == f"Phiếu đăng ký - {model.name}.{extension}"
    fallback = re.search(r'filename="([^"]+)"', disposition).group(1)
    assert fallback.isascii() and fallback.endswith(f".{extension}")
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("extension", ["pdf", "docx"])
def test_only_those_who_see_the_model_print_it(client, client_for, tree, model, extension):
    assert reverse("login") in download(client, model, extension)["Location"]
    other_cadre = user_with_role(tree.other_ward, Role.CADRE, username="canbo.giasang")
    assert download(client_for(other_cadre), model, extension).status_code == 404
    reviewer = user_with_role(tree.province, Role.REVIEWER, username="thamdinh.tinh")
    assert download(client_for(reviewer), model, extension).status_code == 200


def test_the_model_page_links_to_both_printouts(client_for, cadre, model):
    page = client_for(cadre).get(model.get_absolute_url()).content.decode()
    assert reverse("models_registry:model_print_pdf", args=[model.pk]) in page
    assert reverse("models_registry:model_print_docx", args=[model.pk]) in page
    assert "In phiếu đăng ký (PDF)" in page
