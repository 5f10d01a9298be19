"""The detail page: what it says about other models, and the history of changes read from the
audit trail (who changed which field, from what to what; deletions; autosaves)."""

import re
from datetime import date

import pghistory
import pytest
from django.urls import reverse

from models_registry import services
from models_registry.choices import Status
from models_registry.history import field_changes, model_history
from models_registry.models import Attachment, DanVanModel, Indicator, ResultReport, Theme
from organisations.choices import Role
from tests.factories import DanVanModelFactory, user_with_role
from tests.models_registry.conftest import PDF, upload
from tests.models_registry.test_form import CREATE, complete


def history_section(page: str) -> str:
    return page[page.index('id="lich-su"') : page.index('id="thong-tin-ho-so"')]


def history_items(page: str) -> list[str]:
    """Each history entry as one line of plain text."""
    section = history_section(page)
    # An entry ends where the next one starts, or where the list does.
    end = r'(?=<li class="list-group-item|</ul>\s*</section>)'
    items = re.findall(r'<li class="list-group-item">(.*?)</li>\s*' + end, section, re.S)
    texts = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", item)).strip() for item in items]
    return [text.replace(" :", ":") for text in texts]


@pytest.fixture
def second_cadre(tree):
    return user_with_role(tree.ward, Role.CADRE, username="canbo.hai", first_name="Lò Thị Mai")


# --- other models: named only inside the reader's scope ----------------------------------------


def test_detail_says_nothing_of_an_origin_outside_the_scope(client_for, tree, cadre, reviewer):
    outside = DanVanModelFactory(
        owning_unit=tree.other_province_ward, name="Gốc ở Hà Nội", status=Status.ACCEPTED
    )
    replica = DanVanModelFactory(
        owning_unit=tree.ward, name="Nhân rộng", status=Status.DRAFT, replicated_from=outside
    )
    # The origin changes in the history too: neither side may be named.
    inside = DanVanModelFactory(owning_unit=tree.ward, name="Gốc trong phường")
    services.model_update(model=replica, by=cadre, fields={"replicated_from": inside})
    services.model_update(model=replica, by=cadre, fields={"replicated_from": outside})
    page = client_for(cadre).get(replica.get_absolute_url()).content.decode()
    assert "Gốc ở Hà Nội" not in page and outside.get_absolute_url() not in page
    assert "ngoài phạm vi" not in page
    assert "Gốc trong phường" in history_section(page)
    general = page[page.index('id="thong-tin-chung"') : page.index('id="muc-1"')]
    assert re.search(r"Nhân rộng từ</dt>\s*<dd[^>]*>—</dd>", general)


def test_detail_lists_only_replicas_inside_the_scope(client_for, tree, cadre):
    origin = DanVanModelFactory(owning_unit=tree.ward, name="Gốc", status=Status.ACCEPTED)
    DanVanModelFactory(
        owning_unit=tree.other_province_ward,
        name="Bản nhân rộng ở Hà Nội",
        status=Status.ACCEPTED,
        replicated_from=origin,
    )
    mine = DanVanModelFactory(
        owning_unit=tree.residential, name="Bản nhân rộng ở tổ 9", replicated_from=origin
    )
    page = client_for(cadre).get(origin.get_absolute_url()).content.decode()
    assert "Bản nhân rộng ở tổ 9" in page and mine.get_absolute_url() in page
    assert "Bản nhân rộng ở Hà Nội" not in page


def test_history_without_a_reader_names_no_other_model(tree, cadre):
    outside = DanVanModelFactory(owning_unit=tree.other_province_ward, name="Gốc ở Hà Nội")
    model = DanVanModelFactory(owning_unit=tree.ward)
    services.model_update(model=model, by=cadre, fields={"replicated_from": outside})
    for entry in model_history(model):
        assert all("Hà Nội" not in " ".join(change) for change in entry.changes)
    assert field_changes({"replicated_from_id": (None, outside.pk)}) == []


