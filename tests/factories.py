"""Factories for test data; organisations go through the services like real writes."""

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
        return services.organisation_create(parent=parent, organisation=model_class(**kwargs))


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
    services.membership_grant(user=user, organisation=organisation, role=role)
    return user
