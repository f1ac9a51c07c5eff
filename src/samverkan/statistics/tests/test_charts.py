"""Chart specifications: a category's label is never dropped or cut short (the panels report
draws its quota groups with the same function), Vega's own English descriptions are off, and the
tables write numbers as the charts do."""

from __future__ import annotations

import pytest

from samverkan.statistics.charts import format_number, line_chart, number_locale

QUOTAS = [
    "gender: woman",
    "gender: man",
    "age: 16–29 years",
    "age: 30–64 years",
    "age: 65 years or older",
    "education: university degree or equivalent",
]


def _bars() -> dict:
    rows = [
        {"x": label, "series": s, "value": v} for label in QUOTAS for s, v in (("Target", 3), ("Panel", 2))
    ]
    return line_chart(
        rows,
        title="Panel against target",
        x_title="",
        y_title="",
        language="ar",
        x_sort=QUOTAS,
        series_sort=["Target", "Panel"],
        bars=True,
    )


def test_category_labels_each_get_a_row_in_full_and_are_never_dropped():
    spec = _bars()
    categories = spec["encoding"]["y"]
    assert categories["field"] == "x" and categories["sort"] == QUOTAS
    # No length limit (0) and no thinning out of overlapping labels.
    assert categories["axis"]["labelLimit"] == 0 and categories["axis"]["labelOverlap"] is False
    assert spec["encoding"]["yOffset"]["sort"] == ["Target", "Panel"]
    # A band per category, tall enough for both bars and the label.
    assert spec["height"]["step"] >= 24 and spec["height"]["for"] == "position"
    assert spec["config"]["legend"]["labelLimit"] == 0
    # Counts of a few people: whole-number ticks only, so no label repeats ("1 1 2 2").
    assert spec["encoding"]["x"]["axis"] == {"format": ",d", "tickMinStep": 1}


def test_vega_writes_no_english_descriptions_of_its_own():
    assert _bars()["config"]["aria"] is False


@pytest.mark.parametrize(
    ("language", "integer", "decimal", "negative"),
    [
        ("sv", "162\u00a0877", "1\u00a0234,5", "\u221212\u00a0000"),
        ("en", "162,877", "1,234.5", "\u221212,000"),
        ("ar", "162٬877", "1٬234٫5", "\u221212٬000"),
    ],
)
def test_numbers_are_grouped_as_the_charts_locale_says(language, integer, decimal, negative):
    assert format_number(162877, language) == integer
    assert format_number(1234.5, language, decimals=1) == decimal
    assert format_number(-12000, language) == negative
    assert format_number(-0.01, language) == "0"
    locale = number_locale(language)
    assert integer == f"162{locale['thousands']}877"
