"""The one capacity model (``optimizer.capacity``) and its three users — the solver, the remaining
capacity of a year (``selectors.remaining_capacity``) and the warnings of a case moved by hand
(``services.override_warnings``) — never disagree: random municipalities and families of persons
flagged with need codes and sub-codes, checked against counting by hand."""

from __future__ import annotations

import dataclasses
from collections import Counter

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from samverkan.organisations.models import Municipality as MunicipalityRow
from samverkan.organisations.municipalities import read_municipalities
from samverkan.resettlement import selectors
from samverkan.resettlement.models import Case, Person, PlacementRun, Proposal, Reception, RunStatus
from samverkan.resettlement.optimizer import (
    LARGE_FAMILY,
    NEED_CODES,
    Demand,
    Municipality,
    Problem,
    Reason,
    breaches,
    demand,
    demand_of,
    remaining,
    solve,
)
from samverkan.resettlement.optimizer import Case as OptCase
from samverkan.resettlement.optimizer.capacity import case_needs
from samverkan.resettlement.taxonomy import shipped_entries
from samverkan.resettlement.tests.factories import GOTEBORG, KIRUNA, OSTERSUND, YEAR

CODES = sorted(str(e["code"]) for e in shipped_entries() if e["kind"] in ("need", "subneed"))
PLACES = (OSTERSUND, GOTEBORG, KIRUNA)

person = st.lists(st.sampled_from(CODES), max_size=3)  # a person's flagged codes (may repeat)
family = st.lists(person, min_size=1, max_size=8)  # a case: its persons
families = st.lists(family, max_size=6)


@st.composite
def municipality(draw: st.DrawFn, code: str = "A") -> Municipality:
    slots = draw(st.dictionaries(st.sampled_from(NEED_CODES), st.integers(0, 4), max_size=5))
    return Municipality(
        code=code,
        name=f"Fiktiva {code}",
        capacity_persons=draw(st.integers(0, 30)),
        large_dwellings=draw(st.integers(0, 3)),
        need_slots=slots,
    )


def _by_hand(cases: list[list[list[str]]]) -> tuple[int, int, Counter[str]]:
    """Persons, large families and, per top-level code, the persons flagged with it or a sub-code."""
    slots: Counter[str] = Counter()
    for case in cases:
        for needs in case:
            slots.update({code.split("-")[0] for code in needs})
    return sum(len(c) for c in cases), sum(1 for c in cases if len(c) >= 6), slots


def _load(cases: list[list[list[str]]]) -> Demand:
    return sum((demand_of(c) for c in cases), Demand())


# --- The model ----------------------------------------------------------------------------------
def test_a_person_takes_one_place_per_top_level_code_however_many_sub_codes():
    assert demand_of([["SM", "SM-CI", "SM-MI"], ["DS-BD"], []]) == Demand(3, 0, Counter({"SM": 1, "DS": 1}))
    assert demand_of([["SM"], ["SM-CI"]]).need_slots == Counter({"SM": 2})  # two persons: two places


def test_six_persons_take_a_large_dwelling_and_five_do_not():
    assert LARGE_FAMILY == 6
    assert demand_of([[]] * 6).large_dwellings == 1
    assert demand_of([[]] * 5).large_dwellings == 0
    assert (demand_of([[]] * 6) + demand_of([[]] * 7)).large_dwellings == 2  # one per case


def test_breaches_name_persons_then_large_dwellings_then_places_by_code():
    m = Municipality("A", "Fiktiva A", capacity_persons=5, large_dwellings=0, need_slots={"SM": 1})
    load = demand_of([["WR"], ["SM-CI"], ["SM"], [], [], []])
    found = [(b.kind, b.code, b.needed, b.capacity) for b in breaches(m, load)]
    assert found == [
        ("persons", None, 6, 5),
        ("large_dwellings", None, 1, 0),
        ("need_slots", "SM", 2, 1),
        ("need_slots", "WR", 1, 0),
    ]
    # a case moved there answers only for what it draws on (the reception number always)
    own = demand_of([["WR-LC"]])
    assert [(b.kind, b.code) for b in breaches(m, load, case=own)] == [
        ("persons", None),
        ("need_slots", "WR"),
    ]


@given(families)
def test_the_model_counts_what_counting_by_hand_counts(cases):
    persons, large, slots = _by_hand(cases)
    assert _load(cases) == Demand(persons, large, slots)


