"""Loading the municipalities register from data/municipalities.csv (source in data/SOURCES.md)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parents[3] / "data" / "municipalities.csv"


@dataclass(frozen=True)
class MunicipalityRow:
    code: str
    name: str
    county: str
    population_2016: int


def read_municipalities(path: Path = DATA_FILE) -> list[MunicipalityRow]:
    rows: list[MunicipalityRow] = []
    with path.open(encoding="utf-8", newline="") as handle:
        for line, record in enumerate(csv.DictReader(handle), start=2):
            code = record["code"].strip()
            if len(code) != 4 or not code.isdigit():
                raise ValueError(f"{path.name} line {line}: code {code!r} is not a four-digit kommunkod")
            rows.append(
                MunicipalityRow(
                    code, record["name"].strip(), record["county"].strip(), int(record["population_2016"])
                )
            )
    return rows
