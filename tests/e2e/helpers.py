"""Steps shared by the browser journeys."""

import re

from playwright.sync_api import expect

from danvan.management.commands.load_demo import demo_password

# The smallest file the upload checks accept as a PDF.
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def log_in(page, username, password=None):
    """Open the portal as ``username`` (a demo user unless ``password`` is given) by logging in."""
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/dang-nhap/"))
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password or demo_password())
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Xin chào")
