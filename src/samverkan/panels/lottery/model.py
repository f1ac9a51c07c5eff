"""Data model of the panel lottery: quotas, instances, distributions, and input validation.

An :class:`Instance` is a pool of volunteers (ids in input order), their feature values, one
:class:`Quota` per value of every quota'd feature, the panel size and optionally a household key per
person (at most one person per household may sit on a panel).  A *feasible panel* is a set of ``size``
distinct people meeting every quota and the household rule.  A :class:`Distribution` is a probability
distribution over feasible panels; :func:`samverkan.panels.lottery.draw.draw` picks one of them.

Agents that are interchangeable (same value of every quota'd feature and a household of their own) form a
*type*; every algorithm here treats members of a type alike, and the leximin solver works on types,
which is what makes it fast (see :mod:`samverkan.panels.lottery.leximin`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from .messages import LotteryInputError, Message

ALGORITHM_VERSION = "samverkan-lottery/2.0"
"""Bumped whenever a change could make the same input and seed give a different distribution or draw."""

EPS = 1e-9


@dataclass(frozen=True)
class Quota:
    """Bounds on how many panel members have ``value`` of ``feature`` (inclusive)."""

    feature: str
    value: str
    min: int
    max: int


@dataclass(frozen=True)
class Instance:
    """A lottery instance. ``households`` maps ids to a household/address key (optional)."""

    people: tuple[str, ...]
    features: Mapping[str, Mapping[str, str]]
    quotas: tuple[Quota, ...]
    size: int
    households: Mapping[str, str] | None = None

    def canonical(self) -> dict[str, object]:
        """The canonical form hashed by :meth:`sha256` (people and quotas keep their input order)."""
        names = quota_features(self.quotas)
        return {
            "people": list(self.people),
            "features": {
                p: {f: self.features[p].get(f) for f in sorted(self.features[p])} for p in self.people
            },
            "quotas": [[q.feature, q.value, q.min, q.max] for q in self.quotas],
            "quota_features": names,
            "size": self.size,
            "households": None
            if self.households is None
            else {p: self.households.get(p) for p in self.people},
        }

    def sha256(self) -> str:
        """SHA-256 (hex) of the canonical JSON (sorted keys, no spaces, UTF-8) of the whole input."""
        text = json.dumps(self.canonical(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Distribution:
    """A lottery: ``weights[i]`` is the probability of ``panels[i]``."""

    algorithm: str
    panels: tuple[tuple[str, ...], ...]
    weights: tuple[float, ...]
    probabilities: Mapping[str, float]
    seconds: float
    stats: Mapping[str, float | int | str] = field(default_factory=dict)

    @property
    def min_probability(self) -> float:
        return min(self.probabilities.values()) if self.probabilities else 0.0


def selection_probabilities(
    people: tuple[str, ...], panels: tuple[tuple[str, ...], ...], weights: tuple[float, ...]
) -> dict[str, float]:
    """Each person's probability of selection: the total weight of the panels they sit on."""
    probabilities = {p: 0.0 for p in people}
    for panel, weight in zip(panels, weights, strict=True):
        for p in panel:
            probabilities[p] += weight
    return probabilities


@dataclass(frozen=True)
class Selection:
    """The outcome of :func:`select`: the distribution, the drawn panel and what is needed to re-run it."""

    distribution: Distribution
    panel: tuple[str, ...]
    seed: int | str
    input_sha256: str
    algorithm_version: str


class InfeasibleQuotas(Exception):
    """No panel meets the quotas.

    ``reasons`` say why, as messages (codes with parameters, ``lottery.messages``), and
    ``conflicts`` are their English texts; ``relaxation`` is the full quota tuple after the smallest
    relaxation (least total number of seats by which minimums are lowered and maximums raised) that makes
    a panel exist; ``changes`` lists ``(old, new)`` pairs of the quotas that were relaxed.
    """

    def __init__(
        self,
        reasons: list[Message],
        relaxation: tuple[Quota, ...],
        changes: tuple[tuple[Quota, Quota], ...] = (),
    ) -> None:
        self.reasons = reasons
        self.relaxation = relaxation
        self.changes = changes
        super().__init__("The quotas cannot be met: " + "; ".join(self.conflicts))

    @property
    def conflicts(self) -> list[str]:
        return [reason.english() for reason in self.reasons]


class LotteryTimeout(TimeoutError):
    """The solver did not finish within ``time_limit`` seconds."""


def quota_features(quotas: tuple[Quota, ...]) -> list[str]:
    """Quota'd feature names in order of first appearance."""
    return list(dict.fromkeys(q.feature for q in quotas))


