"""The rule for counts published to contributors that know their own persons, and over releases
(``statistics.disclosure.shared``): pure, no database. Each test builds persons per contributor,
makes releases and checks what is published, withheld or held, and why."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from samverkan.statistics.disclosure.shared import (
    BlockState,
    Contribution,
    Layout,
    Reason,
    Release,
    Shown,
    next_release,
)

CODES = ("SM", "WR", "TR")
LAYOUT = Layout(figures=("*", *CODES), parent={c: "*" for c in CODES}, exhaustive=frozenset({"*"}))
Y = 2027


def persons(*groups: tuple[int, str]) -> list[frozenset[str]]:
    """``(3, "SM")`` is three persons with SM; ``(2, "")`` two without any need; ``"SM,WR"`` both."""
    out: list[frozenset[str]] = []
    for n, codes in groups:
        out += [frozenset(c for c in codes.split(",") if c)] * n
    return out


def layout_for(codes: tuple[str, ...]) -> Layout:
    return Layout(figures=("*", *codes), parent={c: "*" for c in codes}, exhaustive=frozenset({"*"}))


def contribution(people: Iterable[frozenset[str]], codes: tuple[str, ...] = CODES) -> Contribution:
    people = list(people)
    counts = {"*": sum(1 for p in people if p)}
    counts.update({c: sum(1 for p in people if c in p) for c in codes})
    return Contribution(persons=len(people), counts=counts)


class Releases:
    """Releases made one after the other from growing data."""

    def __init__(self, threshold: int = 5, codes: tuple[str, ...] = CODES, **options: object) -> None:
        self.threshold = threshold
        self.codes = codes
        self.options = options
        self.made: list[Release] = []
        self.data: dict[str, list[frozenset[str]]] = {}

    def add(self, who: str, people: list[frozenset[str]]) -> Releases:
        self.data[who] = self.data.get(who, []) + people
        return self

    def release(self) -> Shown:
        made = next_release(
            len(self.made) + 1,
            {Y: {who: contribution(people, self.codes) for who, people in self.data.items() if people}},
            self.made,
            layout=layout_for(self.codes),
            threshold=self.threshold,
            **self.options,  # type: ignore[arg-type]
        )
        self.made.append(made)
        return made.blocks[Y]


def old_rule(n: int, total: int, minimum: int = 5) -> int | None:
    """The dashboard's rule before issue #16, on the published totals alone."""
    return None if 0 < n < minimum or (n > 0 and total - n < minimum) else n


# --- Input ---------------------------------------------------------------------------------------
def test_the_layout_and_the_contributions_are_checked():
    with pytest.raises(ValueError, match="unique"):
        Layout(figures=("a", "a"))
    with pytest.raises(ValueError, match="unknown figure"):
        Layout(figures=("a",), parent={"a": "b"})
    with pytest.raises(ValueError, match="cycle"):
        Layout(figures=("a", "b"), parent={"a": "b", "b": "a"})
    with pytest.raises(ValueError, match="no children"):
        Layout(figures=("a",), exhaustive=frozenset({"a"}))
    bad = [
        Contribution(persons=3, counts={"SM": 4, "*": 4}),  # more than the persons
        Contribution(persons=5, counts={"SM": 2, "*": 1}),  # a child above its parent
        Contribution(persons=5, counts={"*": 2, "SM": 1}),  # "any" above the sum of the codes
        Contribution(persons=5, counts={"XX": 1}),  # unknown figure
        Contribution(persons=-1),
    ]
    for c in bad:
        with pytest.raises(ValueError):
            next_release(1, {Y: {"a": c}}, [], layout=LAYOUT, threshold=5)
    with pytest.raises(ValueError, match="threshold"):
        next_release(1, {}, [], layout=LAYOUT, threshold=0)
    first = next_release(2, {}, [], layout=LAYOUT, threshold=5)
    with pytest.raises(ValueError, match="larger number"):
        next_release(2, {}, [first], layout=LAYOUT, threshold=5)


# --- Level: what one release shows --------------------------------------------------------------
def test_18_own_and_2_elsewhere_withholds_the_block():
    # The issue: a municipality with 18 of the 20 persons learns about the other 2 from any count.
    shown = Releases().add("own", persons((6, "SM"), (12, ""))).add("other", persons((2, "SM"))).release()
    assert shown.state == BlockState.WITHHELD and shown.reasons == (Reason.PERSONS_SMALL,)
    assert shown.figures == {} and shown.persons is None
    # the old rule published "SM flagged 8" (8 of 20): own 6, so both others have SM
    assert old_rule(8, 20) == 8


