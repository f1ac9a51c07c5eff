"""Pure placement optimizer for resettlement (no Django): cases x municipalities on HiGHS."""

from .capacity import Breach, Demand, breaches, case_needs, demand, demand_of, remaining
from .model import LARGE_FAMILY, NEED_CODES, Case, Explanation, Municipality, Placement, Problem
from .solver import greedy, solve

__all__ = [
    "LARGE_FAMILY",
    "NEED_CODES",
    "Breach",
    "Case",
    "Demand",
    "Explanation",
    "Municipality",
    "Placement",
    "Problem",
    "breaches",
    "case_needs",
    "demand",
    "demand_of",
    "greedy",
    "remaining",
    "solve",
]