@given(family)
def test_the_optimizers_case_takes_what_its_persons_take(persons):
    case = OptCase("c", len(persons), case_needs(persons))
    whole = demand_of(persons)
    assert demand(case) == Demand(
        whole.persons,
        whole.large_dwellings,
        Counter({k: n for k, n in whole.need_slots.items() if k in NEED_CODES}),
    )


@given(municipality(), families)
def test_a_load_fits_exactly_when_what_remains_is_nonnegative(m, cases):
    load = _load(cases)
    persons, large, slots = _by_hand(cases)
    fits_by_hand = (
        persons <= m.capacity_persons
        and large <= m.large_dwellings
        and all(slots[k] <= m.need_slots.get(k, 0) for k in NEED_CODES)
    )
    left = remaining(m, load)
    nothing_clamped = (
        left.capacity_persons + persons == m.capacity_persons
        and left.large_dwellings + large == m.large_dwellings
        and all(left.need_slots.get(k, 0) + slots[k] == m.need_slots.get(k, 0) for k in NEED_CODES)
    )
    assert (not breaches(m, load)) == fits_by_hand == nothing_clamped


@given(municipality(), families, family)
def test_a_case_added_to_a_fitting_load_breaks_the_same_limits_whichever_way_it_is_counted(m, there, moved):
    """The solver sees ``remaining(m, approved)``; a move by hand checks the whole load against ``m``."""
    base = _load(there)
    if breaches(m, base):
        return
    own = demand_of(moved)
    whole = [(b.kind, b.code) for b in breaches(m, base + own, case=own)]
    assert whole == [(b.kind, b.code) for b in breaches(remaining(m, base), own)]
    assert whole == [(b.kind, b.code) for b in breaches(remaining(m, base), own, case=own)]


@st.composite
def problem(draw: st.DrawFn) -> tuple[Problem, dict[str, list[list[str]]]]:
    munis = tuple(draw(municipality(code)) for code in "ABC"[: draw(st.integers(1, 3))])
    cases = draw(st.lists(family, min_size=1, max_size=8))
    opt_cases = tuple(
        OptCase(
            f"c{i}",
            len(persons),
            case_needs(persons),
            draw(st.one_of(st.none(), st.sampled_from([m.code for m in munis]))) if i % 3 == 0 else None,
        )
        for i, persons in enumerate(cases)
    )
    return Problem(munis, opt_cases), {f"c{i}": p for i, p in enumerate(cases)}


@settings(max_examples=60, deadline=None)
@given(problem())
def test_a_placement_breaks_no_limit_and_leaves_out_only_cases_that_fit_nowhere(drawn):
    problem_, persons = drawn
    placement = solve(problem_, time_limit=10)
    for m in problem_.municipalities:
        there = [persons[c] for c, code in placement.assignment.items() if code == m.code]
        assert breaches(m, _load(there)) == []
        placed = [demand(c) for c in problem_.cases if placement.assignment[c.case_id] == m.code]
        assert breaches(m, sum(placed, Demand())) == []
    for case in problem_.cases:
        if placement.assignment[case.case_id] is None:  # the optimum places as many cases as fit
            for m in problem_.municipalities:
                if case.tie in (None, m.code):
                    there = [persons[c] for c, code in placement.assignment.items() if code == m.code]
                    assert breaches(m, _load([*there, persons[case.case_id]]))
        elif case.tie:
            assert placement.assignment[case.case_id] == case.tie


# --- The database paths -------------------------------------------------------------------------
def _ensure_municipalities() -> None:
    for row in read_municipalities():
        if row.code in PLACES and not MunicipalityRow.objects.filter(code=row.code).exists():
            MunicipalityRow.objects.create(
                code=row.code, name=row.name, county=row.county, population_2016=row.population_2016
            )


def _case(reference: str, persons: list[list[str]], **fields) -> Case:
    case = Case.objects.create(reference=reference, year=fields.pop("year", YEAR), **fields)
    Person.objects.bulk_create(
        Person(case=case, position=i, age=30, sex="F", needs=needs) for i, needs in enumerate(persons)
    )
    return case


def _reception(m: Municipality) -> Reception:
    return Reception.objects.create(
        municipality_id=m.code,
        year=YEAR,
        capacity_persons=m.capacity_persons,
        large_dwellings=m.large_dwellings,
        need_slots=dict(m.need_slots),
    )


