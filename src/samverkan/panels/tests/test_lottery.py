"""Tests of the pure panel lottery (no database)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from samverkan.panels.lottery import (
    Distribution,
    InfeasibleQuotas,
    Instance,
    Quota,
    draw,
    explain_infeasible,
    find_distribution,
    is_feasible_panel,
    quotas_from_shares,
    replacement,
    select,
)
from samverkan.panels.lottery.synthetic import synthetic_instance

TOL = 1e-6


def make(groups: dict[str, str], quotas: list[tuple[str, int, int]], size: int, households=None) -> Instance:
    """One feature ``g``: ``groups`` maps id -> value."""
    return Instance(
        people=tuple(groups),
        features={p: {"g": v} for p, v in groups.items()},
        quotas=tuple(Quota("g", v, lo, hi) for v, lo, hi in quotas),
        size=size,
        households=households,
    )


# --- an oracle independent of the package ------------------------------------------------------------
# Written from docs/panels-formats.md, not from the package's feasibility code: a panel is ``size``
# distinct people of the pool; for every quota (feature, value, min, max) the number of panel members
# with that value is from min to max; at most one person per household.


def meets_the_rules(instance: Instance, panel: tuple[str, ...]) -> bool:
    if len(panel) != instance.size or len(set(panel)) != len(panel):
        return False
    if any(p not in instance.people for p in panel):
        return False
    if instance.households is not None:
        homes = [instance.households[p] for p in panel]
        if len(set(homes)) != len(homes):
            return False
    for quota in instance.quotas:
        having = [p for p in panel if instance.features[p][quota.feature] == quota.value]
        if len(having) < quota.min or len(having) > quota.max:
            return False
    return True


def all_panels(instance: Instance) -> list[tuple[str, ...]]:
    """Every feasible panel, by plain enumeration of the pool's subsets."""
    return [
        panel
        for panel in itertools.combinations(instance.people, instance.size)
        if meets_the_rules(instance, panel)
    ]


def brute_leximin(instance: Instance) -> dict[str, float]:
    """Leximin by brute force: LPs over every feasible panel, fixing agents that provably cannot rise."""
    panels = all_panels(instance)
    people = instance.people
    A = np.array([[1.0 if p in panel else 0.0 for panel in panels] for p in people])
    m = len(panels)
    never = [i for i in range(len(people)) if A[i].sum() == 0]
    fixed: dict[int, float] = dict.fromkeys(never, 0.0)

    def constraints(free: list[int], z_col: bool):
        rows, rhs = [], []
        for i, v in fixed.items():
            rows.append(np.concatenate([-A[i], [0.0]] if z_col else [-A[i]]))
            rhs.append(-(v - 1e-9))
        for i in free:
            rows.append(np.concatenate([-A[i], [1.0]]))
            rhs.append(0.0)
        return np.array(rows), np.array(rhs)

    while len(fixed) < len(people):
        free = [i for i in range(len(people)) if i not in fixed]
        A_ub, b_ub = constraints(free, True)
        res = linprog(
            np.concatenate([np.zeros(m), [-1.0]]),
            A_ub=A_ub,
            b_ub=b_ub,
            A_eq=np.concatenate([np.ones(m), [0.0]])[None, :],
            b_eq=[1.0],
            bounds=[(0, None)] * (m + 1),
            method="highs",
        )
        z = -res.fun
        for i in free:  # can i rise above z while every other free agent keeps z?
            others = [j for j in free if j != i]
            rows = [np.concatenate([-A[j], [0.0]]) for j in others]
            rows += [np.concatenate([-A[j], [0.0]]) for j in fixed]
            rhs = [-(z - 1e-9)] * len(others) + [-(v - 1e-9) for v in fixed.values()]
            res_i = linprog(
                np.concatenate([-A[i], [0.0]]),
                A_ub=np.array(rows) if rows else None,
                b_ub=np.array(rhs) if rows else None,
                A_eq=np.concatenate([np.ones(m), [0.0]])[None, :],
                b_eq=[1.0],
                bounds=[(0, None)] * (m + 1),
                method="highs",
            )
            if -res_i.fun <= z + 1e-7:
                fixed[i] = z
    return {people[i]: v for i, v in fixed.items()}


