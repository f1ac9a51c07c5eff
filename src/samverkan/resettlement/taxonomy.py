"""The shipped first version of the needs taxonomy (data/resettlement/needs_taxonomy.csv; sources in
data/SOURCES.md) and helpers over a version's codes."""

from __future__ import annotations

import csv
import io
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parents[3] / "data" / "resettlement" / "needs_taxonomy.csv"
# Stored in English as the note of version 1, shown translated (``TaxonomyVersion.note_text``).
SHIPPED_NOTE = "UNHCR specific-needs codes and resettlement submission categories (shipped)"
COLUMNS = (
    "kind",
    "code",
    "parent",
    "applies_to",
    "label_en",
    "label_sv",
    "label_ar",
    "definition_en",
    "definition_sv",
    "definition_ar",
    "services",
)
ADULT_AGE = 18
CHILD, ADULT = "child", "adult"  # ``applies_to``: empty for a need that applies at any age


def shipped_entries() -> list[dict[str, object]]:
    """The rows of the shipped taxonomy, services split into a list."""
    text = DATA_FILE.read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    return [
        {
            **{k: row[k].strip() for k in COLUMNS if k != "services"},
            "services": [s for s in (p.strip() for p in row["services"].split(";")) if s],
            "position": i,
        }
        for i, row in enumerate(rows)
    ]


def top_level(code: str) -> str:
    """The UNHCR top-level code a sub-code belongs to (``SM-CI`` -> ``SM``)."""
    return code.split("-", 1)[0]


def applies_at(applies_to: str, age: int) -> bool:
    """Whether a need for children only (under 18), adults only or anyone can apply at ``age``."""
    if applies_to == CHILD:
        return age < ADULT_AGE
    if applies_to == ADULT:
        return age >= ADULT_AGE
    return True
