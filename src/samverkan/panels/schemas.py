"""API schemas for panels: what the organisers' pages show and take, nothing more."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from samverkan.accounts.schemas import Id, Text

AlgorithmCode = Literal["leximin", "legacy"]
RunStatusCode = Literal["queued", "running", "done", "failed"]
RunStepCode = Literal["waiting", "checking", "computing", "drawing", "done", "failed"]


class OwnerOut(Schema):
    id: int
    name: str


class PoolOut(Schema):
    id: int
    name: str
    owner: OwnerOut
    panel_size: int
    features: list[str] = Field(..., description="The stored feature columns, in file order.")
    has_households: bool
    volunteer_count: int
    created_at: dt.datetime


class PoolIn(Schema):
    """The fields of the page's form (``/panels/new/``); the volunteers come as the file ``people``
    or as the text ``people_text`` — one of them, not both."""

    owner_id: Id = Field(
        ..., description="The organisation that owns the pool (one you organise panels for)."
    )
    name: Text = Field(..., min_length=1, max_length=200)
    panel_size: int = Field(..., ge=1, le=10000)
    people_text: Text = Field("", max_length=2_000_000, description="The rows of a people.csv, as text.")
    id_column: Text = Field(
        "",
        max_length=200,
        description="Empty: the column named id; a file without one has its volunteers numbered 0, 1, 2, …",
    )
    feature_columns: Text = Field(
        "", max_length=2000, description="Comma-separated. Empty: every column but the id and household."
    )
    household_column: Text = Field("", max_length=200, description="At most one person per household.")


class ValueOut(Schema):
    """One value of a feature: how many volunteers of the pool have it, and its quota if set."""

    feature: str
    value: str
    volunteers: int
    min: int | None
    max: int | None
    target_share: float | None


class RunBriefOut(Schema):
    id: int
    status: RunStatusCode
    algorithm: AlgorithmCode
    seed: str
    created_at: dt.datetime
    is_published: bool


class PoolDetailOut(PoolOut):
    quota_origin: str = Field(..., description="Where the quotas come from, in the reader's language.")
    values: list[ValueOut] = Field(..., description="Every value of every feature, as the pool page's table.")
    runs: list[RunBriefOut] = Field(..., description="The latest 20 selection runs, newest first.")


class PoolCreatedOut(PoolDetailOut):
    notes: list[str] = Field(..., description="What the file reader decided, e.g. that ids were numbered.")


class PoolDeleteIn(Schema):
    confirm_name: Text = Field(..., max_length=200, description="The pool's name exactly, to confirm.")


class QuotaIn(Schema):
    feature: Text = Field(..., max_length=200)
    value: Text = Field(..., max_length=200)
    min: int = Field(..., ge=0, le=1_000_000)
    max: int = Field(..., ge=0, le=1_000_000)


class QuotasIn(Schema):
    """Every value of a quota'd feature needs its row; a feature without rows is not quota'd. A
    value's target share stays what it was, as when the bounds are edited on the page."""

    quotas: list[QuotaIn] = Field(..., max_length=10_000)


class QuotaOut(Schema):
    feature: str
    value: str
    min: int
    max: int
    target_share: float | None


class QuotasOut(Schema):
    origin: str = Field(..., description="Where the quotas come from, in the reader's language.")
    quotas: list[QuotaOut]
    notes: list[str] = Field([], description="What mirroring a dataset left out, if anything.")


class QuotaFileIn(Schema):
    tolerance: int = Field(0, ge=0, le=1000, description="Seats each rounded share may deviate.")


class QuotaStatisticsIn(Schema):
    dataset: Text = Field(..., max_length=200, description="The slug of a statistics dataset you may read.")
    mapping: dict[str, str] = Field(
        ...,
        description="Pool feature → the dataset dimension it mirrors (features left out are not mirrored).",
    )
    tolerance: int = Field(1, ge=0, le=1000)
    years: list[str] = Field([], max_length=500, description="Only these periods; empty: all periods.")


class RunIn(Schema):
    algorithm: AlgorithmCode = "leximin"
    seed: Text = Field(
        "", max_length=100, description="Announce beforehand how it is chosen. Empty: a random number."
    )


class RunOut(Schema):
    id: int
    pool_id: int
    status: RunStatusCode
    step: RunStepCode
    progress: int = Field(..., description="Percent.")
    algorithm: AlgorithmCode
    seed: str
    panel_size: int
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    problems: list[str] = Field(..., description="Why a failed run failed, in the reader's language.")
    is_published: bool
    input_sha256: str
    algorithm_version: str
    min_probability: float | None
    seconds: float | None


class MemberOut(Schema):
    id: str = Field(..., description="The volunteer's id in the pool's file.")
    features: dict[str, str]
    status: Literal["active", "withdrawn"]
    replaces: str = Field(..., description="The id of the member this one replaced, if any.")
    probability: float


class ProbabilityOut(Schema):
    id: str
    probability: float


class ResultOut(Schema):
    """The run's result as the run page and panel.csv show it, with what re-running it needs."""

    run: RunOut
    features: list[str]
    quotas: list[QuotaOut] = Field(..., description="The quotas the run used (features.csv).")
    members: list[MemberOut]
    probabilities: list[ProbabilityOut] = Field(
        ..., description="Every volunteer's selection probability, lowest first."
    )
    verify_command: str


class PublicationIn(Schema):
    published: bool = Field(
        ...,
        description="True publishes the report for anyone to read; false withdraws it.",
    )
