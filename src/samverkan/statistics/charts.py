"""Vega-Lite specifications for the statistics pages, built by hand as plain dicts.

Rendered in the browser by vega-embed from local static files (static/js/charts.js), always next
to a data table with the same figures. Numbers follow the reader's language (Swedish: a space
between thousands and a decimal comma), in the charts and in the tables beside them alike
(``format_number``).

Right to left: a chart is drawn left to right on every page, Arabic included, with its texts in
the page's language. charts.js gives each chart container ``dir="ltr"``: Vega lays out text for a
left-to-right inline direction (axis labels anchored at their end, legend labels starting after
their symbol), and inside a right-to-left element the browser flips those anchors, so labels slid
over one another, onto the legend symbols and off the edge. Mirroring every anchor and axis by
hand instead would make the chart read against its own numbers: digits, and so the values on the
axes, read left to right in Arabic too, and Arabic statistical publications keep time running
from left to right. Each label is still laid out by the browser's bidirectional algorithm, so
Arabic labels read correctly inside the left-to-right figure.
"""

from __future__ import annotations

from typing import Any

NUMBER_LOCALES: dict[str, dict[str, Any]] = {
    "sv": {"decimal": ",", "thousands": "\u00a0", "grouping": [3], "currency": ["", "\u00a0kr"]},
    "en": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["", ""]},
    "ar": {"decimal": "٫", "thousands": "٬", "grouping": [3], "currency": ["", ""]},
}

# Colours with at least 3:1 contrast against white (WCAG 1.4.11 non-text contrast).
PALETTE = ["#1d70b8", "#d4351c", "#00703c", "#4c2c92", "#b58840", "#505a5f", "#f47738", "#912b88"]


def number_locale(language: str) -> dict[str, Any]:
    return NUMBER_LOCALES.get(language[:2], NUMBER_LOCALES["en"])


def format_number(value: float, language: str, decimals: int = 0) -> str:
    """``value`` as the charts write it in ``language`` (d3-format ",d" / ",.1f" with the same
    locale): grouped thousands, the language's decimal sign and a true minus sign."""
    locale = number_locale(language)
    text = f"{abs(value):,.{decimals}f}"
    text = text.replace(",", "\x00").replace(".", locale["decimal"]).replace("\x00", locale["thousands"])
    return f"\u2212{text}" if value < 0 and round(abs(value), decimals) else text


def _config(language: str) -> dict[str, Any]:
    return {
        "locale": {"number": number_locale(language)},
        "font": "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif",
        "axis": {"labelFontSize": 13, "titleFontSize": 14, "labelColor": "#0b0c0c", "titleColor": "#0b0c0c"},
        "legend": {"labelFontSize": 13, "titleFontSize": 14, "orient": "bottom", "labelLimit": 0},
        "range": {"category": PALETTE},
        "view": {"stroke": None},
        # Vega's own descriptions of marks and axes are English sentences ("X-axis titled ...").
        # The chart container carries the translated text alternative, and the table beside the
        # chart the figures.
        "aria": False,
    }


def line_chart(
    rows: list[dict[str, Any]],
    *,
    title: str,
    x_title: str,
    y_title: str,
    language: str,
    series_title: str = "",
    x_sort: list[str] | None = None,
    series_sort: list[str] | None = None,
    bars: bool = False,
) -> dict[str, Any]:
    """Rows are {"x": label, "value": number or None, "series": label (optional)}. A line over
    time, or grouped bars (``bars``) when the rows are categories without an order.

    Bars lie horizontally, one category per row with its label in full beside it: a category's
    label is never dropped or cut short for want of room (the time axis of a line may thin out
    its labels, since the order says which periods lie between)."""
    series = any("series" in row for row in rows)
    tooltip: list[dict[str, Any]] = [
        {"field": "x", "title": x_title},
        {"field": "value", "type": "quantitative", "title": y_title, "format": ","},
    ]
    # Whole numbers on the value axis, and no tick between them (small counts would repeat "1 1 2").
    value = {
        "field": "value",
        "type": "quantitative",
        "title": y_title,
        "axis": {"format": ",d", "tickMinStep": 1},
    }
    encoding: dict[str, Any]
    if bars:
        categories = {
            "field": "x",
            "type": "nominal",
            "title": x_title,
            "sort": x_sort or None,
            "axis": {"labelLimit": 0, "labelOverlap": False},
        }
        encoding = {"y": categories, "x": value, "tooltip": tooltip}
    else:
        time = {
            "field": "x",
            "type": "ordinal",
            "title": x_title,
            "sort": x_sort or None,
            "axis": {"labelAngle": -45, "labelOverlap": "greedy"},
        }
        encoding = {"x": time, "y": value, "tooltip": tooltip}
    groups = len(series_sort or {row["series"] for row in rows if "series" in row}) if series else 1
    if series:
        encoding["color"] = {"field": "series", "type": "nominal", "title": series_title, "sort": series_sort}
        if bars:
            encoding["yOffset"] = {"field": "series", "type": "nominal", "sort": series_sort}
        else:
            # Dashes as well as colours, so the series stay apart without colour vision.
            encoding["strokeDash"] = {
                "field": "series",
                "type": "nominal",
                "title": series_title,
                "sort": series_sort,
            }
        tooltip.insert(0, {"field": "series", "title": series_title})
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "description": title,
        "width": "container",
        # Bars: a band per category, tall enough for its label and every series' bar.
        "height": {"step": max(24, 12 * groups + 8), "for": "position"} if bars else 320,
        "data": {"values": [r for r in rows if r.get("value") is not None]},
        "mark": {"type": "bar"} if bars else {"type": "line", "point": True, "strokeWidth": 2.5},
        "encoding": encoding,
        "config": _config(language),
    }


