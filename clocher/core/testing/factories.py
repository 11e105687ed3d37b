"""factory_boy factories for the shell's models (operators, communes, staff, memberships)."""

from __future__ import annotations

from typing import Any

import factory
from django_otp.plugins.otp_totp.models import TOTPDevice

from clocher.accounts.models import User
from clocher.tenancy import services
from clocher.tenancy.models import Commune, Membership, Operator, OperatorMembership, Role

TEST_PASSWORD = "correct horse battery staple"  # noqa: S105 (test accounts only)


class OperatorFactory(factory.django.DjangoModelFactory[Operator]):
    class Meta:
        model = Operator
        django_get_or_create = ("slug",)

    name = "Syndicat numérique de test"
    slug = "syndicat-test"


class CommuneFactory(factory.django.DjangoModelFactory[Commune]):
    """Creates a commune through the service, so it has its data key like a real one."""

    class Meta:
        model = Commune

    operator = factory.SubFactory(OperatorFactory)
    insee_code = factory.Sequence(lambda n: f"{21000 + n:05d}")
    name = factory.Sequence(lambda n: f"Commune {n}")
    slug = factory.Sequence(lambda n: f"commune-{n}")
    population = 500

    @classmethod
    def _create(cls, model_class: type[Commune], *args: Any, **kwargs: Any) -> Commune:
        return services.commune_create(**kwargs)


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"agent{n}@example.test")
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Agent{n}")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def persist_password(obj: User, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    commune = factory.SubFactory(CommuneFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.AGENT


class OperatorMembershipFactory(factory.django.DjangoModelFactory[OperatorMembership]):
    class Meta:
        model = OperatorMembership

    operator = factory.SubFactory(OperatorFactory)
    user = factory.SubFactory(UserFactory)
    role = "operator_admin"


def confirmed_totp_device(user: User) -> TOTPDevice:
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="Application d'authentification", defaults={"confirmed": True}
    )
    return device
