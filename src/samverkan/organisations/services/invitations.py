"""Becoming a party: invitations and their answers, and joining an agreement open for others."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samverkan.core import audit
from samverkan.core.actor import Actor
from samverkan.core.errors import NotFound, PermissionDenied, ValidationError
from samverkan.organisations import permissions as perms
from samverkan.organisations.models import AgreementInvitation, AgreementParty, InvitationStatus, Organisation
from samverkan.organisations.services._common import _check_contact, _locked_agreement


def agreement_invite(
    *, actor: Actor, agreement_id: int, organisation_id: int, message: str = ""
) -> AgreementInvitation:
    with transaction.atomic(durable=True):
        agreement = _locked_agreement(actor, agreement_id)
        if not perms.can_invite_to_agreement(actor, agreement):
            raise PermissionDenied("agreement.invite")
        organisation = Organisation.objects.filter(pk=organisation_id).first()
        if organisation is None:
            raise ValidationError({"organisation": [_("Choose an organisation.")]})
        if organisation.pk in perms.party_ids(agreement):
            raise ValidationError(
                {"organisation": [_("%(org)s is already a party.") % {"org": organisation}]}
            )
        if agreement.invitations.filter(organisation=organisation, status=InvitationStatus.PENDING).exists():
            raise ValidationError(
                {"organisation": [_("%(org)s has already been invited.") % {"org": organisation}]}
            )
        try:
            with transaction.atomic():
                invitation = AgreementInvitation.objects.create(
                    agreement=agreement, organisation=organisation, invited_by=actor.user, message=message
                )
        except IntegrityError as exc:
            raise ValidationError(
                {"organisation": [_("This organisation has already been invited.")]}
            ) from exc
        audit.record(
            actor=actor,
            code="organisations.agreement.invited",
            obj=agreement,
            organisation_id=agreement.owner_id,
            data={"invited_organisation": organisation.pk},
        )
        audit.record(
            actor=actor,
            code="organisations.agreement.invitation_received",
            obj=invitation,
            organisation_id=organisation.pk,
            data={"agreement": agreement.pk},
        )
    return invitation


def invitation_answer(
    *, actor: Actor, invitation_id: int, accept: bool, contact_name: str = "", contact_email: str = ""
) -> AgreementInvitation:
    with transaction.atomic(durable=True):
        invitation = (
            AgreementInvitation.objects.select_for_update()
            .filter(pk=invitation_id, organisation_id__in=perms.invitation_organisation_ids(actor))
            .first()
        )
        if invitation is None:  # not addressed to an organisation the actor administers
            raise NotFound("invitation")
        if not perms.can_answer_invitation(actor, invitation):
            raise PermissionDenied("invitation.answer")
        _check_contact(contact_email)
        invitation.status = InvitationStatus.ACCEPTED if accept else InvitationStatus.DECLINED
        invitation.answered_at = timezone.now()
        invitation.save(update_fields=["status", "answered_at"])
        if accept:
            AgreementParty.objects.get_or_create(
                agreement_id=invitation.agreement_id,
                organisation_id=invitation.organisation_id,
                defaults={
                    "joined_on": timezone.localdate(),
                    "contact_name": contact_name,
                    "contact_email": contact_email,
                },
            )
        audit.record(
            actor=actor,
            code="organisations.agreement.invitation_accepted"
            if accept
            else "organisations.agreement.invitation_declined",
            obj=invitation.agreement,
            organisation_id=invitation.organisation_id,
            data={"invitation": invitation.pk},
        )
    return invitation


def agreement_join(
    *, actor: Actor, agreement_id: int, organisation_id: int, contact_name: str = "", contact_email: str = ""
) -> AgreementParty:
    """Join an agreement that stays open for others (like the nine-agency letter of intent)."""
    with transaction.atomic(durable=True):
        agreement = _locked_agreement(actor, agreement_id)
        organisation = Organisation.objects.filter(pk=organisation_id).first()
        if organisation is None or not actor.is_member(organisation.pk):
            raise ValidationError({"organisation": [_("Choose one of your own organisations.")]})
        if organisation.pk in perms.party_ids(agreement):
            raise ValidationError(
                {"organisation": [_("%(org)s is already a party.") % {"org": organisation}]}
            )
        if not perms.can_join_agreement(actor, agreement, organisation):
            raise PermissionDenied("agreement.join")
        _check_contact(contact_email)
        party = AgreementParty.objects.create(
            agreement=agreement,
            organisation=organisation,
            joined_on=timezone.localdate(),
            contact_name=contact_name,
            contact_email=contact_email,
        )
        AgreementInvitation.objects.filter(
            agreement=agreement, organisation=organisation, status=InvitationStatus.PENDING
        ).update(status=InvitationStatus.ACCEPTED, answered_at=timezone.now())
        audit.record(
            actor=actor,
            code="organisations.agreement.joined",
            obj=agreement,
            organisation_id=organisation.pk,
            data={"organisation": organisation.pk},
        )
    return party