def test_a_single_contributor_learns_nothing_from_its_own_persons():
    shown = Releases().add("own", persons((6, "SM"), (12, ""))).release()
    assert shown.state == BlockState.FRESH and shown.persons == 18 and shown.figures["SM"] == 6


def test_a_count_small_among_the_others_is_withheld_though_the_total_is_large():
    shown = (
        Releases()
        .add("own", persons((6, "SM"), (4, "")))
        .add("a", persons((2, "SM"), (3, "")))
        .add("b", persons((5, "")))
        .release()
    )
    assert shown.state == BlockState.FRESH and shown.persons == 20
    assert shown.figures["SM"] is None and shown.withheld["SM"] == (Reason.SMALL,)
    assert old_rule(8, 20) == 8  # what the old rule showed


def test_all_or_nearly_all_of_the_others_having_it_is_withheld():
    # "own" sees 15 others of which 14 have WR: the one without would be revealed
    shown = (
        Releases()
        .add("own", persons((10, "")))
        .add("a", persons((5, "WR")))
        .add("b", persons((5, "WR")))
        .add("c", persons((4, "WR"), (1, "")))
        .release()
    )
    assert shown.state == BlockState.FRESH and shown.persons == 25
    assert shown.figures["WR"] is None and shown.withheld["WR"] == (Reason.COMPLEMENT,)
    assert old_rule(14, 25) == 14


def test_any_need_less_a_code_that_is_small_withholds_the_code_and_keeps_any_need():
    shown = Releases().add("own", persons((10, "SM"), (2, "WR"), (8, ""))).release()
    assert shown.figures["*"] == 12 and shown.figures["SM"] is None
    assert Reason.NESTED in shown.withheld["SM"] and shown.figures["WR"] is None


def test_zeros_are_always_published():
    shown = Releases().add("own", persons((10, "SM"), (2, "WR"), (8, ""))).release()
    assert shown.figures["TR"] == 0 and "TR" not in shown.withheld


def test_municipalities_named_together_are_one_audience():
    data = Releases(audiences=[{"a", "b"}]).add("a", persons((10, ""))).add("b", persons((10, "")))
    shown = data.add("c", persons((2, ""))).release()
    assert shown.state == BlockState.WITHHELD and shown.reasons == (Reason.PERSONS_SMALL,)
    alone = Releases().add("a", persons((10, ""))).add("b", persons((10, ""))).add("c", persons((2, "")))
    assert alone.release().state == BlockState.FRESH  # each alone sees at least 12 others


# --- Time: each release against the earlier ones -----------------------------------------------
def three_municipalities() -> Releases:
    data = Releases()
    for who in ("a", "b", "c"):
        data.add(who, persons((5, "SM"), (5, "WR"), (5, "")))
    return data


def test_one_more_person_holds_the_block_at_the_previous_release():
    data = three_municipalities()
    first = data.release()
    assert first.state == BlockState.FRESH and first.figures["SM"] == 15
    # one more municipality records its one person: every code that moved by one is that person's
    second = data.add("d", persons((1, "SM,TR"))).release()
    assert second.state == BlockState.STALE and second.reasons == (Reason.PERSONS_CHANGED,)
    assert (second.as_of, second.persons, dict(second.figures)) == (1, 45, dict(first.figures))
    # four more elsewhere: "d" sees only those 4 new others, "e" only the one of "d"
    third = data.add("e", persons((4, "SM"))).release()
    assert third.state == BlockState.STALE and third.as_of == 1
    fourth = data.add("f", persons((4, ""), (1, "SM"))).release()
    assert fourth.state == BlockState.FRESH and fourth.as_of == 4 and fourth.persons == 55


def test_a_block_that_never_was_fresh_stays_out_when_held():
    data = Releases().add("own", persons((18, ""))).add("other", persons((2, "")))
    assert data.release().state == BlockState.WITHHELD
    data.add("third", persons((5, "")))
    shown = data.release()  # now fresh for everyone
    assert shown.state == BlockState.FRESH
    held = data.add("fourth", persons((1, ""))).release()
    assert held.state == BlockState.STALE and held.as_of == 2


