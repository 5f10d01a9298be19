"""A commune cadre registers a model: a draft with a file, a missing item, submission, search.

Then the form's autosave: to the server as the cadre types, and to the browser when the session
has expired, to be restored after logging in again.
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from models_registry.models import DanVanModel
from tests.e2e.helpers import PDF, chips, help_screenshot, log_in

pytestmark = pytest.mark.e2e

CADRE = "canbo.linhson"
# Unlike the demo data's "Nuôi Dê" models, only this one holds every word of the search; the
# other journeys here name their drafts otherwise, since they share the demo data.
NAME = "Nuôi Dê sinh sản thôn Nà Pài"
EDIT_URL = re.compile(r"/(\d+)/sua/$")
AUTOSAVED = 30_000  # the script waits for a pause in typing before it saves
AUTOSAVE_PAUSE = 2_500  # that pause, in static/js/model_form.js


def pause_typing(page):
    """The cadre stops typing for the autosave's pause: the page's clock (``page.clock``,
    installed before the form is opened, running as the real one) jumps it, so that the test
    does not wait it out. Should the script wait longer, it still saves, only later."""
    page.clock.fast_forward(AUTOSAVE_PAUSE)


def fill_everything_but_the_goals(page):
    page.get_by_label("Tên mô hình, điển hình").fill(NAME)
    page.get_by_label("Lĩnh vực").select_option(label="Kinh tế")
    page.get_by_label("Ghi chú địa bàn").fill("Thôn Nà Pài")
    page.get_by_label("Thực trạng, lý do xây dựng").fill(
        "Nhiều hộ đồng bào Dao ở thôn Nà Pài còn nghèo, đất dốc khó trồng lúa."
    )
    page.get_by_label("Nội dung, cách làm").fill(
        "Hội Nông dân hướng dẫn làm chuồng, chọn giống; các hộ góp vốn xoay vòng con giống."
    )
    page.get_by_label("Đối tượng tác động").fill("25 hộ nghèo, cận nghèo của thôn Nà Pài.")
    page.get_by_label("Lực lượng thực hiện và vai trò").fill(
        "Chi hội Nông dân chủ trì; trưởng thôn vận động; cán bộ thú y hướng dẫn kỹ thuật."
    )
    page.get_by_label("Ngày công").fill("120")
    page.get_by_label("Ngày bắt đầu").fill("2025-03-01")
    page.get_by_label("Ngày đánh giá").fill("2026-03-01")
    page.get_by_label("Lộ trình thực hiện").fill(
        "Quý I: làm chuồng; quý II: nhận giống; cuối năm: đánh giá, xoay vòng."
    )
    page.get_by_label("Sản phẩm, kết quả kiểm chứng được").fill(
        "Số dê xuất chuồng, số hộ thoát nghèo có xác nhận của thôn."
    )
    page.get_by_label("Tính bền vững, khả năng nhân rộng").fill(
        "Con giống xoay vòng cho các hộ sau; có thể nhân rộng ra các thôn vùng cao."
    )
    page.get_by_label("Người liên hệ").fill("Triệu Văn Sinh")
    page.get_by_label("Số điện thoại liên hệ").fill("0912 345 678")


def test_cadre_registers_a_model_and_finds_it_without_diacritics(page, demo_data, tmp_path):
    plan = tmp_path / "ke-hoach-nuoi-de.pdf"
    plan.write_bytes(PDF)
    log_in(page, CADRE)

    page.get_by_role("navigation", name="Điều hướng chính").get_by_role(
        "link", name="Mô hình, điển hình"
    ).click()
    page.get_by_role("link", name="+ Đăng ký mô hình mới").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng ký mô hình, điển hình")
    # The cadre's ward is chosen as the owning unit already.
    expect(chips(page.get_by_role("combobox", name="Đơn vị chủ trì"))).to_have_text(
        ["Phường Linh Sơn"]
    )

    fill_everything_but_the_goals(page)
    page.get_by_label("Tệp đính kèm (ảnh, kế hoạch").set_input_files(plan)
    help_screenshot(page, "dang-ky-mo-hinh", full_page=True)
    page.get_by_role("button", name="Lưu và gửi duyệt").click()

    # Kept as a draft: the message names the one item still missing, and the file is saved.
    expect(page).to_have_url(EDIT_URL)
    expect(page.get_by_role("alert").filter(has_text="Đã lưu bản nháp")).to_contain_text(
        "Chưa gửi được vì còn thiếu: Mục tiêu, tiêu chí đánh giá."
    )
    missing = page.locator("#con-thieu")
    expect(missing.get_by_role("listitem")).to_have_text(["Mục tiêu, tiêu chí đánh giá"])
    expect(page.get_by_role("link", name="ke-hoach-nuoi-de.pdf")).to_be_visible()
    expect(page.get_by_label("Tên mô hình, điển hình")).to_have_value(NAME)
    help_screenshot(page, "con-thieu-truoc-khi-gui", full_page=True)

    missing.get_by_role("link", name="Mục tiêu, tiêu chí đánh giá").click()
    page.get_by_label("Mục tiêu, tiêu chí đánh giá").fill(
        "Mỗi hộ tham gia có ít nhất 5 con dê sinh sản sau một năm; 10 hộ thoát nghèo."
    )
    page.get_by_role("button", name="Lưu và gửi duyệt").click()

    expect(page.get_by_role("alert").filter(has_text="Đã gửi duyệt")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(NAME)
    expect(page.locator(".status-badge")).to_have_text("Chờ duyệt đăng ký")
    expect(page.get_by_role("link", name="ke-hoach-nuoi-de.pdf")).to_be_visible()
    # One registration, whatever the autosave did while the cadre typed.
    assert DanVanModel.objects.filter(name=NAME).count() == 1

    page.get_by_role("navigation", name="Điều hướng chính").get_by_role(
        "link", name="Mô hình, điển hình"
    ).click()
    search = page.get_by_label("Tìm kiếm")
    search.fill("nuoi de sinh san")
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]q=nuoi\+de\+sinh\+san"))
    found = page.get_by_role("table").get_by_role("link", name=NAME, exact=True)
    expect(found).to_be_visible()
    found.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NAME)
    expect(page.locator(".status-badge")).to_have_text("Chờ duyệt đăng ký")


def test_the_form_saves_itself_as_the_cadre_types(page, demo_data):
    name = "Trồng chè an toàn thôn Khuổi Vài"  # its own: the demo data is shared by the journeys
    page.clock.install()
    log_in(page, CADRE)
    page.goto(reverse("models_registry:model_create"))
    page.get_by_label("Tên mô hình, điển hình").fill(name)
    page.get_by_label("Thực trạng, lý do xây dựng").fill("Đất dốc, nhiều hộ còn nghèo.")

    status = page.locator("[data-autosave-status]")
    pause_typing(page)
    expect(status).to_contain_text("Đã tự động lưu", timeout=AUTOSAVED)
    # The script created the draft and the address is now its edit page.
    expect(page).to_have_url(EDIT_URL)

    page.reload()
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    expect(page.get_by_label("Tên mô hình, điển hình")).to_have_value(name)
    expect(page.get_by_label("Thực trạng, lý do xây dựng")).to_have_value(
        "Đất dốc, nhiều hộ còn nghèo."
    )
    # Nothing newer was left in the browser: no offer to restore.
    expect(page.get_by_role("button", name="Khôi phục nội dung")).to_be_hidden()
    assert DanVanModel.objects.filter(name=name).count() == 1


def test_text_typed_after_the_session_expired_is_restored(page, demo_data):
    name = "Trồng chè an toàn thôn Bản Mạ"  # its own: the demo data is shared by the journeys
    page.clock.install()
    log_in(page, CADRE)
    page.goto(reverse("models_registry:model_create"))
    page.get_by_label("Tên mô hình, điển hình").fill(name)
    page.get_by_label("Thực trạng, lý do xây dựng").fill("Đất dốc, nhiều hộ còn nghèo.")
    status = page.locator("[data-autosave-status]")
    pause_typing(page)
    expect(status).to_contain_text("Đã tự động lưu", timeout=AUTOSAVED)
    expect(page).to_have_url(EDIT_URL)
    edit_url = page.url

    # The session ends (as after a long pause); the cadre keeps typing.
    page.context.clear_cookies()
    goals = "Mỗi hộ có ít nhất 5 con dê sinh sản sau một năm."
    page.get_by_label("Mục tiêu, tiêu chí đánh giá").fill(goals)
    pause_typing(page)
    expect(status).to_contain_text("Phiên đăng nhập đã hết hạn", timeout=AUTOSAVED)
    kept = page.evaluate(
        """() => Object.keys(localStorage).filter((key) => key.startsWith("danvan-draft-"))
            .map((key) => JSON.parse(localStorage.getItem(key)).values)"""
    )
    assert any(goals in copy.values() for copy in kept)
    # The blank form's token stays with its page, never in a copy a later form could restore.
    assert all("creation_token" not in copy and "csrfmiddlewaretoken" not in copy for copy in kept)

    log_in(page, CADRE)
    page.goto(edit_url)
    # The server has the draft without the goals; this browser still has them.
    expect(page.get_by_label("Mục tiêu, tiêu chí đánh giá")).to_have_value("")
    page.get_by_role("button", name="Khôi phục nội dung").click()
    expect(page.get_by_label("Mục tiêu, tiêu chí đánh giá")).to_have_value(goals)
    expect(page.get_by_label("Tên mô hình, điển hình")).to_have_value(name)
    expect(page.get_by_role("button", name="Khôi phục nội dung")).to_be_hidden()

    # Restored, the text is saved to the server too.
    pause_typing(page)
    expect(status).to_contain_text("Đã tự động lưu", timeout=AUTOSAVED)
    page.reload()
    expect(page.get_by_label("Mục tiêu, tiêu chí đánh giá")).to_have_value(goals)


def test_saving_while_the_first_autosave_runs_registers_the_model_once(page, demo_data):
    name = "Trồng chè an toàn thôn Nà Cà"  # its own: the demo data is shared by the journeys
    page.clock.install()
    log_in(page, CADRE)
    page.goto(reverse("models_registry:model_create"))
    # The first autosave reaches the server (and creates the draft), but its answer is held
    # back, as on a slow connection, while the cadre clicks "Lưu nháp".
    held = []

    def hold_the_answer(route):
        held.append((route, route.fetch()))

    page.route("**/tu-dong-luu/", hold_the_answer)
    page.get_by_label("Tên mô hình, điển hình").fill(name)
    pause_typing(page)
    expect(page.locator("[data-autosave-status]")).to_have_text(
        "Đang tự động lưu…", timeout=AUTOSAVED
    )
    # The handler runs alongside the test: let the page's events flow until it holds the answer.
    for _ in range(AUTOSAVED // 100):
        if held:
            break
        page.wait_for_timeout(100)
    assert held, "the autosave never reached the server"
    assert DanVanModel.objects.filter(name=name).count() == 1
    page.get_by_role("button", name="Lưu nháp").click()

    route, response = held[0]
    route.fulfill(response=response)
    expect(page.get_by_role("alert").filter(has_text="Đã lưu bản nháp")).to_be_visible()
    expect(page).to_have_url(EDIT_URL)
    assert DanVanModel.objects.filter(name=name).count() == 1
