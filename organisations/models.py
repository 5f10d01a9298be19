"""The organisation tree and who belongs where with which role."""

import re

import pghistory
from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Func, Q, Value
from django.db.models.functions import Coalesce, Concat, Upper
from django.urls import reverse
from django.utils import timezone
from treebeard.mp_tree import MP_Node, MP_NodeManager

from core.audit import audited
from core.date_range import DATE_RANGE_MESSAGE, dates_in_range, validate_date_range
from core.models import TimeStampedModel
from organisations.choices import DocumentHeading, OrganisationKind, OrganisationLevel, Role
from organisations.querysets import MembershipQuerySet, OrganisationQuerySet


class SearchText(Func):
    """``danvan_search_text(x)``: unaccent + lower, declared IMMUTABLE so it can be stored."""

    function = "danvan_search_text"
    output_field = models.TextField()


class OrganisationManager(MP_NodeManager.from_queryset(OrganisationQuerySet)):
    """Treebeard's tree operations plus the scoped queryset verbs (``visible_to``, ``matching``)."""

    def get_queryset(self):
        return OrganisationQuerySet(self.model, using=self._db).order_by("path")


@audited(
    "OrganisationHistory",
    # Derived: the name's search form, and the tree's count of children (a child's own
    # insert is already in the trail).
    exclude=["search_name", "numchild"],
)
class Organisation(MP_Node, TimeStampedModel):
    """A unit in the tree: central → province → (former district) → commune → residential area."""

    name = models.CharField("tên đơn vị", max_length=255)
    short_name = models.CharField("tên viết tắt", max_length=100, blank=True)
    kind = models.CharField(
        "loại hình", max_length=32, choices=OrganisationKind, default=OrganisationKind.OTHER
    )
    level = models.CharField("cấp", max_length=16, choices=OrganisationLevel)
    code = models.CharField(
        "mã đơn vị",
        max_length=32,
        unique=True,
        null=True,
        blank=True,
        help_text="Mã hành chính hoặc mã đơn vị, duy nhất trong toàn hệ thống.",
    )
    valid_from = models.DateField(
        "hiệu lực từ ngày", null=True, blank=True, validators=[validate_date_range]
    )
    valid_to = models.DateField(
        "hiệu lực đến ngày", null=True, blank=True, validators=[validate_date_range]
    )
    merged_from = models.ManyToManyField(
        "self",
        symmetrical=False,
        related_name="merged_into",
        blank=True,
        verbose_name="sáp nhập từ các đơn vị",
        help_text="Các đơn vị cũ đã sáp nhập vào đơn vị này; số liệu của chúng được tính vào đây.",
    )
    document_heading = models.CharField(
        "thể thức văn bản",
        max_length=8,
        choices=DocumentHeading,
        default=DocumentHeading.STATE,
        help_text="Tiêu đề của giấy khen, danh sách kèm theo quyết định và báo cáo do đơn vị "
        "ban hành: “ĐẢNG CỘNG SẢN VIỆT NAM” hoặc “CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM”.",
    )
    document_name = models.CharField(
        "tên cơ quan ban hành trên văn bản",
        max_length=255,
        blank=True,
        help_text="Để trống thì dùng tên đơn vị. Ví dụ: Ban Dân vận Tỉnh ủy.",
    )
    document_superior = models.CharField(
        "cơ quan cấp trên trên văn bản",
        max_length=255,
        blank=True,
        help_text="Dòng phía trên tên cơ quan ban hành, ví dụ: Tỉnh ủy Thái Nguyên; "
        "UBND tỉnh Thái Nguyên. Để trống nếu không có.",
    )
    document_abbreviation = models.CharField(
        "chữ viết tắt tên cơ quan",
        max_length=30,
        blank=True,
        help_text="Dùng trong số, ký hiệu văn bản, ví dụ: BDVTU (12-BC/BDVTU), UBND (12/BC-UBND).",
    )
    search_name = models.GeneratedField(
        expression=SearchText(
            Concat("name", Value(" "), "short_name", Value(" "), Coalesce("code", Value("")))
        ),
        output_field=models.TextField(),
        db_persist=True,
        verbose_name="tên không dấu",
    )

    node_order_by = []  # children keep insertion order; pages sort them by name
    objects = OrganisationManager()

    class Meta:
        verbose_name = "đơn vị"
        verbose_name_plural = "đơn vị"
        ordering = ["path"]
        indexes = [
            GinIndex(
                fields=["search_name"],
                opclasses=["gin_trgm_ops"],
                name="organisation_search_trgm",
            ),
            models.Index(fields=["depth", "name"], name="organisation_depth_name"),
            # The import names stored units by codes typed in any case (same_codes).
            models.Index(Upper("code"), name="organisation_code_upper"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=F("valid_from")),
                name="organisation_valid_to_after_valid_from",
                violation_error_message="Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực.",
            ),
            models.CheckConstraint(
                condition=dates_in_range("valid_from", "valid_to"),
                name="organisation_date_ranges",
                violation_error_message=DATE_RANGE_MESSAGE,
            ),
            models.CheckConstraint(
                condition=~Q(code=""),
                name="organisation_code_not_empty",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("organisations:organisation_detail", args=[self.pk])

    @property
    def is_current(self) -> bool:
        """Valid today (units merged away in 2025 are not)."""
        today = timezone.localdate()
        return (self.valid_from is None or self.valid_from <= today) and (
            self.valid_to is None or self.valid_to >= today
        )


# The merger links are audited too (through a proxy, so the triggers live in the migrations): a
# unit's predecessors added or removed are in the trail like any other change.
@pghistory.track(
    pghistory.InsertEvent("add"),
    pghistory.DeleteEvent("remove"),
    model_name="MergerLinkHistory",
    obj_field=None,
)
class MergerLink(Organisation.merged_from.through):
    class Meta:
        proxy = True


class TreeVersion(models.Model):
    """A value that changes whenever a unit is added, removed or moved or a merger link changes,
    so that each process knows when its copy of the links is stale (``organisations.mergers``).
    Written by database triggers (migration 0006) and by ``mergers.tree_changed`` only."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    version = models.BigIntegerField()

    class Meta:
        verbose_name = "phiên bản cây đơn vị"
        verbose_name_plural = "phiên bản cây đơn vị"

    def __str__(self):
        return str(self.version)


@audited("MembershipHistory")
class Membership(TimeStampedModel):
    """A user's role on an organisation; it covers the organisation's whole subtree."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name="người dùng",
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name="đơn vị",
    )
    role = models.CharField("vai trò", max_length=16, choices=Role)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = "phân quyền"
        verbose_name_plural = "phân quyền"
        ordering = ["user__username", "organisation__path", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"],
                name="membership_unique_user_organisation_role",
                violation_error_message="Người dùng đã có vai trò này tại đơn vị này.",
            ),
        ]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()} – {self.organisation}"

    def get_absolute_url(self):
        return self.organisation.get_absolute_url()


