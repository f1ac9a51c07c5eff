"""API schemas for resettlement: what the pages show and take, nothing more. A packet carries
only what the receiving municipality needs to prepare (``selectors.packet_for``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from ninja import Field, Schema

from samverkan.accounts.schemas import Text
from samverkan.resettlement.services import MAX_YEAR, MIN_YEAR

Year = Annotated[int, Field(ge=MIN_YEAR, le=MAX_YEAR)]
# As the page's URL converters: anything else is refused before any query.
Reference = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")]
Kommunkod = Annotated[str, Field(pattern=r"^[0-9]{4}$")]
NeedCode = Annotated[str, Field(pattern=r"^[A-Z]{2,3}(-[A-Z]{2,3})?$")]
VersionNumber = Annotated[int, Field(ge=1, le=999_999_999)]
SexCode = Literal["F", "M", "X"]
EntryKindCode = Literal["need", "subneed", "category"]
AppliesToCode = Literal["", "child", "adult"]


# --- Taxonomy -----------------------------------------------------------------------------------
class TaxonomyVersionOut(Schema):
    number: int
    created_at: dt.datetime
    note: str = Field(..., description="What changed, in the reader's language for the shipped version.")
    current: bool = Field(..., description="Whether this is the version in force.")


class NeedDefinitionOut(Schema):
    code: str
    kind: EntryKindCode
    parent: str = Field(..., description="The need a sub-code belongs to; empty for the others.")
    applies_to: AppliesToCode = Field(..., description="child (under 18), adult, or empty: anyone.")
    label_sv: str
    label_en: str
    label_ar: str
    definition_sv: str
    definition_en: str
    definition_ar: str
    services: list[str] = Field(..., description="Codes of the services the need calls for.")


class TaxonomyOut(TaxonomyVersionOut):
    entries: list[NeedDefinitionOut] = Field(..., description="In the taxonomy's order.")


# --- Reception ----------------------------------------------------------------------------------
class MunicipalityOut(Schema):
    code: str = Field(..., description="The kommunkod.")
    name: str


class ReceptionOut(Schema):
    municipality: MunicipalityOut
    year: int
    capacity_persons: int
    large_dwellings: int
    need_slots: dict[str, int] = Field(..., description="Service places per top-level need code.")
    languages: list[str] = Field(..., description="Languages with interpreters.")
    placed_persons: int = Field(..., description="Persons already placed there by approved runs this year.")
    updated_at: dt.datetime


class ReceptionIn(Schema):
    """The fields of the reception page's form."""

    capacity_persons: int = Field(..., ge=0, le=1_000_000)
    large_dwellings: int = Field(..., ge=0, le=1_000_000)
    need_slots: dict[str, int] = Field(
        {}, description='Service places per top-level need code, e.g. {"SM": 2}.', max_length=50
    )
    languages: list[Text] = Field([], max_length=50, description='Language codes, e.g. ["ar", "ti"].')


# --- Packets ------------------------------------------------------------------------------------
class NeedOut(Schema):
    code: str
    label: str = Field(..., description="In the reader's language (or its fallback).")


class PacketBriefOut(Schema):
    reference: str
    municipality: MunicipalityOut
    persons: int
    expected_arrival: dt.date | None
    followed_up: int = Field(..., description="Persons whose follow-up is recorded.")
    is_fictional: bool


class PacketListOut(Schema):
    items: list[PacketBriefOut]
    count: int


class PacketPersonOut(Schema):
    position: int
    age: int
    sex: SexCode
    needs: list[NeedOut]
    languages: list[str]


class PacketFollowupOut(Schema):
    position: int
    observed: list[NeedOut] | None = Field(
        ..., description="The needs observed after arrival; empty: none observed; null: not recorded yet."
    )
    recorded_by: str
    recorded_at: dt.datetime | None


class PacketOut(Schema):
    """Exactly what the packet page shows: family composition, needs with the services to
    prepare, languages and arrival, in the taxonomy version of the placement."""

    reference: str
    municipality: MunicipalityOut
    expected_arrival: dt.date | None
    is_fictional: bool
    services: list[str] = Field(..., description="The services to prepare, in the reader's language.")
    persons: list[PacketPersonOut]
    taxonomy_version: int
    followup: list[PacketFollowupOut] | None = Field(
        ..., description="What the receiving municipality recorded (for it only; null for others)."
    )
    followup_opens: dt.date | None = Field(
        ..., description="The day follow-up can first be recorded, if still to come."
    )


