"""Helpers the resettlement services share: the years a write may name."""

from __future__ import annotations

from django.utils.translation import gettext as _

from samverkan.core.errors import ValidationError

MIN_YEAR, MAX_YEAR = 2000, 2100


def _year(year: int) -> int:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(
            {"year": [_("Give a year between %(a)s and %(b)s.") % {"a": MIN_YEAR, "b": MAX_YEAR}]}
        )
    return year
