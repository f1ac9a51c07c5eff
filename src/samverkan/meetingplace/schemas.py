"""API schemas for meeting places."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from samverkan.accounts.schemas import Text
from samverkan.organisations.schemas import OrganisationRef

PlaceKindCode = Literal["agency_office", "service_office", "rented_room", "online", "hybrid"]
RegistrationStatusCode = Literal["confirmed", "waiting", "cancelled"]
ReviewStatusCode = Literal["submitted", "changes", "approved", "rejected", "superseded"]
DecisionCode = Literal["approve", "changes", "reject"]


class SessionFilter(Schema):
    # Codes and slugs only: anything else (a NUL byte, which PostgreSQL refuses in text) is a 422
    # naming the field, never a query.
    group: str = Field("", max_length=30, pattern=r"^[a-z_]*$")
    language: str = Field("", max_length=5, pattern=r"^[a-z]{0,3}(-[A-Za-z]{2,4})?$")
    place: str = Field("", max_length=30, pattern=r"^[a-z_]*$")
    organiser: str = Field("", max_length=80, pattern=r"^[-a-zA-Z0-9_]*$", description="Organisation slug")


class AttributionOut(Schema):
    organisers: list[OrganisationRef]
    agency: str
    by_agency: bool


class SessionOut(Schema):
    id: int
    title: dict[str, str]
    description: dict[str, str]
    target_groups: list[str]
    languages: list[str]
    interpretation: list[str]
    starts_at: dt.datetime
    ends_at: dt.datetime
    place_kind: PlaceKindCode
    address: str
    capacity: int
    places_left: int
    status: Literal["planned", "cancelled"]
    cancel_reason: str
    attribution: AttributionOut


class CancelIn(Schema):
    reason: Text = Field(..., min_length=1, max_length=500)


class CancelOut(Schema):
    session: SessionOut
    emailed: int
    without_email: int


class RegistrationIn(Schema):
    name: Text = Field(..., min_length=1, max_length=100)
    email: Text = Field("", max_length=254)
    phone: Text = Field("", max_length=30)
    language: Text = Field("", max_length=10)
    on_behalf: bool = False


class RegistrationOut(Schema):
    code: str
    status: RegistrationStatusCode
    waiting_position: int | None
    session_id: int


class ParticipantOut(Schema):
    name: str
    status: RegistrationStatusCode
    language: str
    code: str
    registered_by_staff: bool
    checked_in_at: dt.datetime | None


class MaterialIn(Schema):
    organisation_id: int = Field(..., ge=1, le=2_147_483_647)
    title: Text = Field(..., min_length=1, max_length=200)
    text: Text = Field(..., min_length=1, max_length=500_000)


class FindingOut(Schema):
    statement: str
    topic: str | None
    flagged: bool
    facts: list[str]


class MaterialOut(Schema):
    id: int
    session_id: int
    organisation: OrganisationRef
    title: str
    revision: int
    status: ReviewStatusCode
    comment: str
    approved_revision: int | None
    findings: list[FindingOut]


class ReviewIn(Schema):
    decision: DecisionCode
    comment: Text = Field("", max_length=10_000)
