"""Participants' anonymous answers leave the platform only under the disclosure rule: small counts
are withheld (x), and where needed one more, on the overview and on a session's plan page; the
organisers' own figures (registrations, check-ins) are shown as they are."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import re
from unittest import mock

import numpy as np
import pytest
from django.utils import timezone

from samverkan.accounts.actors import actor_for_user
from samverkan.accounts.tests.factories import member
from samverkan.accounts.tests.helpers import verified_login
from samverkan.core.actor import Actor
from samverkan.meetingplace import selectors, services
from samverkan.meetingplace.models import Evaluation, Session
from samverkan.meetingplace.tests.factories import session
from samverkan.statistics import disclosure

pytestmark = pytest.mark.django_db

THRESHOLD = 5


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _answers(understood: tuple[int, int, int], useful: tuple[int, int, int]) -> list[tuple[int, int]]:
    """Answers with the given counts per rating (no, partly, yes) for each question."""
    first = [r for r, n in zip(selectors.RATINGS, understood, strict=True) for _ in range(n)]
    second = [r for r, n in zip(selectors.RATINGS, useful, strict=True) for _ in range(n)]
    assert len(first) == len(second)
    return list(zip(first, second, strict=True))


def _past_session_with(
    understood: tuple[int, int, int],
    useful: tuple[int, int, int],
    registered: int = 0,
    *,
    closed: bool = True,
) -> Session:
    """A session with these answers; ``closed``: its answering window (two weeks) is over."""
    the_session = session()
    for i in range(registered):
        services.registration_create(
            actor=Actor.anonymous(), session=the_session, name=f"P{i}", email=f"p{i}@example.invalid"
        )
    start = timezone.now() - dt.timedelta(days=15 if closed else 0, hours=3)
    Session.objects.filter(pk=the_session.pk).update(starts_at=start, ends_at=start + dt.timedelta(hours=2))
    for u, v in _answers(understood, useful):
        Evaluation.objects.create(session=the_session, understood=u, useful=v)
    the_session.refresh_from_db()
    return the_session


def _overview_row(client, the_session: Session) -> str:
    org = the_session.activity.organiser
    verified_login(client, member("coordinator", org))
    day = timezone.localdate(the_session.starts_at)
    body = client.get(
        "/meetingplace/overview/",
        {
            "organiser": org.pk,
            "start": str(day - dt.timedelta(days=1)),
            "end": str(day + dt.timedelta(days=1)),
        },
    ).content.decode()
    match = re.search(rf'<tr[^>]*data-session="{the_session.pk}".*?</tr>', body, re.S)
    assert match, body
    return match.group(0)


def _cell(row: str, name: str) -> str:
    match = re.search(rf"<td[^>]*data-{name}>(.*?)</td>", row, re.S)
    assert match, row
    return match.group(1).strip()


# --- The figures ------------------------------------------------------------------------------------
def test_no_answers_are_zero_and_have_no_share():
    figures = selectors.evaluation_figures([], threshold=THRESHOLD)
    assert figures.answers == 0 and figures.understood == (0, 0, 0) and not figures.withheld
    assert figures.understood_share is None and figures.useful_share is None


def test_enough_answers_show_every_count_and_the_share_of_yes():
    figures = selectors.evaluation_figures(_answers((0, 5, 10), (5, 5, 5)), threshold=THRESHOLD)
    assert (figures.answers, figures.understood, figures.useful) == (15, (0, 5, 10), (5, 5, 5))
    assert figures.understood_share == pytest.approx(10 / 15) and figures.useful_share == pytest.approx(1 / 3)


def test_a_few_answers_are_withheld_whatever_they_say():
    for understood, useful in [((0, 0, 1), (1, 0, 0)), ((1, 1, 2), (0, 0, 4)), ((0, 0, 4), (0, 0, 4))]:
        figures = selectors.evaluation_figures(_answers(understood, useful), threshold=THRESHOLD)
        assert figures.answers is None and figures.withheld
        assert figures.understood_share is None and figures.useful_share is None
        # only "nobody" is published: the zeros
        assert [n for n in figures.understood if n is not None] == [0] * understood.count(0)
        assert [n for n in figures.useful if n is not None] == [0] * useful.count(0)


def test_a_small_count_is_withheld_with_one_more_so_that_the_share_cannot_give_it_away():
    # 11 of 12 understood: the one who did not is withheld, and with them the 11 ("yes"), since
    # 12 answers minus 11 would name them again
    figures = selectors.evaluation_figures(_answers((1, 0, 11), (0, 0, 12)), threshold=THRESHOLD)
    assert figures.answers == 12 and figures.understood == (None, 0, None)
    assert figures.understood_share is None
    assert figures.useful == (0, 0, 12) and figures.useful_share == 1.0


def test_the_number_of_answers_is_withheld_in_both_questions_or_in_neither():
    # "Understood" alone would show 5 yes and withhold the total; "useful" alone would show all 8
    # answers as yes, so the total, and with it the 3 who did not understand, would be out.
    alone = [disclosure.protect(np.array(t), THRESHOLD) for t in ((3, 0, 5), (0, 0, 8))]
    assert alone[0].is_suppressed((None,)) and not alone[1].is_suppressed((None,))
    figures = selectors.evaluation_figures(_answers((3, 0, 5), (0, 0, 8)), threshold=THRESHOLD)
    assert figures.answers is None
    assert figures.understood == (None, 0, None) and figures.useful == (0, 0, None)


def test_no_small_count_can_be_worked_out_from_everything_shown():
    """Every pair of answer tables with up to 7 answers, attacked with integers. The attacker sees
    every figure shown, knows that a withheld count is at least 1 (zeros are published) and that
    both questions have the same number of answers. Each count from 1 to 4, and a number of answers
    under 5, must be open at least the threshold upwards and, downwards, to 1 or to what the
    pattern alone implies (one per withheld count, in either question), as the disclosure package
    requires of every table it protects."""
    real_protect = disclosure.protect
    protect_once = functools.lru_cache(maxsize=None)(lambda t, k: real_protect(np.array(t), k))
    cap = 7 + 3 * THRESHOLD  # totals up to here stand for "no upper bound"
    with mock.patch.object(
        disclosure, "protect", side_effect=lambda t, k: protect_once(tuple(int(x) for x in t), k)
    ):
        for n in range(8):
            tables = [t for t in itertools.product(range(n + 1), repeat=3) if sum(t) == n]
            for understood, useful in itertools.product(tables, repeat=2):
                _attack(understood, useful, n, cap)


def _attack(understood: tuple[int, ...], useful: tuple[int, ...], n: int, cap: int) -> None:
    figures = selectors.evaluation_figures(_answers(understood, useful), threshold=THRESHOLD)
    case = f"understood {understood}, useful {useful}: {figures}"
    shown = (figures.understood, figures.useful)
    known = [sum(c for c in cells if c is not None) for cells in shown]
    hidden = [[i for i, c in enumerate(cells) if c is None] for cells in shown]
    # the totals both tables allow: each withheld count at least 1, published counts as shown
    floor = max(k + len(h) for k, h in zip(known, hidden, strict=True))
    if figures.answers is not None:
        possible = [figures.answers]
    else:
        possible = [
            t for t in range(floor, cap + 1) if all(h or t == k for k, h in zip(known, hidden, strict=True))
        ]
    assert n in possible, case
    if 0 < n < THRESHOLD:
        assert figures.answers is None and min(possible) <= floor and max(possible) == cap, case
    for table, k, h in zip((understood, useful), known, hidden, strict=True):
        for i, value in enumerate(table):
            if not 0 < value < THRESHOLD:
                continue
            assert i in h, case
            if len(h) == 1:  # the total less what is shown
                lowest, highest, cell_floor = min(possible) - k, max(possible) - k, floor - k
            else:
                lowest, highest, cell_floor = 1, max(possible) - k - (len(h) - 1), 1
            assert lowest <= max(value - THRESHOLD, cell_floor, 1), case
            assert highest >= value + THRESHOLD, case


# --- The pages --------------------------------------------------------------------------------------
def test_the_overview_shows_the_organisers_figures_and_withholds_a_few_answers(client):
    the_session = _past_session_with((1, 0, 2), (0, 1, 2), registered=2)
    row = _overview_row(client, the_session)
    assert _cell(row, "registered") == "2"  # the organiser's own list, not a publication
    assert (_cell(row, "answers"), _cell(row, "understood"), _cell(row, "useful")) == ("x", "x", "x")
    assert (
        "figures under 5, and the figures that would reveal them, are withheld (x)"
        in client.get(
            "/meetingplace/overview/",
            {
                "organiser": the_session.activity.organiser_id,
                "start": str(timezone.localdate(the_session.starts_at)),
                "end": str(timezone.localdate(the_session.starts_at)),
            },
        ).content.decode()
    )


def test_the_overview_shows_shares_where_the_counts_are_published(client):
    the_session = _past_session_with((1, 0, 11), (0, 5, 7))
    row = _overview_row(client, the_session)
    assert _cell(row, "answers") == "12"
    assert _cell(row, "understood") == "x"  # 11 of 12 would name the one who did not understand
    assert _cell(row, "useful") == "58 %"


def test_the_plan_page_withholds_small_counts_of_answers(client):
    the_session = _past_session_with((1, 0, 11), (0, 0, 12))
    staff = member("coordinator", the_session.activity.organiser)
    verified_login(client, staff)
    body = client.get(f"/meetingplace/sessions/{the_session.pk}/plan/").content.decode()
    table = re.search(r'<table[^>]*data-table="evaluation".*?</table>', body, re.S).group(0)
    cells = re.findall(r'<td class="govuk-table__cell sv-num">(.*?)</td>', table)
    assert cells == ["x", "0", "x", "0", "0", "12"]
    assert "12 answers." in body and "data-withheld" in body

    few = _past_session_with((0, 1, 2), (0, 0, 3))
    verified_login(client, member("coordinator", few.activity.organiser))
    body = client.get(f"/meetingplace/sessions/{few.pk}/plan/").content.decode()
    table = re.search(r'<table[^>]*data-table="evaluation".*?</table>', body, re.S).group(0)
    assert re.findall(r'<td class="govuk-table__cell sv-num">(.*?)</td>', table) == [
        "0",
        "x",
        "x",
        "0",
        "0",
        "x",
    ]
    assert "Answers: x" in body and "3 answers" not in body


def test_the_overview_is_for_the_organisers_staff_only():
    the_session = _past_session_with((0, 0, 5), (0, 0, 5))
    org = the_session.activity.organiser
    day = timezone.localdate(the_session.starts_at)
    planner = actor_for_user(member("editor", org))
    (row,) = selectors.overview(actor=planner, organiser_id=org.pk, start=day, end=day)
    assert row.evaluation.answers == 5 and row.evaluation.understood_share == 1.0


def test_no_answer_is_shown_while_participants_can_still_answer(client):
    """Otherwise reading the figures before and after one more answer would tell that answer."""
    the_session = _past_session_with((0, 0, 12), (0, 5, 7), closed=False)
    row = _overview_row(client, the_session)
    assert (_cell(row, "answers"), _cell(row, "understood"), _cell(row, "useful")) == ("x", "x", "x")
    body = client.get(f"/meetingplace/sessions/{the_session.pk}/plan/").content.decode()
    assert "data-open" in body and "12 answers" not in body
    Session.objects.filter(pk=the_session.pk).update(starts_at=timezone.now() - dt.timedelta(days=15))
    the_session.refresh_from_db()
    assert _cell(_overview_row(client, the_session), "answers") == "12"
