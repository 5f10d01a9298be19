"""A registration from submission to commendation, each person in their own browser.

The ward's cadre registers and submits a model; the province's reviewer returns it with a reason;
the cadre reads the reason and the notification, fixes the registration and sends it again; the
reviewer sees what changed and accepts it. The cadre reports results and proposes the model for
recognition; the reviewer scores it and recognises it, then commends it in a round he builds,
decides and publishes; the cadre finds the commendation on the model and in the notifications.
"""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from core.models import Notification, NotificationKind
from models_registry.choices import Status
from models_registry.models import DanVanModel
from reviews.choices import CommendationForm, RoundStatus
from reviews.models import Commendation, CommendationRound
from tests.e2e.helpers import PDF, chips, help_screenshot, log_in, pick
from tests.factories import DEFAULT_PASSWORD

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("seeded_rows"),
]

NAME = "Dân vận khéo xây dựng đường giao thông nông thôn thôn Khuôn Ngàn"
RETURN_REASON = "Bổ sung số hộ được vận động hiến đất và diện tích đất hiến của từng hộ."
TARGET_GROUP = "Các hộ dân thôn Khuôn Ngàn."
TARGET_GROUP_FIXED = "42 hộ dân thôn Khuôn Ngàn, hiến 1.500 m² đất."
ROUND_TITLE = "Sơ kết phong trào thi đua “Dân vận khéo” năm {year}"
CITATION = "Có thành tích xuất sắc trong vận động nhân dân hiến đất làm đường."


@pytest.fixture
def reviewer_page(browser, live_server):
    """The reviewer's own browser, beside the cadre's (``page``)."""
    context = browser.new_context(base_url=live_server.url, locale="vi-VN")
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def main_menu(page):
    return page.get_by_role("navigation", name="Điều hướng chính")


def alert(page, text):
    return page.get_by_role("alert").filter(has_text=text)


def register_and_submit(page):
    """The cadre fills every mandatory item of the registration form and submits it."""
    main_menu(page).get_by_role("link", name="Mô hình, điển hình").click()
    page.get_by_role("link", name="+ Đăng ký mô hình mới").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng ký mô hình, điển hình")
    expect(chips(page.get_by_role("combobox", name="Đơn vị chủ trì"))).to_have_text(
        ["Phường Chùa Hang"]
    )
    page.get_by_label("Tên mô hình, điển hình").fill(NAME)
    page.get_by_label("Lĩnh vực").select_option(label="Kinh tế")
    page.get_by_label("Ghi chú địa bàn").fill("Thôn Khuôn Ngàn")
    page.get_by_label("Thực trạng, lý do xây dựng").fill(
        "Đường vào thôn là đường đất, mùa mưa lầy lội, học sinh đi học khó khăn."
    )
    page.get_by_label("Mục tiêu, tiêu chí đánh giá").fill(
        "Bê tông hóa 2 km đường vào thôn trong năm; 100% hộ đồng thuận hiến đất."
    )
    page.get_by_label("Nội dung, cách làm").fill(
        "Chi bộ họp bàn, Ban công tác Mặt trận đến từng hộ vận động hiến đất, góp ngày công."
    )
    page.get_by_label("Đối tượng tác động").fill(TARGET_GROUP)
    page.get_by_label("Lực lượng thực hiện và vai trò").fill(
        "Chi bộ lãnh đạo; Ban công tác Mặt trận vận động; Đoàn Thanh niên góp công."
    )
    page.get_by_label("Ngày công").fill("500")
    page.get_by_label("Ngày bắt đầu").fill("2026-01-05")
    page.get_by_label("Ngày đánh giá").fill("2026-06-30")
    page.get_by_label("Lộ trình thực hiện").fill("Quý I: vận động hiến đất; quý II: thi công.")
    page.get_by_label("Sản phẩm, kết quả kiểm chứng được").fill(
        "2 km đường bê tông được nghiệm thu; biên bản hiến đất của các hộ."
    )
    page.get_by_label("Tính bền vững, khả năng nhân rộng").fill(
        "Tổ tự quản bảo dưỡng đường; cách làm nhân rộng ra các thôn lân cận."
    )
    page.get_by_label("Người liên hệ").fill("Hoàng Văn Thụ")
    page.get_by_label("Số điện thoại liên hệ").fill("0912 345 678")
    page.get_by_role("button", name="Lưu và gửi duyệt").click()

    expect(alert(page, "Đã gửi duyệt")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(NAME)
    expect(page.locator(".status-badge")).to_have_text("Chờ duyệt đăng ký")


def open_from_queue(page, status, picture=None):
    """The reviewer opens the queue from the menu, finds the model waiting, and opens it."""
    main_menu(page).get_by_role("link", name="Thẩm định").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hồ sơ chờ thẩm định")
    link = page.get_by_role("link", name=NAME, exact=True)
    row = page.get_by_role("table").get_by_role("row").filter(has=link)
    expect(row.locator(".status-badge")).to_have_text(status)
    expect(row).to_contain_text("Phường Chùa Hang")
    if picture:
        help_screenshot(page, picture, full_page=True)
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NAME)
    expect(page.locator(".status-badge")).to_have_text(status)