def forecast_chart(
    *,
    history: list[dict[str, Any]],
    bands: list[dict[str, Any]],
    agency: list[dict[str, Any]],
    title: str,
    labels: dict[str, str],
    language: str,
) -> dict[str, Any]:
    """Outcomes as a line, the model's 80 % and 95 % intervals as bands with its point forecast,
    and the agency's planning assumptions as points with their published intervals.

    history: {"year", "value"}; bands: {"year", "point", "lo80", "hi80", "lo95", "hi95"};
    agency: {"year", "value", "low", "high", "published"}.
    """
    x = {"field": "year", "type": "ordinal", "title": labels["year"], "axis": {"labelAngle": -45}}
    y_title = labels["value"]
    layers: list[dict[str, Any]] = [
        {
            "data": {"values": bands},
            "mark": {"type": "area", "opacity": 0.25, "color": "#1d70b8"},
            "encoding": {
                "x": x,
                "y": {"field": "lo95", "type": "quantitative", "title": y_title},
                "y2": {"field": "hi95"},
            },
        },
        {
            "data": {"values": bands},
            "mark": {"type": "area", "opacity": 0.45, "color": "#1d70b8"},
            "encoding": {"x": x, "y": {"field": "lo80", "type": "quantitative"}, "y2": {"field": "hi80"}},
        },
        {
            "data": {"values": bands},
            "mark": {"type": "line", "strokeDash": [6, 4], "color": "#003078", "point": True},
            "encoding": {
                "x": x,
                "y": {"field": "point", "type": "quantitative"},
                "tooltip": [
                    {"field": "year", "title": labels["year"]},
                    {"field": "point", "title": labels["point"], "format": ",d"},
                    {"field": "lo95", "title": labels["lo95"], "format": ",d"},
                    {"field": "hi95", "title": labels["hi95"], "format": ",d"},
                ],
            },
        },
        {
            "data": {"values": history},
            "mark": {"type": "line", "color": "#0b0c0c", "point": True, "strokeWidth": 2.5},
            "encoding": {
                "x": x,
                "y": {"field": "value", "type": "quantitative", "title": y_title, "axis": {"format": ",d"}},
                "tooltip": [
                    {"field": "year", "title": labels["year"]},
                    {"field": "value", "title": labels["outcome"], "format": ",d"},
                ],
            },
        },
        {
            "data": {"values": [a for a in agency if a.get("low") is not None and a.get("high") is not None]},
            "mark": {"type": "rule", "color": "#d4351c", "strokeWidth": 2},
            "encoding": {"x": x, "y": {"field": "low", "type": "quantitative"}, "y2": {"field": "high"}},
        },
        {
            "data": {"values": agency},
            "mark": {"type": "point", "shape": "diamond", "filled": True, "size": 90, "color": "#d4351c"},
            "encoding": {
                "x": x,
                "y": {"field": "value", "type": "quantitative"},
                "tooltip": [
                    {"field": "published", "title": labels["published"]},
                    {"field": "year", "title": labels["year"]},
                    {"field": "value", "title": labels["agency"], "format": ",d"},
                ],
            },
        },
    ]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "description": title,
        "width": "container",
        "height": 360,
        "layer": layers,
        "config": _config(language),
    }
