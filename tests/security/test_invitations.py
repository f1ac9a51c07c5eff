"""Invitations to agreements, tried as an attacker would: for anyone but the invited
organisation's administrators an invitation does not exist, so an existing id and a missing one
answer the same (404), on the page and the API, and ids cannot be probed.

Issue #15, item 11."""

from __future__ import annotations

import pytest

from samverkan.accounts.tests.factories import member
from samverkan.accounts.tests.helpers import verified_login
from samverkan.organisations.models import AgreementInvitation, AgreementParty
from samverkan.organisations.tests.factories import AgreementFactory, OrganisationFactory
from samverkan.organisations.tests.test_api import bearer

pytestmark = pytest.mark.django_db
JSON = "application/json"
ROLES = ["administrator", "coordinator", "case_officer", "editor", "reader"]


def _invitation() -> AgreementInvitation:
    agreement = AgreementFactory(status="active", visibility="internal")
    return AgreementInvitation.objects.create(agreement=agreement, organisation=OrganisationFactory())


def _probers(invitation: AgreementInvitation) -> list[tuple[str, str, object]]:
    """Everyone who must not see the invitation: every role of an unrelated organisation and of
    the inviting one, and every role but administrator of the invited one."""
    out = []
    for role in ROLES:
        out.append(("stranger", role, OrganisationFactory()))
        out.append(("owner", role, invitation.agreement.owner))
        if role != "administrator":
            out.append(("invitee", role, invitation.organisation))
    return out


def test_the_invitation_page_answers_an_existing_id_like_a_missing_one(client):
    invitation = _invitation()
    missing = AgreementInvitation.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000
    for where, role, org in _probers(invitation):
        verified_login(client, member(role, org))
        for method in ("get", "post"):
            send = getattr(client, method)
            data = {"answer": "accept"} if method == "post" else None
            existing = send(f"/invitations/{invitation.pk}/", data)
            absent = send(f"/invitations/{missing}/", data)
            assert (existing.status_code, absent.status_code) == (404, 404), (where, role, method)
    invitation.refresh_from_db()
    assert invitation.status == "pending"
    assert not AgreementParty.objects.filter(organisation=invitation.organisation).exists()


def test_the_invitation_api_answers_an_existing_id_like_a_missing_one(client):
    invitation = _invitation()
    missing = invitation.pk + 1000
    for where, role, org in _probers(invitation):
        auth = bearer(member(role, org))
        for action in ("accept", "decline"):
            existing = client.post(
                f"/api/v1/invitations/{invitation.pk}/{action}", {}, content_type=JSON, **auth
            )
            absent = client.post(f"/api/v1/invitations/{missing}/{action}", {}, content_type=JSON, **auth)
            assert (existing.status_code, absent.status_code) == (404, 404), (where, role, action)
            assert existing.json() == absent.json()
    invitation.refresh_from_db()
    assert invitation.status == "pending"


def test_the_invited_organisations_administrator_still_answers(client):
    invitation = _invitation()
    admin = member("administrator", invitation.organisation)
    verified_login(client, admin)
    assert client.get(f"/invitations/{invitation.pk}/").status_code == 200
    response = client.post(f"/invitations/{invitation.pk}/", {"answer": "accept"})
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == "accepted"
