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
    """A shipped dataset: its table (titles and labels in Swedish, English and Arabic), the sources
    as the file cites them (``source_note``, public, verbatim), what a reader should know about the
    figures in each language (``caveats_*``), and the compiler's own notes from the file
    (``internal_note``: cross-checks and doubts, never published)."""

    slug: str
    cube: Cube
    source_organisation: str
    source_note: str
    description_sv: str
    description_en: str
    description_ar: str = ""
    caveats_sv: str = ""
    caveats_en: str = ""
    caveats_ar: str = ""
    internal_note: str = ""
    unit_en: str = ""
    unit_ar: str = ""
    licence: str = ""


def _read(name: str, data_dir: Path) -> list[dict[str, str]]:
    with (data_dir / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _number(text: str) -> float:
    text = (text or "").strip()
    return float(text) if text else math.nan


def _status(values: np.ndarray) -> dict[int, str]:
    return {int(i): MISSING for i in np.flatnonzero(np.isnan(values))}


# The unit of every shipped table, in Swedish, English and Arabic.
PERSONS = ("personer", "people", "أشخاص")

# Left-to-right mark: keeps a date such as 2015-07-23 in one piece, in reading order, inside
# Arabic text (without it the bidirectional algorithm shows it as 23-07-2015).
LRM = "\u200e"


def asylum_seekers_annual(data_dir: Path = DATA_DIR) -> RealDataset:
    rows = _read("asylum_seekers_annual.csv", data_dir)
    years = Dimension(
        "year",
        "År",
        "Year",
        tuple(Category(r["year"], r["year"], r["year"], r["year"]) for r in rows),
        role=TIME,
        label_ar="السنة",
    )
    sex = Dimension(
        "sex",
        "Kön",
        "Sex",
        (
            Category("1+2", "Totalt", "Total", "المجموع"),
            Category("2", "Kvinnor", "Women", "النساء"),
            Category("1", "Män", "Men", "الرجال"),
        ),
        total="1+2",
        label_ar="الجنس",
    )
    values = np.array([[_number(r["asylum_seekers"]), _number(r["women"]), _number(r["men"])] for r in rows])
    sources = sorted({r["source"] for r in rows if r["source"] and r["source"] != "SCB (same)"})
    # The file's per-row notes are the compiler's cross-checks ("TV4 headline says 162 887
    # (typo?)"): kept for those who maintain the dataset, never published. What a reader needs
    # from them (the secondary source for 2000–2001, the people from Ukraine left out of 2022)
    # is said in the caveats below, in each language.
    notes = [f"{r['year']}: {r['note']}" for r in rows if r["note"]]
    meta = TableMeta(
        title_sv="Asylsökande i Sverige per år och kön",
        title_en="Asylum seekers in Sweden by year and sex",
        title_ar="طالبو اللجوء في السويد حسب السنة والجنس",
        source="Statistiska centralbyrån (SCB)",
        unit=PERSONS[0],
    )
    return RealDataset(
        slug="asylum-seekers",
        cube=Cube((years, sex), values, _status(values), meta),
        source_organisation="Statistiska centralbyrån (SCB); U.S. Committee for Refugees",
        source_note=" | ".join(sources),
        description_sv="Antal personer som sökt asyl i Sverige per år, totalt och efter kön.",
        description_en="The number of people who applied for asylum in Sweden each year, in total and "
        "by sex.",
        description_ar="عدد الأشخاص الذين طلبوا اللجوء في السويد كل عام، إجمالاً وحسب الجنس.",
        caveats_sv="Kön redovisas från 2002. Siffrorna för 2000 och 2001 kommer från en sekundärkälla, "
        "U.S. Committee for Refugees (World Refugee Survey), inte från SCB eller Migrationsverket. "
        "Siffran för 2022 omfattar inte de omkring 50\u00a0600 personer från Ukraina som fick "
        "tillfälligt skydd enligt EU:s massflyktsdirektiv.",
        caveats_en="Sex is given from 2002. The figures for 2000 and 2001 come from a secondary "
        "source, the U.S. Committee for Refugees (World Refugee Survey), not from Statistics Sweden "
        "or the Migration Agency. The figure for 2022 does not include the about 50,600 people from "
        "Ukraine who were given temporary protection under the EU Temporary Protection Directive.",
        caveats_ar="يُنشر التوزيع حسب الجنس منذ عام 2002. أرقام عامَي 2000 و2001 مأخوذة من مصدر ثانوي، "
        "هو اللجنة الأمريكية للاجئين (مسح اللاجئين العالمي)، لا من هيئة الإحصاء السويدية ولا من مصلحة "
        "الهجرة. لا يشمل رقم عام 2022 نحو 50٬600 شخص من أوكرانيا حصلوا على الحماية المؤقتة بموجب "
        "توجيه الاتحاد الأوروبي بشأن الحماية المؤقتة.",
        internal_note="; ".join(notes),
        unit_en=PERSONS[1],
        unit_ar=PERSONS[2],
    )


MONTHS_SV = ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec")
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTHS_AR = (
    "يناير",
    "فبراير",
    "مارس",
    "أبريل",
    "مايو",
    "يونيو",
    "يوليو",
    "أغسطس",
    "سبتمبر",
    "أكتوبر",
    "نوفمبر",
    "ديسمبر",
)


def asylum_applicants_monthly(data_dir: Path = DATA_DIR) -> RealDataset:
    rows = _read("asylum_applicants_monthly_2012_2019.csv", data_dir)
    categories = []
    for r in rows:
        year, month = r["month"].split("M")
        m = int(month) - 1
        categories.append(
            Category(r["month"], f"{MONTHS_SV[m]} {year}", f"{MONTHS_EN[m]} {year}", f"{MONTHS_AR[m]} {year}")
        )
    month_dim = Dimension("month", "Månad", "Month", tuple(categories), role=TIME, label_ar="الشهر")
    values = np.array([_number(r["applicants"]) for r in rows])
    meta = TableMeta(
        table_id="migr_asyappctzm",
        title_sv="Asylsökande i Sverige per månad 2012–2019",
        title_en="Asylum applicants in Sweden by month, 2012–2019",
        title_ar="طالبو اللجوء في السويد حسب الشهر، من 2012 إلى 2019",
        source="Eurostat",
        unit=PERSONS[0],
    )
    return RealDataset(
        slug="asylum-applicants-monthly",
        cube=Cube((month_dim,), values, _status(values), meta),
        source_organisation="Eurostat",
        source_note="Eurostat, migr_asyappctzm; ebuddj/2019-asylum (GitHub).",
        description_sv="Asylsökande per månad, januari 2012 till april 2019 (avrundat till 5).",
        description_en="Asylum applicants per month, January 2012 to April 2019 (rounded to 5).",
        description_ar="طالبو اللجوء شهرياً، من يناير 2012 إلى أبريل 2019 (مقرَّبة إلى أقرب 5).",
        caveats_sv="Eurostats tabell migr_asyappctzm, så som den publicerats i det öppna arkivet "
        "ebuddj/2019-asylum. Eurostat avrundar till närmaste 5, så summorna skiljer sig något från "
        "Migrationsverkets.",
        caveats_en="Eurostat's table migr_asyappctzm, as published in the public repository "
        "ebuddj/2019-asylum. Eurostat rounds to the nearest 5, so totals differ slightly from the "
        "Migration Agency's.",
        caveats_ar="جدول يوروستات migr_asyappctzm كما نُشر في المستودع العام ebuddj/2019-asylum. تقرّب "
        "يوروستات الأرقام إلى أقرب 5، لذا تختلف المجاميع قليلاً عن أرقام مصلحة الهجرة.",
        unit_en=PERSONS[1],
        unit_ar=PERSONS[2],
    )


MEASURES = (
    ("planning_assumption", "Planeringsantagande", "Planning assumption", "افتراض التخطيط"),
    ("interval_low", "Intervall, nedre gräns", "Interval, lower bound", "النطاق، الحد الأدنى"),
    ("interval_high", "Intervall, övre gräns", "Interval, upper bound", "النطاق، الحد الأعلى"),
    ("outcome", "Utfall", "Outcome", "العدد الفعلي"),
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
                f"توقع {LRM}{r['forecast_published']} لعام {r['target_year']}",
            )
            for r in rows
        ),
        label_ar="التوقع",
    )
    measures = Dimension(
        "measure",
        "Uppgift",
        "Measure",
        tuple(Category(*m) for m in MEASURES),
        role=CONTENTS,
        label_ar="المؤشر",
    )
    values = np.array([[_number(r[m[0]]) for m in MEASURES] for r in rows])
    meta = TableMeta(
        title_sv="Migrationsverkets prognoser för antalet asylsökande, och utfallet",
        title_en="The Migration Agency's forecasts of asylum seekers, and the outcome",
        title_ar="توقعات مصلحة الهجرة لأعداد طالبي اللجوء، والعدد الفعلي",
        source="Migrationsverket",
        unit=PERSONS[0],
    )
    per_row = " | ".join(
        f"{forecast_code(r['forecast_published'], r['target_year'])}: {r['source']}" for r in rows
    )
    return RealDataset(
        slug="asylum-forecasts",
        cube=Cube((forecasts, measures), values, _status(values), meta),
        source_organisation="Migrationsverket",
        source_note=per_row,
        description_sv="Migrationsverkets publicerade planeringsantaganden om antalet asylsökande, med "
        "intervall där sådana angavs, jämförda med det faktiska utfallet.",
        description_en="The Migration Agency's published planning assumptions for the number of asylum "
        "seekers, with intervals where given, against the actual outcome.",
        description_ar="افتراضات التخطيط التي نشرتها مصلحة الهجرة لعدد طالبي اللجوء، مع نطاقاتها حيث "
        "نُشرت، مقارنةً بالعدد الفعلي.",
        caveats_sv="Planeringsantagandena och intervallen är återgivna så som de publicerades, de flesta "
        "i pressen; en källa per prognos, och andrahandskällor är markerade som sådana. I prognosen "
        "från februari 2018 gäller den övre gränsen 48\u00a0000 om avtalet mellan EU och Turkiet "
        "skulle falla.",
        caveats_en="The planning assumptions and intervals are given as they were published, most of "
        "them in the press; one source per forecast, and secondary sources are marked as such. In "
        "the forecast of February 2018, the upper bound of 48,000 applies if the agreement between "
        "the EU and Turkey collapsed.",
        caveats_ar="تُعرض افتراضات التخطيط ونطاقاتها كما نُشرت، ومعظمها في الصحافة؛ مصدر واحد لكل "
        "توقع، مع الإشارة إلى المصادر الثانوية. في توقع فبراير 2018، يسري الحد الأعلى البالغ 48٬000 "
        "في حال انهيار الاتفاق بين الاتحاد الأوروبي وتركيا.",
        unit_en=PERSONS[1],
        unit_ar=PERSONS[2],
    )


def all_real_datasets(data_dir: Path = DATA_DIR) -> list[RealDataset]:
    return [
        asylum_seekers_annual(data_dir),
        asylum_applicants_monthly(data_dir),
        asylum_forecasts_published(data_dir),
    ]
