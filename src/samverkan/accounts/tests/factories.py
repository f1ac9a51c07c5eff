"""Factories for users and memberships (fictional people only)."""

from __future__ import annotations

from typing import Any, cast

import factory

from samverkan.accounts.models import Membership, User
from samverkan.organisations.models import Organisation
from samverkan.organisations.tests.factories import OrganisationFactory

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.Sequence(lambda n: f"user{n}@example.invalid")
    full_name = factory.Sequence(lambda n: f"Fiktiv Person {n}")
    is_fictional = True
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj: User, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = "reader"


def organisation(**kwargs: Any) -> Organisation:
    """A new fictional organisation, typed as the model (factory_boy's stubs type it as the factory)."""
    return cast(Organisation, OrganisationFactory(**kwargs))


def member(role: str, organisation: Organisation | None = None) -> User:
    """A user holding ``role`` in ``organisation`` (a new fictional one if not given)."""
    membership = cast(
        Membership, MembershipFactory(role=role, organisation=organisation or OrganisationFactory())
    )
    return membership.user


def with_authenticator(user: User) -> User:
    """Give ``user`` a confirmed TOTP authenticator, as everyone in a 2FA role has in practice."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.get_or_create(user=user, name="test authenticator", defaults={"confirmed": True})
    return user