# Each foreign key of a model, a value for it and the name its history gives that value.
FOREIGN_KEY_CHANGES = {
    "owning_unit": lambda tree, reader: (tree.residential, "Tổ dân phố 9"),
    "replicated_from": lambda tree, reader: (
        DanVanModelFactory(owning_unit=tree.ward, name="Gốc trong phường", status=Status.ACCEPTED),
        "Gốc trong phường",
    ),
    # Shown on the page (the review panel) to whoever sees the model, even a ward's cadre.
    "decision_issuer": lambda tree, reader: (tree.province, "Tỉnh Thái Nguyên"),
    "created_by": lambda tree, reader: (reader, reader.get_full_name()),
}


def test_every_foreign_key_has_a_case_below():
    keys = {field.name for field in DanVanModel._meta.concrete_fields if field.many_to_one}
    assert keys == set(FOREIGN_KEY_CHANGES)


@pytest.mark.parametrize("name", sorted(FOREIGN_KEY_CHANGES))
def test_history_names_what_a_foreign_key_points_at(tree, cadre, name):
    model = DanVanModelFactory(owning_unit=tree.ward, status=Status.ACCEPTED)
    value, shown = FOREIGN_KEY_CHANGES[name](tree, cadre)
    with pghistory.context(user=cadre.pk):
        DanVanModel.objects.filter(pk=model.pk).update(**{name: value})
    (entry,) = [entry for entry in model_history(model, cadre) if entry.changes]
    label = DanVanModel._meta.get_field(name).verbose_name.capitalize()
    assert entry.changes == [(label, "—" if name != "owning_unit" else "Phường Chùa Hang", shown)]
    # The review panel's comparison words it the same way.
    attname = DanVanModel._meta.get_field(name).attname
    assert field_changes({attname: (None, value.pk)}, user=cadre) == [(label, "—", shown)]


def test_history_names_the_issuer_of_a_decision_even_out_of_the_readers_scope(tree, cadre):
    model = DanVanModelFactory(owning_unit=tree.ward, status=Status.ACCEPTED)
    with pghistory.context(user=cadre.pk):
        DanVanModel.objects.filter(pk=model.pk).update(decision_issuer=tree.other_province)
    (entry,) = [entry for entry in model_history(model, cadre) if entry.changes]
    assert entry.changes == [("Cơ quan ban hành quyết định", "—", "Thành phố Hà Nội")]
    assert str(tree.other_province.pk) not in " ".join(entry.changes[0])


# --- who changed which field, from what to what ------------------------------------------------


def test_history_names_who_changed_which_field_from_what_to_what(
    client_for, tree, cadre, second_cadre
):
    client_for(cadre).post(CREATE, complete(tree, action="save", funds="150000000"))
    model = DanVanModel.objects.get()
    url = reverse("models_registry:model_update", args=[model.pk])
    client = client_for(second_cadre)
    client.post(
        url,
        complete(
            tree,
            action="save",
            name="Trồng bí xanh an toàn",
            funds="180000000",
            start_date="2025-04-01",
            contact_phone="0912 345 678",
        ),
    )
    items = history_items(client.get(model.get_absolute_url()).content.decode())
    assert len(items) == 2, items
    change, creation = items
    # The change is the second cadre's, the creation the first's.
    assert "Sửa mô hình" in change and "Lò Thị Mai" in change
    assert cadre.get_full_name() not in change
    assert "Thêm mô hình" in creation and cadre.get_full_name() in creation
    assert "Tên mô hình, điển hình: Trồng bí xanh → Trồng bí xanh an toàn" in change
    assert "Kinh phí (đồng): 150.000.000 → 180.000.000" in change
    assert "Ngày bắt đầu: 01/03/2025 → 01/04/2025" in change
    assert "Số điện thoại liên hệ: 0987 654 321 → 0912 345 678" in change
    assert "Mục tiêu" not in change  # unchanged fields are not listed


