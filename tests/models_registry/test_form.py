"""The registration form: drafts, the mandatory check on submit, autosave, uploads, history."""

import json

import pytest
from django.urls import reverse

from models_registry.choices import Status
from models_registry.models import Attachment, DanVanModel, WorkflowEvent
from tests.factories import DanVanModelFactory
from tests.models_registry.conftest import JPEG, PDF, office_file, ole2_file, upload

CREATE = "/mo-hinh/them/"


def minimal(tree, **extra):
    data = {"name": "Trồng bí xanh", "kind": "model", "actor": "collective"}
    data["owning_unit"] = tree.ward.pk
    data.update(extra)
    return data


def complete(tree, **extra):
    values = dict(
        field="economy",
        territory=[tree.residential.pk],
        situation="Nhiều hộ thiếu vốn, đất bỏ hoang.",
        goals="Nâng thu nhập cho 30 hộ.",
        content="Vận động hộ dân chuyển đổi cây trồng, hỗ trợ giống.",
        target_group="Hộ nghèo, cận nghèo.",
        forces="Chi hội Nông dân, Chi hội Phụ nữ.",
        workdays="300",
        start_date="2025-03-01",
        schedule="Quý II gieo trồng, quý III thu hoạch.",
        evaluation_date="2025-12-01",
        outputs="30 hộ trồng bí, thu nhập tăng 20%.",
        sustainability="Hộ tự duy trì, nhân rộng sang thôn bên.",
        contact_name="Hoàng Thị Lan",
        contact_phone="0987 654 321",
    )
    return minimal(tree, **{**values, **extra})


def test_draft_saves_with_mandatory_items_empty(client_for, tree, cadre):
    response = client_for(cadre).post(CREATE, {**minimal(tree), "action": "save"})
    model = DanVanModel.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("models_registry:model_update", args=[model.pk])
    assert model.status == Status.DRAFT and model.created_by == cadre
    page = client_for(cadre).get(response["Location"]).content.decode()
    assert "Còn thiếu trước khi gửi duyệt" in page and "Thực trạng, lý do xây dựng" in page


def test_submit_with_missing_items_keeps_the_draft_and_names_them(client_for, tree, cadre):
    data = complete(tree, action="submit")
    data["goals"] = ""
    data["contact_phone"] = ""
    client = client_for(cadre)
    response = client.post(CREATE, data, follow=True)
    model = DanVanModel.objects.get()
    assert model.status == Status.DRAFT
    assert model.situation == "Nhiều hộ thiếu vốn, đất bỏ hoang."  # nothing typed is lost
    page = response.content.decode()
    assert "Đã lưu bản nháp. Chưa gửi được vì còn thiếu" in page
    assert "Mục tiêu, tiêu chí đánh giá" in page and "Người liên hệ và số điện thoại" in page
    assert "Nội dung, cách làm;" not in page


def test_submit_complete_registration(client_for, tree, cadre):
    response = client_for(cadre).post(CREATE, complete(tree, action="submit"))
    model = DanVanModel.objects.get()
    assert response.status_code == 302 and response["Location"] == model.get_absolute_url()
    assert model.status == Status.SUBMITTED
    assert list(model.territory.all()) == [tree.residential]


