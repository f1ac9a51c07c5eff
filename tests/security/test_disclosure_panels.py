"""The panels public report against the independent interval attacker (``interval_audit.py``).

The anonymous audience of ``/panels/reports/<run>/`` sees, per release of the report, the panel size
and per feature the count of members per value, some withheld ("x"). The attacker describes the
truth as unknown person counts (*atoms*) per feature value: for one release the members per value;
across a withdrawal the members who *stayed*, *left* and *joined* per value, so that release 1 shows
stayed + left and release 2 stayed + joined. Every figure the audience sees is a fact; a withheld
cell is known to be at least 1 when its release published all of its zeros (the attacker is given
that whenever it is true). Then it asks what it can prove.

(a) The old report (``disclosure.protect`` on each one-way table, the panel size printed beside it)
    let the attacker fix small cells exactly: size 11, women 5, men 5, other x gives other = 1.
(b) The releases (``reporting.release_tables``, which the services store and the page shows) pin no
    small cell, in the first release nor across a withdrawal, and never let the attacker prove which
    value a member who left (or joined) had: "11 people, Europe x" then "10 people" must not say
    "the one who left was European". A release the disclosure rule refuses (``ReportNotSafe``: the
    rule raises or withholds the size) is not published: the services refuse to publish it, or take
    the report down, and the audience keeps what it saw before.

The sweeps ask the linear programme (``integer=False``): its constraint matrix (the cells of two
releases, each a partition of the atoms, with their totals: two laminar families) is totally
unimodular, so its bounds are the integer attacker's. The single cases ask the integer programme.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from html import unescape
from itertools import product
from typing import Any

import numpy as np
import pytest

from samverkan.panels import reporting
from samverkan.statistics import disclosure
from tests.security.interval_audit import Model, pinned

T = 5  # the report's threshold (STATISTICS_DISCLOSURE_THRESHOLD)
VALUES = ("Europa", "Asien", "Afrika")
QUOTAS = [["ursprung", v, 0, 100, None] for v in VALUES]


# --- What the audience sees -------------------------------------------------------------------
@dataclass(frozen=True)
class Shown:
    """One release of a one-way table as the anonymous audience reads it."""

    size: int
    cells: tuple[int | None, ...]  # None: withheld ("x")
    zeros_published: bool  # every zero cell was published: a withheld cell is then >= 1


def shown_old(counts: Sequence[int]) -> Shown:
    """The old ``public_composition``: ``protect`` on the one-way table, the size printed."""
    table = np.array(counts, dtype=np.int64)
    hidden = disclosure.protect(table, T).interior
    cells = tuple(None if hidden[i] else int(c) for i, c in enumerate(counts))
    withheld_zero = any(hidden[i] for i, c in enumerate(counts) if c == 0)
    return Shown(int(table.sum()), cells, zeros_published=not withheld_zero)


def shown_release(table: dict[str, Any]) -> Shown:
    """A stored release table (``reporting.release_tables``) as the report page shows it."""
    cells = [cell.count for cell in reporting.public_composition([table])[table["feature"]]]
    withheld_zero = any(c is None and n == 0 for c, n in zip(cells, table["counts"], strict=True))
    assert not table["withheld"][-1], "the total is the printed panel size: it is never withheld"
    return Shown(sum(table["counts"]), tuple(cells), zeros_published=not withheld_zero)


def first_release(counts: Sequence[int]) -> dict[str, Any] | None:
    """The first release's table, or None when the rule refuses to publish it."""
    try:
        return reporting.release_tables(QUOTAS, _people(counts), threshold=T)[0]
    except reporting.ReportNotSafe:
        return None


def next_release(
    previous: dict[str, Any], counts: Sequence[int], left: Sequence[int], joined: Sequence[int]
) -> dict[str, Any] | None:
    stored = {"threshold": T, "protection": T, "tables": [previous]}
    try:
        return reporting.release_tables(
            QUOTAS, _people(counts), threshold=T, previous=stored, left=_people(left), joined=_people(joined)
        )[0]
    except reporting.ReportNotSafe:
        return None


def _people(counts: Sequence[int]) -> list[dict[str, str]]:
    return [{"ursprung": v} for v, n in zip(VALUES, counts, strict=True) for _ in range(n)]


