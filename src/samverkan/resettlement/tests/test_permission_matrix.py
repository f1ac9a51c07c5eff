"""Permission matrix for resettlement (issue #17): who × action, one parametrized cell each.

Who: each role (administrator, coordinator, case officer, editor, reader) of the placing agency, of
the municipality that receives case K-1 (Östersund) and of another receiving municipality
(Göteborg, which receives K-2); the administrator of an association located in Östersund and of
another government agency; platform staff (superuser, no membership); an agency case officer who
has not passed the second factor; anonymous visitors; and, for the selectors, the system actor.

Actions: every selector that takes an actor and returns personal data (or guards the pages that
show it), and every page that shows it. The JSON API routes have
the same matrix in ``test_api.py``.

Each cell asserts the outcome: allowed (the data is returned or shown), or ``NotFound`` / 404
(the same as a missing id), 403 for the start page, the login redirect for anonymous visitors, the
two-factor redirect without a second factor. An allowed read of personal data writes exactly one
audit event, by the reader, filed under the organisation whose data it is; a refused one writes
nothing at all.

The data (reception numbers, cases K-1..K-4, an approved run placing them, a second proposed run,
users) is built once per module inside a transaction that is rolled back at the end, like Django's
``setUpTestData``; each test runs in a savepoint of its own on top of it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import TestCase

from samverkan.accounts.tests.factories import UserFactory, member, organisation
from samverkan.accounts.tests.helpers import actor_named, verified_login
from samverkan.core.actor import Actor
from samverkan.core.errors import NotFound
from samverkan.core.tests.worlds import (
    assert_same_answer,
    audit_events_since,
    last_audit_seq,
    module_data,
)
from samverkan.resettlement import selectors, services
from samverkan.resettlement.models import Case, Observation, PlacementRun, RunStatus
from samverkan.resettlement.tests.factories import (
    CASES_CSV,
    GOTEBORG,
    OSTERSUND,
    RECEPTION_CSV,
    YEAR,
    agency,
    municipality_org,
    officer,
)

pytestmark = pytest.mark.django_db

ROLES = ["administrator", "coordinator", "case_officer", "editor", "reader"]
OFFICER_ROLES = ("administrator", "coordinator", "case_officer")  # the roles that handle personal data

MEMBERS = [f"{org}-{role}" for org in ("agency", "receiving", "other_municipality") for role in ROLES] + [
    "local_ngo-administrator",  # an association whose organisation names Östersund as its municipality
    "other_agency-administrator",  # a government agency that is not the placing agency
    "platform_staff",  # is_staff and is_superuser, no membership
]
HTTP_WHO = [*MEMBERS, "agency-case_officer-no2fa", "anonymous"]
SELECTOR_WHO = [*MEMBERS, "anonymous", "system"]

AGENCY = {f"agency-{r}" for r in OFFICER_ROLES}
RECEIVING = {f"receiving-{r}" for r in OFFICER_ROLES}
OTHER_MUNICIPALITY = {f"other_municipality-{r}" for r in OFFICER_ROLES}
ANY_OFFICER = AGENCY | RECEIVING | OTHER_MUNICIPALITY


@dataclass(frozen=True)
class World:
    org: dict[str, int]  # agency, receiving, other_municipality, local_ngo, other_agency
    users: dict[str, Any]  # who -> User
    approved_run: int  # places K-1 and K-3 in Östersund, K-2 in Göteborg, K-4 in Kiruna
    proposed_run: int  # started before the approval: still proposed, can be discarded


def _build() -> World:
    orgs = {
        "agency": agency(),
        "receiving": municipality_org(OSTERSUND),
        "other_municipality": municipality_org(GOTEBORG),
    }
    orgs["local_ngo"] = organisation(kind="ngo", municipality_id=OSTERSUND)
    orgs["other_agency"] = organisation(kind="agency")
    users: dict[str, Any] = {}
    for who in MEMBERS:
        if who == "platform_staff":
            users[who] = UserFactory(is_staff=True, is_superuser=True)
        else:
            org, role = who.split("-")
            users[who] = member(role, orgs[org])
    users["agency-case_officer-no2fa"] = member("case_officer", orgs["agency"])

    actor = officer()
    services.reception_import(actor=actor, year=YEAR, data=RECEPTION_CSV, filename="m.csv")
    services.case_import(actor=actor, year=YEAR, data=CASES_CSV, filename="c.csv")
    with TestCase.captureOnCommitCallbacks(execute=True):
        approved = services.run_start(actor=actor, year=YEAR, time_limit=10)
    with TestCase.captureOnCommitCallbacks(execute=True):
        proposed = services.run_start(actor=actor, year=YEAR, time_limit=10)
    approved.refresh_from_db()
    services.run_approve(actor=actor, run=approved)
    # K-1's family has arrived: its follow-up can be recorded (not before the arrival)
    Case.objects.filter(reference="K-1").update(expected_arrival=dt.date.today() - dt.timedelta(days=30))
    placed = dict(Case.objects.values_list("reference", "placed_in_id"))
    assert placed["K-1"] == OSTERSUND and placed["K-2"] == GOTEBORG, placed  # what the matrix assumes
    assert PlacementRun.objects.get(pk=proposed.pk).status == RunStatus.PROPOSED
    return World({k: o.pk for k, o in orgs.items()}, users, approved.pk, proposed.pk)


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    """The module's data, built once (``core.tests.worlds.module_data``)."""
    with module_data(django_db_blocker, _build) as built:
        yield built


