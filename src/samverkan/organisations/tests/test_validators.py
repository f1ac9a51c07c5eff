"""Swedish organisation numbers: format, personal-number guard and Luhn check digit."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from samverkan.organisations.validators import luhn_ok, normalise_org_number


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("202100-2163", "202100-2163"), ("2021002163", "202100-2163"), (" 802000-0001 ".strip(), None)],
)
def test_normalises_valid_numbers(raw: str, expected: str | None) -> None:
    if expected is None:
        # 802000-0001 has a wrong check digit
        with pytest.raises(ValidationError):
            normalise_org_number(raw)
    else:
        assert normalise_org_number(raw) == expected


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("12345", "format"),
        ("202100-216", "format"),
        ("abcdef-ghij", "format"),
        ("202100-2164", "checksum"),
        ("811218-9876", "personal"),
    ],
)
def test_rejects_invalid_numbers_with_a_reason(raw: str, code: str) -> None:
    with pytest.raises(ValidationError) as info:
        normalise_org_number(raw)
    assert info.value.code == code


@given(st.text(alphabet="0123456789", min_size=9, max_size=9).filter(lambda s: int(s[2]) >= 2))
def test_exactly_one_check_digit_completes_any_nine_digits(prefix: str) -> None:
    valid = [d for d in "0123456789" if luhn_ok(prefix + d)]
    assert len(valid) == 1
    number = prefix + valid[0]
    assert normalise_org_number(number) == f"{number[:6]}-{number[6:]}"