# --- Follow-up ----------------------------------------------------------------------------------
class FollowupPersonOut(Schema):
    position: int
    age: int
    flagged: list[str] = Field(..., description="Need codes the agency flagged before arrival.")
    observed: list[str] | None = Field(
        ..., description="Need codes recorded after arrival; empty: none observed; null: not recorded."
    )
    recorded_at: dt.datetime | None


class FollowupOut(Schema):
    reference: str
    taxonomy_version: int
    opens: dt.date | None = Field(..., description="Follow-up opens on this day (no persons before it).")
    persons: list[FollowupPersonOut]


class FollowupAnswerIn(Schema):
    position: int = Field(..., ge=1, le=1000)
    needs: list[NeedCode] = Field([], max_length=100)
    nothing_observed: bool = Field(False, description="No special need observed (instead of needs).")


class FollowupIn(Schema):
    """An answer for every person of the case: needs, or ``nothing_observed``."""

    persons: list[FollowupAnswerIn] = Field(..., max_length=1000)


# --- Dashboard ----------------------------------------------------------------------------------
class PrevalenceRowOut(Schema):
    year: int
    code: str = Field(..., description="A top-level need code, or * for any need.")
    label: str
    persons: int = Field(..., description="Persons followed up in the year.")
    flagged: int | None = Field(..., description="Withheld (null) where the disclosure rule requires it.")
    observed: int | None = Field(..., description="Withheld (null) where the disclosure rule requires it.")
    as_of: int = Field(..., description="The release whose figures the year shows.")
    as_of_date: dt.datetime
    stale: bool = Field(..., description="The year shows an earlier release's figures.")


class PrevalenceOut(Schema):
    number: int | None = Field(..., description="The release shown; null before the first one.")
    released_at: dt.datetime | None
    threshold: int
    contributors_needed: int
    next_release: dt.datetime | None
    rows: list[PrevalenceRowOut]


# --- Cases and placement runs (the agency's placement officers) -------------------------------
RunStatusCode = Literal["queued", "running", "proposed", "approved", "failed", "discarded"]
RunStepCode = Literal[
    "waiting", "reading", "lp", "incumbent", "restricted", "final", "explaining", "done", "failed"
]
PriorityCode = Literal["emergency", "urgent", "normal"]


class CaseOut(Schema):
    """A case as the case list shows it (no persons' details)."""

    reference: str
    persons: int
    priority: PriorityCode
    needs: list[NeedOut] = Field(..., description="Need codes its persons are flagged with, each once.")
    tie: MunicipalityOut | None
    expected_arrival: dt.date | None
    placed_in: MunicipalityOut | None
    run_id: int | None = Field(
        ..., description="The approved run that placed it, else the newest proposed one."
    )


class CaseImportedOut(Schema):
    year: int
    imported: int


class RunIn(Schema):
    year: Year
    time_limit: int = Field(
        30, ge=1, le=3600, description="Seconds the solver may take (as the page's form)."
    )


class RunOut(Schema):
    id: int
    year: int
    status: RunStatusCode
    step: RunStepCode
    step_label: str = Field(..., description="The current step, in the reader's language.")
    progress: int = Field(..., description="Percent.")
    time_limit: int
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    error: str = Field(..., description="Why a failed run failed.")
    taxonomy_version: int | None
    approved_at: dt.datetime | None


class ProposalOut(Schema):
    reference: str
    persons: int
    priority: PriorityCode
    needs: list[NeedOut]
    municipality: MunicipalityOut | None = Field(
        ..., description="Where the case is proposed; null: unplaced."
    )
    suggested: MunicipalityOut | None = Field(..., description="Where the optimizer placed it.")
    overridden: bool
    reasons: list[str] = Field(..., description="Why an unplaced case could not be placed, in words.")
    warnings: list[str] = Field(..., description="The limits a move by hand breaks, in words.")


class ProposalsOut(Schema):
    run: RunOut
    placed: int
    persons_placed: int
    proposals: list[ProposalOut]


class OverrideIn(Schema):
    municipality: Kommunkod | None = Field(
        ..., description="The kommunkod to move the case to; null: unplaced."
    )
    note: Text = Field(..., max_length=2000, description="Why the case is moved (required).")
    confirm: bool = Field(
        False, description="Move even though it breaks a limit (without it such a move is 422 on confirm)."
    )


class ConfirmIn(Schema):
    confirm: Literal[True] = Field(..., description="True: the confirmation the page asks for.")