# --- The attacker ----------------------------------------------------------------------------
def see(model: Model, cells: Sequence[Sequence[int]], shown: Shown) -> None:
    """Every figure of one release: the size, the published cells, withheld cells >= 1 when the
    release published all its zeros. ``cells[v]`` are the atoms that make up value ``v``."""
    model.equal([a for cell in cells for a in cell], shown.size)
    for cell, value in zip(cells, shown.cells, strict=True):
        if value is not None:
            model.equal(cell, value)
        elif shown.zeros_published:
            model.at_least(cell, 1)


def pinned_cells(counts: Sequence[int], shown: Shown, *, integer: bool = True) -> list[int]:
    """The values whose small count the attacker fixes from one release."""
    model = Model(len(counts), integer=integer)
    see(model, [[v] for v in range(len(counts))], shown)
    return [v for v, n in enumerate(counts) if 0 < n < T and pinned(model.interval([v]), n, T)]


@dataclass(frozen=True)
class Exposure:
    what: str
    interval: tuple[float, float]


def _everyone_is(shown: Shown, v: int) -> bool:
    """The release itself shows that every member has value ``v`` (the others published as 0):
    then any member's value is known from it alone, and a leaver's or joiner's adds nothing."""
    return all(c == 0 for w, c in enumerate(shown.cells) if w != v)


def attack_withdrawal(
    before: Sequence[int],
    left: Sequence[int],
    joined: Sequence[int],
    first: Shown,
    second: Shown,
    *,
    integer: bool = True,
) -> list[Exposure]:
    """Atoms stayed/left/joined per value; release 1 shows stayed + left, release 2 stayed + joined.
    Returns every small cell of either release the attacker pins, and every value the attacker can
    prove a leaver (or a joiner) had: its atom's lower bound is at least 1. (Only true values can be
    proved, so only the atoms of members who really left or joined are asked about.)"""
    k = len(before)
    stayed = [b - n for b, n in zip(before, left, strict=True)]
    after = [s + j for s, j in zip(stayed, joined, strict=True)]
    model = Model(3 * k, integer=integer)  # atoms: stayed 0..k-1, left k..2k-1, joined 2k..3k-1
    s, lft, jn = range(k), range(k, 2 * k), range(2 * k, 3 * k)
    see(model, [[s[v], lft[v]] for v in range(k)], first)
    see(model, [[s[v], jn[v]] for v in range(k)], second)
    found = []
    for v in range(k):
        for what, atoms, value in (
            (f"release 1 {VALUES[v]}", [s[v], lft[v]], before[v]),
            (f"release 2 {VALUES[v]}", [s[v], jn[v]], after[v]),
        ):
            if 0 < value < T and pinned(interval := model.interval(atoms), value, T):
                found.append(Exposure(what, interval))
        for what, atom, value, trivial in (
            (f"a leaver was {VALUES[v]}", lft[v], left[v], _everyone_is(first, v)),
            (f"a joiner was {VALUES[v]}", jn[v], joined[v], _everyone_is(second, v)),
        ):
            if value > 0 and not trivial and (interval := model.interval([atom]))[0] >= 1:
                found.append(Exposure(what, interval))
    return found


def compositions(n: int, parts: int = 3) -> Iterator[tuple[int, ...]]:
    """Every way to split ``n`` people over ``parts`` values."""
    for head in product(range(n + 1), repeat=parts - 1):
        if sum(head) <= n:
            yield (*head, n - sum(head))


Withdrawal = tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]


def withdrawals(sizes: range) -> Iterator[Withdrawal]:
    """One member leaves, with no replacement or one of any value."""
    k = len(VALUES)
    for n in sizes:
        for before in compositions(n):
            for v in range(k):
                if before[v] == 0:
                    continue
                left = tuple(int(i == v) for i in range(k))
                for w in (None, *range(k)):
                    yield before, left, tuple(int(i == w) for i in range(k))


def exposures(cases: Sequence[Withdrawal], *, integer: bool = False) -> list[tuple[Any, ...]]:
    exposed: list[tuple[Any, ...]] = []
    firsts: dict[tuple[int, ...], dict[str, Any] | None] = {}
    for before, left, joined in cases:
        if before not in firsts:
            firsts[before] = first_release(before)
        first = firsts[before]
        if first is None:
            continue  # never published
        after = tuple(b - n + j for b, n, j in zip(before, left, joined, strict=True))
        second = next_release(first, after, left, joined)
        if second is None:
            continue  # the report is taken down: the audience keeps release 1 only
        shown = (shown_release(first), shown_release(second))
        found = attack_withdrawal(before, left, joined, *shown, integer=integer)
        exposed += [(before, left, joined, first["withheld"], second["withheld"], e) for e in found]
    return exposed


