"""How well do the forecasting methods predict asylum applications -- against naive and the agency?

Run:  .venv/bin/python benchmarks/forecast/backtest.py [--runs 3] [--no-docs]

On the real published series in ``data/statistics/`` (no Django, no database):

1. a rolling-origin backtest on the annual series (Statistics Sweden, 2000–2024), horizons 1 and 2
   years, every method against the naive baseline on the same origins;
2. the same on the monthly series (Eurostat, 2012M01–2019M04), forecasts of the next 12 months
   summed to calendar-year totals, from every December that leaves a full year to compare with;
3. every planning assumption the Migration Agency published (``asylum_forecasts_published.csv``)
   against each model's forecast for the same target year from the annual data up to the year
   before publication.

Prints the tables, checks that repeated runs give identical results, and rewrites the section
between ``<!-- forecast:start -->`` and ``<!-- forecast:end -->`` in ``docs/benchmarks.md`` (only
that section). The runtime quoted is the median of ``--runs`` runs of all three steps, with
single-threaded BLAS (set below unless the environment says otherwise).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import platform
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
# The fits multiply tiny matrices; OpenBLAS threads only add contention (on the shared 2-core machine
# a run took ten times longer with them). Must be set before numpy is imported; an explicit setting wins.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

from samverkan.statistics.forecast import (  # noqa: E402
    AgencyComparison,
    AgencyRow,
    BacktestResult,
    PublishedForecast,
    Series,
    backtest,
    compare_with_published,
)

DATA = ROOT / "data" / "statistics"
DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- forecast:start -->", "<!-- forecast:end -->"
COMMAND = ".venv/bin/python benchmarks/forecast/backtest.py"

ANNUAL_METHODS = ("naive", "ets", "arima")
MONTHLY_METHODS = ("naive", "seasonal_naive", "ets", "arima")
ANNUAL_FIRST_ORIGIN = "2009"  # ten years of training data at the first origin
MONTHLY_FIRST_ORIGIN = "2013M12"  # two full years: the first origin with seasonal models
LEVELS = (0.80, 0.95)
SHOCK_YEARS = ("2015", "2016")


@dataclass(frozen=True)
class Results:
    annual: BacktestResult
    monthly: BacktestResult
    agency: AgencyComparison


def load_annual() -> Series:
    with (DATA / "asylum_seekers_annual.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    years = [int(r["year"]) for r in rows]
    if years != list(range(years[0], years[0] + len(years))):
        raise SystemExit("The annual series has a gap.")
    return Series(values=tuple(float(r["asylum_seekers"]) for r in rows), start=str(years[0]))


def load_monthly() -> Series:
    with (DATA / "asylum_applicants_monthly_2012_2019.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    series = Series(
        values=tuple(float(r["applicants"]) for r in rows), start=rows[0]["month"], frequency="monthly"
    )
    if list(series.periods()) != [r["month"] for r in rows]:
        raise SystemExit("The monthly series has a gap.")
    return series


def load_published(annual: Series) -> list[PublishedForecast]:
    def number(text: str) -> float | None:
        return float(text) if text.strip() else None

    with (DATA / "asylum_forecasts_published.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    published = []
    for r in rows:
        outcome = float(r["outcome"])
        target = r["target_year"]
        if annual.values[annual.position(target)] != outcome:
            raise SystemExit(f"Outcome for {target} differs between the forecast file and the annual series.")
        published.append(
            PublishedForecast(
                published=r["forecast_published"],
                target_year=int(target),
                planning_assumption=float(r["planning_assumption"]),
                outcome=outcome,
                interval_low=number(r["interval_low"]),
                interval_high=number(r["interval_high"]),
                source=r["source"],
            )
        )
    return published


def run_all(annual: Series, monthly: Series, published: Sequence[PublishedForecast]) -> Results:
    return Results(
        annual=backtest(annual, ANNUAL_METHODS, 2, ANNUAL_FIRST_ORIGIN, levels=LEVELS),
        monthly=backtest(monthly, MONTHLY_METHODS, 12, MONTHLY_FIRST_ORIGIN, levels=LEVELS, origin_step=12),
        agency=compare_with_published(annual, published, ANNUAL_METHODS, LEVELS),
    )


# --- formatting -------------------------------------------------------------------------------


def pct(value: float) -> str:
    return f"{value:.0f} %"


def share(value: float) -> str:
    return f"{value * 100:.0f} %"


def count(value: float) -> str:
    return f"{value:,.0f}".replace(",", "\u202f")


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def score_table(result: BacktestResult, *, without: Sequence[str] = ()) -> list[str]:
    """Per method and step: n, MAPE, MASE, coverage; ``without`` drops targets (sensitivity)."""
    rows = []
    for step in range(1, result.steps + 1):
        for method in result.methods:
            evaluations = [
                e
                for e in result.evaluations_for(method, step)
                if not any(e.target.startswith(y) for y in without)
            ]
            n = len(evaluations)
            mape = statistics.fmean(e.ape for e in evaluations)
            mase = statistics.fmean(e.scaled_error for e in evaluations)
            cover = [sum(e.inside(level) for e in evaluations) for level in result.levels]
            rows.append(
                [
                    method,
                    str(step),
                    str(n),
                    pct(mape),
                    f"{mase:.2f}",
                    *(f"{share(c / n)} ({c}/{n})" for c in cover),
                ]
            )
    unit = "years ahead" if result.block == 1 else "year (12-month total)"
    return table(["method", unit, "n", "MAPE", "MASE", "80 % coverage", "95 % coverage"], rows)


def origin_table(result: BacktestResult, step: int = 1) -> list[str]:
    """Per target: the outcome and each method's forecast (APE)."""
    by_method = {m: result.evaluations_for(m, step) for m in result.methods}
    rows = []
    for i, first in enumerate(by_method[result.methods[0]]):
        target = first.target if result.block == 1 else first.target[:4]
        cells = [target, first.origin, count(first.actual)]
        for method in result.methods:
            e = by_method[method][i]
            flag = "" if e.inside(0.95) else " ✗"
            cells.append(f"{count(e.point)} ({pct(e.ape)}){flag}")
        rows.append(cells)
    return table(["target", "data up to", "outcome", *result.methods], rows)


