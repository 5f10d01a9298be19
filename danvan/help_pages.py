"""The user guides ("Hướng dẫn sử dụng"), one per role, and the pictures that illustrate them.

The pictures are taken by the browser journeys of the test suite at the steps a guide shows
(``tests/e2e/helpers.help_screenshot``) and written to ``settings.HELP_SCREENSHOTS_DIR``; only
the names listed in ``SCREENSHOTS`` are ever served from that folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.http import FileResponse, Http404
from django.utils.cache import patch_cache_control
from django.views.decorators.http import condition, require_GET
from django.views.generic import TemplateView

from organisations.choices import Role
from organisations.selectors import user_memberships


@dataclass(frozen=True)
class Guide:
    slug: str
    role: str
    title: str
    summary: str

    @property
    def template_name(self) -> str:
        return f"help/{self.slug}.html"


GUIDES = {
    guide.slug: guide
    for guide in (
        Guide(
            "can-bo-co-so",
            Role.CADRE,
            "Cán bộ cơ sở",
            "Đăng ký mô hình, gửi duyệt, bổ sung khi bị trả lại, báo cáo kết quả và đề nghị "
            "công nhận.",
        ),
        Guide(
            "can-bo-tham-dinh",
            Role.REVIEWER,
            "Cán bộ thẩm định",
            "Xét duyệt đăng ký, thẩm định, chấm điểm, công nhận và biểu dương mô hình.",
        ),
        Guide(
            "quan-tri",
            Role.ADMIN,
            "Quản trị",
            "Quản lý tài khoản, nhập dữ liệu từ tệp, báo cáo tổng hợp và chốt số liệu.",
        ),
    )
}

# Every picture a guide may show: its file name (without ".png") and what it shows.
SCREENSHOTS = {
    "dang-ky-mo-hinh": "Biểu mẫu đăng ký mô hình đã điền, trước khi gửi duyệt",
    "con-thieu-truoc-khi-gui": "Danh sách các mục còn thiếu sau khi bấm “Lưu và gửi duyệt”",
    "mo-hinh-bi-tra-lai": "Trang mô hình bị trả lại, với lý do của đơn vị thẩm định",
    "hang-cho-tham-dinh": "Danh sách hồ sơ chờ thẩm định",
    "xet-duyet-dang-ky": "Khung xét duyệt đăng ký trên trang mô hình",
    "thay-doi-khi-gui-lai": "Những thay đổi so với lần gửi trước, khi đơn vị gửi lại",
}


# The pictures change only when the guides' journeys write them again (a release).
SCREENSHOT_MAX_AGE = 24 * 60 * 60


def screenshot_path(name: str):
    """The file of the picture ``name``; ``Http404`` for any name not listed."""
    if name not in SCREENSHOTS:
        raise Http404("Không có ảnh minh họa này.")
    return settings.HELP_SCREENSHOTS_DIR / f"{name}.png"


def user_roles(user) -> set[str]:
    return set(user_memberships(user).values_list("role", flat=True))


def guides_for(user) -> list[Guide]:
    """The guides of the roles ``user`` holds; every guide for admins (and the superuser), and
    for anyone holding no role yet."""
    roles = user_roles(user)
    if user.is_superuser or Role.ADMIN in roles or not roles:
        return list(GUIDES.values())
    return [guide for guide in GUIDES.values() if guide.role in roles]


class HelpIndexView(TemplateView):
    template_name = "help/index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        mine = guides_for(self.request.user)
        context["guides"] = mine
        context["other_guides"] = [guide for guide in GUIDES.values() if guide not in mine]
        return context


class GuideView(TemplateView):
    """One role's guide; guides are not secret, so any signed-in user may read every one."""

    def dispatch(self, request, *args, slug, **kwargs):
        self.guide = GUIDES.get(slug)
        if self.guide is None:
            raise Http404("Không có hướng dẫn này.")
        return super().dispatch(request, *args, **kwargs)

    def get_template_names(self):
        return [self.guide.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["guide"] = self.guide
        context["guides"] = list(GUIDES.values())
        # Keyed with underscores for the templates' lookups (shots.dang_ky_mo_hinh).
        context["shots"] = {
            name.replace("-", "_"): {
                "name": name,
                "caption": caption,
                "taken": screenshot_path(name).is_file(),
            }
            for name, caption in SCREENSHOTS.items()
        }
        return context


def _screenshot_modified(request, name) -> datetime | None:
    path = screenshot_path(name)
    return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC) if path.is_file() else None


@require_GET
def screenshot(request, name):
    """A guide's picture, kept by the browser for a day (a guide read again shows it from the
    cache), then asked for again with its date: unchanged, the answer is a bodiless 304."""
    response = _screenshot(request, name)
    if response.status_code in (200, 304):
        patch_cache_control(response, private=True, max_age=SCREENSHOT_MAX_AGE)
    return response


@condition(last_modified_func=_screenshot_modified)
def _screenshot(request, name):
    path = screenshot_path(name)
    if not path.is_file():
        raise Http404("Ảnh minh họa chưa có.")
    return FileResponse(path.open("rb"), content_type="image/png")
