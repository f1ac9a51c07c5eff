"""Demo data for resettlement: fictional reception numbers for the municipalities of two counties
(in proportion to population, as if 5,000 persons were shared over the country; they are not the
official numbers) and fictional families to place next year; and, for last year, fictional families
already placed in four of those municipalities, arrived, and most of them followed up, so that the
follow-up dashboard has something to release (the scheduler makes the release) and the demo
municipality's coordinator has families to follow up. Everything is marked fictional. Idempotent:
nothing is added when the demo cases exist."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from samverkan.accounts.models import User
from samverkan.core.actor import Actor
from samverkan.organisations.models import Municipality
from samverkan.resettlement import services
from samverkan.resettlement.models import (
    Case,
    Observation,
    PlacementRun,
    Proposal,
    Reception,
    RunStatus,
    RunStep,
)

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


ARRIVED_PREFIX = "DEMO-ARRIVED-"
DEMO_COORDINATOR = "admin.ostersund@demo.invalid"  # organisations.demo: Östersund's administrator
# Last year's fictional families, placed and arrived: per municipality, per case, its persons as
# (age, sex, needs flagged by the agency, needs the municipality observed). ``None`` as observed:
# not followed up yet (left for the demo municipality's coordinator to record).
Followed = tuple[int, str, tuple[str, ...], tuple[str, ...] | None]
ARRIVED: dict[str, list[list[Followed]]] = {
    "2380": [  # Östersund
        [(44, "M", ("TR-PI",), ("TR-PI", "SM-MI")), (39, "F", (), ()), (12, "F", (), ("CR-SE",))],
        [(31, "F", ("WR",), ("WR-SF",)), (6, "M", (), ()), (3, "F", (), ())],
        [(67, "M", ("SM-CI",), ("SM-CI", "ER-NF"))],
        [(35, "M", ("SM-CI",), None), (33, "F", (), None), (9, "M", (), None), (2, "F", (), None)],
        [(28, "F", ("SP-PT",), None), (5, "F", ("DS-PM",), None)],
    ],
    "2281": [  # Sundsvall
        [(52, "M", (), ("SM-MI",)), (48, "F", ("SM-CI",), ("SM-CI",)), (16, "M", (), ()), (14, "F", (), ())],
        [(26, "M", ("LP-ND",), ("LP-ND",)), (24, "F", (), ())],
        [(40, "F", ("SP-PT",), ("SP-PT",)), (11, "M", ("DS-DF",), ("DS-DF", "CR-SE")), (8, "M", (), ())],
    ],
    "2284": [  # Örnsköldsvik
        [(37, "M", (), ()), (35, "F", (), ("SM-DP",)), (10, "F", (), ()), (7, "M", (), ())],
        [(58, "F", ("TR",), ("TR-WV",)), (22, "M", (), ("SM-MI",))],
        [(30, "M", ("DS-PS",), ("DS-PS",)), (29, "F", (), ())],
    ],
    "2280": [  # Härnösand
        [(42, "F", ("SV-VF",), ("SV-VF", "SM-MI")), (17, "M", (), ()), (15, "F", (), ("CR-NE",))],
        [(33, "M", (), ()), (32, "F", (), ()), (4, "F", ("SM-MN",), ("SM-MN",))],
    ],
}


def followup_year() -> int:
    return dt.date.today().year - 1


def _arrived_csv(year: int) -> bytes:
    lines = ["case_id,age,sex,needs,languages,priority,expected_arrival"]
    n = 0
    for families in ARRIVED.values():
        for family in families:
            n += 1
            arrival = dt.date(year, 1 + (n * 5) % 12, 1 + (n * 7) % 27).isoformat()
            for p, (age, sex, flagged, _observed) in enumerate(family):
                first = p == 0
                lines.append(
                    f"{ARRIVED_PREFIX}{year}-{n:02d},{age},{sex},{';'.join(flagged)},ar,"
                    f"{'normal' if first else ''},{arrival if first else ''}"
                )
    return ("\n".join(lines) + "\n").encode()


def _load_arrived() -> int:
    """Last year's fictional families: imported, placed by a fictional approved placement (made
    here, not by the optimizer: the demo only needs them placed), and followed up, except the
    Östersund families left for the demo coordinator. Inside ``load_demo``'s transaction."""
    year = followup_year()
    actor = Actor.system()
    codes = sorted(ARRIVED)
    if Municipality.objects.filter(code__in=codes).count() != len(codes):
        return 0
    sizes = {code: sum(len(f) for f in families) for code, families in ARRIVED.items()}
    reception = "code,name,capacity_persons,large_dwellings,need_slots,languages\n" + "".join(
        f"{m.code},{m.name},{sizes[m.code] + 4},1,SM=2;DS=1;TR=1,ar\n"
        for m in Municipality.objects.filter(code__in=codes).order_by("code")
    )
    services.reception_import(actor=actor, year=year, data=reception.encode(), filename="demo-arrived.csv")
    Reception.objects.filter(year=year, municipality_id__in=codes).update(is_fictional=True)
    n = services.case_import(
        actor=actor, year=year, data=_arrived_csv(year), filename="demo-arrived-cases.csv"
    )
    Case.objects.filter(reference__startswith=ARRIVED_PREFIX).update(is_fictional=True)
    now = timezone.now()
    version = services.taxonomy_current()
    run = PlacementRun.objects.create(
        year=year,
        status=RunStatus.APPROVED,
        step=RunStep.DONE,
        progress=100,
        taxonomy_version=version,
        started_at=now,
        finished_at=now,
        approved_at=now,
        stats={"demo": True},
    )
    coordinator = User.objects.filter(email=DEMO_COORDINATOR).first()
    number = 0
    for code, families in ARRIVED.items():
        for family in families:
            number += 1
            case = Case.objects.get(reference=f"{ARRIVED_PREFIX}{year}-{number:02d}")
            Proposal.objects.create(run=run, case=case, suggested_id=code, municipality_id=code)
            case.placed_in_id = code
            case.approved_run = run
            case.save(update_fields=["placed_in", "approved_run"])
            for person, (_age, _sex, _flagged, observed) in zip(
                case.persons.order_by("position"), family, strict=True
            ):
                if observed is not None:
                    Observation.objects.create(
                        person=person,
                        needs=list(observed),
                        taxonomy_version=version,
                        recorded_by=coordinator if code == "2380" else None,
                    )
    return n


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
        n += _load_arrived()
    return {"demo resettlement cases": n}