def agency_table(comparison: AgencyComparison) -> list[str]:
    rows = []
    for r in comparison.rows:
        if r.agency_interval is None:
            agency_interval = "–"
        else:
            lo, hi = r.agency_interval
            agency_interval = f"{count(lo)}–{count(hi)} {'in' if r.agency_inside else 'out'}"
        cells = [
            r.published,
            str(r.target_year),
            r.origin,
            str(r.horizon),
            count(r.outcome),
            f"{count(r.agency_point)} ({pct(r.agency_ape)})",
            agency_interval,
        ]
        for method in comparison.methods:
            m = r.model(method)
            where = "in 80" if m.inside(0.80) else ("in 95" if m.inside(0.95) else "out")
            cells.append(f"{count(m.point)} ({pct(m.ape)}, {where})")
        rows.append(cells)
    header = ["published", "target", "data up to", "h", "outcome", "agency (APE)", "agency interval"]
    return table(header + [f"{m} (APE, interval)" for m in comparison.methods], rows)


def agency_groups(comparison: AgencyComparison) -> list[tuple[str, tuple[AgencyRow, ...]]]:
    groups = [
        ("all rows", comparison.rows),
        ("published during the target year", tuple(r for r in comparison.rows if r.horizon == 1)),
        ("published before the target year", tuple(r for r in comparison.rows if r.horizon > 1)),
    ]
    return [(name, rows) for name, rows in groups if rows]


def agency_summary(comparison: AgencyComparison) -> list[str]:
    rows = []
    for name, chosen in agency_groups(comparison):
        n = len(chosen)
        cells = [name, str(n), pct(comparison.mape("agency", chosen))]
        for method in comparison.methods:
            in80 = comparison.model_coverage(method, 0.80, chosen)[0]
            in95 = comparison.model_coverage(method, 0.95, chosen)[0]
            cells.append(f"{pct(comparison.mape(method, chosen))} · {in80}/{n} · {in95}/{n}")
        rows.append(cells)
    header = ["rows", "n", "agency MAPE"] + [f"{m}: MAPE · in 80 % · in 95 %" for m in comparison.methods]
    return table(header, rows)


def machine() -> str:
    import numpy
    import statsmodels

    return (
        f"{platform.system()} {platform.release()} ({platform.machine()}), {os.cpu_count()} CPUs,\n"
        f"Python {platform.python_version()}, numpy {numpy.__version__}, "
        f"statsmodels {statsmodels.__version__}"
    )


def specifications(result: BacktestResult) -> list[str]:
    seen: dict[str, set[str]] = {}
    for e in result.evaluations:
        seen.setdefault(e.method, set()).add(e.specification)
    return [f"- {m}: {'; '.join(sorted(seen[m]))}" for m in result.methods]