def test_history_shows_themes_territory_and_coordinators_added_and_removed(
    client_for, tree, cadre, second_cadre
):
    economy, environment, new_countryside = (
        Theme.objects.get(name=name)
        for name in ("Phát triển kinh tế hộ gia đình", "Bảo vệ môi trường", "Giảm nghèo bền vững")
    )
    client_for(cadre).post(
        CREATE, complete(tree, action="save", themes=[economy.pk, environment.pk])
    )
    model = DanVanModel.objects.get()
    client = client_for(second_cadre)
    client.post(
        reverse("models_registry:model_update", args=[model.pk]),
        complete(
            tree,
            action="save",
            goals="Nâng thu nhập cho 40 hộ.",
            themes=[economy.pk, new_countryside.pk],
            territory=[tree.residential.pk, tree.ward.pk],
            coordinating_units=[tree.residential.pk],
        ),
    )
    change, creation = history_items(client.get(model.get_absolute_url()).content.decode())
    # One save, one entry: the links it changed read like its other fields.
    assert "Lò Thị Mai" in change and "Mục tiêu, tiêu chí đánh giá" in change
    assert (
        "Chủ đề: Bảo vệ môi trường; Phát triển kinh tế hộ gia đình → "
        "Giảm nghèo bền vững; Phát triển kinh tế hộ gia đình"
    ) in change
    assert "Địa bàn thực hiện: Tổ dân phố 9 → Phường Chùa Hang; Tổ dân phố 9" in change
    assert "Đơn vị phối hợp: — → Tổ dân phố 9" in change
    # The links made with the registration are part of its creation.
    assert "Thêm mô hình" in creation and "Chủ đề" not in creation

    # A save that changes only a relation still reads as a change, by whoever made it.
    with pghistory.context(user=cadre.pk):
        services.model_update(model=model, by=cadre, fields={}, relations={"themes": []})
    themes_cleared = ("Chủ đề", "Giảm nghèo bền vững; Phát triển kinh tế hộ gia đình", "—")
    (entry,) = [entry for entry in model_history(model, cadre) if themes_cleared in entry.changes]
    assert entry.what == "Sửa mô hình" and entry.who == cadre.get_full_name()
    assert entry.changes == [themes_cleared]


def test_history_of_links_from_a_bulk_write_without_a_model_save(tree, cadre):
    """Links written straight to the table (no save of the model) still read as a change."""
    model = DanVanModelFactory(owning_unit=tree.ward)
    theme = Theme.objects.get(name="Giảm nghèo bền vững")
    with pghistory.context(user=cadre.pk):
        DanVanModel.themes.through.objects.create(danvanmodel=model, theme=theme)
    (entry,) = [entry for entry in model_history(model, cadre) if entry.changes]
    assert entry.what == "Sửa mô hình" and entry.who == cadre.get_full_name()
    assert entry.changes == [("Chủ đề", "—", "Giảm nghèo bền vững")]


def test_history_words_numbers_and_dates_the_vietnamese_way(tree, cadre):
    model = DanVanModelFactory(owning_unit=tree.ward, code="2025001", workdays=1200)
    services.model_update(
        model=model, by=cadre, fields={"workdays": 12500, "code": "2025002", "funds": 0}
    )
    (entry,) = [entry for entry in model_history(model, cadre) if entry.changes]
    assert sorted(entry.changes) == [
        ("Kinh phí (đồng)", "150.000.000", "0"),
        ("Mã mô hình", "2025001", "2025002"),
        ("Ngày công", "1.200", "12.500"),
    ]
    assert field_changes({"evaluation_date": (date(2025, 12, 1), None)}, user=cadre) == [
        ("Ngày đánh giá", "01/12/2025", "—")
    ]


# --- deletions leave audit rows saying who --------------------------------------------------