class StandardBody(models.Model):
    """One body every province or every commune has (its Đảng ủy, Mặt trận, Hội Nông dân…):
    the official tree loader creates it under each unit of its level that lacks it.

    The national admin edits the list; a body already in the tree is never renamed by it."""

    class Level(models.TextChoices):
        PROVINCE = OrganisationLevel.PROVINCE.value, "Tỉnh, thành phố"
        COMMUNE = OrganisationLevel.COMMUNE.value, "Xã, phường, đặc khu"

    level = models.CharField("cấp", max_length=16, choices=Level)
    name_pattern = models.CharField(
        "mẫu tên",
        max_length=255,
        help_text=(
            "{ten_don_vi} là tên đơn vị viết thường chữ đầu (“xã Tân Cương”, “tỉnh Phú Thọ”), "
            "{ten_rieng} là tên riêng (“Tân Cương”, “Phú Thọ”)."
        ),
    )
    kind = models.CharField("loại hình", max_length=32, choices=OrganisationKind)
    code_suffix = models.CharField(
        "hậu tố mã",
        max_length=16,
        help_text="Mã của tổ chức là mã đơn vị, dấu gạch ngang và hậu tố này, ví dụ 05503-HND.",
    )
    active = models.BooleanField("đang áp dụng", default=True)
    position = models.PositiveSmallIntegerField("thứ tự", default=0)

    class Meta:
        verbose_name = "tổ chức chuẩn của đơn vị"
        verbose_name_plural = "tổ chức chuẩn của đơn vị"
        ordering = ["level", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["level", "code_suffix"],
                name="standard_body_unique_level_code_suffix",
                violation_error_message="Cấp này đã có một tổ chức chuẩn với hậu tố mã này.",
            ),
        ]

    def __str__(self):
        return self.name_pattern

    def clean(self):
        try:
            self.name_pattern.format(ten_don_vi="x", ten_rieng="x")
        except (KeyError, IndexError, ValueError) as error:
            raise ValidationError(
                {"name_pattern": "Mẫu tên chỉ được dùng {ten_don_vi} và {ten_rieng}."}
            ) from error
        if not re.fullmatch(r"[A-Z0-9]+", self.code_suffix or ""):
            raise ValidationError(
                {"code_suffix": "Hậu tố mã chỉ gồm chữ in hoa không dấu và chữ số."}
            )

    def body_name(self, unit_name: str) -> str:
        """The body's name for the unit named ``unit_name`` ("Xã Tân Cương")."""
        proper = unit_name
        for prefix in UNIT_NAME_PREFIXES:
            if unit_name.startswith(prefix + " "):
                proper = unit_name[len(prefix) + 1 :]
                break
        return self.name_pattern.format(
            ten_don_vi=unit_name[:1].lower() + unit_name[1:], ten_rieng=proper
        )


# What comes before a unit's proper name, longest first ("Thành phố Hà Nội" → "Hà Nội").
UNIT_NAME_PREFIXES = ["Thành phố", "Đặc khu", "Phường", "Tỉnh", "Xã"]