def test_a_figure_withheld_for_a_small_change_stays_withheld_until_its_change_is_large():
    data = Releases()
    for who in ("a", "b", "c"):
        data.add(who, persons((5, "SM"), (5, "")))
    assert data.release().figures["SM"] == 15
    second = data.add("d", persons((1, "SM"), (4, ""))).release()
    assert second.figures["SM"] is None and second.withheld["SM"] == (Reason.CHANGED,)
    third = data.add("e", persons((5, ""))).release()  # unchanged since 2, but +1 since 1
    assert third.state == BlockState.FRESH and third.figures["SM"] is None
    fourth = data.add("f", persons((5, "SM"), (3, ""))).add("g", persons((5, "SM"), (3, ""))).release()
    assert fourth.figures["SM"] == 26


def test_all_or_nearly_all_of_the_persons_added_having_it_is_withheld():
    data = three_municipalities()
    data.release()
    shown = data.add("d", persons((5, "WR"))).release()
    assert shown.state == BlockState.FRESH
    assert shown.figures["WR"] is None and Reason.CHANGED_COMPLEMENT in shown.withheld["WR"]
    assert shown.figures["SM"] == 15  # unchanged


def test_the_change_of_any_need_less_the_change_of_a_code_that_is_small_withholds_the_code():
    data = three_municipalities()
    data.release()
    # "e" sees 11 added others: 5 with SM, 1 with TR only: "any" +6, SM +5, so one added person has
    # a need but not SM
    shown = data.add("d", persons((5, "SM"), (1, "TR"), (5, ""))).add("e", persons((10, ""))).release()
    assert shown.state == BlockState.FRESH and shown.figures["*"] == 36
    assert shown.figures["SM"] is None and Reason.CHANGED_NESTED in shown.withheld["SM"]


def test_a_figure_that_a_tie_would_reveal_for_an_earlier_release_is_withheld():
    # Release 1: SM is 3 (withheld); WR and TR are published, disjoint. Release 2 adds 5 persons
    # with SM only and 5 without a need: WR and TR did not change, so "any" changed exactly as SM
    # did, and SM in release 1 = SM now - ("any" now - "any" then) = 3.
    data = Releases().add("own", persons((10, "WR"), (3, "SM"), (6, "TR"), (11, "")))
    first = data.release()
    assert first.figures == {"*": 19, "SM": None, "WR": 10, "TR": 6}
    second = data.add("own", persons((5, "SM"), (5, ""))).release()
    assert second.state == BlockState.FRESH and second.figures["*"] == 24
    assert second.figures["SM"] is None and second.withheld["SM"] == (Reason.DERIVABLE,)


def test_a_figure_published_after_being_withheld_is_not_pinned_by_its_earlier_lower_bound():
    # Threshold 3. A is 2 in release 1 (withheld, so at least 1); 3 persons are added, one with A.
    # Publishing A = 3 in release 2 would bound the added persons with A by 3 - 1 = 2 < 3.
    data = Releases(threshold=3, codes=("A", "B", "C"))
    data.add("own", persons((1, ""), (1, "A,C"), (2, "B"), (1, "A,B"), (2, "C")))
    first = data.release()
    assert first.figures["A"] is None and first.withheld["A"] == (Reason.SMALL,)
    second = data.add("own", persons((1, "B,C"), (1, "B"), (1, "A,C"))).release()
    assert second.state == BlockState.FRESH and second.persons == 10
    assert second.figures["A"] is None


def test_figures_before_the_window_are_still_checked_for_their_change():
    data = Releases(window=1)
    for who in ("a", "b", "c"):
        data.add(who, persons((5, "SM"), (5, "")))
    data.release()
    assert data.add("d", persons((1, "SM"), (4, ""))).release().figures["SM"] is None
    third = data.add("e", persons((5, ""))).release()
    assert third.figures["SM"] is None and third.withheld["SM"] == (Reason.CHANGED,)


def test_reasons_are_codes_and_the_result_is_deterministic():
    def run() -> list[Shown]:
        data = three_municipalities()
        return [data.release(), data.add("d", persons((5, "SM"), (2, "TR"), (3, ""))).release()]

    first, second = run(), run()
    assert first == second
    for shown in first:
        assert all(isinstance(r, Reason) for r in shown.reasons)
        assert all(isinstance(r, Reason) for rs in shown.withheld.values() for r in rs)
        assert isinstance(shown.state, BlockState)
