"""The real published figures shipped in data/statistics/ (see data/SOURCES.md), as cubes.

Pure: reads the CSV files and builds Cube objects; ``demo.py`` stores them through the import
service. Nothing here is invented: every value is the file's, and every file's source travels
with its dataset.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from samverkan.statistics.cube import CONTENTS, TIME, Category, Cube, Dimension, TableMeta

DATA_DIR = Path(__file__).resolve().parents[3] / "data" / "statistics"
MISSING = ".."


@dataclass(frozen=True)
class RealDataset:
    slug: str
    cube: Cube
    source_organisation: str
    source_note: str
    description_sv: str
    description_en: str
    licence: str = ""


def _read(name: str, data_dir: Path) -> list[dict[str, str]]:
    with (data_dir / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _number(text: str) -> float:
    text = (text or "").strip()
    return float(text) if text else math.nan


def _status(values: np.ndarray) -> dict[int, str]:
    return {int(i): MISSING for i in np.flatnonzero(np.isnan(values))}


def asylum_seekers_annual(data_dir: Path = DATA_DIR) -> RealDataset:
    rows = _read("asylum_seekers_annual.csv", data_dir)
    years = Dimension(
        "year",
        "År",
        "Year",
        tuple(Category(r["year"], r["year"], r["year"]) for r in rows),
        role=TIME,
    )
    sex = Dimension(
        "sex",
        "Kön",
        "Sex",
        (Category("1+2", "Totalt", "Total"), Category("2", "Kvinnor", "Women"), Category("1", "Män", "Men")),
        total="1+2",
    )
    values = np.array([[_number(r["asylum_seekers"]), _number(r["women"]), _number(r["men"])] for r in rows])
    sources = sorted({r["source"] for r in rows if r["source"] and r["source"] != "SCB (same)"})
    notes = [f"{r['year']}: {r['note']}" for r in rows if r["note"]]
    meta = TableMeta(
        title_sv="Asylsökande i Sverige per år och kön",
        title_en="Asylum seekers in Sweden by year and sex",
        source="Statistiska centralbyrån (SCB)",
        unit="personer",
        notes="; ".join(notes),
    )
    return RealDataset(
        slug="asylum-seekers",
        cube=Cube((years, sex), values, _status(values), meta),
        source_organisation="Statistiska centralbyrån (SCB); 2000–2001 U.S. Committee for Refugees",
        source_note="Källor / sources: "
        + " | ".join(sources)
        + ". Kön redovisas från 2002 / sex is given from 2002. "
        + "; ".join(notes)
        + ".",
        description_sv="Antal personer som sökt asyl i Sverige per år, totalt och efter kön.",
        description_en="The number of people who applied for asylum in Sweden each year, in total and "
        "by sex.",
    )


MONTHS_SV = ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec")
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def asylum_applicants_monthly(data_dir: Path = DATA_DIR) -> RealDataset:
    rows = _read("asylum_applicants_monthly_2012_2019.csv", data_dir)
    categories = []
    for r in rows:
        year, month = r["month"].split("M")
        m = int(month) - 1
        categories.append(Category(r["month"], f"{MONTHS_SV[m]} {year}", f"{MONTHS_EN[m]} {year}"))
    month_dim = Dimension("month", "Månad", "Month", tuple(categories), role=TIME)
    values = np.array([_number(r["applicants"]) for r in rows])
    meta = TableMeta(
        table_id="migr_asyappctzm",
        title_sv="Asylsökande i Sverige per månad 2012–2019",
        title_en="Asylum applicants in Sweden by month, 2012–2019",
        source="Eurostat",
        unit="personer",
    )
    return RealDataset(
        slug="asylum-applicants-monthly",
        cube=Cube((month_dim,), values, _status(values), meta),
        source_organisation="Eurostat",
        source_note="Eurostat, migr_asyappctzm, as published in the public repository ebuddj/2019-asylum. "
        "Eurostat rounds to 5; totals differ slightly from the Migration Agency's.",
        description_sv="Asylsökande per månad, januari 2012 till april 2019 (avrundat till 5).",
        description_en="Asylum applicants per month, January 2012 to April 2019 (rounded to 5).",
    )


MEASURES = (
    ("planning_assumption", "Planeringsantagande", "Planning assumption"),
    ("interval_low", "Intervall, lägre gräns", "Interval, lower bound"),
    ("interval_high", "Intervall, övre gräns", "Interval, upper bound"),
    ("outcome", "Utfall", "Outcome"),
)


def forecast_code(published: str, target_year: str) -> str:
    return f"{published}/{target_year}"


def asylum_forecasts_published(data_dir: Path = DATA_DIR) -> RealDataset:
    rows = _read("asylum_forecasts_published.csv", data_dir)
    forecasts = Dimension(
        "forecast",
        "Prognos",
        "Forecast",
        tuple(
            Category(
                forecast_code(r["forecast_published"], r["target_year"]),
                f"Prognos {r['forecast_published']} för {r['target_year']}",
                f"Forecast of {r['forecast_published']} for {r['target_year']}",
            )
            for r in rows
        ),
    )
    measures = Dimension(
        "measure", "Uppgift", "Measure", tuple(Category(*m) for m in MEASURES), role=CONTENTS
    )
    values = np.array([[_number(r[m[0]]) for m in MEASURES] for r in rows])
    meta = TableMeta(
        title_sv="Migrationsverkets prognoser för antalet asylsökande, och utfallet",
        title_en="The Migration Agency's forecasts of asylum seekers, and the outcome",
        source="Migrationsverket",
        unit="personer",
    )
    per_row = " | ".join(
        f"{forecast_code(r['forecast_published'], r['target_year'])}: {r['source']}" for r in rows
    )
    return RealDataset(
        slug="asylum-forecasts",
        cube=Cube((forecasts, measures), values, _status(values), meta),
        source_organisation="Migrationsverket (as reported in the press; one source per forecast)",
        source_note="Planning assumptions and intervals as published, with the outcome. Sources per "
        "forecast: " + per_row + ". Secondary sources are marked as such.",
        description_sv="Migrationsverkets publicerade planeringsantaganden om antalet asylsökande, med "
        "intervall där sådana angavs, jämförda med det faktiska utfallet.",
        description_en="The Migration Agency's published planning assumptions for the number of asylum "
        "seekers, with intervals where given, against the actual outcome.",
    )


def all_real_datasets(data_dir: Path = DATA_DIR) -> list[RealDataset]:
    return [
        asylum_seekers_annual(data_dir),
        asylum_applicants_monthly(data_dir),
        asylum_forecasts_published(data_dir),
    ]