# --- (a) The old report gives small cells away ---------------------------------------------
def test_the_old_report_fixes_a_small_cell_from_the_printed_size():
    shown = shown_old([5, 5, 1])
    assert shown.cells == (5, 5, None) and shown.size == 11  # "11 people, 5, 5, x"
    model = Model(3)
    see(model, [[0], [1], [2]], shown)
    assert model.interval([2]) == (1, 1)
    assert pinned_cells([5, 5, 1], shown) == [2]


def test_the_old_report_gave_many_small_cells_away_over_panel_sizes_5_to_19():
    pinned_count = exact = 0
    for n in range(5, 20):
        for counts in compositions(n):
            shown = shown_old(counts)
            model = Model(len(counts), integer=False)
            see(model, [[v] for v in range(len(counts))], shown)
            for v, value in enumerate(counts):
                if 0 < value < T:
                    interval = model.interval([v])
                    pinned_count += pinned(interval, value, T)
                    exact += interval[0] == interval[1]
    # When written: 168 small cells pinned (proved under the threshold or fixed), 42 of them fixed.
    assert pinned_count >= 150 and exact >= 40, (pinned_count, exact)


# --- (b) The releases ------------------------------------------------------------------------
def test_the_first_release_pins_no_cell_over_panel_sizes_5_to_19():
    exposed, refused = [], []
    for n in range(5, 20):
        for counts in compositions(n):
            table = first_release(counts)
            if table is None:
                refused.append(counts)
                continue
            assert table["counts"] == list(counts)
            cells = pinned_cells(counts, shown_release(table), integer=False)
            exposed += [(counts, table["withheld"], VALUES[v]) for v in cells]
    assert not exposed, exposed
    # Refusing is for panels too small to hide anything, not a way out.
    assert all(sum(counts) < 2 * T for counts in refused), refused


def test_the_size_and_europe_x_then_ten_people_do_not_say_the_leaver_was_european():
    before, left, joined = (1, 5, 5), (1, 0, 0), (0, 0, 0)
    first = first_release(before)
    assert first is not None and shown_release(first).cells[0] is None  # "11 people, Europa x"
    second = next_release(first, (0, 5, 5), left, joined)
    assert second is not None
    shown = shown_release(second)
    assert shown.size == 10 and shown.cells[0] is None  # "Europa 0" would say who left
    assert not attack_withdrawal(before, left, joined, shown_release(first), shown)
    # The same facts with "Europa 0" published: the attacker proves the leaver was European.
    naive = Shown(10, (0, 5, 5), zeros_published=True)
    found = attack_withdrawal(before, left, joined, shown_release(first), naive)
    assert "a leaver was Europa" in [e.what for e in found]


def test_a_replacement_of_another_origin_does_not_say_the_leavers_or_the_joiners():
    # 11 people, the only European leaves, an Asian replaces them: 11 people again.
    before, left, joined = (1, 5, 5), (1, 0, 0), (0, 1, 0)
    first = first_release(before)
    assert first is not None
    second = next_release(first, (0, 6, 5), left, joined)
    assert second is not None
    assert not attack_withdrawal(before, left, joined, shown_release(first), shown_release(second))


def test_no_withdrawal_pins_a_cell_or_the_leavers_value():
    """Every withdrawal from panels of 5 and 6, and a fixed sample of those from 7 to 19 (all
    15,675 take half an hour)."""
    cases = list(withdrawals(range(5, 7)))
    cases += random.Random(16).sample(list(withdrawals(range(7, 20))), 150)
    exposed = exposures(cases)
    assert not exposed, "\n".join(map(str, exposed[:40]))


# --- End to end: the page the anonymous audience reads ---------------------------------------
def _read_report(html: str) -> tuple[int, int, list[int | None]]:
    """(release number, size, the one table's cells) exactly as printed on the report page."""
    number = re.search(r'data-release="(\d+)"', html)
    size = re.search(r'data-size="(\d+)"', html)
    assert number is not None and size is not None
    if 'data-table="report-1"' not in html:  # nothing shown: said in words instead of a table of x
        assert "data-report-too-small" in html
        return int(number.group(1)), int(size.group(1)), [None] * len(VALUES)
    body = html[html.index('data-table="report-1"') :]
    body = body[: body.index("</table>")]
    cells = re.findall(r'<td class="govuk-table__cell sv-num">([^<]*)</td>', body)
    values = re.findall(r'<th scope="row" class="govuk-table__header">([^<]*)</th>', body)
    assert [unescape(v) for v in values] == list(VALUES)
    return int(number.group(1)), int(size.group(1)), [None if c == "x" else int(c) for c in cells]


