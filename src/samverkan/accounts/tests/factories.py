"""Factories for users and memberships (fictional people only)."""

from __future__ import annotations

import factory

from samverkan.accounts.models import Membership, User
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
    def _save(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = "reader"


def member(role: str, organisation=None) -> User:  # type: ignore[no-untyped-def]
    """A user holding ``role`` in ``organisation`` (a new fictional one if not given)."""
    organisation = organisation or OrganisationFactory()
    return MembershipFactory(role=role, organisation=organisation).user
