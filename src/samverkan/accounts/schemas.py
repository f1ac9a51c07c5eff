"""API schemas for accounts, and the field types every app's API schemas share."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import AfterValidator

# Database ids: positive and within a 32-bit signed integer, so a fuzzed huge id is a 422 (or a
# 404), never an overflow in the database driver.
MAX_ID = 2_147_483_647
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _clean_text(value: str) -> str:
    # PostgreSQL refuses NUL characters and no database stores lone surrogates: refuse both
    # here, as a 422 naming the field, instead of failing in the driver.
    if "\x00" in value:
        raise ValueError("Text may not contain NUL characters.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("Text must be valid Unicode.") from exc
    return value


Text = Annotated[str, AfterValidator(_clean_text)]
"""A string that every database accepts."""

RoleCode = Literal["administrator", "coordinator", "case_officer", "editor", "reader"]


class Message(Schema):
    detail: str


class UserOut(Schema):
    id: int
    email: str
    full_name: str


class MyMembershipOut(Schema):
    organisation_id: int
    organisation_name: str
    organisation_slug: str
    role: RoleCode


class MeOut(Schema):
    user: UserOut
    memberships: list[MyMembershipOut]


class MembershipOut(Schema):
    id: int
    user_id: int
    email: str
    full_name: str
    role: RoleCode
    created_at: dt.datetime

    @staticmethod
    def resolve_email(obj: Any) -> str:
        return str(obj.user.email)

    @staticmethod
    def resolve_full_name(obj: Any) -> str:
        return str(obj.user.full_name)


class TokenIn(Schema):
    name: Text = Field(..., min_length=1, max_length=100)
    expires_in_days: int | None = Field(
        None, ge=1, le=3650, description="Days until it expires (default 90; at most API_TOKEN_MAX_DAYS)."
    )


class TokenRenewIn(Schema):
    expires_in_days: int | None = Field(
        None, ge=1, le=3650, description="Days from now until it expires (default 90)."
    )


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    expires_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenCreatedOut(TokenOut):
    token: str = Field(..., description="The token itself. It is shown this once and never stored.")
