"""Agreements, tried as an attacker would: a party of someone else's agreement must not bring in
further organisations (they would see the owner's contact persons), on the page or the API.

Issue #15, item 5."""

from __future__ import annotations

import pytest

from samverkan.accounts.tests.factories import member
from samverkan.accounts.tests.helpers import verified_login
from samverkan.organisations.models import Agreement, AgreementInvitation, AgreementParty, Organisation
from samverkan.organisations.tests.factories import AgreementFactory, OrganisationFactory
from samverkan.organisations.tests.test_api import bearer

pytestmark = pytest.mark.django_db
JSON = "application/json"


def _agreement_with_partner(**kwargs: object) -> tuple[Agreement, Organisation]:
    """An agreement of its owner, with the owner's contact person, and one invited party."""
    agreement = AgreementFactory(status="active", **kwargs)
    AgreementParty.objects.filter(agreement=agreement, organisation=agreement.owner).update(
        contact_name="Ägarens kontakt (fiktiv)", contact_email="agare@example.invalid"
    )
    partner = OrganisationFactory()
    agreement.parties.create(organisation=partner, joined_on=agreement.start_date)
    return agreement, partner


KINDS = {
    "internal": {"visibility": "internal"},
    "public": {"visibility": "public"},
    "open": {"visibility": "public", "open_for_joining": True},
}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_partys_administrator_cannot_invite_through_the_page(client, kind):
    agreement, partner = _agreement_with_partner(**KINDS[kind])
    accomplice = OrganisationFactory()
    verified_login(client, member("administrator", partner))
    url = f"/agreements/{agreement.pk}/invite/"
    # The party sees the agreement (it may), but not the action, and the action is refused.
    detail = client.get(f"/agreements/{agreement.pk}/").content.decode()
    assert url not in detail
    assert client.get(url).status_code == 403
    response = client.post(url, {"organisation": accomplice.pk, "message": "kom in"})
    assert response.status_code == 403
    assert not AgreementInvitation.objects.filter(agreement=agreement).exists()
    if kind == "internal":
        verified_login(client, member("administrator", accomplice))
        assert client.get(f"/agreements/{agreement.pk}/").status_code == 404
        assert (
            "agare@example.invalid"
            not in client.get(f"/agreements/{agreement.pk}/export.csv").content.decode()
        )


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_partys_administrator_cannot_invite_through_the_api(client, kind):
    agreement, partner = _agreement_with_partner(**KINDS[kind])
    accomplice = OrganisationFactory()
    response = client.post(
        f"/api/v1/agreements/{agreement.pk}/invitations",
        {"organisation_id": accomplice.pk},
        content_type=JSON,
        **bearer(member("administrator", partner)),
    )
    assert response.status_code == 403
    assert not AgreementInvitation.objects.filter(agreement=agreement).exists()
    if kind == "internal":
        outside = bearer(member("administrator", accomplice))
        assert client.get(f"/api/v1/agreements/{agreement.pk}/parties", **outside).status_code == 404


def test_a_pending_invitee_cannot_pass_the_invitation_on(client):
    agreement = AgreementFactory(status="active", visibility="internal")
    invitee, accomplice = OrganisationFactory(), OrganisationFactory()
    AgreementInvitation.objects.create(agreement=agreement, organisation=invitee)
    verified_login(client, member("administrator", invitee))
    assert (
        client.post(f"/agreements/{agreement.pk}/invite/", {"organisation": accomplice.pk}).status_code == 403
    )
    assert not AgreementInvitation.objects.filter(organisation=accomplice).exists()


def test_the_owners_coordinator_still_invites(client):
    agreement, _partner = _agreement_with_partner(visibility="internal")
    guest = OrganisationFactory()
    verified_login(client, member("coordinator", agreement.owner))
    url = f"/agreements/{agreement.pk}/invite/"
    assert url in client.get(f"/agreements/{agreement.pk}/").content.decode()
    assert client.post(url, {"organisation": guest.pk}).status_code == 302
    assert AgreementInvitation.objects.filter(agreement=agreement, organisation=guest).exists()
