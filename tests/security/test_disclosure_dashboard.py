"""The follow-up dashboard against a municipality that knows its own persons (issue #16, part B).

The attacker is the independent interval attacker of ``interval_audit.py``. Its unknowns are the
*other* municipalities' persons, as integer atoms per reading at which they were added and per set of
top-level need codes, one model per measure (flagged by the agency, observed by the municipality:
the two are independent given the number of persons, see ``statistics.disclosure.shared``). Its
facts are every figure the municipality saw, less its own persons' codes, which it knows exactly.
For each group of other persons it can delimit (the others at a reading, the others added between
readings) it asks whether a code count is pinned small, or known to cover the whole group while the
group is small.

The old ``prevalence`` (reproduced below) gives both cases of the issue away; the releases give
nothing away, on the same data and on random data through the pure rule.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from samverkan.resettlement import selectors, services
from samverkan.resettlement.models import Case, Observation, Person
from samverkan.resettlement.taxonomy import top_level
from samverkan.resettlement.tests.factories import (
    GOTEBORG,
    KIRUNA,
    OSTERSUND,
    YEAR,
    municipal,
    municipality_org,
    officer,
)
from samverkan.statistics.disclosure.shared import BlockState, Contribution, Layout, next_release
from tests.security.interval_audit import Model, pinned

STOCKHOLM, UPPSALA, MALMO = "0180", "0380", "1280"
MEASURES = ("flagged", "observed")
T = 5


# --- The world and what a municipality saw -----------------------------------------------------
@dataclass(frozen=True)
class Someone:
    municipality: str
    reading: int  # the persons recorded before reading 0 are group 0, between 0 and 1 group 1, ...
    flagged: frozenset[str]
    observed: frozenset[str]

    def codes(self, measure: str) -> frozenset[str]:
        return self.flagged if measure == "flagged" else self.observed


@dataclass
class Seen:
    """What the audience saw of the year at one reading: the persons and per (measure, code) the
    figure (None: withheld), as of the data of reading ``as_of``."""

    as_of: int
    persons: int
    figures: dict[tuple[str, str], int | None] = field(default_factory=dict)


def has(codes: frozenset[str], code: str) -> bool:
    return bool(codes) if code == "*" else code in codes


def exposures(
    world: Sequence[Someone], audience: str, readings: Sequence[Seen | None], t: int = T
) -> list[str]:
    """What ``audience`` can pin about the others, as sentences (empty: nothing)."""
    others = [p for p in world if p.municipality != audience]
    own = [p for p in world if p.municipality == audience]
    n_groups = len(readings)
    codes = sorted({c for p in world for m in MEASURES for c in p.codes(m)})
    found = []
    for measure in MEASURES:
        profiles = [frozenset(s) for k in range(len(codes) + 1) for s in itertools.combinations(codes, k)]
        atom = {(g, s): g * len(profiles) + i for g in range(n_groups) for i, s in enumerate(profiles)}
        model = Model(len(atom))

        def atoms(
            groups: range,
            code: str | None = None,
            without: bool = False,
            atom: dict[tuple[int, frozenset[str]], int] = atom,
            profiles: list[frozenset[str]] = profiles,
        ) -> list[int]:
            return [atom[(g, s)] for g in groups for s in profiles if code is None or has(s, code) != without]

        for seen in readings:
            if seen is None:
                continue
            upto = range(seen.as_of + 1)
            mine = [p for p in own if p.reading <= seen.as_of]
            model.equal(atoms(upto), seen.persons - len(mine))
            for (m, code), value in seen.figures.items():
                if m != measure:
                    continue
                own_count = sum(1 for p in mine if has(p.codes(m), code))
                if value is None:
                    if 1 - own_count > 0:  # withheld: the total is at least 1 (zeros are published)
                        model.at_least(atoms(upto, code), 1 - own_count)
                elif code in codes or code == "*":
                    model.equal(atoms(upto, code), value - own_count)
                else:  # a code nobody has: the model has no atoms for it
                    assert value - own_count == 0
        for first, last in itertools.combinations_with_replacement(range(n_groups), 2):
            groups = range(first, last + 1)
            group = [p for p in others if first <= p.reading <= last]
            size = model.interval(atoms(groups))
            small_group = size[0] == size[1] and 0 < size[0] < t  # the attacker knows it is small
            for code in ["*", *codes]:
                true = sum(1 for p in group if has(p.codes(measure), code))
                what = f"{measure} {code} among the others added at readings {first}..{last}"
                if 0 < true < t:  # only a small count can be pinned small (``pinned``)
                    interval = model.interval(atoms(groups, code))
                    if pinned(interval, true, t):
                        found.append(f"{what}: {true}, pinned to {interval}")
                if 0 < len(group) < t and true == len(group):
                    rest = model.interval(atoms(groups, code, without=True))
                    if rest[1] == 0:
                        found.append(f"{what}: all {len(group)} have it")
                without = len(group) - true
                if true > 0 and 0 <= without < t:  # all or nearly all of the group have it
                    rest = model.interval(atoms(groups, code, without=True))
                    if rest[0] == rest[1]:
                        found.append(f"{what}: all but exactly {without} of the group have it")
                if code != "*":  # a need other than ``code``: "any need" less the code
                    other = sum(1 for p in group if p.codes(measure) and code not in p.codes(measure))
                    if 0 < other < t:
                        others_atoms = [a for a in atoms(groups, "*") if a not in set(atoms(groups, code))]
                        interval = model.interval(others_atoms)
                        if interval[0] == interval[1]:
                            found.append(f"{what}: exactly {other} have a need but not {code}")
                if small_group:  # a group of a known small size: nothing about it may be exact
                    interval = model.interval(atoms(groups, code))
                    if interval[0] == interval[1]:
                        found.append(f"{what}: exactly {true} of a group of {len(group)}")
    return found


# --- The old dashboard, reproduced --------------------------------------------------------------
def old_prevalence(
    codes: list[str], reading: int, minimum: int = T, contributors_needed: int = 3
) -> Seen | None:
    """What ``selectors.prevalence`` showed a municipality before issue #16 at ``reading``:
    computed from the live rows, each count suppressed on its own."""
    persons = 0
    contributors: set[str] = set()
    counts: Counter[tuple[str, str]] = Counter()
    rows = Person.objects.filter(observation__isnull=False, case__year=YEAR).values_list(
        "case__placed_in", "needs", "observation__needs"
    )
    for placed_in, flags, seen in rows:
        persons += 1
        contributors.add(placed_in)
        for measure, needs in zip(MEASURES, (flags, seen), strict=True):
            tops = {top_level(c) for c in needs}
            counts.update((measure, c) for c in tops)
            if tops:
                counts[(measure, "*")] += 1

    def protect(n: int) -> int | None:
        return None if 0 < n < minimum or (n > 0 and persons - n < minimum) else n

    if persons < minimum or len(contributors) < contributors_needed:
        return None
    return Seen(
        as_of=reading,
        persons=persons,
        figures={(m, c): protect(counts[(m, c)]) for m in MEASURES for c in ["*", *codes]},
    )


def released(actor_code: str, reading_of_release: dict[int, int]) -> Seen | None:
    """What the page shows the municipality now, through the releases."""
    rows = [r for r in selectors.prevalence(actor=municipal(actor_code)).rows if r.year == YEAR]
    if not rows:
        return None
    seen = Seen(as_of=reading_of_release[rows[0].as_of], persons=rows[0].persons)
    for r in rows:
        seen.figures[("flagged", r.code)] = r.flagged
        seen.figures[("observed", r.code)] = r.observed
    return seen


# --- The data -----------------------------------------------------------------------------------
_references = itertools.count(1)


def record(world: list[Someone], municipality: str, reading: int, *people: tuple[str, str]) -> None:
    """Persons followed up by ``municipality`` (each: flagged codes, observed codes, comma-separated),
    in the database and in ``world``."""
    municipality_org(municipality)
    version = selectors.taxonomy_current()
    case = Case.objects.create(reference=f"S-{next(_references)}", year=YEAR, placed_in_id=municipality)
    for position, (flagged, observed) in enumerate(people, start=1):
        f = [c for c in flagged.split(",") if c]
        o = [c for c in observed.split(",") if c]
        person = Person.objects.create(case=case, position=position, age=40, sex="M", needs=f)
        Observation.objects.create(person=person, needs=o, taxonomy_version=version)
        tops = [frozenset(top_level(c) for c in codes) for codes in (f, o)]
        world.append(Someone(municipality, reading, *tops))


@pytest.fixture
def threshold(settings):
    settings.RESETTLEMENT_MIN_CELL = T
    settings.RESETTLEMENT_MIN_MUNICIPALITIES = 3


@pytest.mark.django_db
def test_18_own_and_2_elsewhere_the_old_dashboard_pins_both_and_the_release_nothing(threshold):
    codes = selectors.top_level_codes(selectors.taxonomy_current())
    world: list[Someone] = []
    record(world, OSTERSUND, 0, *[("SM", "SM")] * 6, *[("", "")] * 12)
    record(world, GOTEBORG, 0, ("SM", ""))
    record(world, KIRUNA, 0, ("SM-CI", "SM"))  # three municipalities: the minimum rule lets it through
    old = old_prevalence(codes, 0)
    assert old is not None and old.persons == 20 and old.figures[("flagged", "SM")] == 8
    found = exposures(world, OSTERSUND, [old])
    assert "flagged SM among the others added at readings 0..0: 2, pinned to (2.0, 2.0)" in found
    assert "flagged SM among the others added at readings 0..0: all 2 have it" in found

    services.dashboard_release(actor=officer())
    now = released(OSTERSUND, {1: 0})
    assert now is None  # the year is withheld: Östersund's others are 2 persons
    assert exposures(world, OSTERSUND, [now]) == []


@pytest.mark.django_db
def test_one_more_municipality_recording_one_person_the_old_dashboard_gives_the_profile(threshold):
    codes = selectors.top_level_codes(selectors.taxonomy_current())
    world: list[Someone] = []
    for code in (OSTERSUND, GOTEBORG, KIRUNA):
        record(world, code, 0, *[("SM", "SM")] * 5, *[("WR", "WR")] * 5, *[("", "")] * 5)
    old_readings = [old_prevalence(codes, 0)]
    services.dashboard_release(actor=officer())
    new_readings = [released(OSTERSUND, {1: 0})]
    # between two readings Stockholm records its one person
    record(world, STOCKHOLM, 1, ("SM,TR", "SM,SV"))
    old_readings.append(old_prevalence(codes, 1))
    services.dashboard_release(actor=officer())
    new_readings.append(released(OSTERSUND, {1: 0, 2: 1}))
    assert None not in old_readings
    found = exposures(world, OSTERSUND, old_readings)
    for pin in ("flagged SM", "flagged TR", "observed SM", "observed SV"):
        assert f"{pin} among the others added at readings 1..1: 1, pinned to (1.0, 1.0)" in found
    assert "flagged * among the others added at readings 1..1: all 1 have it" in found

    assert new_readings[1] is not None and new_readings[1].as_of == 0  # held at release 1
    assert new_readings[1] == new_readings[0]
    assert exposures(world, OSTERSUND, new_readings) == []
    # every municipality's view, the newcomer's and one that saw only the second release too
    for audience in (GOTEBORG, KIRUNA, STOCKHOLM):
        assert exposures(world, audience, new_readings) == []

    # more persons elsewhere: the year moves on when no municipality's view moved by 1..4
    record(world, UPPSALA, 2, *[("SM", "SM")] * 4, *[("", "")] * 5)
    record(world, MALMO, 2, *[("SM", "SM")] * 4, *[("", "")] * 5)
    services.dashboard_release(actor=officer())
    new_readings.append(released(OSTERSUND, {1: 0, 2: 1, 3: 2}))
    assert new_readings[2] is not None and new_readings[2].as_of == 2
    for audience in (OSTERSUND, GOTEBORG, KIRUNA, STOCKHOLM, UPPSALA, MALMO):
        seen = [released(audience, {1: 0, 2: 1, 3: 2})]
        assert seen[0] is not None and seen[0].figures == new_readings[2].figures
        assert exposures(world, audience, new_readings) == [], audience


# --- Cases a rule without derivations gets wrong, and random data, through the pure rule ---------
CODES = ("A", "B", "C")
LAYOUT = Layout(
    figures=tuple(f"{m}:{c}" for m in MEASURES for c in ("*", *CODES)),
    parent={f"{m}:{c}": f"{m}:*" for m in MEASURES for c in CODES},
    exhaustive=frozenset(f"{m}:*" for m in MEASURES),
)


def contributions(world: Sequence[Someone], reading: int) -> dict[int, dict[str, Contribution]]:
    out: dict[str, Counter[str]] = {}
    persons: Counter[str] = Counter()
    for p in world:
        if p.reading > reading:
            continue
        persons[p.municipality] += 1
        c = out.setdefault(p.municipality, Counter())
        for m in MEASURES:
            c.update(f"{m}:{code}" for code in ["*", *CODES] if has(p.codes(m), code))
    return {YEAR: {k: Contribution(persons=n, counts=dict(out[k])) for k, n in persons.items()}}


def seen_by(made: Sequence[object]) -> list[Seen | None]:
    """What every audience saw of the year in each release (the figures are the same for all)."""
    readings: list[Seen | None] = []
    for release in made:
        shown = release.blocks.get(YEAR)  # type: ignore[attr-defined]
        if shown is None or shown.state == BlockState.WITHHELD or shown.persons is None:
            readings.append(None)
            continue
        seen = Seen(as_of=shown.as_of - 1, persons=shown.persons)
        for key, value in shown.figures.items():
            measure, code = key.split(":")
            seen.figures[(measure, code)] = value
        readings.append(seen)
    return readings


def releases(world: Sequence[Someone], t: int, readings: int) -> list[object]:
    made: list = []
    for reading in range(readings):
        made.append(
            next_release(reading + 1, contributions(world, reading), made, layout=LAYOUT, threshold=t)
        )
    return made


def people(municipality: str, reading: int, *profiles: str, n: int = 1) -> list[Someone]:
    return [Someone(municipality, reading, frozenset(p), frozenset(p)) for p in profiles for _ in range(n)]


def test_a_tie_and_a_lower_bound_from_earlier_releases_pin_nothing():
    # A tie: in reading 0, A (3 persons) is withheld, B and C (disjoint) are published; 5 persons
    # with A only and 5 without a need are added. B and C did not change, so "any" grew exactly as A
    # did, and A in reading 0 would follow from A in reading 1.
    tie = [
        *people("m1", 0, "B", n=10),
        *people("m1", 0, "A", n=3),
        *people("m1", 0, "C", n=6),
        *people("m1", 0, "", n=11),
        *people("m1", 1, "A", n=5),
        *people("m1", 1, "", n=5),
    ]
    assert exposures(tie, "nobody", seen_by(releases(tie, 5, 2)), 5) == []
    # A lower bound: threshold 3; A is 2 (withheld, so at least 1) in reading 0 and 3 in reading 1,
    # which would bound the added persons with A by 2.
    bound = [
        *people("m1", 0, "", "AC", "B", "B", "AB", "C", "C"),
        *people("m1", 1, "BC", "B", "AC"),
    ]
    assert exposures(bound, "nobody", seen_by(releases(bound, 3, 2)), 3) == []


def test_changes_that_nearly_all_added_persons_share_pin_nothing():
    start = [p for m in ("m1", "m2", "m3") for p in people(m, 0, "A", "B", "", n=5)]
    # 5 persons added, all with B: B +5, the persons +5
    all_b = [*start, *people("m4", 1, "B", n=5)]
    for audience in ("nobody", "m1", "m4"):
        assert exposures(all_b, audience, seen_by(releases(all_b, 5, 2)), 5) == [], audience
    # "m5" sees 11 added others of which 5 have A and 1 has C only: "any" +6, A +5
    one_other = [*start, *people("m4", 1, "A", n=5), *people("m4", 1, "C", ""), *people("m4", 1, "", n=4)]
    one_other += people("m5", 1, "", n=10)
    for audience in ("nobody", "m1", "m5"):
        assert exposures(one_other, audience, seen_by(releases(one_other, 5, 2)), 5) == [], audience


profile = st.frozensets(st.sampled_from(CODES), max_size=3)
someone = st.tuples(st.sampled_from(("m1", "m2", "m3", "m4")), st.integers(0, 2), profile, profile)


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(someone, min_size=5, max_size=40), st.sampled_from([3, 5]))
def test_random_releases_pin_nothing_for_any_municipality(world, t):
    world = [Someone(m, g, f, o) for m, g, f, o in world]
    readings = seen_by(releases(world, t, 3))
    for audience in ("m1", "m2", "m3", "m4", "nobody"):
        assert exposures(world, audience, readings, t) == [], audience
