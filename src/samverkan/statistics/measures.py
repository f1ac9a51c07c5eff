"""The reader's words for the codes the pure table model (``cube.py``) gives for figures that
may not be added up."""

from __future__ import annotations

from django.utils.translation import gettext as _

from samverkan.statistics import cube


def kind_text(code: str) -> str:
    """What the figures are, as a plural noun phrase: "percentages", "rates", ..."""
    texts = {
        cube.PERCENT: _("percentages"),
        cube.RATE: _("rates"),
        cube.AVERAGE: _("averages"),
        cube.MEDIAN: _("medians"),
        cube.INDEX: _("index figures"),
        cube.SHARE: _("shares"),
        cube.MEASURES: _("different measures"),
    }
    return texts.get(code, code)


def not_additive(dimension: str, why: str) -> str:
    """The refusal of a view that would add up figures over ``dimension`` that do not add up."""
    return _(
        "These figures are %(kind)s, which cannot be added up: choose one category of “%(dimension)s”, "
        "or keep it in the view."
    ) % {"kind": kind_text(why), "dimension": dimension}
