"""Data model of the placement problem: municipalities, cases, scores and the result.

A *case* is a family unit resettled together. It needs one slot of a need code's service per
occurrence of the code (``("SM", "SM")`` takes two SM slots), a large dwelling when it has 6 or
more persons, and persons within the municipality's reception number (the arithmetic, shared with
the platform: ``capacity``; ``capacity.case_needs`` builds ``needs`` from a case's persons). A case
with a tie must go to that municipality or stay unplaced. A case's ``priority`` is one of UNHCR's
submission categories (``PRIORITIES``, most pressing first): no case takes a place that a case of a
higher priority needed (``solver``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field

# UNHCR specific-needs categories (top-level codes) used as the shared taxonomy's codes.
NEED_CODES = ("SM", "DS", "CR", "SC", "WR", "SP", "ER", "TR", "SV", "LP", "FU")
LARGE_FAMILY = 6  # persons: from this size a case takes a large dwelling
# UNHCR resettlement submission categories, most pressing first
EMERGENCY, URGENT, NORMAL = "emergency", "urgent", "normal"
PRIORITIES = (EMERGENCY, URGENT, NORMAL)


@dataclass(frozen=True)
class Municipality:
    code: str
    name: str
    capacity_persons: int
    large_dwellings: int
    need_slots: Mapping[str, int] = field(default_factory=dict)
    languages: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Case:
    case_id: str
    size: int
    needs: tuple[str, ...] = ()
    tie: str | None = None
    languages: frozenset[str] = frozenset()
    priority: str = NORMAL  # one of PRIORITIES

    def __post_init__(self) -> None:
        if self.priority not in PRIORITIES:
            raise ValueError(f"case {self.case_id!r}: priority {self.priority!r} is not one of {PRIORITIES}")


@dataclass(frozen=True)
class Problem:
    municipalities: tuple[Municipality, ...]
    cases: tuple[Case, ...]
    scores: Mapping[tuple[str, str], float] | None = None  # (case_id, code) -> score; None: built-in

    def canonical(self) -> dict[str, object]:
        return {
            "municipalities": [
                [
                    m.code,
                    m.name,
                    m.capacity_persons,
                    m.large_dwellings,
                    sorted(m.need_slots.items()),
                    sorted(m.languages),
                ]
                for m in self.municipalities
            ],
            # a priority other than normal is appended, so inputs without one keep their old hash
            "cases": [
                [c.case_id, c.size, list(c.needs), c.tie, sorted(c.languages)]
                + ([c.priority] if c.priority != NORMAL else [])
                for c in self.cases
            ],
            "scores": None if self.scores is None else sorted([*k, v] for k, v in self.scores.items()),
        }

    def sha256(self) -> str:
        text = json.dumps(self.canonical(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


# Why a case could not be placed (``Reason.code``). ``limit`` is one of the capacity model's kinds
# (``capacity.PERSONS``, ``LARGE_DWELLINGS``, ``NEED_SLOTS``); ``tie`` is set when the case may go
# only to the municipality of its relatives.
TOO_MANY_PERSONS = "too_many_persons"  # persons, [tie]: larger than every reception number
NO_LARGE_DWELLING = "no_large_dwelling"  # persons, [tie]: no municipality has a large dwelling
NO_SERVICE_PLACES = "no_service_places"  # need, [tie]: no municipality has places of the need's code
USED_UP = "used_up"  # limit, [need], municipalities: would fit, but other cases took the room
TOO_LITTLE = "too_little"  # limit, [need], municipalities: too little there even when empty
REASON_CODES = (TOO_MANY_PERSONS, NO_LARGE_DWELLING, NO_SERVICE_PLACES, USED_UP, TOO_LITTLE)


@dataclass(frozen=True)
class Reason:
    """A message of the optimizer as a code with parameters (JSON values: strings, whole numbers,
    lists of strings), never a sentence: the platform words it in the reader's language with need
    and municipality names, the command line in English."""

    code: str
    params: Mapping[str, object] = field(default_factory=dict)

    def as_json(self) -> dict[str, object]:
        return {"code": self.code, **self.params}


@dataclass(frozen=True)
class Explanation:
    """Why a case went where it did (or nowhere)."""

    score: float
    parts: Mapping[str, float]
    binding: tuple[str, ...]  # constraint families at their limit in the chosen municipality
    reasons: tuple[Reason, ...] = ()  # for an unplaced case: what blocks it


@dataclass(frozen=True)
class Placement:
    assignment: Mapping[str, str | None]  # case_id -> municipality code or None (unplaced)
    objective: float  # total score minus the penalties of unplaced cases
    score: float  # total score of the placed cases
    lp_bound: float  # optimum of the LP relaxation of the full (unpruned) model
    bound: float  # best proven bound on the objective (>= objective)
    seconds: float
    solver: str
    input_sha256: str
    penalty: float
    stats: Mapping[str, float | int | str] = field(default_factory=dict)
    explanations: Mapping[str, Explanation] = field(default_factory=dict)
    # per priority (all of PRIORITIES): {"placed": n, "unplaced": n}
    priorities: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    # the objective's penalty per unplaced case of each priority (``penalty`` is normal's)
    penalties: Mapping[str, float] = field(default_factory=dict)

    @property
    def placed(self) -> int:
        return sum(1 for m in self.assignment.values() if m is not None)

    @property
    def unplaced(self) -> int:
        return sum(1 for m in self.assignment.values() if m is None)

    @property
    def gap(self) -> float:
        """Relative distance of the objective below the full LP bound."""
        return max(self.lp_bound - self.objective, 0.0) / max(abs(self.objective), 1e-9)