@pytest.mark.django_db
def test_the_published_pages_before_and_after_the_only_european_withdraws(
    client, django_capture_on_commit_callbacks
):
    from samverkan.accounts.actors import actor_for_user
    from samverkan.accounts.tests.factories import member, organisation
    from samverkan.panels import services
    from samverkan.panels.selectors import members_of

    org = organisation()
    actor = actor_for_user(member("coordinator", org))
    origins = ["Europa"] + ["Asien"] * 6 + ["Afrika"] * 6
    lines = ["id,ursprung"] + [f"F{i:02d},{o}" for i, o in enumerate(origins)]
    pool = services.pool_create(
        actor=actor,
        owner_id=org.pk,
        name="Fiktiv pool",
        panel_size=11,
        data=("\n".join(lines) + "\n").encode(),
        filename="people.csv",
        id_column="id",
        feature_columns=["ursprung"],
    )
    rows = [services.QuotaRow("ursprung", "Europa", 1, 1)]
    rows += [services.QuotaRow("ursprung", v, 5, 5) for v in ("Asien", "Afrika")]
    services.pool_quotas_set(actor=actor, pool=pool, rows=rows, source="hand")
    with django_capture_on_commit_callbacks(execute=True):
        run = services.run_start(actor=actor, pool=pool, seed="1")
    run.refresh_from_db()
    services.run_publish(actor=actor, run=run)
    url = f"/panels/reports/{run.pk}/"
    number, size, cells = _read_report(client.get(url).content.decode())
    assert (number, size, cells[0]) == (1, 11, None)
    european = next(m for m in members_of(run) if m.volunteer.features["ursprung"] == "Europa")
    assert services.member_withdraw(actor=actor, run=run, member_id=european.pk) is None  # no replacement
    number2, size2, cells2 = _read_report(client.get(url).content.decode())
    assert (number2, size2) == (2, 10) and cells2[0] is None
    # What the pages printed is what the stored releases say (and whether they withheld a zero).
    first, second = (shown_release(r.tables[0]) for r in run.releases.order_by("number"))
    assert (first.size, first.cells) == (size, tuple(cells)) and first.zeros_published
    assert (second.size, second.cells) == (size2, tuple(cells2)) and not second.zeros_published  # Europa 0
    assert not attack_withdrawal((1, 5, 5), (1, 0, 0), (0, 0, 0), first, second)


# --- (c) Values counted together (quota groups) ------------------------------------------------
# The report counts together the values its quotas expect to have fewer than T members each
# (``reporting.quota_groups``): here Europa and Amerika, whose quotas are 0 to 4. The audience sees
# the rows (Asien, Afrika, "Europa, Amerika") and the size. The attacker's atoms are the members
# per *value*, so a row counted together is the sum of its values' atoms: the attacker must not fix
# a small value's count inside a row, nor a small row, in one release or across a withdrawal.
GROUPED = ("Asien", "Afrika", "Europa", "Amerika")
GROUPED_QUOTAS = [["ursprung", "Asien", 5, 15, None], ["ursprung", "Afrika", 5, 15, None]] + [
    ["ursprung", v, 0, 4, None] for v in ("Europa", "Amerika")
]
ROWS = [[0], [1], [2, 3]]  # the values each row counts


def _grouped_people(counts: Sequence[int]) -> list[dict[str, str]]:
    return [{"ursprung": v} for v, n in zip(GROUPED, counts, strict=True) for _ in range(n)]


def _grouped_release(
    counts: Sequence[int],
    previous: dict[str, Any] | None = None,
    left: Sequence[int] = (0, 0, 0, 0),
    joined: Sequence[int] = (0, 0, 0, 0),
) -> dict[str, Any] | None:
    stored = None if previous is None else {"threshold": T, "protection": T, "tables": [previous]}
    try:
        return reporting.release_tables(
            GROUPED_QUOTAS,
            _grouped_people(counts),
            threshold=T,
            previous=stored,
            left=_grouped_people(left),
            joined=_grouped_people(joined),
            panel_size=sum(counts) if previous is None else None,
        )[0]
    except reporting.ReportNotSafe:
        return None


def _see_rows(model: Model, atoms_of_value: Sequence[Sequence[int]], shown: Shown) -> None:
    see(model, [[a for v in row for a in atoms_of_value[v]] for row in ROWS], shown)


