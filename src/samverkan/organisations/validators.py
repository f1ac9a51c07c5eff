"""Swedish identifiers: organisation numbers (organisationsnummer) and kommunkod."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_ORG_NUMBER = re.compile(r"^([0-9]{6})-?([0-9]{4})$")  # ASCII digits only, not any Unicode digit


def luhn_ok(digits: str) -> bool:
    """The Luhn (mod 10) check used by Swedish personal and organisation numbers."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 1:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


def normalise_org_number(value: str) -> str:
    """Return NNNNNN-NNNN or raise ValidationError with a message a person understands."""
    match = _ORG_NUMBER.match(value.strip())
    if not match:
        raise ValidationError(_("An organisation number has ten digits, written NNNNNN-NNNN."), code="format")
    digits = match.group(1) + match.group(2)
    if int(digits[2]) < 2:
        # The third digit of an organisation number is at least 2 (it is a month digit in a
        # personal number); sole traders use their personal number, which we do not store.
        raise ValidationError(
            _("This looks like a personal identity number, not an organisation number."), code="personal"
        )
    if not luhn_ok(digits):
        raise ValidationError(_("The organisation number's check digit is wrong."), code="checksum")
    return f"{digits[:6]}-{digits[6:]}"


def validate_org_number(value: str) -> None:
    normalise_org_number(value)
