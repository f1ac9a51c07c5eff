"""API schemas for organisations and agreements.

Enumerations are Literals spelled out (so mypy and the OpenAPI document see them); a test checks
they match the model choices.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from samverkan.accounts.schemas import Id, Text
from samverkan.organisations.models import Agreement, Organisation

OrganisationKindCode = Literal[
    "agency", "county_board", "municipality", "region", "ngo", "faith", "employer", "education", "other"
]
AgreementKindCode = Literal["iop", "letter_of_intent", "cooperation", "joint_initiative"]
AgreementStatusCode = Literal["draft", "active", "ended", "terminated"]
VisibilityCode = Literal["public", "internal"]
InvitationStatusCode = Literal["pending", "accepted", "declined", "withdrawn"]


# --- Organisations --------------------------------------------------------------------------
class OrganisationRef(Schema):
    id: int
    name: str
    slug: str


class OrganisationOut(Schema):
    id: int
    name: str
    slug: str
    kind: OrganisationKindCode
    org_number: str
    municipality_code: str | None
    website: str
    description: str
    is_fictional: bool

    @staticmethod
    def resolve_municipality_code(obj: Organisation) -> str | None:
        return obj.municipality_id


class OrganisationIn(Schema):
    name: Text = Field(..., max_length=200)
    kind: OrganisationKindCode
    org_number: Text = Field("", description="NNNNNN-NNNN, with a valid check digit.")
    municipality_code: Text = Field("", description="Kommunkod (four digits); required for a municipality.")
    website: Text = ""
    description: Text = ""


class OrganisationPatch(Schema):
    """Only the fields sent are changed."""

    name: Text | None = Field(None, max_length=200)
    kind: OrganisationKindCode | None = None
    org_number: Text | None = Field(None, description="NNNNNN-NNNN, with a valid check digit.")
    municipality_code: Text | None = Field(
        None, description="Kommunkod (four digits); required for a municipality. Empty to unlink."
    )
    website: Text | None = None
    description: Text | None = None


class OrganisationFilter(Schema):
    kind: OrganisationKindCode | None = None
    q: Text | None = Field(None, max_length=200, description="Part of the name.")


# --- Agreements -----------------------------------------------------------------------------
class AgreementOut(Schema):
    id: int
    kind: AgreementKindCode
    title: str
    purpose: str
    scope: str
    start_date: dt.date
    end_date: dt.date | None
    status: AgreementStatusCode
    visibility: VisibilityCode
    open_for_joining: bool
    owner: OrganisationRef
    parties: list[OrganisationRef]
    is_fictional: bool
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_parties(obj: Agreement) -> list[Organisation]:
        # Uses the selector's prefetch of parties__organisation when there is one.
        return [p.organisation for p in obj.parties.all()]


class AgreementFilter(Schema):
    kind: AgreementKindCode | None = None
    status: AgreementStatusCode | None = None
    mine: bool = Field(False, description="Only agreements your organisations own or are party to.")
    q: Text | None = Field(None, max_length=200, description="Part of the title or purpose.")


class AgreementCreate(Schema):
    owner_id: Id = Field(..., description="One of your organisations, where you may write.")
    kind: AgreementKindCode
    title: Text = Field(..., max_length=200)
    purpose: Text
    scope: Text = ""
    start_date: dt.date
    end_date: dt.date | None = None
    status: AgreementStatusCode = "draft"
    visibility: VisibilityCode = "internal"
    open_for_joining: bool = False
    contact_name: Text = Field("", max_length=200)
    contact_email: Text = Field("", max_length=254)


class AgreementPatch(Schema):
    """Only the fields sent are changed."""

    kind: AgreementKindCode | None = None
    title: Text | None = Field(None, max_length=200)
    purpose: Text | None = None
    scope: Text | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    status: AgreementStatusCode | None = None
    visibility: VisibilityCode | None = None
    open_for_joining: bool | None = None


class PartyOut(Schema):
    organisation: OrganisationRef
    joined_on: dt.date
    contact_name: str | None = Field(None, description="Shown to members of party organisations only.")
    contact_email: str | None = Field(None, description="Shown to members of party organisations only.")


class InvitationCreate(Schema):
    organisation_id: Id
    message: Text = Field("", max_length=2000)


class InvitationAnswer(Schema):
    contact_name: Text = Field("", max_length=200)
    contact_email: Text = Field("", max_length=254)


class JoinIn(Schema):
    organisation_id: Id = Field(..., description="One of your organisations, where you are administrator.")
    contact_name: Text = Field("", max_length=200)
    contact_email: Text = Field("", max_length=254)


class InvitationOut(Schema):
    id: int
    agreement_id: int
    agreement_title: str
    organisation: OrganisationRef
    message: str
    status: InvitationStatusCode
    created_at: dt.datetime
    answered_at: dt.datetime | None

    @staticmethod
    def resolve_agreement_title(obj: object) -> str:
        return str(obj.agreement.title)  # type: ignore[attr-defined]