DB_SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.mark.django_db
@DB_SETTINGS
@given(
    st.tuples(*(municipality(code) for code in PLACES)),
    st.lists(st.tuples(family, st.sampled_from((*PLACES, None))), max_size=8),
)
def test_remaining_capacity_is_the_reception_less_the_approved_cases(munis, cases):
    with transaction.atomic():
        _ensure_municipalities()
        for m in munis[:2]:  # the third municipality has no reception number this year
            _reception(m)
        for i, (persons, place) in enumerate(cases):
            _case(f"R-{i}", persons, placed_in_id=place)
        _case("R-other-year", [["SM"]] * 6, year=YEAR + 1, placed_in_id=OSTERSUND)
        left = selectors.remaining_capacity(YEAR)
        assert [m.code for m in left] == sorted(m.code for m in munis[:2])
        for got in left:
            m = next(m for m in munis if m.code == got.code)
            approved = [persons for persons, place in cases if place == m.code]
            persons_, large, slots = _by_hand(approved)
            assert got.capacity_persons == max(m.capacity_persons - persons_, 0)
            assert got.large_dwellings == max(m.large_dwellings - large, 0)
            assert got.need_slots == {k: max(v - slots[k], 0) for k, v in m.need_slots.items()}
            assert got == remaining(dataclasses.replace(m, name=got.name), _load(approved))
        # the open cases reach the optimizer taking what their persons take
        problem_ = selectors.run_input(PlacementRun(year=YEAR)).problem
        open_cases = {f"R-{i}": persons for i, (persons, place) in enumerate(cases) if place is None}
        assert {c.case_id for c in problem_.cases} == set(open_cases)
        for c in problem_.cases:
            assert c.needs == case_needs(open_cases[c.case_id])
        transaction.set_rollback(True)


@pytest.mark.django_db
@pytest.mark.usefixtures("english")
@DB_SETTINGS
@given(
    municipality(OSTERSUND),
    st.lists(family, max_size=4),  # approved there this year
    st.lists(family, max_size=4),  # proposed there by the run
    family,  # the case moved there
    st.sampled_from((None, OSTERSUND, GOTEBORG)),  # its tie
)
def test_override_warnings_name_exactly_the_limits_the_model_finds_broken(m, approved, proposed, moved, tie):
    with transaction.atomic():
        _ensure_municipalities()
        _reception(m)
        run = PlacementRun.objects.create(year=YEAR, status=RunStatus.PROPOSED)
        for i, persons in enumerate(approved):
            _case(f"A-{i}", persons, placed_in_id=OSTERSUND)
        for i, persons in enumerate(proposed):
            Proposal.objects.create(run=run, case=_case(f"P-{i}", persons), municipality_id=OSTERSUND)
        # what is placed or proposed elsewhere does not count
        _case("A-elsewhere", [["SM"]] * 6, placed_in_id=GOTEBORG)
        Proposal.objects.create(run=run, case=_case("P-elsewhere", [["SM"]] * 6), municipality_id=GOTEBORG)
        case = _case("MOVED", moved, tie_id=tie)
        proposal = Proposal.objects.create(run=run, case=case, municipality_id=GOTEBORG)
        warnings = selectors.override_warnings(run, proposal, OSTERSUND)

        own = demand_of(moved)
        found = breaches(m, _load([*approved, *proposed, moved]), case=own)
        tied_elsewhere = tie is not None and tie != OSTERSUND
        assert bool(warnings) == (bool(found) or tied_elsewhere)
        persons, large, slots = _by_hand([*approved, *proposed, moved])
        expected = [Reason("tie", {"municipality": tie})] if tied_elsewhere else []
        if persons > m.capacity_persons:
            expected.append(
                Reason("over_limit", {"limit": "persons", "needed": persons, "capacity": m.capacity_persons})
            )
        if len(moved) >= 6 and large > m.large_dwellings:
            expected.append(
                Reason(
                    "over_limit", {"limit": "large_dwellings", "needed": large, "capacity": m.large_dwellings}
                )
            )
        for k in sorted({code.split("-")[0] for needs in moved for code in needs}):
            if slots[k] > m.need_slots.get(k, 0):
                expected.append(
                    Reason(
                        "over_limit",
                        {
                            "limit": "need_slots",
                            "need": k,
                            "needed": slots[k],
                            "capacity": m.need_slots.get(k, 0),
                        },
                    )
                )
        assert warnings == expected
        transaction.set_rollback(True)
