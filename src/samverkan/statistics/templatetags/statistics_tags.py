"""Figures as the reader's language writes them: 12 345 and 1,5 in Swedish, 12,345 in English,
12٬345 in Arabic; the same grouping as the charts (``charts.format_number``)."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from samverkan.statistics.charts import format_number

register = template.Library()


def _language() -> str:
    return (get_language() or "sv")[:2]


@register.filter
def figure(value: float | None, symbol: str | None = None) -> str:
    """A published figure with thousands grouping; a missing or withheld one as its symbol."""
    if value is None:
        return symbol or ".."
    number = float(value)
    return format_number(number, _language(), decimals=0 if number.is_integer() else 1)


@register.filter
def get_item(mapping: dict[str, list[str]] | None, key: str) -> list[str]:
    return (mapping or {}).get(key, [])


@register.filter
def label(obj: object) -> str:
    """A dimension's, category's or table's label in the reader's language."""
    method = getattr(obj, "label", None)
    if not callable(method):
        return str(obj)
    return str(method(_language()))
