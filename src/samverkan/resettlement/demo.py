"""Demo data for resettlement: fictional reception numbers for the municipalities of two counties
(in proportion to population, as if 5,000 persons were shared over the country; they are not the
official numbers) and fictional families to place next year. Everything is marked fictional.
Idempotent: nothing is added when demo cases exist."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from samverkan.core.actor import Actor
from samverkan.organisations.models import Municipality
from samverkan.resettlement import services
from samverkan.resettlement.models import Case, Reception

COUNTIES = ("Jämtlands län", "Västernorrlands län")
NATIONAL_QUOTA = 5000
SWEDEN_POPULATION_2016 = 9_995_153  # the sum of data/municipalities.csv's populations
LANGUAGES = (("ar",), ("ti",), ("prs",), ("so",), ("sw", "fr"), ("ar", "ku"))
NEEDS = ("SM-CI", "SM-MI", "DS-PM", "CR", "WR", "SP-PT", "ER-NF", "TR-PI", "SV-VA", "LP-AN")
PREFIX = "DEMO-"


def demo_year() -> int:
    return dt.date.today().year + 1


def _reception_csv(municipalities: list[Municipality]) -> bytes:
    lines = ["code,name,capacity_persons,large_dwellings,need_slots,languages"]
    for m in municipalities:
        persons = max(round(NATIONAL_QUOTA * m.population_2016 / SWEDEN_POPULATION_2016), 2)
        large = max(persons // 10, 1)
        codes = ("SM", "DS", "CR", "WR", "SP", "ER", "TR", "SV", "LP") if persons >= 10 else ("SM", "CR")
        slots = ";".join(f"{code}={max(persons // 15, 1)}" for code in codes)
        languages = "ar;ti;prs" if m.population_2016 > 50_000 else "ar"
        lines.append(f"{m.code},{m.name},{persons},{large},{slots},{languages}")
    return ("\n".join(lines) + "\n").encode()


def _cases_csv(year: int, codes: list[str], n: int = 24, seed: int = 2019) -> bytes:
    rng = random.Random(seed)  # noqa: S311 - fictional demo data, not secrets
    lines = ["case_id,age,sex,needs,languages,priority,tie_municipality,expected_arrival"]
    for i in range(n):
        size = rng.choices((1, 2, 3, 4, 5, 6, 7), weights=(30, 15, 15, 15, 10, 8, 7))[0]
        languages = ";".join(rng.choice(LANGUAGES))
        priority = rng.choices(("normal", "urgent", "emergency"), weights=(85, 12, 3))[0]
        tie = rng.choice(codes) if rng.random() < 0.1 else ""
        arrival = dt.date(year, 1 + i % 12, 1 + rng.randrange(27)).isoformat()
        for p in range(size):
            adult = p < (2 if size > 2 else 1)
            age = rng.randint(19, 64) if adult else rng.randint(0, 17)
            sex = rng.choice("FM")
            needs = rng.choice(NEEDS) if rng.random() < 0.09 else ""
            first = p == 0
            lines.append(
                f"{PREFIX}{year}-{i + 1:03d},{age},{sex},{needs},{languages},"
                f"{priority if first else ''},{tie if first else ''},{arrival if first else ''}"
            )
    return ("\n".join(lines) + "\n").encode()


def load_demo() -> dict[str, int]:
    year = demo_year()
    if Case.objects.filter(reference__startswith=PREFIX).exists():
        return {"demo resettlement cases": 0}
    municipalities = list(Municipality.objects.filter(county__in=COUNTIES).order_by("code"))
    if not municipalities:
        return {"demo resettlement cases": 0}
    actor = Actor.system()
    with transaction.atomic():
        services.reception_import(
            actor=actor, year=year, data=_reception_csv(municipalities), filename="demo.csv"
        )
        Reception.objects.filter(year=year, municipality__in=municipalities).update(is_fictional=True)
        n = services.case_import(
            actor=actor,
            year=year,
            data=_cases_csv(year, [m.code for m in municipalities]),
            filename="demo-cases.csv",
        )
        Case.objects.filter(reference__startswith=PREFIX).update(is_fictional=True)
    return {"demo resettlement cases": n}
