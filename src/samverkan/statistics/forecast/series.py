"""The input of every forecast: an equally spaced series of counts with period labels.

Periods are labelled the way Statistics Sweden labels them: ``"2015"`` for a year and
``"2015M03"`` for a month. Internally a period is an integer (the year, or ``12 * year + month - 1``)
so that arithmetic on periods is plain integer arithmetic.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

import numpy as np

Frequency = Literal["annual", "monthly"]

SEASON_LENGTH: dict[str, int] = {"annual": 1, "monthly": 12}

_ANNUAL = re.compile(r"^(\d{4})$")
_MONTHLY = re.compile(r"^(\d{4})M(0[1-9]|1[0-2])$")


def period_number(label: str, frequency: Frequency) -> int:
    """The integer position of a period label: the year, or ``12 * year + month - 1``."""
    if frequency == "annual":
        match = _ANNUAL.match(label)
        if match is None:
            raise ValueError(f"An annual period looks like '2015', not {label!r}.")
        return int(match.group(1))
    if frequency == "monthly":
        match = _MONTHLY.match(label)
        if match is None:
            raise ValueError(f"A monthly period looks like '2015M03', not {label!r}.")
        return 12 * int(match.group(1)) + int(match.group(2)) - 1
    raise ValueError(f"Unknown frequency {frequency!r}; use 'annual' or 'monthly'.")


def period_label(number: int, frequency: Frequency) -> str:
    """The label of an integer period position (the inverse of :func:`period_number`)."""
    if frequency == "annual":
        return f"{number:04d}"
    year, month0 = divmod(number, 12)
    return f"{year:04d}M{month0 + 1:02d}"


@dataclass(frozen=True)
class Series:
    """An equally spaced series without gaps, starting at the period ``start``.

    ``values`` is coerced to a tuple of floats; every value must be finite (a gap is not a zero).
    """

    values: tuple[float, ...]
    start: str
    frequency: Frequency = "annual"

    def __post_init__(self) -> None:
        if self.frequency not in SEASON_LENGTH:
            raise ValueError(f"Unknown frequency {self.frequency!r}; use 'annual' or 'monthly'.")
        values = tuple(float(v) for v in self.values)
        if not values:
            raise ValueError("A series needs at least one value.")
        if not all(math.isfinite(v) for v in values):
            raise ValueError("A series may not contain missing or infinite values.")
        object.__setattr__(self, "values", values)
        period_number(self.start, self.frequency)  # validates the label

    def __len__(self) -> int:
        return len(self.values)

    @property
    def season_length(self) -> int:
        """12 for monthly data, 1 for annual data."""
        return SEASON_LENGTH[self.frequency]

    @property
    def end(self) -> str:
        """The label of the last period."""
        return period_label(self._first + len(self.values) - 1, self.frequency)

    @property
    def _first(self) -> int:
        return period_number(self.start, self.frequency)

    def array(self) -> np.ndarray:
        return np.asarray(self.values, dtype=float)

    def periods(self) -> tuple[str, ...]:
        """The label of every observed period, in order."""
        return tuple(period_label(self._first + i, self.frequency) for i in range(len(self.values)))

    def future_periods(self, horizon: int) -> tuple[str, ...]:
        """The labels of the ``horizon`` periods after the last observation."""
        if horizon < 0:
            raise ValueError("The horizon cannot be negative.")
        after = self._first + len(self.values)
        return tuple(period_label(after + i, self.frequency) for i in range(horizon))

    def position(self, label: str) -> int:
        """The 0-based position of the period ``label`` in the series."""
        offset = period_number(label, self.frequency) - self._first
        if not 0 <= offset < len(self.values):
            raise ValueError(f"Period {label} is outside the series ({self.start}–{self.end}).")
        return offset

    def head(self, n: int) -> Series:
        """The first ``n`` observations."""
        if not 1 <= n <= len(self.values):
            raise ValueError(f"Cannot take the first {n} of {len(self.values)} observations.")
        return Series(values=self.values[:n], start=self.start, frequency=self.frequency)

    def up_to(self, label: str) -> Series:
        """The series up to and including the period ``label``."""
        return self.head(self.position(label) + 1)
