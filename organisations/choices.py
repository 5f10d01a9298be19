"""Kinds, levels and roles of the organisation tree."""

from django.db import models


class OrganisationKind(models.TextChoices):
    PARTY_COMMITTEE = "party_committee", "Cấp ủy, tổ chức Đảng"
    PEOPLES_COMMITTEE = "peoples_committee", "Chính quyền (Ủy ban nhân dân)"
    FATHERLAND_FRONT = "fatherland_front", "Mặt trận Tổ quốc Việt Nam"
    YOUTH_UNION = "youth_union", "Đoàn Thanh niên"
    WOMENS_UNION = "womens_union", "Hội Liên hiệp Phụ nữ"
    FARMERS_UNION = "farmers_union", "Hội Nông dân"
    VETERANS_ASSOCIATION = "veterans_association", "Hội Cựu chiến binh"
    TRADE_UNION = "trade_union", "Công đoàn"
    POLICE = "police", "Công an"
    MILITARY = "military", "Quân sự"
    SCHOOL = "school", "Trường học"
    ENTERPRISE = "enterprise", "Doanh nghiệp"
    RESIDENTIAL_AREA = "residential_area", "Thôn, tổ dân phố, khu dân cư"
    OTHER = "other", "Khác"


class OrganisationLevel(models.TextChoices):
    """The administrative tier a unit belongs to; the tree itself has no fixed depth."""

    CENTRAL = "central", "Trung ương"
    PROVINCE = "province", "Tỉnh, thành phố"
    DISTRICT = "district", "Quận, huyện, thị xã, thành phố thuộc tỉnh (cũ)"
    COMMUNE = "commune", "Xã, phường, đặc khu"
    RESIDENTIAL = "residential", "Thôn, tổ dân phố, khu dân cư"


class Role(models.TextChoices):
    CADRE = "cadre", "Cán bộ cơ sở"
    REVIEWER = "reviewer", "Cán bộ thẩm định"
    ADMIN = "admin", "Quản trị"


class DocumentHeading(models.TextChoices):
    """Whose conventions a body's documents follow: the Party's (Hướng dẫn 36-HD/VPTW) or the
    State's, which the Fatherland Front and the mass organisations use too (Nghị định
    30/2020/NĐ-CP)."""

    PARTY = "party", "Văn bản của Đảng (ĐẢNG CỘNG SẢN VIỆT NAM)"
    STATE = "state", "Văn bản của Nhà nước, Mặt trận (CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM)"


class SigningCapacity(models.TextChoices):
    """How the signer signs: for themselves, on behalf of a collective (TM.), for the head
    (KT.), by order (TL.), by delegation (TUQ.) or as acting head (Q.)."""

    SELF = "", "Ký trực tiếp"
    ON_BEHALF = "on_behalf", "Thay mặt (TM.)"
    DEPUTY = "deputy", "Ký thay (KT.)"
    BY_ORDER = "by_order", "Thừa lệnh (TL.)"
    DELEGATED = "delegated", "Thừa ủy quyền (TUQ.)"
    ACTING = "acting", "Quyền (Q.)"
