"""Vega-Lite specifications for the statistics pages, built by hand as plain dicts.

Rendered in the browser by vega-embed from local static files (static/js/charts.js), always next
to a data table with the same figures. Numbers follow the reader's language (Swedish: a space
between thousands and a decimal comma).
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


def _config(language: str) -> dict[str, Any]:
    return {
        "locale": {"number": NUMBER_LOCALES.get(language[:2], NUMBER_LOCALES["en"])},
        "font": "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif",
        "axis": {"labelFontSize": 13, "titleFontSize": 14, "labelColor": "#0b0c0c", "titleColor": "#0b0c0c"},
        "legend": {"labelFontSize": 13, "titleFontSize": 14, "orient": "bottom"},
        "range": {"category": PALETTE},
        "view": {"stroke": None},
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
    time, or grouped bars (``bars``) when the rows are categories without an order."""
    encoding: dict[str, Any] = {
        "x": {
            "field": "x",
            "type": "ordinal",
            "title": x_title,
            "sort": x_sort or None,
            "axis": {"labelAngle": -45, "labelOverlap": "greedy"},
        },
        "y": {"field": "value", "type": "quantitative", "title": y_title, "axis": {"format": ",d"}},
        "tooltip": [
            {"field": "x", "title": x_title},
            {"field": "value", "type": "quantitative", "title": y_title, "format": ","},
        ],
    }
    if any("series" in row for row in rows):
        encoding["color"] = {"field": "series", "type": "nominal", "title": series_title, "sort": series_sort}
        if bars:
            encoding["xOffset"] = {"field": "series", "type": "nominal", "sort": series_sort}
        else:
            # Dashes as well as colours, so the series stay apart without colour vision.
            encoding["strokeDash"] = {
                "field": "series",
                "type": "nominal",
                "title": series_title,
                "sort": series_sort,
            }
        encoding["tooltip"].insert(0, {"field": "series", "title": series_title})
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "description": title,
        "width": "container",
        "height": 320,
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
