"""Template helpers for the meeting-place pages: languages by name, and times that read the same in
right-to-left pages ("14:00–16:00", never "16:00–14:00")."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from samverkan.meetingplace import languages

register = template.Library()


@register.filter
def language_name(code: str) -> str:
    """A language code as the language's name in the page's language."""
    return languages.language_name(code)


@register.filter
def language_names(codes: list[str] | tuple[str, ...]) -> str:
    """Language codes as names in the page's language, listed as the page's language lists them."""
    return languages.language_names(codes or ())


@register.filter
def ltr(value: object) -> SafeString:
    """A time, a date, a range or a number kept left to right inside right-to-left text."""
    return format_html('<bdi dir="ltr">{}</bdi>', value)


@register.inclusion_tag("meetingplace/_when.html")
def when(session: Any, weekday: bool = True) -> dict[str, Any]:
    """A session's date and its time range, the range isolated left to right."""
    separator = "، " if (get_language() or "")[:2] == "ar" else ", "
    return {"starts": session.starts_at, "ends": session.ends_at, "weekday": weekday, "separator": separator}