# --- Selectors --------------------------------------------------------------------------------
# selector -> who may read (anyone else: NotFound, or nothing of K-1 for the list of packets)
SELECTOR_ALLOWED: dict[str, set[str]] = {
    "case_list_for": AGENCY | {"system"},
    "case_counts_for": AGENCY | {"system"},
    "run_get_for": AGENCY | {"system"},
    "run_list_for": AGENCY | {"system"},
    "proposals_for": AGENCY | {"system"},
    "case_persons_for": AGENCY | {"system"},
    "packet_cases_for": RECEIVING,
    "packet_case_for": AGENCY | RECEIVING | {"system"},
    "followup_persons_for": RECEIVING,
    "prevalence": ANY_OFFICER | {"system"},
}
# selector -> (event code, whose organisation it is filed under): the reads the selector logs itself
SELECTOR_LOGS = {
    "case_list_for": ("resettlement.cases.listed", "agency"),
    "proposals_for": ("resettlement.run.viewed", "agency"),
    "case_persons_for": ("resettlement.case.viewed", "agency"),
    "followup_persons_for": ("resettlement.followup.viewed", "receiving"),
}
# counts, run metadata and suppressed aggregates: not personal data, never logged
SELECTOR_SILENT = {"case_counts_for", "run_get_for", "run_list_for", "prevalence"}


def _read(name: str, actor: Actor, world: World) -> Callable[[], Any]:
    run = PlacementRun.objects.get(pk=world.approved_run)
    case = Case.objects.get(reference="K-1")
    return {
        "case_list_for": lambda: [c.reference for c in selectors.case_list_for(actor=actor, year=YEAR)],
        "case_counts_for": lambda: selectors.case_counts_for(actor=actor, year=YEAR),
        "run_get_for": lambda: selectors.run_get_for(actor=actor, run_id=run.pk).pk,
        "run_list_for": lambda: list(selectors.run_list_for(actor=actor).values_list("pk", flat=True)),
        "proposals_for": lambda: [p.case.reference for p in selectors.proposals_for(actor=actor, run=run)],
        "case_persons_for": lambda: [
            p.position for p in selectors.case_persons_for(actor=actor, run=run, case=case)
        ],
        "packet_cases_for": lambda: [c.reference for c in selectors.packet_cases_for(actor=actor)],
        "packet_case_for": lambda: selectors.packet_case_for(actor=actor, reference="K-1").reference,
        "followup_persons_for": lambda: [
            p.position for p in selectors.followup_persons_for(actor=actor, case=case)
        ],
        "prevalence": lambda: selectors.prevalence(actor=actor),
    }[name]


