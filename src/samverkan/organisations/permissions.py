"""Who may do what to organisations and agreements. Pure predicates over Actor and objects."""

from __future__ import annotations

from samverkan.core.actor import Actor
from samverkan.organisations.models import (
    Agreement,
    AgreementInvitation,
    AgreementStatus,
    Organisation,
    Visibility,
)

ADMIN = "administrator"
COORDINATOR = "coordinator"
CASE_OFFICER = "case_officer"
EDITOR = "editor"
READER = "reader"
ALL_ROLES = (ADMIN, COORDINATOR, CASE_OFFICER, EDITOR, READER)

WRITERS = (ADMIN, COORDINATOR, EDITOR)
INVITERS = (ADMIN, COORDINATOR)


def is_platform_admin(actor: Actor) -> bool:
    return actor.is_authenticated and bool(getattr(actor.user, "is_superuser", False))


def party_ids(agreement: Agreement) -> set[int]:
    cached = getattr(agreement, "_party_ids", None)
    if cached is None:
        cached = set(agreement.parties.values_list("organisation_id", flat=True))
        agreement._party_ids = cached  # type: ignore[attr-defined]
    return cached


def pending_invitee_ids(agreement: Agreement) -> set[int]:
    return set(agreement.invitations.filter(status="pending").values_list("organisation_id", flat=True))


# --- Organisations --------------------------------------------------------------------------
def can_create_organisation(actor: Actor) -> bool:
    return is_platform_admin(actor)


def can_edit_organisation(actor: Actor, organisation: Organisation) -> bool:
    return is_platform_admin(actor) or actor.has_role(organisation.pk, ADMIN)


def can_view_members(actor: Actor, organisation: Organisation) -> bool:
    return actor.has_role(organisation.pk, ADMIN, COORDINATOR)


def can_invite_member(actor: Actor, organisation: Organisation) -> bool:
    return actor.has_role(organisation.pk, ADMIN)


def can_view_audit(actor: Actor, organisation: Organisation) -> bool:
    return actor.has_role(organisation.pk, ADMIN)


# --- Agreements -----------------------------------------------------------------------------
def can_view_agreement(actor: Actor, agreement: Agreement) -> bool:
    if agreement.visibility == Visibility.PUBLIC and agreement.status != AgreementStatus.DRAFT:
        return True
    ids = party_ids(agreement) | {agreement.owner_id}
    if any(actor.is_member(i) for i in ids):
        return True
    return any(actor.is_member(i) for i in pending_invitee_ids(agreement))


def can_create_agreement(actor: Actor, owner: Organisation) -> bool:
    return actor.has_role(owner.pk, *WRITERS)


def agreement_owner_ids(actor: Actor) -> list[int]:
    """The organisations on whose behalf the actor may start an agreement (none: no "New
    agreement" link is shown, and the page answers 403)."""
    return [o for o in actor.organisation_ids if actor.has_role(o, *WRITERS)]


def can_edit_agreement(actor: Actor, agreement: Agreement) -> bool:
    """Only the initiating organisation's writers change the agreement itself (title, status,
    visibility, ...): an organisation that joins an open agreement must not be able to take it over."""
    return actor.has_role(agreement.owner_id, *WRITERS)


def can_invite_to_agreement(actor: Actor, agreement: Agreement) -> bool:
    """Only the initiating organisation's administrators and coordinators invite. An invited
    organisation sees the parties' contact persons, so a party (invited, or joined to an open
    agreement) must not bring in others the owner never agreed to; organisations that want to
    join an open agreement join it themselves."""
    if agreement.status in (AgreementStatus.ENDED, AgreementStatus.TERMINATED):
        return False
    return actor.has_role(agreement.owner_id, *INVITERS)


def can_join_agreement(actor: Actor, agreement: Agreement, organisation: Organisation) -> bool:
    return (
        agreement.open_for_joining
        and agreement.visibility == Visibility.PUBLIC
        and agreement.status == AgreementStatus.ACTIVE
        and organisation.pk not in party_ids(agreement)
        and actor.has_role(organisation.pk, ADMIN)
    )


def invitation_organisation_ids(actor: Actor) -> list[int]:
    """The organisations whose invitations to agreements the actor sees and answers: those where
    the actor is an administrator. For everyone else an invitation does not exist (404), so its
    id cannot be probed."""
    return sorted(org for org, roles in actor.roles.items() if ADMIN in roles)


def can_see_invitation(actor: Actor, invitation: AgreementInvitation) -> bool:
    return invitation.organisation_id in invitation_organisation_ids(actor)


def can_answer_invitation(actor: Actor, invitation: AgreementInvitation) -> bool:
    return invitation.status == "pending" and can_see_invitation(actor, invitation)


def can_edit_party_contact(actor: Actor, party_organisation_id: int) -> bool:
    """A party's own administrators, coordinators and editors keep its contact details current."""
    return actor.has_role(party_organisation_id, *WRITERS)


def can_upload_document(actor: Actor, agreement: Agreement) -> bool:
    """Parties share documents (reports, annexes); in an agreement open for anyone to join, only
    the initiating organisation does, so joining gives no way to publish on the agreement."""
    if agreement.open_for_joining:
        return can_edit_agreement(actor, agreement)
    return any(actor.has_role(i, *WRITERS) for i in party_ids(agreement) | {agreement.owner_id})


def joinable_organisations(actor: Actor, agreement: Agreement) -> list[int]:
    """Ids of the actor's organisations that could join this agreement now."""
    return (
        [
            org_id
            for org_id in sorted(actor.organisation_ids)
            if org_id not in party_ids(agreement) and actor.has_role(org_id, ADMIN)
        ]
        if agreement.open_for_joining
        and agreement.visibility == Visibility.PUBLIC
        and (agreement.status == AgreementStatus.ACTIVE)
        else []
    )
