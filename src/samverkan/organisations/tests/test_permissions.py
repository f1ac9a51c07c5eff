"""Permission matrix: role × own/other organisation × action, spelled out as a table."""

from __future__ import annotations

import pytest

from samverkan.accounts.actors import actor_for_user
from samverkan.accounts.tests.factories import member
from samverkan.core.actor import Actor
from samverkan.organisations import permissions as perms
from samverkan.organisations.models import AgreementInvitation
from samverkan.organisations.tests.factories import AgreementFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

ROLES = ["administrator", "coordinator", "case_officer", "editor", "reader"]

# action -> roles allowed when the object belongs to the actor's own organisation.
# For another organisation's internal object, no role is allowed anything.
OWN_ORG_ALLOWED = {
    "view_internal_agreement": set(ROLES),
    "edit_agreement": {"administrator", "coordinator", "editor"},
    "invite_to_agreement": {"administrator", "coordinator"},
    "upload_document": {"administrator", "coordinator", "editor"},
    "create_agreement": {"administrator", "coordinator", "editor"},
    "edit_organisation": {"administrator"},
    "view_members": {"administrator", "coordinator"},
    "invite_member": {"administrator"},
    "view_audit": {"administrator"},
    "edit_party_contact": {"administrator", "coordinator", "editor"},
}


def _check(action: str, actor: Actor, org, agreement) -> bool:
    return {
        "view_internal_agreement": lambda: perms.can_view_agreement(actor, agreement),
        "edit_agreement": lambda: perms.can_edit_agreement(actor, agreement),
        "invite_to_agreement": lambda: perms.can_invite_to_agreement(actor, agreement),
        "upload_document": lambda: perms.can_upload_document(actor, agreement),
        "create_agreement": lambda: perms.can_create_agreement(actor, org),
        "edit_organisation": lambda: perms.can_edit_organisation(actor, org),
        "view_members": lambda: perms.can_view_members(actor, org),
        "invite_member": lambda: perms.can_invite_member(actor, org),
        "view_audit": lambda: perms.can_view_audit(actor, org),
        "edit_party_contact": lambda: perms.can_edit_party_contact(actor, org.pk),
    }[action]()


@pytest.mark.parametrize("action", sorted(OWN_ORG_ALLOWED))
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("whose", ["own", "other"])
def test_permission_matrix(action: str, role: str, whose: str) -> None:
    own, other = OrganisationFactory(), OrganisationFactory()
    actor = actor_for_user(member(role, own))
    target = own if whose == "own" else other
    agreement = AgreementFactory(owner=target, visibility="internal", status="active")
    expected = whose == "own" and role in OWN_ORG_ALLOWED[action]
    assert _check(action, actor, target, agreement) is expected


@pytest.mark.parametrize("role", ROLES)
def test_public_agreement_is_visible_to_everyone_but_drafts_are_not(role: str) -> None:
    actor = actor_for_user(member(role))
    public = AgreementFactory(visibility="public", status="active")
    draft = AgreementFactory(visibility="public", status="draft")
    assert perms.can_view_agreement(actor, public)
    assert perms.can_view_agreement(Actor.anonymous(), public)
    assert not perms.can_view_agreement(actor, draft)
    assert not perms.can_edit_agreement(actor, public)


@pytest.mark.parametrize("role", ROLES)
def test_invited_organisation_sees_the_agreement_only_its_admin_answers(role: str) -> None:
    invited = OrganisationFactory()
    agreement = AgreementFactory(visibility="internal")
    invitation = AgreementInvitation.objects.create(agreement=agreement, organisation=invited)
    actor = actor_for_user(member(role, invited))
    assert perms.can_view_agreement(actor, agreement)
    assert not perms.can_edit_agreement(actor, agreement)
    assert perms.can_answer_invitation(actor, invitation) is (role == "administrator")


@pytest.mark.parametrize("role", ROLES)
def test_only_administrators_join_open_agreements(role: str) -> None:
    joiner = OrganisationFactory()
    agreement = AgreementFactory(visibility="public", status="active", open_for_joining=True)
    actor = actor_for_user(member(role, joiner))
    assert perms.can_join_agreement(actor, agreement, joiner) is (role == "administrator")


@pytest.mark.parametrize("role", ROLES)
def test_a_party_that_joined_cannot_take_over_the_agreement(role: str) -> None:
    joiner = OrganisationFactory()
    agreement = AgreementFactory(visibility="public", status="active", open_for_joining=True)
    agreement.parties.create(organisation=joiner, joined_on=agreement.start_date)
    actor = actor_for_user(member(role, joiner))
    assert perms.can_view_agreement(actor, agreement)
    assert not perms.can_edit_agreement(actor, agreement)
    assert not perms.can_upload_document(actor, agreement)
    assert not perms.can_invite_to_agreement(actor, agreement)
    assert perms.can_edit_party_contact(actor, joiner.pk) is (
        role in {"administrator", "coordinator", "editor"}
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("kind", ["internal", "public", "open"])
def test_only_the_owner_invites_never_a_party(role: str, kind: str) -> None:
    """An invited organisation sees the parties' contacts: the owner decides who is invited. A
    party (invited to a closed agreement, or joined to an open one) never invites further."""
    agreement = AgreementFactory(
        visibility="internal" if kind == "internal" else "public",
        status="active",
        open_for_joining=kind == "open",
    )
    partner = OrganisationFactory()
    agreement.parties.create(organisation=partner, joined_on=agreement.start_date)
    assert not perms.can_invite_to_agreement(actor_for_user(member(role, partner)), agreement)
    owner = actor_for_user(member(role, agreement.owner))
    assert perms.can_invite_to_agreement(owner, agreement) is (role in {"administrator", "coordinator"})
    # a pending invitee does not invite either
    invitee = OrganisationFactory()
    AgreementInvitation.objects.create(agreement=agreement, organisation=invitee)
    assert not perms.can_invite_to_agreement(actor_for_user(member(role, invitee)), agreement)


@pytest.mark.parametrize("role", ROLES)
def test_an_invitation_is_seen_by_the_invited_organisations_administrators_only(role: str) -> None:
    invited = OrganisationFactory()
    agreement = AgreementFactory(visibility="internal")
    invitation = AgreementInvitation.objects.create(agreement=agreement, organisation=invited)
    for org in (invited, agreement.owner, OrganisationFactory()):
        actor = actor_for_user(member(role, org))
        expected = org == invited and role == "administrator"
        assert perms.can_see_invitation(actor, invitation) is expected
        assert (invitation.organisation_id in perms.invitation_organisation_ids(actor)) is expected


@pytest.mark.parametrize("role", ROLES)
def test_invited_parties_of_a_closed_agreement_share_documents_but_do_not_edit_it(role: str) -> None:
    partner = OrganisationFactory()
    agreement = AgreementFactory(visibility="internal", status="active")
    agreement.parties.create(organisation=partner, joined_on=agreement.start_date)
    actor = actor_for_user(member(role, partner))
    assert not perms.can_edit_agreement(actor, agreement)
    assert not perms.can_invite_to_agreement(actor, agreement)
    assert perms.can_upload_document(actor, agreement) is (role in {"administrator", "coordinator", "editor"})