def listing(items: Sequence[str]) -> str:
    return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else "".join(items)


def ets_smoothing(annual: Series, origins: Sequence[str]) -> dict[str, float]:
    """The ETS level smoothing weight fitted at each origin (to explain its errors in the text)."""
    from samverkan.statistics.forecast.methods import LogStateSpace, fit

    alphas = {}
    for origin in origins:
        model = fit(annual.up_to(origin), "ets")
        assert isinstance(model, LogStateSpace)
        params = dict(zip(model.result.param_names, model.result.params, strict=True))
        alphas[origin] = float(params["smoothing_level"])
    return alphas


def conclusions(results: Results, annual: Series) -> list[str]:
    """The reading of the numbers, computed from them so that the text cannot contradict the tables."""
    a, m, ag = results.annual, results.monthly, results.agency
    lines = []
    beaten = [
        f"{x} at {step} year{'s' if step > 1 else ''} ahead"
        for step in range(1, a.steps + 1)
        for x in a.methods
        if x != "naive" and a.score(x, step).mape < a.score("naive", step).mape
    ]
    worst = max(a.methods, key=lambda x: a.score(x, 1).mape)
    if beaten:
        text = f"Annual data: lower MAPE than the naive forecast for {listing(beaten)}."
    else:
        text = "Annual data: no model beats the naive forecast (last value) on MAPE, one or two years ahead."
    if worst == "ets":
        alphas = ets_smoothing(annual, a.origins)
        flat = [o for o, alpha in alphas.items() if alpha < 0.05]
        after = [alpha for o, alpha in alphas.items() if o > SHOCK_YEARS[0]]
        text += " The log-scale ETS does worst"
        if flat:
            text += (
                f": its estimated smoothing weight α was about 0 at the origins {flat[0]}–{flat[-1]} (it"
                " forecast the long-run mean and missed the rise)"
            )
        if after:
            text += (
                f"; at the origins after {SHOCK_YEARS[0]} α was {min(after):.2f}–{max(after):.2f},"
                " so it kept part of the peak"
            )
        text += "."
    lines.append(text)
    one = {x: a.score(x, 1) for x in a.methods}
    lines.append(
        f"Errors are large: one year ahead MASE is at least {min(s.mase for s in one.values()):.2f} for "
        "every "
        "method (above 1 means worse, out of sample, than the naive forecast was in sample), because the "
        "evaluation years contain the surge and its collapse."
    )
    cover = ", ".join(
        f"{x} {share(s.coverage_at(0.80))} / {share(s.coverage_at(0.95))}" for x, s in one.items()
    )
    under = all(s.coverage_at(0.80) < 0.80 and s.coverage_at(0.95) < 0.95 for s in one.values())
    text = f"Coverage one year ahead (nominal 80 % / 95 %): {cover}" + (
        " — every interval under-covers." if under else "."
    )
    by_target = {t: [e for e in a.evaluations if e.step == 1 and e.target == t] for t in SHOCK_YEARS}
    if by_target[SHOCK_YEARS[0]] and not any(e.inside(0.95) for e in by_target[SHOCK_YEARS[0]]):
        trend = any("drift" in e.specification or ",Ad," in e.specification for e in a.evaluations)
        text += (
            f" {SHOCK_YEARS[0]} lay outside every model's 95 % interval"
            + ("" if trend else " (no fit chose a trend, not even after the rise of 2012–2014)")
            + "."
        )
    if by_target[SHOCK_YEARS[1]]:
        ratio = min(e.point / e.actual for e in by_target[SHOCK_YEARS[1]])
        text += (
            f" For {SHOCK_YEARS[1]}, with {SHOCK_YEARS[0]} in the data, every model forecast at least"
            f" {ratio:.1f} times the outcome."
        )
    rest = coverage_without(a, SHOCK_YEARS)
    near = [x for x, (c80, c95) in rest.items() if abs(c80 - 0.80) <= 0.10 and abs(c95 - 0.95) <= 0.10]
    low = [x for x in rest if x not in near]
    text += " Without those two targets, coverage one year ahead is " + ", ".join(
        f"{x} {share(c80)} / {share(c95)}" for x, (c80, c95) in rest.items()
    )
    if near:
        text += f": within 10 points of nominal for {listing(near)}"
    if low:
        text += f"{'; ' if near else ': '}still below for {listing(low)}"
    text += ". No interval anticipates a break."
    lines.append(text)
    best_monthly = min(m.methods, key=lambda x: m.score(x, 1).mape)
    heaviest = max(m.evaluations_for(best_monthly, 1), key=lambda e: e.ape)
    lines.append(
        f"Monthly data summed to years: {best_monthly} has the lowest MAPE "
        f"({pct(m.score(best_monthly, 1).mape)} against naive's {pct(m.score('naive', 1).mape)}), but over "
        f"{len(m.origins)} origins, and its error for {heaviest.target[:4]} alone ({pct(heaviest.ape)}) "
        "decides most of the mean."
    )
    groups = dict(agency_groups(ag))
    during = groups.get("published during the target year", ())
    before = groups.get("published before the target year", ())
    text = (
        f"Agency: over all {len(ag.rows)} rows its MAPE is {pct(ag.mape('agency'))} against "
        f"{listing([f'{pct(ag.mape(x))} ({x})' for x in ag.methods])}."
    )
    if during:
        autumn = sum(1 for r in during if r.published[5:7] >= "09")
        text += (
            f" The gap comes from the {len(during)} forecasts published during the target year (agency "
            f"{pct(ag.mape('agency', during))}, naive {pct(ag.mape('naive', during))}); {autumn} of them "
            "were published in the autumn, when most of the year was known."
        )
    if before:
        largest = max(before, key=lambda r: r.agency_ape)
        text += (
            f" For the {len(before)} forecasts of a later year the agency's MAPE is "
            f"{pct(ag.mape('agency', before))} against naive's {pct(ag.mape('naive', before))}; its "
            f"largest error ({largest.published} for {largest.target_year}: {pct(largest.agency_ape)}) "
            'weighs heavily in so few rows, so read this as "not clearly better than the last annual value", '
            "not as a ranking."
        )
    lines.append(text)
    return [f"- {line}" for line in lines]


