"""Factories for test data; organisations go through the services like real writes."""

import datetime

import factory
from django.contrib.auth import get_user_model

from organisations import services
from organisations.choices import OrganisationKind, OrganisationLevel
from organisations.models import Organisation

DEFAULT_PASSWORD = "Mat-khau-thu-nghiem-2026"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Đơn vị {n}")
    kind = OrganisationKind.PEOPLES_COMMITTEE
    level = OrganisationLevel.COMMUNE
    code = factory.Sequence(lambda n: f"DV{n:05d}")
    parent = None

    @classmethod
    def _create(cls, model_class, *args, parent=None, **kwargs):
        return services.organisation_create(
            parent=parent, organisation=model_class(**kwargs), by=None
        )


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"nguoidung{n}")
    first_name = factory.Faker("name", locale="vi_VN")
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def user_with_role(organisation: Organisation, role: str, **kwargs):
    """A user holding ``role`` on ``organisation``'s subtree."""
    user = UserFactory(**kwargs)
    services.membership_grant(user=user, organisation=organisation, role=role, by=None)
    return user


class DanVanModelFactory(factory.django.DjangoModelFactory):
    """A registration with every mandatory item filled (status draft unless given)."""

    class Meta:
        model = "models_registry.DanVanModel"
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Mô hình thử nghiệm {n}")
    kind = "model"
    actor = "collective"
    field = "economy"
    owning_unit = factory.SubFactory(OrganisationFactory)
    territory_note = "Thôn Nà Pài"
    situation = "Đường liên thôn lầy lội, người dân đi lại khó khăn."
    goals = "Bê tông hóa 2 km đường liên thôn."
    content = "Vận động nhân dân hiến đất, góp ngày công làm đường."
    target_group = "Các hộ dân trong thôn."
    forces = "Chi bộ lãnh đạo, Ban công tác Mặt trận vận động, các đoàn thể tham gia."
    funds = 150_000_000
    workdays = 500
    start_date = datetime.date(2025, 3, 1)
    schedule = "Quý II: vận động; quý III: thi công."
    evaluation_date = datetime.date(2025, 12, 1)
    outputs = "2 km đường bê tông, 1.200 m² đất được hiến."
    sustainability = "Nhân dân tự quản, bảo dưỡng; có thể nhân rộng ra các thôn khác."
    contact_name = "Nguyễn Văn An"
    contact_phone = "0912 345 678"
    status = "draft"

    @factory.post_generation
    def themes(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.themes.set(extracted)
