"""JSON API for organisations and agreements. Reads go through selectors, writes through services."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate
from ninja.responses import Status

from samverkan.accounts.api import AUTH, OPTIONAL_AUTH, PUBLIC, Pagination, actor_of
from samverkan.accounts.schemas import Id
from samverkan.core.actor import Actor
from samverkan.core.errors import ValidationError
from samverkan.organisations import selectors, services
from samverkan.organisations.models import Agreement, AgreementInvitation, Organisation
from samverkan.organisations.schemas import (
    AgreementCreate,
    AgreementFilter,
    AgreementOut,
    AgreementPatch,
    InvitationAnswer,
    InvitationCreate,
    InvitationOut,
    JoinIn,
    OrganisationFilter,
    OrganisationIn,
    OrganisationOut,
    OrganisationPatch,
    PartyOut,
)

router = Router(tags=["organisations"], auth=AUTH)


@contextmanager
def _renamed_fields(**names: str) -> Iterator[None]:
    """Report a service's field errors under the API's field names (e.g. owner → owner_id)."""
    try:
        yield
    except ValidationError as exc:
        raise ValidationError({names.get(k, k): v for k, v in exc.errors.items()}) from exc


def _parties(actor: Actor, agreement: Agreement) -> list[dict[str, Any]]:
    # Contact details of parties are shown to the parties themselves only (as on the web page).
    parties, show_contacts = selectors.party_contacts_for(actor=actor, agreement=agreement, via="api")
    return [
        {
            "organisation": p.organisation,
            "joined_on": p.joined_on,
            "contact_name": p.contact_name if show_contacts else None,
            "contact_email": p.contact_email if show_contacts else None,
        }
        for p in parties
    ]


def _agreement(actor: Actor, agreement_id: int) -> Agreement:
    """Re-read through the selector so the answer has the same shape as a GET."""
    return selectors.agreement_get_for(actor=actor, agreement_id=agreement_id)


# --- Organisations --------------------------------------------------------------------------
@router.get(
    "/organisations",
    response=list[OrganisationOut],
    auth=OPTIONAL_AUTH,
    openapi_extra=PUBLIC,
    summary="Organisations (public)",
)
@paginate(Pagination)
def organisation_list(request: HttpRequest, filters: Query[OrganisationFilter]) -> QuerySet[Organisation]:
    return selectors.organisation_list(kind=filters.kind, q=filters.q)


@router.get(
    "/organisations/{organisation_id}",
    response=OrganisationOut,
    auth=OPTIONAL_AUTH,
    openapi_extra=PUBLIC,
    summary="One organisation (public)",
)
def organisation_get(request: HttpRequest, organisation_id: Id) -> Organisation:
    return selectors.organisation_get(organisation_id=organisation_id)


@router.post(
    "/organisations",
    response={201: OrganisationOut},
    summary="Register an organisation (platform administrators)",
)
def organisation_create(request: HttpRequest, payload: OrganisationIn) -> Status[Organisation]:
    org = services.organisation_create(actor=actor_of(request), data=payload.dict())
    return Status(201, selectors.organisation_get(organisation_id=org.pk))


@router.patch(
    "/organisations/{organisation_id}",
    response=OrganisationOut,
    summary="Change an organisation (its administrators)",
)
def organisation_update(
    request: HttpRequest, organisation_id: Id, payload: OrganisationPatch
) -> Organisation:
    org = services.organisation_update(
        actor=actor_of(request), organisation_id=organisation_id, data=payload.dict(exclude_unset=True)
    )
    return selectors.organisation_get(organisation_id=org.pk)


# --- Agreements -----------------------------------------------------------------------------
@router.get(
    "/agreements",
    response=list[AgreementOut],
    auth=OPTIONAL_AUTH,
    openapi_extra=PUBLIC,
    summary="Agreements you may see: public ones, and your organisations' own",
)
@paginate(Pagination)
def agreement_list(request: HttpRequest, filters: Query[AgreementFilter]) -> QuerySet[Agreement]:
    return selectors.agreement_list_for(
        actor=actor_of(request), mine_only=filters.mine, kind=filters.kind, status=filters.status, q=filters.q
    )


@router.get(
    "/agreements/{agreement_id}",
    response=AgreementOut,
    auth=OPTIONAL_AUTH,
    openapi_extra=PUBLIC,
    summary="One agreement (404 if you may not see it)",
)
def agreement_get(request: HttpRequest, agreement_id: Id) -> Agreement:
    return selectors.agreement_get_for(actor=actor_of(request), agreement_id=agreement_id)


@router.post(
    "/agreements", response={201: AgreementOut}, summary="Create an agreement owned by your organisation"
)
def agreement_create(request: HttpRequest, payload: AgreementCreate) -> Status[Agreement]:
    actor = actor_of(request)
    data = payload.dict(exclude={"owner_id", "contact_name", "contact_email"})
    with _renamed_fields(owner="owner_id"):
        agreement = services.agreement_create(
            actor=actor,
            owner_id=payload.owner_id,
            data=data,
            contact_name=payload.contact_name,
            contact_email=payload.contact_email,
        )
    return Status(201, _agreement(actor, agreement.pk))


@router.patch(
    "/agreements/{agreement_id}", response=AgreementOut, summary="Change an agreement (parties' writers)"
)
def agreement_update(request: HttpRequest, agreement_id: Id, payload: AgreementPatch) -> Agreement:
    actor = actor_of(request)
    agreement = services.agreement_update(
        actor=actor, agreement_id=agreement_id, data=payload.dict(exclude_unset=True)
    )
    return _agreement(actor, agreement.pk)


@router.get(
    "/agreements/{agreement_id}/parties",
    response=list[PartyOut],
    auth=OPTIONAL_AUTH,
    openapi_extra=PUBLIC,
    summary="The parties to an agreement; contacts only for members of party organisations",
)
def agreement_parties(request: HttpRequest, agreement_id: Id) -> list[dict[str, Any]]:
    actor = actor_of(request)
    agreement = selectors.agreement_get_for(actor=actor, agreement_id=agreement_id)
    return _parties(actor, agreement)


@router.post(
    "/agreements/{agreement_id}/invitations",
    response={201: InvitationOut},
    summary="Invite an organisation to become a party",
)
def agreement_invite(
    request: HttpRequest, agreement_id: Id, payload: InvitationCreate
) -> Status[AgreementInvitation]:
    with _renamed_fields(organisation="organisation_id"):
        invitation = services.agreement_invite(
            actor=actor_of(request),
            agreement_id=agreement_id,
            organisation_id=payload.organisation_id,
            message=payload.message,
        )
    return Status(201, invitation)


@router.post(
    "/agreements/{agreement_id}/join",
    response={201: PartyOut},
    summary="Join an agreement that is open for others to join",
)
def agreement_join(request: HttpRequest, agreement_id: Id, payload: JoinIn) -> Status[dict[str, Any]]:
    with _renamed_fields(organisation="organisation_id"):
        party = services.agreement_join(
            actor=actor_of(request),
            agreement_id=agreement_id,
            organisation_id=payload.organisation_id,
            contact_name=payload.contact_name,
            contact_email=payload.contact_email,
        )
    # The joining organisation is a party now, so its own contact is shown back to it.
    return Status(
        201,
        {
            "organisation": party.organisation,
            "joined_on": party.joined_on,
            "contact_name": party.contact_name,
            "contact_email": party.contact_email,
        },
    )


# --- Invitations to agreements --------------------------------------------------------------
@router.get(
    "/invitations",
    response=list[InvitationOut],
    summary="Pending invitations to organisations where you are administrator",
)
def invitation_list(request: HttpRequest) -> QuerySet[AgreementInvitation]:
    return selectors.invitation_list_for(actor=actor_of(request))


def _answer(request: HttpRequest, invitation_id: int, payload: InvitationAnswer, accept: bool) -> Any:
    actor = actor_of(request)
    services.invitation_answer(
        actor=actor,
        invitation_id=invitation_id,
        accept=accept,
        contact_name=payload.contact_name,
        contact_email=payload.contact_email,
    )
    return selectors.invitation_get_for(actor=actor, invitation_id=invitation_id)


@router.post(
    "/invitations/{invitation_id}/accept",
    response=InvitationOut,
    summary="Accept an invitation: your organisation becomes a party",
)
def invitation_accept(
    request: HttpRequest, invitation_id: Id, payload: InvitationAnswer
) -> AgreementInvitation:
    return _answer(request, invitation_id, payload, accept=True)


@router.post("/invitations/{invitation_id}/decline", response=InvitationOut, summary="Decline an invitation")
def invitation_decline(
    request: HttpRequest, invitation_id: Id, payload: InvitationAnswer
) -> AgreementInvitation:
    return _answer(request, invitation_id, payload, accept=False)