def open_model(page):
    """Anyone finds the model in the list by its name and opens it."""
    main_menu(page).get_by_role("link", name="Mô hình, điển hình").click()
    page.get_by_role("table").get_by_role("link", name=NAME, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NAME)


def test_a_registration_from_submission_to_commendation(
    page, reviewer_page, tree, cadre, reviewer, tmp_path
):
    today = timezone.localdate()
    title = ROUND_TITLE.format(year=today.year)
    review = reviewer_page
    log_in(page, cadre.username, DEFAULT_PASSWORD)
    log_in(review, reviewer.username, DEFAULT_PASSWORD)

    # 1. The cadre registers the model and submits it.
    register_and_submit(page)

    # 2. The reviewer finds it in the queue and returns it, saying what is missing.
    open_from_queue(review, "Chờ duyệt đăng ký", picture="hang-cho-tham-dinh")
    panel = review.locator("#tham-dinh")
    expect(panel.get_by_role("heading", name="Xét duyệt đăng ký")).to_be_visible()
    panel.get_by_label("Lý do trả lại: cần bổ sung, sửa những gì").fill(RETURN_REASON)
    help_screenshot(panel, "xet-duyet-dang-ky")
    panel.get_by_role("button", name="Trả lại để bổ sung").click()
    expect(alert(review, f"Đã trả lại “{NAME}” để đơn vị bổ sung.")).to_be_visible()
    expect(review.locator(".status-badge")).to_have_text("Trả lại để bổ sung")

    # 3. The cadre sees the notification under the bell, and the reason on the model's page.
    page.reload()
    bell = main_menu(page).get_by_role("link", name=re.compile(r"^Thông báo"))
    expect(bell).to_contain_text("1 thông báo chưa đọc")
    bell.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thông báo")
    returned = page.get_by_role("listitem").filter(
        has_text=f"Đăng ký “{NAME}” bị trả lại để bổ sung"
    )
    expect(returned).to_contain_text(RETURN_REASON)
    returned.get_by_role("link", name=f"Đăng ký “{NAME}” bị trả lại để bổ sung").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NAME)
    expect(page.locator(".status-badge")).to_have_text("Trả lại để bổ sung")
    expect(page.locator(".status-reason")).to_have_text(f"Lý do: {RETURN_REASON}")
    expect(bell).not_to_contain_text("chưa đọc")
    help_screenshot(page, "mo-hinh-bi-tra-lai", full_page=True)

    # 4. The cadre fixes the registration and sends it again.
    page.get_by_role("link", name="Sửa đăng ký").click()
    expect(page.get_by_label("Đối tượng tác động")).to_have_value(TARGET_GROUP)
    page.get_by_label("Đối tượng tác động").fill(TARGET_GROUP_FIXED)
    page.get_by_role("button", name="Lưu và gửi duyệt").click()
    expect(alert(page, "Đã gửi duyệt")).to_be_visible()
    expect(page.locator(".status-badge")).to_have_text("Chờ duyệt đăng ký")

    # 5. The reviewer sees what changed since the first submission, and accepts.
    open_from_queue(review, "Chờ duyệt đăng ký")
    changes = review.locator(".resubmission-changes")
    expect(changes.get_by_role("heading")).to_contain_text("Thay đổi so với lần gửi trước")
    changed = changes.get_by_role("row").filter(has_text="Đối tượng tác động")
    expect(changed).to_have_count(1)
    # Word by word: the words dropped struck through, those added marked.
    expect(changed.locator("del")).to_have_text(["Các", "Ngàn."])
    expect(changed.locator("ins")).to_have_text(["42", "Ngàn, hiến 1.500 m² đất."])
    expect(changed).to_contain_text(TARGET_GROUP)
    expect(changed).to_contain_text(TARGET_GROUP_FIXED)
    help_screenshot(changes, "thay-doi-khi-gui-lai")
    panel.get_by_role("button", name="Duyệt đăng ký").click()
    expect(alert(review, f"Đã duyệt đăng ký “{NAME}”.")).to_be_visible()
    expect(review.locator(".status-badge")).to_have_text("Đã duyệt đăng ký")

    # 6. The cadre reports the results and proposes the model for recognition on them.
    page.reload()
    expect(page.locator(".status-badge")).to_have_text("Đã duyệt đăng ký")
    page.get_by_role("link", name="Báo cáo kết quả", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Báo cáo kết quả")
    page.get_by_label("Từ ngày").fill(f"{today.year}-01-01")
    page.get_by_label("Đến ngày").fill(f"{today.year}-06-30")
    page.get_by_label("Tóm tắt kết quả").fill(
        "42 hộ hiến 1.500 m² đất; 2 km đường bê tông hoàn thành, nghiệm thu tháng 6."
    )
    page.get_by_role("button", name="Lưu báo cáo").click()
    expect(alert(page, "Đã lưu báo cáo kết quả.")).to_be_visible()
    expect(page.get_by_role("region", name="Báo cáo kết quả")).to_contain_text(
        "42 hộ hiến 1.500 m² đất"
    )

    page.get_by_role("link", name="Đề nghị công nhận").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đề nghị công nhận")
    page.get_by_label(re.compile(rf"^Kỳ 01/01/{today.year} – 30/06/{today.year}")).check()
    page.get_by_label("Thuyết minh đề nghị").fill(
        "Cách vận động hiến đất được nhân dân đồng thuận, có thể nhân rộng."
    )
    page.get_by_role("button", name="Gửi đề nghị công nhận").click()
    expect(alert(page, "Đã gửi đề nghị công nhận.")).to_be_visible()
    expect(page.locator(".status-badge")).to_have_text("Đề nghị công nhận")

    # 7. The reviewer scores the model on the rubric and recognises it with a decision.
    open_from_queue(review, "Đề nghị công nhận")
    proposal = review.locator(".proposal-summary")
    expect(proposal).to_contain_text("Cách vận động hiến đất được nhân dân đồng thuận")
    report = f"Kết quả 01/01/{today.year} – 30/06/{today.year}"
    expect(proposal.get_by_role("link", name=report)).to_be_visible()
    review.get_by_role("link", name="Chấm điểm theo bộ tiêu chí").click()
    expect(review.get_by_role("heading", level=1)).to_have_text("Phiếu chấm điểm")
    rows = review.locator(".appraisal-sheet tbody tr")
    expect(rows.first).to_be_visible()
    total = 0
    for row in rows.all():
        best = int(row.locator("td.text-end").inner_text())  # the criterion's maximum
        row.locator("input").fill(str(best))
        total += best
    review.get_by_label("Nhận xét chung").fill(
        "Cách làm sáng tạo, kết quả rõ, được nhân dân ủng hộ."
    )
    review.get_by_role("button", name="Lưu phiếu chấm điểm").click()
    # Full marks: the top band of the rubric.
    expect(
        alert(review, f"Đã lưu phiếu chấm điểm: tổng {total}/{total} điểm, xếp loại “Xuất sắc”.")
    ).to_be_visible()
    expect(review.get_by_role("heading", level=1)).to_have_text(NAME)

    recognise = review.get_by_role("form", name="Công nhận", exact=True)
    recognise.get_by_label("Số quyết định").fill("125/QĐ-BDVTU")
    recognise.get_by_label("Ngày quyết định").fill(f"{today:%d/%m/%Y}")
    recognise.get_by_label("Người ký").fill("Trần Thị Lan")
    pick(
        review,
        recognise.get_by_role("combobox", name="Cơ quan ban hành"),
        "tinh thai nguyen",
        "Tỉnh Thái Nguyên",
    )
    recognise.get_by_role("button", name="Công nhận").click()
    expect(alert(review, f"Đã công nhận “{NAME}”.")).to_be_visible()
    expect(review.locator(".status-badge")).to_have_text("Đã công nhận")
    decision = review.locator(".recognition-decision")
    expect(decision).to_contain_text("125/QĐ-BDVTU")
    expect(decision).to_contain_text(f"{today:%d/%m/%Y}")
    expect(decision).to_contain_text("Trần Thị Lan")

    # 8. The reviewer builds a round, puts the model on its list, decides and publishes it.
    main_menu(review).get_by_role("link", name="Khen thưởng").click()
    review.get_by_role("link", name="+ Tạo đợt mới").click()
    review.get_by_label("Tên đợt").fill(title)
    review.get_by_label("Loại đợt").select_option(label="Sơ kết")
    review.get_by_label("Ngày tổ chức").fill(f"{today:%d/%m/%Y}")
    review.get_by_label("Kỳ xét từ ngày").fill(f"01/01/{today.year}")
    review.get_by_label("Kỳ xét đến ngày").fill(f"31/12/{today.year}")
    expect(chips(review.get_by_role("combobox", name="Đơn vị tổ chức"))).to_have_text(
        ["Tỉnh Thái Nguyên"]
    )
    review.get_by_role("button", name="Tạo đợt").click()
    expect(alert(review, "Đã tạo đợt.")).to_be_visible()
    expect(review.get_by_role("heading", level=1)).to_have_text(title)

    # The nominee picker suggests as the reviewer types, without diacritics too.
    nominate = review.locator("form.round-nominate")
    pick(review, nominate.get_by_role("combobox", name="Mô hình, điển hình"), "khuon ngan", NAME)
    nominate.get_by_label("Hình thức").select_option(label="Giấy khen")
    nominate.get_by_label("Nội dung, thành tích").fill(CITATION)
    nominate.get_by_role("button", name="Đưa vào danh sách").click()
    expect(alert(review, f"Đã đưa “{NAME}” vào danh sách.")).to_be_visible()
    line = review.locator("table.round-lines").get_by_role("row").filter(has_text=NAME)
    expect(line).to_contain_text("Giấy khen")
    expect(line).to_contain_text(CITATION)

    review.get_by_role("link", name="Ghi quyết định").first.click()
    expect(review.get_by_role("heading", level=1)).to_have_text(
        "Ghi quyết định biểu dương, khen thưởng"
    )
    review.get_by_label("Số quyết định").fill("15/QĐ-BDVTU")
    review.get_by_label("Ngày quyết định").fill(f"{today:%d/%m/%Y}")
    review.get_by_label("Người ký").fill("Trần Thị Lan")
    review.get_by_label("Cơ quan ban hành").fill("Ban Dân vận Tỉnh ủy Thái Nguyên")
    signed = tmp_path / "quyet-dinh-15.pdf"
    signed.write_bytes(PDF)
    review.get_by_label("Tệp quyết định đã ký").set_input_files(signed)
    review.get_by_role("button", name="Lưu quyết định").click()
    expect(alert(review, "Đã ghi quyết định.")).to_be_visible()
    expect(review.get_by_role("region", name="Quyết định")).to_contain_text("15/QĐ-BDVTU")

    review.get_by_label("Tôi đã kiểm tra danh sách và quyết định; công bố đợt này.").check()
    review.get_by_role("button", name="Công bố đợt").click()
    expect(alert(review, "Đã công bố đợt. Danh sách đã được khóa.")).to_be_visible()
    expect(review.locator(".badge").filter(has_text="Đã công bố")).to_be_visible()

    # 9. The cadre sees the commendation on the model, and the notification of it.
    open_model(page)
    expect(page.locator(".status-badge")).to_have_text("Đã công nhận")
    commendations = page.locator(".commendations-panel")
    expect(commendations).to_contain_text(f"Giấy khen – {title}")
    expect(commendations).to_contain_text("Quyết định số 15/QĐ-BDVTU")
    expect(commendations).to_contain_text(CITATION)
    bell = main_menu(page).get_by_role("link", name=re.compile(r"^Thông báo"))
    expect(bell).to_contain_text("thông báo chưa đọc")
    bell.click()
    commended = page.get_by_role("listitem").filter(has_text=f"“{NAME}” được giấy khen")
    expect(commended).to_contain_text("Được biểu dương, khen thưởng")
    expect(commended).to_contain_text("Quyết định số 15/QĐ-BDVTU")
    expect(
        page.get_by_role("listitem").filter(has_text=f"“{NAME}” đã được công nhận")
    ).to_be_visible()

    model = DanVanModel.objects.get(name=NAME)
    assert model.status == Status.RECOGNISED
    assert model.decision_number == "125/QĐ-BDVTU"
    assert model.decision_issuer == tree.province
    assert model.target_group == TARGET_GROUP_FIXED
    published = CommendationRound.objects.get(status=RoundStatus.PUBLISHED)
    assert published.title == title
    assert CommendationRound.objects.count() == 1
    assert list(Commendation.objects.values_list("round", "model", "form")) == [
        (published.pk, model.pk, CommendationForm.CERTIFICATE)
    ]
    assert set(Notification.objects.filter(recipient=cadre).values_list("kind", flat=True)) == {
        NotificationKind.RETURNED,
        NotificationKind.ACCEPTED,
        NotificationKind.RECOGNISED,
        NotificationKind.COMMENDED,
    }
    assert set(Notification.objects.filter(recipient=reviewer).values_list("kind", flat=True)) == {
        NotificationKind.SUBMITTED,
        NotificationKind.PROPOSED,
    }