def check_distribution(instance: Instance, d: Distribution) -> None:
    assert abs(sum(d.weights) - 1) < 1e-9
    assert all(w >= 0 for w in d.weights)
    for panel in d.panels:
        assert meets_the_rules(instance, panel), panel
        order = [instance.people.index(p) for p in panel]
        assert order == sorted(order)
    assert abs(sum(d.probabilities.values()) - instance.size) < 1e-6
    for p in instance.people:
        expected = sum(w for panel, w in zip(d.panels, d.weights, strict=True) if p in panel)
        assert abs(expected - d.probabilities[p]) < 1e-9


# --- leximin on hand-computed instances ---------------------------------------------------------------


def test_leximin_two_groups_by_hand():
    # one seat for {a, b} and one for {c, d, e}: a, b get 1/2 and c, d, e get 1/3
    inst = make({"a": "x", "b": "x", "c": "y", "d": "y", "e": "y"}, [("x", 1, 1), ("y", 1, 1)], 2)
    d = find_distribution(inst)
    check_distribution(inst, d)
    expected = {"a": 0.5, "b": 0.5, "c": 1 / 3, "d": 1 / 3, "e": 1 / 3}
    for p, v in expected.items():
        assert d.probabilities[p] == pytest.approx(v, abs=TOL)
    assert d.min_probability == pytest.approx(1 / 3, abs=TOL)


def test_leximin_raises_second_level_by_hand():
    # size 3, at most one x, at least one y, z free: x gets 1/2 each (a, b); panel has 2 more seats.
    # leximin: everybody 3/5?  No - total mass 3 over 5 people, x capped at 1 seat in total, so
    # a, b <= 1/2; the rest share 3 - 2*p_x seats among c, d, e.  Equalising: p = 3/5 impossible for x
    # (x total <= 1 -> 1/2 each).  So a = b = 1/2 and c = d = e = (3 - 1)/3 = 2/3.
    inst = make(
        {"a": "x", "b": "x", "c": "y", "d": "y", "e": "z"}, [("x", 0, 1), ("y", 1, 2), ("z", 0, 1)], 3
    )
    d = find_distribution(inst)
    check_distribution(inst, d)
    for p, v in {"a": 0.5, "b": 0.5, "c": 2 / 3, "d": 2 / 3, "e": 2 / 3}.items():
        assert d.probabilities[p] == pytest.approx(v, abs=TOL)


def test_never_selectable_agent_gets_zero():
    # x has max 0: a can never sit; b, c, d share two seats -> 2/3 each
    inst = make({"a": "x", "b": "y", "c": "y", "d": "y"}, [("x", 0, 0), ("y", 2, 2)], 2)
    d = find_distribution(inst)
    check_distribution(inst, d)
    assert d.probabilities["a"] == pytest.approx(0.0, abs=TOL)
    for p in "bcd":
        assert d.probabilities[p] == pytest.approx(2 / 3, abs=TOL)
    assert d.stats["never_selectable"] == 1


def test_households_one_per_household():
    # a and b share a household; size 2 of {a, b, c}: panels {a, c}, {b, c} -> c = 1, a = b = 1/2
    inst = make(
        {"a": "x", "b": "x", "c": "x"}, [("x", 0, 3)], 2, households={"a": "h1", "b": "h1", "c": "h2"}
    )
    d = find_distribution(inst)
    check_distribution(inst, d)
    assert d.probabilities["c"] == pytest.approx(1.0, abs=TOL)
    assert d.probabilities["a"] == pytest.approx(0.5, abs=TOL)


