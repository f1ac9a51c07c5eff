"""core.mail.header_text: user text made fit for one mail header line."""

from __future__ import annotations

import pytest

from samverkan.core.mail import header_text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Träff\r\nBcc: x@evil.invalid", "Träff Bcc: x@evil.invalid"),
        ("a\nb\rc\td\x00e\x85f\u2028g\u2029h", "a b c d e f g h"),
        ("  many   spaces \n\n ", "many spaces"),
        ("right\u202eto-left", "right to-left"),
        (None, ""),
        (42, "42"),
    ],
)
def test_controls_become_single_spaces(raw, expected):
    assert header_text(raw) == expected


def test_long_text_is_cut_with_an_ellipsis():
    cut = header_text("x" * 500, max_length=20)
    assert cut == "x" * 19 + "…" and len(cut) == 20
    assert header_text("y" * 20, max_length=20) == "y" * 20


def test_the_joiners_persian_and_kurdish_words_need_are_kept():
    # "می‌خواهم" (Dari: "I want") is written with a zero-width non-joiner; a space would split it.
    word = "می\u200cخواهم"
    assert header_text(f"{word}\r\n") == word