def validate(instance: Instance) -> None:
    """Refuse malformed input with a :class:`LotteryInputError` (a ``ValueError``) naming the person,
    feature or value."""
    if instance.size < 1:
        raise LotteryInputError("size_below_one", size=instance.size)
    if len(set(instance.people)) != len(instance.people):
        seen: set[str] = set()
        dup = next(p for p in instance.people if p in seen or seen.add(p))  # type: ignore[func-returns-value]
        raise LotteryInputError("person_duplicate", person=dup)
    if instance.size > len(instance.people):
        raise LotteryInputError("pool_below_size", people=len(instance.people), size=instance.size)
    if not instance.quotas:
        raise LotteryInputError("no_quotas")
    allowed: dict[str, set[str]] = {}
    for q in instance.quotas:
        if q.min < 0:
            raise LotteryInputError("quota_negative", feature=q.feature, value=q.value, min=q.min)
        if q.min > q.max:
            raise LotteryInputError(
                "quota_min_above_max", feature=q.feature, value=q.value, min=q.min, max=q.max
            )
        values = allowed.setdefault(q.feature, set())
        if q.value in values:
            raise LotteryInputError("quota_twice", feature=q.feature, value=q.value)
        values.add(q.value)
    for person in instance.people:
        row = instance.features.get(person)
        if row is None:
            raise LotteryInputError("person_no_features", person=person)
        for feature, values in allowed.items():
            if feature not in row:
                raise LotteryInputError("person_lacks_feature", person=person, feature=feature)
            if row[feature] not in values:
                raise LotteryInputError(
                    "person_value_without_quota",
                    person=person,
                    feature=feature,
                    value=row[feature],
                    allowed=sorted(values),
                )
    if instance.households is not None:
        missing = [p for p in instance.people if p not in instance.households]
        if missing:
            raise LotteryInputError("person_no_household", person=missing[0])
        distinct = len({instance.households[p] for p in instance.people})
        if distinct < instance.size:
            raise LotteryInputError("households_below_size", households=distinct, size=instance.size)


@dataclass
class Types:
    """Interchangeable agents grouped into types, and the panel constraints over type counts.

    ``members[t]`` are the indices (into ``instance.people``) of the agents of type ``t``; a panel is a
    vector ``c`` with ``0 <= c[t] <= len(members[t])``.  ``rows`` holds ``(quota, type indices)`` and
    ``household_rows`` the type indices of each household with several members (each such member is a
    type of its own).
    """

    instance: Instance
    members: list[list[int]]
    quota_rows: list[tuple[Quota, list[int]]]
    household_rows: list[list[int]]

    @property
    def count(self) -> int:
        return len(self.members)

    @property
    def sizes(self) -> np.ndarray:
        return np.array([len(m) for m in self.members], dtype=float)


def build_types(instance: Instance) -> Types:
    names = quota_features(instance.quotas)
    hh = instance.households
    household_size: dict[str, int] = {}
    if hh is not None:
        for p in instance.people:
            household_size[hh[p]] = household_size.get(hh[p], 0) + 1
    index: dict[tuple[str, ...], int] = {}
    members: list[list[int]] = []
    household_members: dict[str, list[int]] = {}
    for i, p in enumerate(instance.people):
        key = tuple(instance.features[p][f] for f in names)
        if hh is not None and household_size[hh[p]] > 1:
            household_members.setdefault(hh[p], []).append(len(members))
            members.append([i])
            continue
        t = index.get(key)
        if t is None:
            index[key] = t = len(members)
            members.append([])
        members[t].append(i)
    rows: list[tuple[Quota, list[int]]] = []
    for q in instance.quotas:
        ts = [
            t for t, m in enumerate(members) if instance.features[instance.people[m[0]]][q.feature] == q.value
        ]
        rows.append((q, ts))
    return Types(instance, members, rows, list(household_members.values()))


def is_feasible_panel(instance: Instance, panel: tuple[str, ...] | list[str]) -> bool:
    """Whether ``panel`` has ``size`` distinct pool members, meets every quota and the household rule."""
    pool = set(instance.people)
    if len(panel) != instance.size or len(set(panel)) != len(panel) or not set(panel) <= pool:
        return False
    if instance.households is not None:
        keys = [instance.households[p] for p in panel]
        if len(set(keys)) != len(keys):
            return False
    for q in instance.quotas:
        n = sum(1 for p in panel if instance.features[p][q.feature] == q.value)
        if not q.min <= n <= q.max:
            return False
    return True
