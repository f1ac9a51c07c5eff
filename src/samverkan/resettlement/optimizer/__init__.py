"""Pure placement optimizer for resettlement (no Django): cases x municipalities on HiGHS."""

from .capacity import Breach, Demand, breaches, case_needs, demand, demand_of, remaining
from .model import (
    LARGE_FAMILY,
    NEED_CODES,
    NO_LARGE_DWELLING,
    NO_SERVICE_PLACES,
    REASON_CODES,
    TOO_LITTLE,
    TOO_MANY_PERSONS,
    USED_UP,
    Case,
    Explanation,
    Municipality,
    Placement,
    Problem,
    Reason,
)
from .solver import greedy, solve

__all__ = [
    "LARGE_FAMILY",
    "NEED_CODES",
    "NO_LARGE_DWELLING",
    "NO_SERVICE_PLACES",
    "REASON_CODES",
    "TOO_LITTLE",
    "TOO_MANY_PERSONS",
    "USED_UP",
    "Breach",
    "Case",
    "Demand",
    "Explanation",
    "Municipality",
    "Placement",
    "Problem",
    "Reason",
    "breaches",
    "case_needs",
    "demand",
    "demand_of",
    "greedy",
    "remaining",
    "solve",
]