def two_feature_instance(seed: int, n: int = 10, size: int = 4, households: bool = False) -> Instance:
    rng = np.random.default_rng(seed)
    people = tuple(f"v{i}" for i in range(n))
    feats = {
        p: {"sex": str(rng.choice(["f", "m"], p=[0.3, 0.7])), "region": str(rng.choice(["N", "S", "E"]))}
        for p in people
    }
    quotas = (
        Quota("sex", "f", size // 2, size // 2 + 1),
        Quota("sex", "m", size // 2 - 1, size // 2),
        Quota("region", "N", 1, 2),
        Quota("region", "S", 1, 2),
        Quota("region", "E", 0, 2),
    )
    homes = {p: f"h{i // 2 if i < 4 else i}" for i, p in enumerate(people)} if households else None
    return Instance(people=people, features=feats, quotas=quotas, size=size, households=homes)


@pytest.mark.parametrize(("seed", "households"), [(1, False), (2, False), (5, False), (3, True), (6, True)])
def test_leximin_matches_brute_force(seed, households):
    inst = two_feature_instance(seed, households=households)
    assert all_panels(inst)  # the seeds are chosen so that a panel exists
    d = find_distribution(inst)
    check_distribution(inst, d)
    expected = brute_leximin(inst)
    for p in inst.people:
        assert d.probabilities[p] == pytest.approx(expected[p], abs=TOL), p


def maximin_by_enumeration(instance: Instance) -> float:
    panels = all_panels(instance)
    people = instance.people
    m = len(panels)
    selectable = [p for p in people if any(p in panel for panel in panels)]
    A_ub = np.array([[-(1.0 if p in panel else 0.0) for panel in panels] + [1.0] for p in selectable])
    res = linprog(
        np.concatenate([np.zeros(m), [-1.0]]),
        A_ub=A_ub,
        b_ub=np.zeros(len(selectable)),
        A_eq=np.concatenate([np.ones(m), [0.0]])[None, :],
        b_eq=[1.0],
        bounds=[(0, None)] * (m + 1),
        method="highs",
    )
    return -res.fun


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), n=st.integers(6, 12), size=st.integers(2, 5))
def test_leximin_minimum_is_maximin_optimum(seed, n, size):
    inst = two_feature_instance(seed, n=n, size=size)
    if not all_panels(inst):
        with pytest.raises(InfeasibleQuotas):
            find_distribution(inst)
        return
    d = find_distribution(inst)
    check_distribution(inst, d)
    selectable = [p for p in inst.people if d.probabilities[p] > TOL]
    assert min(d.probabilities[p] for p in selectable) >= maximin_by_enumeration(inst) - TOL


