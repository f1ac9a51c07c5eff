"""Template helpers of the panels pages."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def bdi(value: object) -> SafeString:
    """``value`` in a ``<bdi>``, so a number, date or name keeps its direction inside a sentence
    (also inside ``blocktranslate``, which would otherwise escape the markup)."""
    return format_html("<bdi>{}</bdi>", value)


@register.filter
def share(value: float | None) -> str:
    """A share as a whole percentage in the reader's language ("33 %"); a dash when there is none."""
    if value is None:
        return "–"
    percent = Decimal(repr(round(100 * float(value), 9))).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return number_format(int(percent), use_l10n=True) + "\u00a0%"