# what an allowed read returns (personal data of K-1 or the run; for prevalence: no release yet)
SELECTOR_RESULT: dict[str, Callable[[Any, World], bool]] = {
    "case_list_for": lambda r, w: r == ["K-1", "K-2", "K-3", "K-4"],
    "case_counts_for": lambda r, w: r == (4, 0),
    "run_get_for": lambda r, w: r == w.approved_run,
    "run_list_for": lambda r, w: sorted(r) == sorted([w.approved_run, w.proposed_run]),
    "proposals_for": lambda r, w: sorted(r) == ["K-1", "K-2", "K-3", "K-4"],
    "case_persons_for": lambda r, w: r == [1, 2, 3],
    "packet_cases_for": lambda r, w: sorted(r) == ["K-1", "K-3"],
    "packet_case_for": lambda r, w: r == "K-1",
    "followup_persons_for": lambda r, w: r == [1, 2, 3],
    "prevalence": lambda r, w: r.number is None and r.rows == [],
}


@pytest.mark.parametrize("name", sorted(SELECTOR_ALLOWED))
@pytest.mark.parametrize("who", SELECTOR_WHO)
def test_selector_matrix(world: World, who: str, name: str) -> None:
    actor = actor_named(who, world.users)
    read = _read(name, actor, world)
    before = last_audit_seq()
    allowed = who in SELECTOR_ALLOWED[name]
    if name == "packet_cases_for":
        # a list, never NotFound: each municipality sees the packets placed with it, nobody else any
        shown = read()
        own = ["K-2"] if who in OTHER_MUNICIPALITY else []
        assert SELECTOR_RESULT[name](shown, world) if allowed else sorted(shown) == own
    elif allowed:
        assert SELECTOR_RESULT[name](read(), world)
    else:
        with pytest.raises(NotFound):
            read()
    events = audit_events_since(before)
    if not allowed or name in SELECTOR_SILENT:
        assert events == []
    elif name in SELECTOR_LOGS:
        code, whose = SELECTOR_LOGS[name]
        [event] = events
        assert event.code == code
        assert event.organisation_id == world.org[whose]
        assert event.actor_user_id == actor.user_id


# --- Pages ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Page:
    url: str  # {run} and {proposed} are filled in
    allowed: frozenset[str]
    denied_status: int = 404
    method: str = "get"
    data: dict[str, Any] | None = None
    allowed_status: int = 200
    event: tuple[str, str] | None = None  # (code, whose organisation: a key of World.org, or "own")
    shows: str | None = None  # what an allowed page must show (personal data of K-1)


PAGES = {
    "home": Page(f"/resettlement/?year={YEAR}", frozenset(ANY_OFFICER), denied_status=403),
    "reception_list": Page(f"/resettlement/reception/{YEAR}/", frozenset(ANY_OFFICER)),
    "dashboard": Page("/resettlement/followup/", frozenset(ANY_OFFICER)),
    "case_list": Page(
        f"/resettlement/cases/{YEAR}/",
        frozenset(AGENCY),
        event=("resettlement.cases.listed", "agency"),
        shows='data-case="K-1"',
    ),
    "run_detail": Page(
        "/resettlement/runs/{run}/",
        frozenset(AGENCY),
        event=("resettlement.run.viewed", "agency"),
        shows='data-case="K-1"',
    ),
    "run_status": Page("/resettlement/runs/{run}/status/", frozenset(AGENCY)),
    "proposal_detail": Page(
        "/resettlement/runs/{run}/cases/K-1/",
        frozenset(AGENCY),
        event=("resettlement.case.viewed", "agency"),
        shows="Kronisk sjukdom",  # person 2's need (SM-CI), by its name in the page's language
    ),
    "packet_list": Page(
        "/resettlement/packets/",
        frozenset(RECEIVING | OTHER_MUNICIPALITY),
        event=("resettlement.packets.listed", "own"),
    ),
    "packet_detail": Page(
        "/resettlement/packets/K-1/",
        frozenset(AGENCY | RECEIVING),
        event=("resettlement.packet.viewed", "receiving"),
        shows='data-packet="K-1"',
    ),
    "packet_print": Page(
        "/resettlement/packets/K-1/?print=1",
        frozenset(AGENCY | RECEIVING),
        event=("resettlement.packet.viewed", "receiving"),
        shows='data-packet="K-1"',
    ),
    "followup": Page(
        "/resettlement/packets/K-1/followup/",
        frozenset(RECEIVING),
        event=("resettlement.followup.viewed", "receiving"),
        shows="SM-CI",
    ),
    "followup_save": Page(
        "/resettlement/packets/K-1/followup/",
        frozenset(RECEIVING),
        method="post",
        data={"person_1": ["TR"], "person_2": ["SM-CI"], "person_3": ["none"]},
        allowed_status=302,
        event=("resettlement.followup.recorded", "receiving"),
    ),
    "run_discard": Page(
        "/resettlement/runs/{proposed}/discard/",
        frozenset(AGENCY),
        method="post",
        data={"confirmed": "yes"},  # the answer to "Discard the placement?"
        allowed_status=302,
        event=("resettlement.run.discarded", "agency"),
    ),
}