def three_feature_instance(seed: int) -> Instance:
    """Three binary features with random quotas; every odd seed pairs the first four people in households.
    Unlike two features (a totally unimodular system), the LP relaxation of the panel polytope may then
    have fractional vertices, so its leximin point need not be a lottery over panels."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 10))
    size = int(rng.integers(2, 5))
    people = tuple(f"v{i}" for i in range(n))
    features = {"a": ["0", "1"], "b": ["0", "1"], "c": ["0", "1"]}
    feats = {p: {f: str(rng.choice(v)) for f, v in features.items()} for p in people}
    quotas = []
    for f, values in features.items():
        for v in values:
            lo = int(rng.integers(0, size))
            quotas.append(Quota(f, v, lo, int(rng.integers(lo, size + 1))))
    homes = {p: f"h{i // 2 if i < 4 else i}" for i, p in enumerate(people)} if seed % 2 else None
    return Instance(people=people, features=feats, quotas=tuple(quotas), size=size, households=homes)


def test_leximin_when_relaxation_is_not_a_lottery_by_hand():
    # v0=011 v1=101 v2=001 v3=000 v4=110 (features a, b, c), size 3, a=1 at most 1, b=1 at least 1,
    # c=0 at least 1.  Feasible panels: A={0,1,3} B={0,2,3} C={0,2,4} D={0,3,4} E={2,3,4}.
    # v1 is only on A, so min <= x_A; v2 is on B, C, E: x_A = 1/2 and all other weight on B, C, E; v4 is on
    # C, D, E: x_B = x_D = 0; then v0 = 1/2 + x_C and v3 = 1/2 + x_E: x_C = x_E = 1/4.
    # The LP relaxation's leximin point is not in the panels' convex hull: a cut is needed.
    inst = three_feature_instance(310)
    assert [inst.features[p]["a"] + inst.features[p]["b"] + inst.features[p]["c"] for p in inst.people] == [
        "011",
        "101",
        "001",
        "000",
        "110",
    ]
    d = find_distribution(inst)
    check_distribution(inst, d)
    for p, v in {"v0": 0.75, "v1": 0.5, "v2": 0.5, "v3": 0.75, "v4": 0.5}.items():
        assert d.probabilities[p] == pytest.approx(v, abs=TOL)
    assert d.stats["cuts"] >= 1 and d.stats["fallback"] == 0


@pytest.mark.parametrize("seed", [55, 121, 269, 310, 487, 785, 0, 5])
def test_leximin_three_features_matches_brute_force(seed):
    # 55: types on no feasible panel get seats in the relaxation; 121, 487: that and cuts; 269, 310, 785:
    # cuts; 0, 5: the relaxation's leximin point is a lottery over panels
    inst = three_feature_instance(seed)
    assert all_panels(inst)
    d = find_distribution(inst)
    check_distribution(inst, d)
    expected = brute_leximin(inst)
    for p in inst.people:
        assert d.probabilities[p] == pytest.approx(expected[p], abs=TOL), p


@pytest.mark.parametrize("seed", [55, 310, 487])
def test_staged_fallback_matches_brute_force(seed, monkeypatch):
    from samverkan.panels.lottery import leximin

    monkeypatch.setattr(leximin, "MAX_CUTS", 0)
    inst = three_feature_instance(seed)
    d = find_distribution(inst)
    check_distribution(inst, d)
    expected = brute_leximin(inst)
    for p in inst.people:
        assert d.probabilities[p] == pytest.approx(expected[p], abs=TOL), p


@pytest.mark.parametrize(
    "inst",
    [
        synthetic_instance(40, 8, features=3, tolerance=1, seed=3),
        synthetic_instance(60, 10, features=3, tolerance=1, households=True, seed=5),
        synthetic_instance(80, 12, features=4, tolerance=1, households=True, seed=8),
    ],
)
def test_relaxation_path_agrees_with_stages(inst, monkeypatch):
    from samverkan.panels.lottery import leximin

    fast = find_distribution(inst)
    assert fast.stats["fallback"] == 0
    monkeypatch.setattr(leximin, "MAX_CUTS", -1)  # stages of column generation only
    staged = find_distribution(inst)
    assert staged.stats["fallback"] == 2
    check_distribution(inst, fast)
    for p in inst.people:
        assert fast.probabilities[p] == pytest.approx(staged.probabilities[p], abs=TOL), p


def test_leximin_is_deterministic():
    inst = synthetic_instance(80, 12, features=4, tolerance=1, households=True, seed=8)
    a = find_distribution(inst)
    b = find_distribution(inst)
    assert a.panels == b.panels and a.weights == b.weights


def test_leximin_dominates_legacy():
    # a skewed pool where the greedy favours the scarce category's neighbours unevenly
    inst = synthetic_instance(40, 8, features=3, tolerance=1, seed=3)
    lex = find_distribution(inst)
    leg = find_distribution(inst, "legacy", legacy_runs=400)
    check_distribution(inst, lex)
    check_distribution(inst, leg)
    a = sorted(lex.probabilities.values())
    b = sorted(leg.probabilities.values())
    first = next((i for i, (x, y) in enumerate(zip(a, b, strict=True)) if abs(x - y) > 1e-3), None)
    assert first is not None and a[first] > b[first]
    assert lex.min_probability >= leg.min_probability


def test_synthetic_with_households_is_valid():
    inst = synthetic_instance(60, 10, features=3, tolerance=1, households=True, seed=5)
    d = find_distribution(inst)
    check_distribution(inst, d)
    # members of a type (same features, own household) get equal probabilities
    assert d.min_probability > 0


# --- the quotas bind: hand instances and the package's own check against the oracle ---------------------


def test_a_binding_quota_is_met_by_every_panel_of_the_lottery():
    # size 2, exactly one x and at most one y: the panels are {a, b}, {a, c}, {a, d}, so a always sits
    # and b, c, d get 1/3 each. Without the quotas (or one seat looser) any pair would do: 1/2 each.
    inst = make({"a": "x", "b": "y", "c": "y", "d": "y"}, [("x", 1, 1), ("y", 0, 1)], 2)
    assert all_panels(inst) == [("a", "b"), ("a", "c"), ("a", "d")]
    d = find_distribution(inst)
    check_distribution(inst, d)
    assert set(d.panels) <= set(all_panels(inst))
    assert d.probabilities == pytest.approx({"a": 1.0, "b": 1 / 3, "c": 1 / 3, "d": 1 / 3}, abs=TOL)
    assert meets_the_rules(inst, select(inst, seed=3).panel)


def test_a_binding_minimum_decides_the_probabilities():
    # size 2, y at least 2: only {c, d} meets it, so a and b never sit (a lottery one seat looser on
    # y's minimum would give them seats)
    inst = make({"a": "x", "b": "x", "c": "y", "d": "y"}, [("x", 0, 2), ("y", 2, 2)], 2)
    assert all_panels(inst) == [("c", "d")]
    d = find_distribution(inst)
    check_distribution(inst, d)
    assert d.probabilities == pytest.approx({"a": 0.0, "b": 0.0, "c": 1.0, "d": 1.0}, abs=TOL)


@pytest.mark.parametrize("households", [False, True])
def test_is_feasible_panel_agrees_with_the_oracle_on_every_subset(households):
    inst = two_feature_instance(3, n=8, size=4, households=households)
    for size in (3, 4, 5):
        sized = Instance(inst.people, inst.features, inst.quotas, size, inst.households)
        for panel in itertools.combinations(inst.people, size):
            assert is_feasible_panel(sized, panel) == meets_the_rules(sized, panel), panel
    assert not is_feasible_panel(inst, (inst.people[0],) * inst.size)


# --- draw ----------------------------------------------------------------------------------------------


def test_draw_is_deterministic_and_seed_dependent():
    inst = make({f"p{i}": "x" if i < 5 else "y" for i in range(10)}, [("x", 2, 2), ("y", 2, 2)], 4)
    d = find_distribution(inst)
    assert draw(d, 42) == draw(d, 42) == draw(d, "42")
    assert len({draw(d, s) for s in range(30)}) >= min(3, len(d.panels))
    s1 = select(inst, seed="öppen dragning 2026")
    s2 = select(inst, seed="öppen dragning 2026")
    assert s1.panel == s2.panel
    assert s1.input_sha256 == inst.sha256() and len(s1.input_sha256) == 64
    assert meets_the_rules(inst, s1.panel)


def test_draw_follows_weights():
    d = Distribution("leximin", (("a",), ("b",)), (0.25, 0.75), {"a": 0.25, "b": 0.75}, 0.0)
    hits = sum(draw(d, i) == ("a",) for i in range(4000))
    assert 850 < hits < 1150


def test_sha256_changes_with_input():
    a = make({"a": "x", "b": "y"}, [("x", 0, 1), ("y", 0, 1)], 1)
    b = make({"a": "x", "b": "y"}, [("x", 0, 1), ("y", 1, 1)], 1)
    assert a.sha256() != b.sha256()
    assert a.sha256() == make({"a": "x", "b": "y"}, [("x", 0, 1), ("y", 0, 1)], 1).sha256()


# --- infeasibility and validation ----------------------------------------------------------------------


def test_infeasible_quotas_explained_and_relaxed():
    inst = make(
        {"a": "x", "b": "x", "c": "y", "d": "y", "e": "z"}, [("x", 2, 2), ("y", 2, 2), ("z", 1, 1)], 4
    )
    error = explain_infeasible(inst)
    assert isinstance(error, InfeasibleQuotas)
    assert any("add up to 5" in c for c in error.conflicts)
    assert len(error.changes) == 1  # lowering one minimum by one seat suffices
    relaxed = Instance(inst.people, inst.features, error.relaxation, inst.size)
    assert explain_infeasible(relaxed) is None
    with pytest.raises(InfeasibleQuotas):
        find_distribution(inst)


def test_infeasible_min_exceeds_volunteers():
    inst = make({"a": "x", "b": "y", "c": "y", "d": "y"}, [("x", 2, 2), ("y", 0, 3)], 3)
    error = explain_infeasible(inst)
    assert error is not None
    assert any("x needs at least 2 but only 1" in c for c in error.conflicts)
    relaxed = Instance(inst.people, inst.features, error.relaxation, inst.size)
    assert explain_infeasible(relaxed) is None
    assert sum(abs(o.min - n.min) + abs(o.max - n.max) for o, n in error.changes) == 1


def test_infeasible_across_features():
    # every f is N and every m is S; we need 2 f and 2 S in a panel of 2
    people = {"a": ("f", "N"), "b": ("f", "N"), "c": ("m", "S"), "d": ("m", "S")}
    inst = Instance(
        tuple(people),
        {p: {"sex": s, "region": r} for p, (s, r) in people.items()},
        (
            Quota("sex", "f", 2, 2),
            Quota("sex", "m", 0, 2),
            Quota("region", "N", 0, 2),
            Quota("region", "S", 2, 2),
        ),
        2,
    )
    error = explain_infeasible(inst)
    assert error is not None
    assert any("sex=f min 2" in c and "region=S min 2" in c for c in error.conflicts)
    assert explain_infeasible(Instance(inst.people, inst.features, error.relaxation, 2)) is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"size": 0}, "at least 1"),
        ({"size": 9}, "fewer than the panel size 9"),
        ({"quotas": (Quota("g", "x", 3, 1), Quota("g", "y", 0, 2))}, "min 3 exceeds max 1"),
        ({"features": {"a": {"g": "x"}, "b": {"h": "y"}, "c": {"g": "y"}}}, "'b' lacks feature 'g'"),
        ({"features": {"a": {"g": "x"}, "b": {"g": "w"}, "c": {"g": "y"}}}, "'b' has g='w'"),
        ({"households": {"a": "h", "b": "h", "c": "h"}}, "1 households, fewer than the panel size 2"),
    ],
)
def test_validation_messages(kwargs, message):
    base = {
        "people": ("a", "b", "c"),
        "features": {"a": {"g": "x"}, "b": {"g": "y"}, "c": {"g": "y"}},
        "quotas": (Quota("g", "x", 0, 1), Quota("g", "y", 0, 2)),
        "size": 2,
        "households": None,
    }
    base.update(kwargs)
    inst = Instance(**base)
    with pytest.raises(ValueError, match=message):
        find_distribution(inst)


# --- quotas_from_shares ----------------------------------------------------------------------------------


def test_quotas_from_shares_largest_remainder():
    quotas = quotas_from_shares(
        {"sex": {"f": 0.5, "m": 0.5}, "region": {"a": 0.333, "b": 0.333, "c": 0.334}}, 10
    )
    by = {(q.feature, q.value): q for q in quotas}
    assert by["sex", "f"].min == by["sex", "f"].max == 5
    assert [by["region", v].min for v in "abc"] == [3, 3, 4]


@given(
    shares=st.lists(st.floats(0.0, 10.0), min_size=1, max_size=8).filter(lambda xs: sum(xs) > 0.01),
    size=st.integers(1, 200),
    tolerance=st.integers(0, 3),
)
def test_quotas_from_shares_properties(shares, size, tolerance):
    quotas = quotas_from_shares({"f": {f"v{i}": s for i, s in enumerate(shares)}}, size, tolerance)
    targets = [
        q.min + tolerance if q.min > 0 or q.max == 2 * tolerance else q.max - tolerance for q in quotas
    ]
    assert sum(targets) == size
    for q, share, t in zip(quotas, shares, targets, strict=True):
        assert q.max - t == tolerance and t - q.min <= tolerance and q.min >= 0
        assert abs(t - size * share / sum(shares)) < 1 + 1e-9


# --- replacement ------------------------------------------------------------------------------------------


def test_replacement_keeps_quotas_and_is_deterministic():
    inst = synthetic_instance(60, 10, features=3, tolerance=1, households=True, seed=2)
    sel = select(inst, seed=7)
    withdrawn = sel.panel[0]
    new = replacement(inst, sel.panel, withdrawn, seed=1)
    assert new is not None and new not in sel.panel
    panel = (*(p for p in sel.panel if p != withdrawn), new)
    assert meets_the_rules(inst, panel)
    assert replacement(inst, sel.panel, withdrawn, seed=1) == new


def test_replacement_none_when_impossible():
    # only one x exists; when the x withdraws nobody can keep x's minimum of one
    inst = make({"a": "x", "b": "y", "c": "y", "d": "y"}, [("x", 1, 1), ("y", 1, 1)], 2)
    assert replacement(inst, ("a", "b"), "a", seed=0) is None
    assert replacement(inst, ("a", "b"), "b", seed=0) in {"c", "d"}
    assert replacement(inst, ("a", "b"), "b", seed=0, exclude={"c", "d"}) is None


def test_time_limit_raises():
    from samverkan.panels.lottery import LotteryTimeout

    inst = synthetic_instance(200, 20, features=4, tolerance=1, seed=0)
    with pytest.raises(LotteryTimeout):
        find_distribution(inst, time_limit=0.05)


def test_legacy_is_reproducible_and_valid():
    inst = synthetic_instance(30, 6, features=2, tolerance=1, seed=1)
    a = find_distribution(inst, "legacy", legacy_runs=100)
    b = find_distribution(inst, "legacy", legacy_runs=100)
    assert a.panels == b.panels and a.weights == b.weights
    check_distribution(inst, a)
    with pytest.raises(ValueError, match="Unknown algorithm"):
        find_distribution(inst, "maximin")
