"""Synthetic, seeded panel-selection instances written as Sortition Foundation CSV files.

A volunteer pool is not a sample of the population: those who answer an invitation are more
often older, tertiary educated, born in Sweden and living in the big cities. Each instance draws
its pool from such skewed shares while the quotas follow the population's shares, so the quotas
pull against the pool, as in a real selection. Education also depends on age (the young have
had less time to finish a degree), so the features are not independent.

    write(spec, directory) -> (features.csv, people.csv)

Pure standard library; the figures are invented, not statistics.
"""

from __future__ import annotations

import csv
import math
import random
from dataclasses import dataclass
from pathlib import Path

# feature -> [(value, share of the population, over-representation in the pool)]
FEATURES: dict[str, list[tuple[str, float, float]]] = {
    "gender": [("female", 0.50, 1.25), ("male", 0.49, 0.78), ("non-binary", 0.01, 1.0)],
    "age": [("16-29", 0.21, 0.55), ("30-44", 0.24, 0.85), ("45-64", 0.31, 1.15), ("65+", 0.24, 1.45)],
    "education": [("compulsory", 0.18, 0.45), ("upper-secondary", 0.40, 0.85), ("tertiary", 0.42, 1.45)],
    "region": [
        ("Stockholm", 0.24, 1.35),
        ("Västra Götaland", 0.17, 1.0),
        ("Skåne", 0.13, 1.0),
        ("Norrland", 0.12, 0.65),
        ("other", 0.34, 0.9),
    ],
    "born": [("Sweden", 0.79, 1.12), ("abroad", 0.21, 0.55)],
}
# Education shifted by age group in the pool (multiplies the skewed shares before normalising).
EDUCATION_BY_AGE = {
    "16-29": {"compulsory": 2.0, "upper-secondary": 1.3, "tertiary": 0.5},
    "65+": {"compulsory": 1.3, "upper-secondary": 1.0, "tertiary": 0.8},
}


@dataclass(frozen=True)
class Spec:
    """One benchmark instance: pool size, panel size, how many features, households or not."""

    name: str
    pool: int
    panel: int
    features: int
    households: bool = False
    seed: int = 1

    @property
    def feature_names(self) -> list[str]:
        return list(FEATURES)[: self.features]


SPECS = (
    Spec("200/20, 4 features", 200, 20, 4, seed=11),
    Spec("500/100, 5 features", 500, 100, 5, seed=12),
    Spec("2,000/100, 5 features", 2000, 100, 5, seed=13),
    Spec("500/50, 5 features, households", 500, 50, 5, households=True, seed=14),
)


def quotas(spec: Spec) -> list[tuple[str, str, int, int]]:
    """(feature, value, min, max): the population share of the panel, rounded down and up."""
    rows = []
    for feature in spec.feature_names:
        for value, share, _bias in FEATURES[feature]:
            target = share * spec.panel
            rows.append((feature, value, math.floor(target), math.ceil(target)))
    return rows


def _pick(rng: random.Random, options: list[tuple[str, float]]) -> str:
    values = [value for value, _ in options]
    weights = [weight for _, weight in options]
    return rng.choices(values, weights=weights)[0]


def people(spec: Spec) -> list[dict[str, str]]:
    """The pool: one dict per person (id, the features, and an address when households count)."""
    rng = random.Random(spec.seed)  # noqa: S311 - synthetic data, not secrets
    names = spec.feature_names
    out: list[dict[str, str]] = []
    address = 0
    while len(out) < spec.pool:
        # household of 1 (60 %), 2 (30 %) or 3 (10 %) people sharing region and, mostly, birthplace
        size = _pick(rng, [("1", 0.6), ("2", 0.3), ("3", 0.1)]) if spec.households else "1"
        address += 1
        shared: dict[str, str] = {}
        for _ in range(min(int(size), spec.pool - len(out))):
            person = {"id": f"P{len(out) + 1:05d}"}
            for feature in names:
                if feature in shared and (feature == "region" or rng.random() < 0.8):
                    person[feature] = shared[feature]
                    continue
                options = [(value, share * bias) for value, share, bias in FEATURES[feature]]
                if feature == "education" and person.get("age") in EDUCATION_BY_AGE:
                    shift = EDUCATION_BY_AGE[person["age"]]
                    options = [(value, weight * shift[value]) for value, weight in options]
                person[feature] = _pick(rng, options)
            shared = {k: v for k, v in person.items() if k in ("region", "born")}
            if spec.households:
                person["address"] = f"Gata {address}, {person.get('region', '')}"
            out.append(person)
    return out


def write(spec: Spec, directory: Path) -> tuple[Path, Path]:
    """Write features.csv and people.csv of ``spec`` into ``directory`` (UTF-8, no BOM)."""
    directory.mkdir(parents=True, exist_ok=True)
    features_path = directory / "features.csv"
    people_path = directory / "people.csv"
    with features_path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["feature", "value", "min", "max"])
        writer.writerows(quotas(spec))
    pool = people(spec)
    columns = ["id", *spec.feature_names, *(["address"] if spec.households else [])]
    with people_path.open("w", encoding="utf-8", newline="") as stream:
        table = csv.DictWriter(stream, fieldnames=columns)
        table.writeheader()
        table.writerows(pool)
    return features_path, people_path
