"""Mail headers built from what users typed.

A subject such as "Reminder: <activity title>" carries user text into a mail header. A carriage
return or line feed there either starts a new header (``Bcc: …``) or, with Django, makes
``send_mail`` raise ``BadHeaderError``, so the mail is never sent. ``header_text`` is the one place
that makes such text safe: every control or line/paragraph-separator character (CR, LF, tab, NUL,
NEL, U+2028, U+2029, bidi and other format controls) becomes a space, runs of whitespace become one
space, and the result is cut to a bounded length. Use it on every piece of user text that reaches
a header (subject, display name), before the text is put into the translated template.
"""

from __future__ import annotations

import unicodedata

HEADER_MAX = 150  # characters of user text in one header; mail clients show far fewer
_ELLIPSIS = "…"


# Zero-width non-joiner and joiner: format characters that Persian (Dari) and Kurdish words need.
_KEPT_FORMAT = frozenset("\u200c\u200d")


def _is_control(char: str) -> bool:
    # Cc: C0/C1 controls (CR, LF, TAB, NUL, NEL …); Cf: format controls (bidi overrides, zero-width);
    # Zl/Zp: the Unicode line and paragraph separators, which some mail software treats as line ends.
    return unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") and char not in _KEPT_FORMAT


def header_text(value: object, max_length: int = HEADER_MAX) -> str:
    """``value`` as one line fit for a mail header: controls folded to spaces, whitespace collapsed,
    at most ``max_length`` characters (cut with an ellipsis)."""
    text = "" if value is None else str(value)
    folded = "".join(" " if _is_control(c) else c for c in text)
    line = " ".join(folded.split())
    if len(line) > max_length:
        line = line[: max(max_length - 1, 0)].rstrip() + _ELLIPSIS
    return line