def test_invalid_form_keeps_what_was_typed_and_asks_for_files_again(client_for, tree, cadre):
    data = complete(tree, action="save", contact_phone="gọi tôi", funds="-5")
    data["attachments"] = [upload("ke-hoach.pdf", PDF)]
    response = client_for(cadre).post(CREATE, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Số điện thoại chỉ gồm chữ số" in page
    assert "Nhiều hộ thiếu vốn, đất bỏ hoang." in page and 'value="gọi tôi"' in page
    assert "chưa được lưu, vui lòng chọn lại" in page and "ke-hoach.pdf" in page
    assert not DanVanModel.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("chuong-trinh.exe", b"MZ\x90\x00", "chỉ nhận PDF"),
        ("ke-hoach.pdf", b"MZ\x90\x00\x03\x00 renamed program", "không phải tệp PDF thật"),
        ("anh.jpg", b"<html><script>alert(1)</script></html>", "không phải tệp ảnh JPEG thật"),
        ("bang.xlsx", office_file("xl/workbook.xml", "xl/vbaProject.bin"), "chứa macro"),
        ("van-ban.docx", office_file("xl/workbook.xml"), "không phải tệp Word thật"),
        ("bang-cu.doc", ole2_file("Workbook"), "không phải tệp Word 97–2003 thật"),
        ("so-lieu.xls", ole2_file("Workbook", storages=("_VBA_PROJECT_CUR",)), "chứa macro"),
        ("cu.doc", ole2_file("WordDocument", storages=("Macros",)), "chứa macro"),
        ("hong.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 32, "Excel 97–2003 thật"),
        ("trong.png", b"", "rỗng"),
    ],
)
def test_refused_uploads(client_for, tree, cadre, name, content, message):
    data = complete(tree, action="save", attachments=[upload(name, content)])
    response = client_for(cadre).post(CREATE, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and name in page
    assert not DanVanModel.objects.exists()


def test_oversized_upload_is_refused(client_for, tree, cadre, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    big = upload("ban-do.pdf", PDF + b"0" * 2048)
    response = client_for(cadre).post(CREATE, complete(tree, action="save", attachments=[big]))
    assert response.status_code == 400
    assert "quá lớn" in response.content.decode()


def test_accepted_office_and_image_files(client_for, tree, cadre):
    files = [
        upload("ke-hoach.pdf", PDF),
        upload("bien-ban.docx", office_file("word/document.xml")),
        upload("so-lieu.xlsx", office_file("xl/workbook.xml")),
        upload("cu.doc", ole2_file("WordDocument", "1Table")),
        upload("cu.xls", ole2_file("Workbook")),
        upload("anh.jpg", JPEG),
    ]
    response = client_for(cadre).post(CREATE, complete(tree, action="save", attachments=files))
    assert response.status_code == 302
    assert DanVanModel.objects.get().attachments.count() == 6


def test_twenty_first_file_is_refused_with_the_form_kept(client_for, tree, cadre, settings):
    model = DanVanModelFactory(owning_unit=tree.ward)
    settings.ATTACHMENTS_PER_MODEL = 2
    url = reverse("models_registry:model_update", args=[model.pk])
    files = [upload(f"{n}.pdf", PDF) for n in range(3)]
    response = client_for(cadre).post(url, complete(tree, action="save", attachments=files))
    assert response.status_code == 400
    assert "tối đa 2 tệp" in response.content.decode()
    assert not model.attachments.exists()


def test_too_many_files_on_create_writes_no_draft_and_keeps_the_form(
    client_for, tree, cadre, settings
):
    # The registration and its files are one write: a refused upload must not leave a draft
    # behind while the form is shown again as a new one (a second post would make another).
    settings.ATTACHMENTS_PER_MODEL = 20
    files = [upload(f"anh-{n}.pdf", PDF) for n in range(21)]
    data = complete(tree, action="save", attachments=files)
    response = client_for(cadre).post(CREATE, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "tối đa 20 tệp" in page
    assert "Nhiều hộ thiếu vốn, đất bỏ hoang." in page and 'value="0987 654 321"' in page
    assert "chưa được lưu, vui lòng chọn lại" in page and "anh-20.pdf" in page
    assert not DanVanModel.objects.exists() and not Attachment.objects.exists()
    assert not WorkflowEvent.objects.exists()


def test_file_refused_while_storing_on_create_writes_no_draft(client_for, tree, cadre, monkeypatch):
    # The service checks each file again, after the form: when it refuses one, the draft it
    # has just created goes too.
    from django.core.exceptions import ValidationError

    from models_registry import services

    def refuse(upload, *, max_bytes):
        raise ValidationError(f"Tệp “{upload.name}” không được chấp nhận.")

    monkeypatch.setattr(services, "inspect_upload", refuse)
    data = complete(tree, action="submit", attachments=[upload("ke-hoach.pdf", PDF)])
    response = client_for(cadre).post(CREATE, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Tệp “ke-hoach.pdf” không được chấp nhận." in page
    assert "Nhiều hộ thiếu vốn, đất bỏ hoang." in page
    assert not DanVanModel.objects.exists()


def test_refused_file_on_update_keeps_the_stored_registration(client_for, tree, cadre, settings):
    model = DanVanModelFactory(owning_unit=tree.ward, name="Tên cũ")
    settings.ATTACHMENTS_PER_MODEL = 1
    url = reverse("models_registry:model_update", args=[model.pk])
    files = [upload(f"{n}.pdf", PDF) for n in range(2)]
    data = complete(tree, action="save", name="Tên mới", attachments=files)
    response = client_for(cadre).post(url, data)
    assert response.status_code == 400 and 'value="Tên mới"' in response.content.decode()
    model.refresh_from_db()
    assert model.name == "Tên cũ" and not model.attachments.exists()


def test_autosave_creates_then_updates_one_draft(client_for, tree, cadre):
    client = client_for(cadre)
    first = client.post("/mo-hinh/tu-dong-luu/", minimal(tree, name="Góc xanh"))
    assert first.status_code == 200
    body = first.json()
    model = DanVanModel.objects.get()
    assert body["ok"] and body["id"] == model.pk and model.name == "Góc xanh"
    assert body["autosave_url"] == reverse("models_registry:model_autosave", args=[model.pk])
    assert "Thực trạng, lý do xây dựng" in body["missing"]
    second = client.post(body["autosave_url"], minimal(tree, name="Góc xanh trường học"))
    assert second.json()["ok"]
    model.refresh_from_db()
    assert model.name == "Góc xanh trường học" and DanVanModel.objects.count() == 1


def test_autosave_reports_errors_as_json_and_saves_nothing(client_for, tree, cadre):
    response = client_for(cadre).post(
        "/mo-hinh/tu-dong-luu/", minimal(tree, start_date="32/13/2025")
    )
    assert response.status_code == 400
    body = json.loads(response.content)
    assert not body["ok"] and "Ngày bắt đầu" in body["errors"]
    assert not DanVanModel.objects.exists()


def test_autosave_after_the_session_expired_is_not_json(client, tree):
    response = client.post("/mo-hinh/tu-dong-luu/", minimal(tree))
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]


def test_autosave_of_a_submitted_model_is_refused(client_for, tree, cadre):
    model = DanVanModelFactory(owning_unit=tree.ward, status=Status.SUBMITTED)
    response = client_for(cadre).post(
        reverse("models_registry:model_autosave", args=[model.pk]), minimal(tree, name="Đổi")
    )
    assert response.status_code == 403
    model.refresh_from_db()
    assert model.name != "Đổi"


def test_replicated_from_must_be_visible(client_for, tree, cadre):
    original = DanVanModelFactory(owning_unit=tree.other_ward, status=Status.ACCEPTED)
    mine = DanVanModelFactory(owning_unit=tree.ward, status=Status.ACCEPTED, name="Gốc của tôi")
    response = client_for(cadre).post(CREATE, minimal(tree, replicated_from=original.pk))
    assert response.status_code == 400
    waiting = DanVanModelFactory(owning_unit=tree.ward, status=Status.SUBMITTED)
    response = client_for(cadre).post(CREATE, minimal(tree, replicated_from=waiting.pk))
    assert response.status_code == 400  # not carried out yet: nothing to replicate
    response = client_for(cadre).post(CREATE, minimal(tree, replicated_from=mine.pk))
    assert response.status_code == 302
    replica = DanVanModel.objects.get(replicated_from=mine)
    page = client_for(cadre).get(mine.get_absolute_url()).content.decode()
    assert "Được nhân rộng thành" in page and replica.get_absolute_url() in page
    page = client_for(cadre).get(replica.get_absolute_url()).content.decode()
    assert mine.get_absolute_url() in page


def test_detail_shows_every_section_and_the_history(client_for, tree, cadre):
    client = client_for(cadre)
    client.post(CREATE, complete(tree, action="save"))
    model = DanVanModel.objects.get()
    url = reverse("models_registry:model_update", args=[model.pk])
    client.post(url, complete(tree, action="save", name="Trồng bí xanh an toàn"))
    page = client.get(model.get_absolute_url()).content.decode()
    for title in ("1. Thực trạng", "5. Lực lượng thực hiện", "9. Tính bền vững", "10. Liên hệ"):
        assert title in page
    assert "Lịch sử thay đổi" in page
    assert "Tên mô hình, điển hình" in page and "Trồng bí xanh an toàn" in page
    assert cadre.get_full_name() in page


def test_detail_groups_amounts_but_not_phone_numbers(client_for, tree, cadre):
    model = DanVanModelFactory(
        owning_unit=tree.ward, funds=150_000_000, contact_phone="0912 345 678", created_by=cadre
    )
    page = client_for(cadre).get(model.get_absolute_url()).content.decode()
    assert "150.000.000" in page
    assert "0912 345 678" in page and "0,912" not in page and "0.912" not in page


def test_home_page_lists_what_awaits_the_cadre(client_for, tree, cadre, reviewer):
    DanVanModelFactory(owning_unit=tree.ward, name="Bản nháp của phường")
    DanVanModelFactory(owning_unit=tree.ward, name="Bị trả lại", status=Status.RETURNED)
    DanVanModelFactory(owning_unit=tree.ward, name="Đã gửi", status=Status.SUBMITTED)
    page = client_for(cadre).get("/").content.decode()
    assert "Bản nháp của phường" in page and "Bị trả lại" in page and "Đã gửi" not in page
    assert "Đăng ký mô hình mới" in page
    page = client_for(reviewer).get("/").content.decode()
    assert "Bản nháp của phường" not in page and "Đăng ký mô hình mới" not in page
