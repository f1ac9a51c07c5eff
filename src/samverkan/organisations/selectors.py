"""Reads, always scoped to the actor. "Not yours" and "does not exist" are the same NotFound."""

from __future__ import annotations

from collections.abc import Collection

from django.db.models import Exists, OuterRef, Q, QuerySet

from samverkan.core import audit
from samverkan.core.actor import Actor
from samverkan.core.errors import NotFound
from samverkan.organisations import permissions as perms
from samverkan.organisations.models import (
    Agreement,
    AgreementDocument,
    AgreementInvitation,
    AgreementParty,
    AgreementStatus,
    Municipality,
    Organisation,
    Visibility,
)


def _visible_agreements(actor: Actor) -> QuerySet[Agreement]:
    public = Q(visibility=Visibility.PUBLIC) & ~Q(status=AgreementStatus.DRAFT)
    if not actor.organisation_ids:
        return Agreement.objects.filter(public)
    mine = set(actor.organisation_ids)
    is_party = Exists(AgreementParty.objects.filter(agreement=OuterRef("pk"), organisation_id__in=mine))
    is_invited = Exists(
        AgreementInvitation.objects.filter(
            agreement=OuterRef("pk"), organisation_id__in=mine, status="pending"
        )
    )
    return Agreement.objects.filter(public | Q(owner_id__in=mine) | is_party | is_invited)


def agreement_list_for(
    *,
    actor: Actor,
    mine_only: bool = False,
    kind: str | None = None,
    status: str | None = None,
    q: str | None = None,
) -> QuerySet[Agreement]:
    qs = _visible_agreements(actor)
    if mine_only:
        mine = set(actor.organisation_ids)
        qs = qs.filter(Q(owner_id__in=mine) | Q(parties__organisation_id__in=mine)).distinct()
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(purpose__icontains=q))
    return (
        qs.select_related("owner").prefetch_related("parties__organisation").order_by("-start_date", "title")
    )


def agreement_public_list() -> QuerySet[Agreement]:
    return agreement_list_for(actor=Actor.anonymous())


def agreement_get_for(*, actor: Actor, agreement_id: int) -> Agreement:
    agreement = _visible_agreements(actor).select_related("owner").filter(pk=agreement_id).first()
    if agreement is None or not perms.can_view_agreement(actor, agreement):
        raise NotFound("agreement")
    return agreement


def agreement_parties(agreement: Agreement) -> QuerySet[AgreementParty]:
    return agreement.parties.select_related("organisation").order_by("joined_on", "organisation__name")


def party_contacts_for(*, actor: Actor, agreement: Agreement, via: str) -> tuple[list[AgreementParty], bool]:
    """The parties, and whether the actor may see their contacts (members of a party only).

    Contact names and e-mail addresses are personal data: when they are shown, the read is
    logged (``organisations.agreement.contacts_viewed``, with ``via`` = page, api or export).
    """
    parties = list(agreement_parties(agreement))
    show = any(actor.is_member(p.organisation_id) for p in parties)
    if show and any(p.contact_name or p.contact_email for p in parties):
        audit.record_read(
            actor=actor,
            code="organisations.agreement.contacts_viewed",
            obj=agreement,
            organisation_id=agreement.owner_id,
            data={"via": via},
        )
    return parties, show


def document_get_for(*, actor: Actor, agreement_id: int, document_id: int) -> AgreementDocument:
    agreement = agreement_get_for(actor=actor, agreement_id=agreement_id)
    document = agreement.documents.filter(pk=document_id).first()
    if document is None:
        raise NotFound("document")
    return document


def invitation_list_for(*, actor: Actor) -> QuerySet[AgreementInvitation]:
    """Pending invitations addressed to organisations where the actor is an administrator."""
    return AgreementInvitation.objects.filter(
        organisation_id__in=perms.invitation_organisation_ids(actor), status="pending"
    ).select_related("agreement", "organisation")


def invitation_get_for(*, actor: Actor, invitation_id: int) -> AgreementInvitation:
    """One invitation, for the invited organisation's administrators (who answer it). For anyone
    else, other members of that organisation included, it is ``NotFound`` exactly like a missing
    id, so ids cannot be probed."""
    invitation = (
        AgreementInvitation.objects.select_related("agreement", "organisation")
        .filter(pk=invitation_id, organisation_id__in=perms.invitation_organisation_ids(actor))
        .first()
    )
    if invitation is None:
        raise NotFound("invitation")
    return invitation


def organisation_list(
    *,
    kind: str | None = None,
    q: str | None = None,
    ids: Collection[int] | None = None,
    excluding: Collection[int] = (),
) -> QuerySet[Organisation]:
    """Organisations are public facts (name, kind, organisation number): no scoping needed.
    ``ids`` limits the list to those organisations (e.g. the ones an actor may act for)."""
    qs = Organisation.objects.select_related("municipality")
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    if excluding:
        qs = qs.exclude(pk__in=list(excluding))
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(name__icontains=q)
    return qs.order_by("name")


def organisation_get(*, organisation_id: int | None = None, slug: str | None = None) -> Organisation:
    qs = Organisation.objects.select_related("municipality")
    org = (
        qs.filter(pk=organisation_id).first() if organisation_id is not None else qs.filter(slug=slug).first()
    )
    if org is None:
        raise NotFound("organisation")
    return org


def organisation_list_for_actor(*, actor: Actor) -> QuerySet[Organisation]:
    return Organisation.objects.filter(pk__in=list(actor.organisation_ids)).order_by("name")


def partner_list() -> QuerySet[Organisation]:
    """Organisations that are party to at least one public, non-draft agreement."""
    public_parties = AgreementParty.objects.filter(
        organisation=OuterRef("pk"), agreement__visibility=Visibility.PUBLIC
    ).exclude(agreement__status=AgreementStatus.DRAFT)
    return Organisation.objects.filter(Exists(public_parties)).order_by("kind", "name")


def municipality_exists(code: str) -> bool:
    return Municipality.objects.filter(code=code).exists()
