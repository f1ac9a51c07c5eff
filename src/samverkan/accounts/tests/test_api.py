"""The accounts API: who am I, and an organisation's members (administrators and coordinators only)."""

from __future__ import annotations

import pytest

from samverkan.accounts.actors import actor_for_user
from samverkan.accounts.services import api_token_create
from samverkan.accounts.tests.factories import MembershipFactory, UserFactory, member, with_authenticator
from samverkan.core.models import AuditEvent
from samverkan.organisations.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def bearer(user) -> dict[str, str]:
    _, raw = api_token_create(
        actor=actor_for_user(with_authenticator(user), two_factor_verified=True), name="test"
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_me_lists_the_users_memberships(client):
    org_a, org_b = OrganisationFactory(), OrganisationFactory()
    user = member("editor", org_a)
    MembershipFactory(user=user, organisation=org_b, role="reader")
    body = client.get("/api/v1/me", **bearer(user)).json()
    assert body["user"] == {"id": user.pk, "email": user.email, "full_name": user.full_name}
    assert sorted((m["organisation_id"], m["role"]) for m in body["memberships"]) == sorted(
        [(org_a.pk, "editor"), (org_b.pk, "reader")]
    )


@pytest.mark.parametrize(
    ("role", "status"),
    [("administrator", 200), ("coordinator", 200), ("case_officer", 404), ("editor", 404), ("reader", 404)],
)
def test_memberships_only_for_administrators_and_coordinators(client, role, status):
    org = OrganisationFactory()
    user = member(role, org)
    colleague = member("reader", org)
    member("administrator")  # someone in another organisation
    response = client.get(f"/api/v1/organisations/{org.pk}/memberships", **bearer(user))
    assert response.status_code == status
    listed = AuditEvent.objects.filter(code="accounts.membership.listed", organisation_id=org.pk)
    if status == 200:
        emails = {m["email"] for m in response.json()}
        assert emails == {user.email, colleague.email}
        assert listed.count() == 1
        assert listed.get().actor_user_id == user.pk
    else:
        assert response.json() == {"detail": "Not found."}
        assert not listed.exists()


@pytest.mark.parametrize("role", ["administrator", "coordinator", "case_officer", "editor", "reader"])
def test_memberships_of_another_organisation_are_404_for_every_role(client, role):
    user = member(role)
    other = OrganisationFactory()
    member("reader", other)
    response = client.get(f"/api/v1/organisations/{other.pk}/memberships", **bearer(user))
    assert response.status_code == 404
    assert client.get("/api/v1/organisations/999999/memberships", **bearer(user)).status_code == 404


def test_anonymous_memberships_is_401(client):
    org = OrganisationFactory()
    assert client.get(f"/api/v1/organisations/{org.pk}/memberships").status_code == 401


def test_session_user_without_two_factor_role_can_use_the_api(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get("/api/v1/me").json()["user"]["id"] == user.pk
