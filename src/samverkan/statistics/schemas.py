"""API schemas for the open statistics data."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Schema

ObservationFormat = Literal["json", "csv"]


class CategoryOut(Schema):
    code: str
    label_sv: str
    label_en: str
    label_ar: str = ""
    # The label in the requested language (``lang``, else the request's; falling back to
    # Swedish, then the source's main language), and every label the source gives, by language.
    label: str = ""
    labels: dict[str, str] = {}


class DimensionOut(Schema):
    code: str
    label_sv: str
    label_en: str
    label_ar: str = ""
    label: str = ""
    labels: dict[str, str] = {}
    role: str
    total: str
    categories: list[CategoryOut]


class VersionOut(Schema):
    number: int
    imported_at: dt.datetime
    retrieved_at: dt.datetime | None
    source_updated: str
    format: str
    cell_count: int
    content_sha256: str


class DatasetOut(Schema):
    slug: str
    title_sv: str
    title_en: str
    title_ar: str
    description_sv: str
    description_en: str
    description_ar: str
    source_organisation: str
    table_id: str
    source_url: str
    source_note: str
    caveats_sv: str
    caveats_en: str
    caveats_ar: str
    unit: str
    unit_en: str
    unit_ar: str
    licence: str
    person_level: bool
    is_public: bool
    current_version: int


class DatasetDetailOut(DatasetOut):
    dimensions: list[DimensionOut]
    versions: list[VersionOut]


class ObservationsOut(Schema):
    dataset: str
    version: int
    dimensions: list[DimensionOut]
    observations: list[dict[str, str | float | None]]
    withheld: int
    # Dimension → the one category shown of a dimension not kept whose figures may not be
    # added up (percentages, rates, averages, different measures, ...).
    fixed: dict[str, str] = {}


class ShareOut(Schema):
    code: str
    label_sv: str
    label_en: str
    label_ar: str = ""
    label: str = ""
    labels: dict[str, str] = {}
    count: float | None
    share: float | None


class CompositionOut(Schema):
    code: str
    label_sv: str
    label_en: str
    label_ar: str = ""
    label: str = ""
    labels: dict[str, str] = {}
    total: float | None
    shares: list[ShareOut]


class CompositionResult(Schema):
    dataset: str
    version: int
    filters: dict[str, list[str]]
    dimensions: list[CompositionOut]
