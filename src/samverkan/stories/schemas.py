"""API schemas for the public stories (MIG Talks): what the public pages show, nothing more."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema

GroundCode = Literal["protection", "family", "work", "studies", "return", "free_movement"]
OriginRegionCode = Literal[
    "nordic", "eu", "europe_other", "africa", "asia", "north_america", "south_america", "oceania"
]
MunicipalityTypeCode = Literal["cities", "towns", "rural"]
LanguageCode = Literal["sv", "en", "ar"]


class StoryQuery(Schema):
    """The list page's filters under the page's names (``/stories/?ground=work&tag=arbete``);
    where the page ignores a value it does not know, the API refuses it (422 naming it)."""

    ground: GroundCode | None = Field(None, description="Ground for settlement.")
    origin_region: OriginRegionCode | None = Field(None, description="Region of origin.")
    municipality_type: MunicipalityTypeCode | None = Field(
        None, description="Type of home municipality (SKR's three main groups)."
    )
    arrival_year: int | None = Field(None, ge=1000, le=9999, description="Year of arrival (four digits).")
    tag: str = Field(
        "",
        max_length=40,
        pattern=r"^[\w\- ]*$",
        description="A theme: letters, digits, hyphens and spaces (compared in lower case).",
    )
    lang: LanguageCode | None = Field(
        None,
        description="The language of the texts and labels (a story without a version in it is "
        "given in its interview language); by default the request's language.",
    )
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=1_000_000)


class StoryDetailQuery(Schema):
    lang: LanguageCode | None = Field(
        None,
        description="The language of the text and labels (a story without a version in it is "
        "given in its interview language); by default the request's language.",
    )


class CodeLabel(Schema):
    code: str
    label: str


class StoryOut(Schema):
    slug: str
    url: str = Field(..., description="The story's public page.")
    language: LanguageCode = Field(..., description="The language of title, summary and text.")
    languages: list[LanguageCode] = Field(..., description="Every language the story is told in.")
    title: str
    summary: str = Field(..., description="The beginning of the text, without markup (as on the list page).")
    display_name: str = Field(
        ..., description="The name or pseudonym the person chose, as the page shows it."
    )
    photo_url: str | None = Field(None, description="The story's photo (JPEG), when it has one.")
    photo_alt: str = ""
    ground: CodeLabel
    origin_region: CodeLabel
    municipality_type: CodeLabel
    arrival_year: int
    tags: list[str]
    organisation: str = Field(..., description="The organisation that published the story.")
    published_at: dt.datetime = Field(..., description="When the story was first published.")
    updated_at: dt.datetime = Field(..., description="When the version shown was published.")
    is_fictional: bool = Field(..., description="Demo data: an invented person and text.")


class StoryDetailOut(StoryOut):
    html: str = Field(..., description="The text as the page shows it: sanitised HTML.")
    text: str = Field(..., description="The text without markup.")


class FacetCount(Schema):
    value: str
    label: str
    count: int


class StoryFacets(Schema):
    """How many of the stories that match the filters (all of them, not only this page) have each
    value: stories, never people, and public stories only."""

    ground: list[FacetCount]
    origin_region: list[FacetCount]
    municipality_type: list[FacetCount]
    arrival_year: list[FacetCount]
    tag: list[FacetCount]
    language: list[FacetCount] = Field(..., description="The languages the stories are told in.")


class StoryListOut(Schema):
    count: int = Field(..., description="How many public stories match the filters.")
    items: list[StoryOut]
    facets: StoryFacets