def _grouped_exposures(counts: Sequence[int], shown: Shown) -> list[str]:
    model = Model(len(GROUPED), integer=False)
    _see_rows(model, [[v] for v in range(len(GROUPED))], shown)
    found = []
    for v, n in enumerate(counts):  # each value, alone or inside its row
        if pinned(model.interval([v]), n, T):
            found.append(f"{GROUPED[v]} = {n}")
    for row in ROWS:  # each row
        n = sum(counts[v] for v in row)
        if pinned(model.interval(row), n, T):
            found.append(f"row {[GROUPED[v] for v in row]} = {n}")
    return found


def test_the_rows_counted_together_are_the_quotas_and_show_what_single_values_would_not():
    assert reporting.quota_groups(GROUPED_QUOTAS, 12, T) == {
        "ursprung": [["Asien"], ["Afrika"], ["Europa", "Amerika"]]
    }
    table = _grouped_release((6, 5, 3, 2))
    assert table is not None and table["values"] == ["Asien", "Afrika", "Europa, Amerika"]
    # Alone, Europa 3 and Amerika 2 would both be withheld; together they are 5 and shown.
    assert shown_release(table).cells == (6, 5, 5)
    # The attacker is not blind: the same row published as 1 would give Europa (or Amerika) away.
    assert _grouped_exposures((6, 5, 1, 0), Shown(12, (6, 5, 1), zeros_published=True))


def test_values_counted_together_pin_no_small_value_or_row_in_one_release():
    """Every panel of 5 to 10 over the four values, and a fixed sample of those of 11 to 19."""
    cases = [c for n in range(5, 11) for c in compositions(n, 4)]
    cases += random.Random(18).sample([c for n in range(11, 20) for c in compositions(n, 4)], 200)
    exposed, refused = [], []
    for counts in cases:
        table = _grouped_release(counts)
        if table is None:
            refused.append(counts)
            continue
        assert table["counts"] == [counts[0], counts[1], counts[2] + counts[3]]
        exposed += [(counts, e) for e in _grouped_exposures(counts, shown_release(table))]
    assert not exposed, exposed[:20]
    assert all(sum(c) < 2 * T for c in refused), refused[:20]


def test_values_counted_together_give_nothing_away_across_a_withdrawal():
    """A member of any value leaves, with no replacement or one of any value: neither release pins
    a small value or row, and neither proves which value the leaver or the joiner had."""
    k = len(GROUPED)
    cases = []
    for n in range(6, 20):
        for before in compositions(n, k):
            for v in (v for v in range(k) if before[v]):
                for w in (None, *range(k)):
                    cases.append(
                        (before, tuple(int(i == v) for i in range(k)), tuple(int(i == w) for i in range(k)))
                    )
    exposed = []
    for before, left, joined in random.Random(19).sample(cases, 150):
        first = _grouped_release(before)
        if first is None:
            continue
        after = tuple(b - n + j for b, n, j in zip(before, left, joined, strict=True))
        second = _grouped_release(after, first, left, joined)
        if second is None:
            continue  # taken down: the audience keeps release 1
        assert second["groups"] == first["groups"]
        model = Model(3 * k, integer=False)  # atoms: stayed, left, joined per value
        stayed_atoms = [[v, k + v] for v in range(k)]
        joined_atoms = [[v, 2 * k + v] for v in range(k)]
        _see_rows(model, stayed_atoms, shown_release(first))
        _see_rows(model, joined_atoms, shown_release(second))
        stayed = [b - n for b, n in zip(before, left, strict=True)]
        for v in range(k):
            for what, atoms, value in (
                ("release 1", [v, k + v], before[v]),
                ("release 2", [v, 2 * k + v], stayed[v] + joined[v]),
            ):
                if pinned(model.interval(atoms), value, T):
                    exposed.append((before, left, joined, f"{what} {GROUPED[v]} = {value}"))
        # Which row a leaver (or joiner) was in: not provable, unless the release itself shows
        # everyone in that row (then anyone's row is known from it alone).
        for r, row in enumerate(ROWS):
            for what, offset, moved, release in (
                ("a leaver", k, left, first),
                ("a joiner", 2 * k, joined, second),
            ):
                everyone = all(c == 0 for q, c in enumerate(shown_release(release).cells) if q != r)
                atoms = [offset + v for v in row]
                if sum(moved[v] for v in row) and not everyone and model.interval(atoms)[0] >= 1:
                    exposed.append((before, left, joined, f"{what} was in {[GROUPED[v] for v in row]}"))
    assert not exposed, exposed[:20]
