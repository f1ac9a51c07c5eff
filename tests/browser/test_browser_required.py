"""Without Chromium the browser tests skip only on a developer machine: in CI, or when asked for
with SAMVERKAN_REQUIRE_BROWSER=1, they fail (conftest.browser_required). No browser is needed here."""

from __future__ import annotations

import pytest

from tests.browser.conftest import browser_required


@pytest.mark.parametrize(
    ("ci", "require", "expected"),
    [
        (None, None, False),
        ("", None, False),
        ("false", None, False),
        ("0", "0", False),
        ("true", None, True),
        ("1", None, True),
        ("GitHub Actions", None, True),
        (None, "1", True),
        ("false", "1", True),
    ],
)
def test_a_missing_browser_fails_in_ci_or_when_required(monkeypatch, ci, require, expected):
    for name, value in (("CI", ci), ("SAMVERKAN_REQUIRE_BROWSER", require)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    assert browser_required() is expected