def _url(page: Page, world: World) -> str:
    return page.url.format(run=world.approved_run, proposed=world.proposed_run)


def _state(name: str, world: World) -> Any:
    """What a write changes: compared before and after a refused one."""
    if name == "followup_save":
        return Observation.objects.filter(person__case__reference="K-1").count()
    if name == "run_discard":
        return PlacementRun.objects.get(pk=world.proposed_run).status
    return None


def _filed_under(whose: str, who: str, world: World) -> int:
    """The organisation an allowed read is logged under: the reader's own municipality for its
    packet list; the receiving municipality for its packets and follow-up, except that the
    agency's own reads of a packet are filed under the agency; otherwise ``whose``."""
    if whose == "own" or (whose == "receiving" and who in RECEIVING):
        return world.org[who.split("-")[0]]
    if whose == "receiving" and who in AGENCY:
        return world.org["agency"]
    return world.org[whose]


@pytest.mark.parametrize("name", list(PAGES))
@pytest.mark.parametrize("who", HTTP_WHO)
def test_page_matrix(client: Any, world: World, who: str, name: str) -> None:
    page = PAGES[name]
    url = _url(page, world)
    user = world.users.get(who)
    if who == "agency-case_officer-no2fa":
        client.force_login(user)
    elif user is not None:
        verified_login(client, user)
    state = _state(name, world)
    before = last_audit_seq()
    response = getattr(client, page.method)(url, page.data or {})
    events = audit_events_since(before)
    body = response.content.decode()

    if who == "anonymous":
        assert response.status_code == 302
        assert response["Location"] == f"{resolve_url(settings.LOGIN_URL)}?next={quote(url, safe='/')}"
    elif who == "agency-case_officer-no2fa":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/two-factor/")
    elif who in page.allowed:
        assert response.status_code == page.allowed_status, body[:500]
        if page.shows:
            assert page.shows in body
        if name == "packet_list":  # each municipality's own packets, and only those
            assert ('data-case="K-1"' in body) is (who in RECEIVING)
            assert ('data-case="K-2"' in body) is (who in OTHER_MUNICIPALITY)
        if page.event is None:
            assert events == []
        else:
            code, whose = page.event
            assert [(e.code, e.actor_user_id, e.organisation_id) for e in events] == [
                (code, user.pk, _filed_under(whose, who, world))
            ]
        if page.method == "post":
            assert _state(name, world) != state
        return
    else:
        assert response.status_code == page.denied_status
    # refused: nothing shown, nothing logged, nothing changed
    assert "K-1" not in body and "SM-CI" not in body
    assert events == []
    assert _state(name, world) == state


# --- A refused id is the same answer as a missing one -------------------------------------------
PROBES = {
    # page: (who is refused there, the same address with an id that does not exist)
    "run_detail": ("receiving-administrator", "/resettlement/runs/999999/"),
    "run_status": ("receiving-administrator", "/resettlement/runs/999999/status/"),
    "proposal_detail": ("receiving-administrator", "/resettlement/runs/999999/cases/K-1/"),
    "packet_detail": ("other_municipality-administrator", "/resettlement/packets/K-999/"),
    "followup": ("agency-administrator", "/resettlement/packets/K-999/followup/"),
}


@pytest.mark.parametrize("name", list(PROBES))
def test_a_refused_page_cannot_be_told_from_a_missing_one(client: Any, world: World, name: str) -> None:
    who, missing = PROBES[name]
    verified_login(client, world.users[who])
    assert assert_same_answer(client, _url(PAGES[name], world), missing) == 404
    # an officer's missing-case address on an existing run is 404 too (no existence oracle there)
    verified_login(client, world.users["agency-administrator"])
    assert client.get(f"/resettlement/runs/{world.approved_run}/cases/K-999/").status_code == 404
