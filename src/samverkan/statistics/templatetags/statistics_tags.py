"""Figures as the reader's language writes them: 12 345 and 1,5 in Swedish, 12,345 in English."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format
from django.utils.translation import get_language

register = template.Library()


@register.filter
def figure(value: float | None, symbol: str | None = None) -> str:
    """A published figure with thousands grouping; a missing or withheld one as its symbol."""
    if value is None:
        return symbol or ".."
    number = float(value)
    if number.is_integer():
        return number_format(int(number), use_l10n=True, force_grouping=True)
    return number_format(number, decimal_pos=1, use_l10n=True, force_grouping=True)


@register.filter
def percent(value: float | None) -> str:
    if value is None:
        return "–"
    return number_format(100 * float(value), decimal_pos=1, use_l10n=True) + "\u00a0%"


@register.filter
def get_item(mapping: dict[str, list[str]] | None, key: str) -> list[str]:
    return (mapping or {}).get(key, [])


@register.filter
def label(obj: object) -> str:
    """A dimension's, category's or table's label in the reader's language."""
    method = getattr(obj, "label", None)
    if not callable(method):
        return str(obj)
    return str(method((get_language() or "sv")[:2]))
