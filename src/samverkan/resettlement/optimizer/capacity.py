"""The capacity model of resettlement: what a case takes of a municipality, and what is left.

* Every person counts against the municipality's reception number.
* A case of ``LARGE_FAMILY`` (6) or more persons takes one large dwelling.
* A person flagged with a top-level need code or any of its sub-codes (``SM``, ``SM-CI``) takes one
  service place of the top-level code: once, however many of its codes the person has.

The optimizer (``solver``), the capacity a year has left after approved runs
(``selectors.remaining_capacity``) and the warnings of a case moved by hand
(``selectors.override_warnings``) all take their arithmetic from here. Only the codes in
``NEED_CODES`` are limits (``breaches``); ``remaining`` subtracts whatever codes a municipality lists.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final, Literal

from samverkan.resettlement.taxonomy import top_level

from .model import LARGE_FAMILY, NEED_CODES, Case, Municipality

PERSONS: Final = "persons"
LARGE_DWELLINGS: Final = "large_dwellings"
NEED_SLOTS: Final = "need_slots"
Kind = Literal["persons", "large_dwellings", "need_slots"]


@dataclass(frozen=True)
class Demand:
    """What one or more cases take: persons, large dwellings and service places per top-level code
    (zero counts left out). Demands add up: ``sum(demands, Demand())``."""

    persons: int = 0
    large_dwellings: int = 0
    need_slots: Counter[str] = field(default_factory=Counter)

    def __add__(self, other: Demand) -> Demand:
        return Demand(
            self.persons + other.persons,
            self.large_dwellings + other.large_dwellings,
            Counter(self.need_slots) + Counter(other.need_slots),
        )


@dataclass(frozen=True)
class Breach:
    """A limit a load exceeds: ``needed`` of the kind (for ``need_slots``: of ``code``) against the
    municipality's ``capacity``."""

    kind: Kind
    needed: int
    capacity: int
    code: str | None = None


def person_codes(needs: Iterable[str]) -> set[str]:
    """The top-level codes one person takes a service place of: each once, whether the person is
    flagged with the code, with sub-codes of it, or with both."""
    return {top_level(code) for code in needs}


def case_demand(size: int, slots: Iterable[str]) -> Demand:
    """What a case of ``size`` persons takes, with one service place per element of ``slots``."""
    return Demand(size, 1 if size >= LARGE_FAMILY else 0, Counter(slots))


def demand_of(person_needs: Sequence[Iterable[str]]) -> Demand:
    """What one case takes, given each of its persons' flagged codes (one entry per person)."""
    return case_demand(len(person_needs), (k for needs in person_needs for k in person_codes(needs)))


def case_needs(person_needs: Sequence[Iterable[str]]) -> tuple[str, ...]:
    """The optimizer's ``Case.needs`` for a case's persons: per person, each top-level code in
    ``NEED_CODES`` once (sorted), so that ``demand(case)`` is ``demand_of`` over ``NEED_CODES``."""
    return tuple(k for needs in person_needs for k in sorted(person_codes(needs) & set(NEED_CODES)))


def demand(case: Case) -> Demand:
    """What an optimizer case takes: its ``needs`` hold one entry per service place."""
    return case_demand(case.size, case.needs)


def remaining(m: Municipality, used: Demand) -> Municipality:
    """``m`` less what ``used`` takes, each number at least 0; service places only for the codes
    ``m`` lists."""
    return dataclasses.replace(
        m,
        capacity_persons=max(m.capacity_persons - used.persons, 0),
        large_dwellings=max(m.large_dwellings - used.large_dwellings, 0),
        need_slots={k: max(int(v) - used.need_slots.get(k, 0), 0) for k, v in m.need_slots.items()},
    )


def breaches(m: Municipality, load: Demand, *, case: Demand | None = None) -> list[Breach]:
    """The limits of ``m`` that ``load`` exceeds: the reception number, large dwellings, then the
    service places of each code in ``NEED_CODES`` (sorted by code). With ``case`` (a part of
    ``load``: a case moved there), only the limits that case draws on: the reception number
    always, large dwellings when it takes one, the service places of its own codes."""
    out: list[Breach] = []
    if load.persons > m.capacity_persons:
        out.append(Breach(PERSONS, load.persons, m.capacity_persons))
    if (case is None or case.large_dwellings > 0) and load.large_dwellings > m.large_dwellings:
        out.append(Breach(LARGE_DWELLINGS, load.large_dwellings, m.large_dwellings))
    codes = load.need_slots if case is None else case.need_slots
    for k in sorted(code for code, n in codes.items() if n > 0 and code in NEED_CODES):
        capacity = int(m.need_slots.get(k, 0))
        if load.need_slots.get(k, 0) > capacity:
            out.append(Breach(NEED_SLOTS, load.need_slots[k], capacity, k))
    return out