def test_deleting_an_attachment_and_a_result_report_is_audited_with_who(
    client_for, tree, cadre, second_cadre
):
    model = DanVanModelFactory(owning_unit=tree.ward, created_by=cadre)
    (attachment,) = services.attachment_add(
        model=model, by=cadre, uploads=[upload("ke-hoach.pdf", PDF)]
    )
    client = client_for(second_cadre)
    response = client.post(reverse("models_registry:attachment_delete", args=[attachment.pk]))
    assert response.status_code == 302 and not Attachment.objects.exists()
    deleted = Attachment.history.rel.related_model.objects.get(pgh_label="delete")
    assert deleted.pgh_obj_id == attachment.pk
    assert deleted.pgh_context.metadata["user"] == second_cadre.pk

    DanVanModel.objects.filter(pk=model.pk).update(status=Status.ACCEPTED)
    model.refresh_from_db()
    indicator = Indicator.objects.filter(is_active=True).first()
    report = services.result_report_create(
        model=model,
        by=cadre,
        period_start=date(2025, 1, 1),
        period_end=date(2025, 6, 30),
        narrative="Vận động 40 hộ.",
        values={indicator: 40},
    )
    # No page removes a report yet; the admin or a script does, under a request's context.
    with pghistory.context(user=second_cadre.pk, url="/quan-tri/"):
        ResultReport.objects.get(pk=report.pk).delete()
    deleted = ResultReport.history.rel.related_model.objects.get(pgh_label="delete")
    assert deleted.pgh_obj_id == report.pk
    assert deleted.pgh_context.metadata["user"] == second_cadre.pk

    items = history_items(client.get(model.get_absolute_url()).content.decode())
    assert any(
        "Xóa tệp đính kèm: ke-hoach.pdf" in item and "Lò Thị Mai" in item for item in items
    ), items
    assert any(
        "Xóa báo cáo kết quả: 01/01/2025 – 30/06/2025" in item and "Lò Thị Mai" in item
        for item in items
    ), items
    assert any("Thêm tệp đính kèm: ke-hoach.pdf" in item for item in items)


# --- autosaves ----------------------------------------------------------------------------------


def test_consecutive_autosaves_read_as_one_change_and_keep_every_audit_row(
    client_for, tree, cadre, second_cadre
):
    model = DanVanModelFactory(owning_unit=tree.ward, name="Góc", created_by=cadre)
    autosave = reverse("models_registry:model_autosave", args=[model.pk])
    client = client_for(cadre)
    for name in ("Góc x", "Góc xanh", "Góc xanh trường học"):
        assert client.post(autosave, complete(tree, name=name)).json()["ok"]
    # A draft saved by hand ends the run; the next person's autosaves are their own.
    update = reverse("models_registry:model_update", args=[model.pk])
    client.post(update, complete(tree, name="Góc xanh trường học", action="save", goals="Sạch."))
    client = client_for(second_cadre)
    for goals in ("Sạch đẹp.", "Sạch, đẹp."):
        data = complete(tree, name="Góc xanh trường học", goals=goals)
        assert client.post(autosave, data).json()["ok"]

    updates = model.history.filter(pgh_label="update")
    assert updates.count() >= 6  # nothing dropped from the audit trail
    items = history_items(client.get(model.get_absolute_url()).content.decode())
    assert len(items) == 4, items  # two runs of autosaves, the hand save, the creation
    theirs, by_hand, mine, created = items
    assert "tự động lưu 2 lần" in theirs and "Lò Thị Mai" in theirs
    assert "Mục tiêu, tiêu chí đánh giá: Sạch. → Sạch, đẹp." in theirs
    assert "tự động lưu" not in by_hand
    assert "tự động lưu 3 lần" in mine and cadre.get_full_name() in mine
    assert "Tên mô hình, điển hình: Góc → Góc xanh trường học" in mine
    assert "Thêm mô hình" in created


def test_autosaves_that_come_back_to_the_start_show_no_change(client_for, tree, cadre):
    client = client_for(cadre)
    client.post(CREATE, complete(tree, action="save"))
    model = DanVanModel.objects.get()
    autosave = reverse("models_registry:model_autosave", args=[model.pk])
    for name in ("Trồng bí", "Trồng bí xanh"):
        assert client.post(autosave, complete(tree, name=name)).json()["ok"]
    assert model.history.filter(pgh_label="update").count() == 2
    items = history_items(client.get(model.get_absolute_url()).content.decode())
    assert len(items) == 1 and "Thêm mô hình" in items[0], items
