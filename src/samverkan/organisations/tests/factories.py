"""Factories for organisations and agreements (fictional data only)."""

from __future__ import annotations

import datetime as dt

import factory

from samverkan.organisations.models import (
    Agreement,
    AgreementParty,
    Organisation,
)


def _org_number(n: int) -> str:
    from samverkan.organisations.validators import luhn_ok

    base = f"802{n:06d}"
    for check in range(10):
        digits = base + str(check)
        if luhn_ok(digits):
            return f"{digits[:6]}-{digits[6:]}"
    raise AssertionError("unreachable")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Fiktiv förening {n}")
    slug = factory.Sequence(lambda n: f"fiktiv-forening-{n}")
    kind = "ngo"
    org_number = factory.Sequence(lambda n: _org_number(n + 1))
    is_fictional = True


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agreement
        skip_postgeneration_save = True

    kind = "iop"
    title = factory.Sequence(lambda n: f"Fiktivt partnerskap {n}")
    purpose = "Gemensamt stöd till nyanlända (fiktivt exempel)."
    start_date = dt.date(2026, 1, 1)
    end_date = dt.date(2027, 12, 31)
    status = "active"
    visibility = "internal"
    owner = factory.SubFactory(OrganisationFactory)
    is_fictional = True

    @factory.post_generation
    def with_owner_party(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            AgreementParty.objects.create(agreement=self, organisation=self.owner, joined_on=self.start_date)
