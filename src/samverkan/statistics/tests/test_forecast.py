"""The forecasting package: point forecasts, intervals, totals, backtest metrics, agency comparison.

Plain functions, no database. Synthetic series use a seeded numpy Generator, so every number is
reproducible.
"""

from __future__ import annotations

import math
import subprocess
import sys
import warnings
from statistics import NormalDist

import numpy as np
import pytest

from samverkan.statistics.forecast import (
    METHODS,
    PublishedForecast,
    Series,
    backtest,
    compare_with_published,
    coverage,
    forecast,
    forecast_total,
    mape,
    naive_scale,
)

Z80 = NormalDist().inv_cdf(0.90)
Z95 = NormalDist().inv_cdf(0.975)


def trend_series(n: int = 40, seed: int = 2024) -> tuple[Series, np.ndarray]:
    """1000 + 40 t plus N(0, 15) noise; returns the series and the noise-free next three values."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    values = 1000 + 40 * t + rng.normal(0, 15, n)
    return Series(tuple(values), "1980"), 1000 + 40 * np.arange(n, n + 3)


def seasonal_series(years: int = 3, seed: int | None = None) -> Series:
    pattern = np.array([20, 18, 19, 22, 30, 35, 40, 42, 38, 30, 25, 21], dtype=float)
    values = np.tile(pattern, years)
    if seed is not None:
        values = values * np.exp(np.random.default_rng(seed).normal(0, 0.05, values.size))
    return Series(tuple(values), "2012M01", "monthly")


# --- Series -----------------------------------------------------------------------------------


def test_series_labels_periods_and_wraps_months_into_the_next_year():
    monthly = Series((1, 2, 3), "2012M11", "monthly")
    assert monthly.periods() == ("2012M11", "2012M12", "2013M01")
    assert monthly.future_periods(2) == ("2013M02", "2013M03")
    assert monthly.end == "2013M01"
    annual = Series((5.0, 6.0), "2023")
    assert annual.periods() == ("2023", "2024")
    assert annual.future_periods(3) == ("2025", "2026", "2027")
    assert annual.up_to("2023").values == (5.0,)


@pytest.mark.parametrize(
    ("values", "start", "frequency"),
    [
        ((1.0,), "2012M13", "monthly"),
        ((1.0,), "2012", "monthly"),
        ((1.0,), "12", "annual"),
        ((math.nan,), "2000", "annual"),
        ((), "2000", "annual"),
        ((1.0,), "2000", "weekly"),
    ],
)
def test_series_rejects_bad_labels_gaps_and_frequencies(values, start, frequency):
    with pytest.raises(ValueError):
        Series(values, start, frequency)


# --- naive and seasonal naive -------------------------------------------------------------------


def test_naive_forecast_is_the_last_value_with_the_fpp3_interval():
    series = Series((10.0, 12.0, 11.0, 15.0), "2000")
    result = forecast(series, "naive", 3)
    assert result.periods == ("2004", "2005", "2006")
    assert result.point == (15.0, 15.0, 15.0)
    sigma = math.sqrt((2**2 + 1**2 + 4**2) / 3)  # residuals 2, -1, 4
    lo80, hi80 = result.interval(0.80)
    lo95, hi95 = result.interval(0.95)
    for h in (1, 2, 3):
        assert hi80[h - 1] == pytest.approx(15 + Z80 * sigma * math.sqrt(h))
        assert lo95[h - 1] == pytest.approx(15 - Z95 * sigma * math.sqrt(h))
    widths80 = [hi - lo for lo, hi in zip(lo80, hi80, strict=True)]
    widths95 = [hi - lo for lo, hi in zip(lo95, hi95, strict=True)]
    assert all(w95 > w80 for w80, w95 in zip(widths80, widths95, strict=True))
    assert widths80[0] < widths80[1] < widths80[2]


def test_seasonal_naive_repeats_the_last_season_and_widens_per_season():
    series = seasonal_series(3, seed=1)
    result = forecast(series, "seasonal_naive", 24)
    last_season = series.values[-12:]
    assert result.point == last_season + last_season
    assert result.periods[0] == "2015M01" and result.periods[-1] == "2016M12"
    lo, hi = result.interval(0.80)
    widths = np.array(hi) - np.array(lo)
    assert np.allclose(widths[:12], widths[0])  # k = 0 for h = 1..12
    assert widths[12] == pytest.approx(widths[0] * math.sqrt(2))  # k = 1 for h = 13..24


def test_seasonal_naive_refuses_annual_data():
    with pytest.raises(ValueError, match="annual data have no season"):
        forecast(Series(tuple(range(1, 20)), "2000"), "seasonal_naive", 2)


def test_intervals_are_clipped_at_zero_for_counts():
    series = Series((100.0, 5.0, 120.0, 3.0, 90.0, 4.0, 110.0, 6.0, 95.0, 5.0), "2000")
    for method in ("naive", "ets", "arima"):
        result = forecast(series, method, 3)
        for interval in result.intervals:
            assert min(interval.lower) >= 0, method
    naive_lower = forecast(series, "naive", 3).interval(0.95)[0]
    assert naive_lower == (0.0, 0.0, 0.0)  # 6 - 1.96 * sigma is far below zero


@pytest.mark.parametrize(
    ("method", "n", "frequency", "message"),
    [
        ("naive", 1, "annual", "at least 2"),
        ("ets", 5, "annual", "at least 6"),
        ("arima", 7, "annual", "at least 8"),
        ("seasonal_naive", 12, "monthly", "at least 13"),
    ],
)
def test_too_short_series_raise_a_clear_value_error(method, n, frequency, message):
    start = "2000" if frequency == "annual" else "2000M01"
    with pytest.raises(ValueError, match=message):
        forecast(Series(tuple(range(1, n + 1)), start, frequency), method, 1)


def test_log_models_refuse_zero_counts_and_unknown_methods_are_refused():
    with pytest.raises(ValueError, match="strictly positive"):
        forecast(Series((0.0, 3, 4, 5, 6, 7, 8, 9, 10), "2000"), "arima", 1)
    with pytest.raises(ValueError, match="Unknown method"):
        forecast(Series((1.0, 2.0), "2000"), "prophet", 1)
    with pytest.raises(ValueError, match="horizon"):
        forecast(Series((1.0, 2.0), "2000"), "naive", 0)


def test_asking_for_a_level_that_was_not_computed_is_an_error():
    result = forecast(Series((1.0, 2.0, 3.0), "2000"), "naive", 1, levels=(0.9,))
    assert result.levels == (0.9,)
    with pytest.raises(KeyError):
        result.interval(0.95)


# --- ETS and ARIMA ------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["ets", "arima"])
def test_models_continue_a_known_linear_trend_and_cover_it(method):
    series, truth = trend_series()
    result = forecast(series, method, 3)
    point = np.array(result.point)
    assert np.all(np.abs(point / truth - 1) < 0.05)
    assert point[0] < point[1] < point[2]  # the trend is continued, not flattened
    lo95, hi95 = result.interval(0.95)
    assert all(lo <= value <= hi for lo, value, hi in zip(lo95, truth, hi95, strict=True))
    lo80, hi80 = result.interval(0.80)
    assert all(l95 < l80 and h80 < h95 for l80, h80, l95, h95 in zip(lo80, hi80, lo95, hi95, strict=True))


def test_ets_on_two_years_of_monthly_data_is_seasonal_and_follows_the_season():
    series = seasonal_series(2, seed=3)
    result = forecast(series, "ets", 12)
    assert ",A)" in result.specification  # additive season on the log scale
    pattern = np.array(series.values[-12:])
    assert np.corrcoef(result.point, pattern)[0, 1] > 0.9


def test_seasonal_arima_uses_the_airline_model_from_three_years():
    assert "(0,1,1)(0,1,1)[12]" in forecast(seasonal_series(3, seed=4), "arima", 12).specification
    assert "(0,1,1)(0,1,0)[12]" in forecast(seasonal_series(2, seed=4), "arima", 12).specification


def test_fits_do_not_leak_statsmodels_warnings():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        forecast(seasonal_series(2, seed=5), "arima", 12)
        forecast(seasonal_series(2, seed=5), "ets", 12)
        forecast(Series((5.0, 9, 4, 8, 3, 9, 2, 10), "2000"), "arima", 2)
    assert [str(w.message) for w in caught] == []


@pytest.mark.parametrize("method", METHODS)
def test_same_input_gives_the_same_output(method):
    series = seasonal_series(2, seed=6)
    assert forecast(series, method, 14) == forecast(series, method, 14)
    assert forecast_total(series, method, 12) == forecast_total(series, method, 12)


# --- totals -------------------------------------------------------------------------------------


def test_totals_of_the_naive_methods_have_the_exact_variance():
    series = seasonal_series(2, seed=7)
    y = np.array(series.values)
    naive = forecast_total(series, "naive", 12)
    sigma1 = math.sqrt(np.mean(np.diff(y) ** 2))
    assert naive.point == pytest.approx(12 * y[-1])
    # The innovation of month j enters the months j..12: sd = sigma * sqrt(1^2 + ... + 12^2).
    assert naive.interval(0.80)[1] == pytest.approx(12 * y[-1] + Z80 * sigma1 * math.sqrt(650))
    seasonal = forecast_total(series, "seasonal_naive", 12)
    sigma12 = math.sqrt(np.mean((y[12:] - y[:-12]) ** 2))
    assert seasonal.point == pytest.approx(y[-12:].sum())
    assert seasonal.interval(0.95)[0] == pytest.approx(y[-12:].sum() - Z95 * sigma12 * math.sqrt(12))
    assert seasonal.periods == tuple(f"2014M{m:02d}" for m in range(1, 13))


def test_model_total_is_the_sum_of_the_monthly_points_inside_its_interval():
    series = seasonal_series(3, seed=8)
    months = forecast(series, "ets", 12)
    total = forecast_total(series, "ets", 12)
    assert total.point == pytest.approx(sum(months.point))
    lo80, hi80 = total.interval(0.80)
    lo95, hi95 = total.interval(0.95)
    assert 0 <= lo95 < lo80 < total.point < hi80 < hi95


# --- metrics and backtest -----------------------------------------------------------------------


def test_metrics_on_hand_made_numbers():
    assert coverage([1, 5, 10], [0, 6, 10], [2, 7, 12]) == pytest.approx(2 / 3)  # bounds count as inside
    assert mape([100, 200], [110, 150]) == pytest.approx((10 + 25) / 2)
    assert naive_scale([1, 3, 2, 6]) == pytest.approx((2 + 1 + 4) / 3)
    # 12-month totals: two years summing to 12 and 24, a third year to 36 -> |24-12| and |36-24|.
    assert naive_scale([1] * 12 + [2] * 12 + [3] * 12, block=12) == pytest.approx(12.0)


def test_backtest_of_a_constant_series_gives_the_naive_method_zero_error():
    series = Series((500.0,) * 12, "2000")
    result = backtest(series, ["naive"], 2, "2004")
    assert result.origins == ("2004", "2005", "2006", "2007", "2008", "2009")
    for step in (1, 2):
        score = result.score("naive", step)
        assert score.n == 6
        assert score.mape == 0
        assert score.coverage_at(0.80) == 1
        assert math.isnan(score.mase)  # the in-sample naive MAE is zero: MASE is undefined


def test_naive_mase_on_a_straight_line_is_one_per_step():
    # In sample the naive forecast is off by 5 each year; out of sample by 5 per step ahead.
    series = Series(tuple(10.0 + 5 * t for t in range(15)), "2000")
    result = backtest(series, ["naive"], 2, "2005")
    assert result.score("naive", 1).mase == pytest.approx(1.0)
    assert result.score("naive", 2).mase == pytest.approx(2.0)
    first = result.evaluations_for("naive", 1)[0]
    assert (first.origin, first.target, first.actual, first.point) == ("2005", "2006", 40.0, 35.0)
    assert result.score("naive", 1).mape == pytest.approx(
        np.mean([100 * 5 / (10 + 5 * t) for t in range(6, 14)])
    )


def test_backtest_coverage_matches_the_evaluations():
    series, _truth = trend_series(20, seed=9)
    result = backtest(series, ["naive", "arima"], 1, "1994")
    for method in ("naive", "arima"):
        rows = result.evaluations_for(method, 1)
        for level in (0.80, 0.95):
            expected = sum(e.inside(level) for e in rows) / len(rows)
            assert result.score(method, 1).coverage_at(level) == expected
    assert len(result.origins) == 5
    assert backtest(series, ["naive", "arima"], 1, "1994") == result


def test_monthly_backtest_scores_calendar_year_totals():
    series = seasonal_series(4)  # the same pattern every year: seasonal naive is perfect
    result = backtest(series, ["seasonal_naive", "naive"], 12, "2013M12", origin_step=12)
    assert result.origins == ("2013M12", "2014M12")
    first = result.evaluations_for("seasonal_naive", 1)[0]
    assert first.target == "2014M01–2014M12"
    assert first.actual == pytest.approx(sum(series.values[:12]))
    assert result.score("seasonal_naive", 1).mape == pytest.approx(0)
    assert result.score("naive", 1).mape > 0
    with pytest.raises(ValueError, match="multiple of 12"):
        backtest(series, ["naive"], 6, "2013M12")


def test_backtest_refuses_origins_without_room_for_the_horizon():
    with pytest.raises(ValueError, match="No origin"):
        backtest(Series((1.0, 2.0, 3.0, 4.0), "2000"), ["naive"], 2, "2002")


# --- agency comparison --------------------------------------------------------------------------


def test_agency_rows_are_forecast_from_the_year_before_publication():
    annual = Series(tuple(float(v) for v in range(100, 120)), "2000")  # 2000..2019
    rows = [
        PublishedForecast("2015-10", 2016, 120.0, outcome=116.0, interval_low=110.0, interval_high=130.0),
        PublishedForecast("2016-10/11", 2016, 116.0, outcome=116.0),
    ]
    comparison = compare_with_published(annual, rows, methods=("naive",))
    first, second = comparison.rows
    assert (first.origin, first.horizon) == ("2014", 2)
    assert (second.origin, second.horizon) == ("2015", 1)
    assert first.model("naive").point == 114.0  # the value of 2014
    assert second.model("naive").point == 115.0
    assert first.agency_ape == pytest.approx(100 * 4 / 116)
    assert first.agency_inside is True
    assert second.agency_inside is None  # no interval published
    assert comparison.agency_coverage() == (1, 1)
    assert comparison.mape("agency") == pytest.approx(100 * 4 / 116 / 2)
    assert comparison.mape("naive") == pytest.approx((100 * 2 / 116 + 100 * 1 / 116) / 2)
    assert comparison.model_coverage("naive", 0.95) == (2, 2)


# --- purity -------------------------------------------------------------------------------------


def test_the_package_imports_without_django():
    code = (
        "import sys, samverkan.statistics.forecast as f; "
        "f.forecast(f.Series((3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0), '2000'), 'naive', 1); "
        "sys.exit(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)  # noqa: S603 (fixed code)