def coverage_without(result: BacktestResult, without: Sequence[str]) -> dict[str, tuple[float, float]]:
    """Per method: 80 % and 95 % coverage one step ahead, leaving out the targets ``without``."""
    shares = {}
    for method in result.methods:
        rows = [
            e for e in result.evaluations_for(method, 1) if not any(e.target.startswith(y) for y in without)
        ]
        shares[method] = (
            sum(e.inside(0.80) for e in rows) / len(rows),
            sum(e.inside(0.95) for e in rows) / len(rows),
        )
    return shares


def render(results: Results, times: Sequence[float], annual: Series, monthly: Series) -> str:
    a, m, ag = results.annual, results.monthly, results.agency
    in_agency, n_agency = ag.agency_coverage()
    jan2015 = monthly.position("2015M01")
    first_year = int(m.origins[0][:4])
    lines = [
        "## Forecasting asylum applications: rolling-origin backtest and the Migration Agency",
        "`benchmarks/forecast/backtest.py` — the methods of `samverkan.statistics.forecast` on the real",
        "series in `data/statistics/`, each against the naive forecast (last value) on the same origins,",
        "and against the Migration Agency's published planning assumptions on the same information set.",
        "",
        "```sh",
        COMMAND,
        "```",
        "",
        f"Run {dt.date.today().isoformat()} on {machine()}.",
        "The whole backtest (annual, monthly and agency comparison) took "
        f"**{statistics.median(times):.1f} s**",
        f"(median of {len(times)} runs: {', '.join(f'{t:.1f}' for t in times)} s, measured by the script);",
        "repeated runs gave identical numbers. BLAS runs single-threaded (the script sets",
        f"`OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}` unless already set): the matrices",
        "are tiny, and under load threaded OpenBLAS made a run about ten times slower.",
        "",
        "Methods (details in the `forecast.methods` docstring): naive and seasonal naive with the",
        "residual-based normal intervals of FPP3 §5.5; ETS (additive errors, no trend or additive damped",
        "trend by AICc, additive season for monthly data from 24 months) and ARIMA (AICc over",
        "(0,1,0)/(1,1,0)/(0,1,1) ± drift for annual data, fixed seasonal orders for monthly data), both",
        "fitted on **log values**: the point forecast is the back-transformed median and the intervals",
        "are the exactly back-transformed log-scale quantiles. Intervals are clipped at 0. Scores: MAPE",
        "(%), MASE scaled by the in-sample MAE of the naive forecast of the same quantity (annual: the",
        "previous year; 12-month totals: the total 12 months earlier), and coverage = share of outcomes",
        "inside the interval (nominal 80 % and 95 %).",
        "",
        f"### Annual series ({annual.start}–{annual.end}), horizons 1 and 2 years",
        f"Origins {a.origins[0]}–{a.origins[-1]} ({len(a.origins)}; the first fit uses "
        f"{annual.position(a.origins[0]) + 1} years), the same origins for both horizons and all",
        "methods. Specifications the fits chose:",
        "",
        *specifications(a),
        "",
        *score_table(a),
        "",
        f"Sensitivity, not a headline: the same without the targets {' and '.join(SHOCK_YEARS)}",
        "(the surge and its collapse):",
        "",
        *score_table(a, without=SHOCK_YEARS),
        "",
        "One year ahead, per target (forecast and APE; ✗ = outcome outside the 95 % interval):",
        "",
        *origin_table(a, 1),
        "",
        f"### Monthly series ({monthly.start}–{monthly.end}) summed to calendar-year totals",
        f"Only {len(m.origins)} origins: every December from {m.origins[0]} to {m.origins[-1]}, forecasting",
        "the next calendar year's total (the sum of the 12 monthly point forecasts; the total's interval",
        "comes from the joint distribution of the months: exact for the naive methods, 4,000 simulated",
        'paths for ETS and ARIMA). Here "naive" is the last month times twelve and "seasonal_naive" the',
        "last 12 months' total. The first origin has two years of data, so the seasonal ARIMA uses its",
        "short form there. Five numbers per method are anecdotes, not evidence; rolling monthly origins",
        "would give more but heavily overlapping 12-month windows, and are not run. The MASE scale at",
        f"the first origin rests on a single year-to-year change ({first_year - 1} to {first_year}).",
        "Eurostat's monthly figures are rounded to 5 and their annual sums differ slightly from",
        "Statistics Sweden's (2015:",
        f"{count(sum(monthly.values[jan2015 : jan2015 + 12]))} against "
        f"{count(annual.values[annual.position('2015')])}).",
        "Specifications:",
        "",
        *specifications(m),
        "",
        *score_table(m),
        "",
        *origin_table(m, 1),
        "",
        "### The Migration Agency's planning assumptions against the models",
        "For a forecast published in year P for target year T, each model is fitted on the annual",
        "series up to P − 1 and forecasts T − (P − 1) years ahead; all models and the naive forecast",
        "see the same data for the same row. **The comparison favours the agency**: it also had the",
        "monthly applications of year P up to the publication date (and knowledge of policy and",
        "routes), while the models see annual totals up to P − 1 only; a forecast published in",
        "October for the same year is close to a nowcast. Publications in the same year get the same",
        'model forecast. In the model columns, "in 80" means inside the 80 % interval, "in 95"',
        "inside the 95 % but not the 80 % interval.",
        "",
        *agency_table(ag),
        "",
        *agency_summary(ag),
        "",
        f"The agency published an interval for only {n_agency} of the {len(ag.rows)} rows; the outcome fell",
        f"inside it in {in_agency} of {n_agency}. The 2018 row's 48,000 is a scenario (\"if the EU–Turkey",
        'deal collapses") without a lower bound and is not counted as an interval. Caveats of the data:',
        "2022's outcome excludes about 50,600 people from Ukraine under the temporary protection",
        "directive; 2000–2001 come from a secondary source; several agency figures are quoted from",
        "news reports (the source column of the CSV says which).",
        "",
        "What it means:",
        "",
        *conclusions(results, annual),
    ]
    return "\n".join(lines)


def rewrite_doc(section: str) -> None:
    text = DOC.read_text(encoding="utf-8")
    if START in text and END in text:
        head, rest = text.split(START, 1)
        _old, tail = rest.split(END, 1)
        text = f"{head}{START}\n{section}\n{END}{tail}"
    else:
        text = f"{text.rstrip()}\n\n{START}\n{section}\n{END}\n"
    DOC.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-docs", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = parser.parse_args()

    annual, monthly = load_annual(), load_monthly()
    published = load_published(annual)
    times: list[float] = []
    results: Results | None = None
    for _ in range(max(args.runs, 1)):
        start = time.perf_counter()
        run = run_all(annual, monthly, published)
        times.append(time.perf_counter() - start)
        if results is not None and repr(run) != repr(results):
            raise SystemExit("Two runs gave different results: the backtest is not deterministic.")
        results = run
    assert results is not None
    section = render(results, times, annual, monthly)
    print(section)
    if not args.no_docs:
        rewrite_doc(section)
        print(f"\nRewrote the forecast section of {DOC.relative_to(ROOT)}.")


if __name__ == "__main__":
    main()
