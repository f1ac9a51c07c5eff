"""Permission matrix for panels (issue #17): who × action, one parametrized cell each.

Who: each role (administrator, coordinator, case officer, editor, reader) of the organisation that
owns the pool and of another organisation (which owns a pool of its own); platform staff
(superuser, no membership); an owner's coordinator who has not passed the second factor; anonymous
visitors; and, for the selectors, the system actor (which runs the lottery).

Actions: every selector that takes an actor (pools, runs, the member list, the panel export, the
lottery's input files, the report) and every page of ``panels/urls.py``: lists, the pool and run
pages, panel.csv/.xlsx, people.csv/features.csv, the report (unpublished and published), and the
writes (start a run, withdraw a member, publish, erase the pool). The JSON API routes have
the same matrix in ``test_api.py``.

Each cell asserts the outcome: allowed (the data is returned or shown), or ``NotFound`` / 404 (the
same as a missing id), 403 for the pool list, the login redirect for anonymous visitors, the
two-factor redirect without a second factor. An allowed read of the persons on a panel writes
exactly one audit event, by the reader, filed under the owner; a refused request writes nothing.

The data (two pools, quotas, a finished run of 10 drawn from 40) is built once per module inside a
transaction rolled back at the end, like Django's ``setUpTestData``; each test runs in a savepoint.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import TestCase

from samverkan.accounts.actors import actor_for_user
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
from samverkan.panels import selectors, services
from samverkan.panels.models import PanelMember, Pool, RunStatus, SelectionRun
from samverkan.panels.tests.factories import even_quotas, people_csv

pytestmark = pytest.mark.django_db

ROLES = ["administrator", "coordinator", "case_officer", "editor", "reader"]
ORGANISER_ROLES = ("administrator", "coordinator", "case_officer")  # roles that handle personal data

MEMBERS = [f"{org}-{role}" for org in ("owner", "other") for role in ROLES] + ["platform_staff"]
HTTP_WHO = [*MEMBERS, "owner-coordinator-no2fa", "anonymous"]
SELECTOR_WHO = [*MEMBERS, "anonymous", "system"]

OWNER = {f"owner-{r}" for r in ORGANISER_ROLES}
OTHER = {f"other-{r}" for r in ORGANISER_ROLES}
EVERYONE = set(HTTP_WHO) | set(SELECTOR_WHO)

OWN_POOL, OTHER_POOL = "Ägarens fiktiva pool", "Annan organisations fiktiva pool"


@dataclass(frozen=True)
class World:
    org: dict[str, int]  # owner, other
    users: dict[str, Any]  # who -> User
    pool: int  # the owner's pool: 40 volunteers V000..V039, even quotas
    other_pool: int  # the other organisation's pool
    run: int  # a finished selection of 10 from the owner's pool, not published


def _build() -> World:
    orgs = {"owner": organisation(), "other": organisation()}
    users: dict[str, Any] = {}
    for who in MEMBERS:
        if who == "platform_staff":
            users[who] = UserFactory(is_staff=True, is_superuser=True)
        else:
            org, role = who.split("-")
            users[who] = member(role, orgs[org])
    users["owner-coordinator-no2fa"] = member("coordinator", orgs["owner"])

    pools = {}
    for key, name in (("owner", OWN_POOL), ("other", OTHER_POOL)):
        actor = actor_for_user(users[f"{key}-coordinator"])
        pools[key] = services.pool_create(
            actor=actor,
            owner_id=orgs[key].pk,
            name=name,
            panel_size=10,
            data=people_csv(40),
            filename="people.csv",
            id_column="id",
            feature_columns=["kön", "grund"],
        )
        services.pool_quotas_set(actor=actor, pool=pools[key], rows=even_quotas(), source="hand")
    with TestCase.captureOnCommitCallbacks(execute=True):
        run = services.run_start(
            actor=actor_for_user(users["owner-coordinator"]), pool=pools["owner"], seed="1"
        )
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and run.members.count() == 10
    return World({k: o.pk for k, o in orgs.items()}, users, pools["owner"].pk, pools["other"].pk, run.pk)


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    """The module's data, built once (``core.tests.worlds.module_data``)."""
    with module_data(django_db_blocker, _build) as built:
        yield built


def _publish(world: World) -> None:
    run = SelectionRun.objects.get(pk=world.run)
    services.run_publish(actor=actor_for_user(world.users["owner-coordinator"]), run=run)


# --- Selectors --------------------------------------------------------------------------------
SELECTOR_ALLOWED: dict[str, set[str]] = {
    "pool_list_for": OWNER,  # a list, never NotFound: the pools of one's own organisations only
    "pool_get_for": OWNER | {"system"},
    "run_get_for": OWNER | {"system"},
    "report_get_for": OWNER | {"system"},  # before it is published
    "report_get_for_published": EVERYONE,
    "member_rows_for": OWNER | {"system"},
    "panel_table_for": OWNER | {"system"},
    "run_input_for": OWNER | {"system"},
}
# selector -> the event an allowed read writes (filed under the pool's owner)
SELECTOR_LOGS = {
    "member_rows_for": "panels.run.viewed",
    "panel_table_for": "panels.panel.exported",
    "run_input_for": "panels.input.exported",
}


def _read(name: str, actor: Actor, world: World) -> Callable[[], Any]:
    run = SelectionRun.objects.select_related("pool").get(pk=world.run)
    return {
        "pool_list_for": lambda: sorted(p.name for p in selectors.pool_list_for(actor=actor)),
        "pool_get_for": lambda: selectors.pool_get_for(actor=actor, pool_id=world.pool).name,
        "run_get_for": lambda: selectors.run_get_for(actor=actor, run_id=world.run).pk,
        "report_get_for": lambda: selectors.report_get_for(actor=actor, run_id=world.run).pk,
        "report_get_for_published": lambda: selectors.report_get_for(actor=actor, run_id=world.run).pk,
        "member_rows_for": lambda: sorted(r["id"] for r in selectors.member_rows_for(actor=actor, run=run)),
        "panel_table_for": lambda: sorted(
            row[0] for row in selectors.panel_table_for(actor=actor, run=run, fmt="csv")[1]
        ),
        "run_input_for": lambda: list(selectors.run_input_for(actor=actor, run=run, which="people").people),
    }[name]


def _drawn(world: World) -> list[str]:
    return sorted(
        PanelMember.objects.filter(run_id=world.run).values_list("volunteer__external_id", flat=True)
    )


SELECTOR_RESULT: dict[str, Callable[[Any, World], bool]] = {
    "pool_list_for": lambda r, w: r == [OWN_POOL],
    "pool_get_for": lambda r, w: r == OWN_POOL,
    "run_get_for": lambda r, w: r == w.run,
    "report_get_for": lambda r, w: r == w.run,
    "report_get_for_published": lambda r, w: r == w.run,
    "member_rows_for": lambda r, w: r == _drawn(w),
    "panel_table_for": lambda r, w: r == _drawn(w),
    "run_input_for": lambda r, w: r == [f"V{i:03d}" for i in range(40)],
}


def _selector_cases() -> list[Any]:
    return [pytest.param(who, name, id=f"{who}-{name}") for name in SELECTOR_ALLOWED for who in SELECTOR_WHO]


@pytest.mark.parametrize(("who", "name"), _selector_cases())
def test_selector_matrix(world: World, who: str, name: str) -> None:
    if name == "report_get_for_published":
        _publish(world)
    actor = actor_named(who, world.users)
    read = _read(name, actor, world)
    before = last_audit_seq()
    allowed = who in SELECTOR_ALLOWED[name]
    if name == "pool_list_for":
        shown = read()
        assert shown == ([OWN_POOL] if allowed else [OTHER_POOL] if who in OTHER else [])
    elif allowed:
        assert SELECTOR_RESULT[name](read(), world)
    else:
        with pytest.raises(NotFound):
            read()
    events = audit_events_since(before)
    if allowed and name in SELECTOR_LOGS:
        [event] = events
        assert (event.code, event.actor_user_id, event.organisation_id, event.object_id) == (
            SELECTOR_LOGS[name],
            actor.user_id,
            world.org["owner"],
            str(world.run),
        )
    else:
        assert events == []


# --- Pages ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Page:
    url: str  # {pool}, {run} and {member} are filled in
    allowed: frozenset[str]
    denied_status: int = 404
    anonymous_status: int | None = None  # None: the login redirect
    method: str = "get"
    data: dict[str, Any] | None = None
    allowed_status: int = 200
    event: str | None = None  # the one event an allowed read writes
    writes: bool = False  # an allowed write logs events of its own (all by the actor, for the owner)
    shows: str | None = None  # what an allowed page must show
    published: bool = False  # the run's report is published first


PAGES = {
    "pool_list": Page("/panels/", frozenset(OWNER | OTHER), denied_status=403),
    "pool_new": Page("/panels/new/", frozenset(OWNER | OTHER), denied_status=403),
    "pool_detail": Page("/panels/{pool}/", frozenset(OWNER), shows="data-volunteers>40<"),
    "pool_quotas_statistics": Page("/panels/{pool}/quotas/statistics/", frozenset(OWNER)),
    "run_detail": Page(
        "/panels/runs/{run}/", frozenset(OWNER), event="panels.run.viewed", shows='data-table="members"'
    ),
    "run_status": Page("/panels/runs/{run}/status/", frozenset(OWNER)),
    "panel_csv": Page("/panels/runs/{run}/panel.csv", frozenset(OWNER), event="panels.panel.exported"),
    "panel_xlsx": Page("/panels/runs/{run}/panel.xlsx", frozenset(OWNER), event="panels.panel.exported"),
    "people_csv": Page(
        "/panels/runs/{run}/people.csv", frozenset(OWNER), event="panels.input.exported", shows="V039"
    ),
    "features_csv": Page(
        "/panels/runs/{run}/features.csv", frozenset(OWNER), event="panels.input.exported", shows="skydd"
    ),
    "report_unpublished": Page(
        "/panels/reports/{run}/", frozenset(OWNER), anonymous_status=404, shows="data-report-unpublished"
    ),
    "report_published": Page(
        "/panels/reports/{run}/",
        frozenset(EVERYONE - {"owner-coordinator-no2fa"}),
        anonymous_status=200,
        shows='data-release="1"',
        published=True,
    ),
    "run_start": Page(
        "/panels/{pool}/runs/",
        frozenset(OWNER),
        method="post",
        data={"algorithm": "leximin", "seed": "7"},
        allowed_status=302,
        writes=True,
    ),
    # Answers to the confirmation page (core.confirm): the first POST only asks.
    "member_withdraw": Page(
        "/panels/runs/{run}/members/{member}/withdraw/",
        frozenset(OWNER),
        method="post",
        data={"confirmed": "yes"},
        allowed_status=302,
        writes=True,
    ),
    "run_publish": Page(
        "/panels/runs/{run}/publish/",
        frozenset(OWNER),
        method="post",
        data={"confirmed": "yes"},
        allowed_status=302,
        writes=True,
    ),
    "pool_delete": Page(
        "/panels/{pool}/delete/",
        frozenset(OWNER),
        method="post",
        data={"confirm_name": OWN_POOL},
        allowed_status=302,
        writes=True,
    ),
}


def _first_member(world: World) -> PanelMember:
    return PanelMember.objects.filter(run_id=world.run).order_by("pk").first()  # type: ignore[return-value]


def _url(page: Page, world: World) -> str:
    return page.url.format(pool=world.pool, run=world.run, member=_first_member(world).pk)


def _state(world: World) -> tuple[Any, ...]:
    """What the writes change: compared before and after a refused one."""
    run = SelectionRun.objects.filter(pk=world.run).values_list("is_published", flat=True).first()
    return (
        Pool.objects.filter(pk=world.pool).exists(),
        SelectionRun.objects.filter(pool_id=world.pool).count(),
        run,
        sorted(PanelMember.objects.filter(run_id=world.run).values_list("pk", "status")),
    )


def _personal(world: World) -> list[str]:
    """Ids of the volunteers drawn: none may be in a refused answer."""
    return _drawn(world)


@pytest.mark.parametrize("name", list(PAGES))
@pytest.mark.parametrize("who", HTTP_WHO)
def test_page_matrix(client: Any, world: World, who: str, name: str) -> None:
    page = PAGES[name]
    if page.published:
        _publish(world)
    url = _url(page, world)
    user = world.users.get(who)
    if who == "owner-coordinator-no2fa":
        client.force_login(user)
    elif user is not None:
        verified_login(client, user)
    state = _state(world)
    before = last_audit_seq()
    response = getattr(client, page.method)(url, page.data or {})
    events = audit_events_since(before)
    body = response.content.decode("utf-8", "replace")

    if who == "anonymous" and page.anonymous_status is None:
        assert response.status_code == 302
        assert response["Location"] == f"{resolve_url(settings.LOGIN_URL)}?next={quote(url, safe='/')}"
    elif who == "owner-coordinator-no2fa":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/two-factor/")
    elif who in page.allowed:
        expected = page.anonymous_status if who == "anonymous" else page.allowed_status
        assert response.status_code == expected, body[:500]
        if page.shows:
            assert page.shows in body
        if name == "run_detail" or name == "panel_csv":
            assert all(v in body for v in _drawn(world))
        if name == "pool_list":  # one's own organisation's pools, and only those
            assert (OWN_POOL in body) is (who in OWNER)
            assert (OTHER_POOL in body) is (who in OTHER)
        if page.event is not None:
            assert [(e.code, e.actor_user_id, e.organisation_id) for e in events] == [
                (page.event, user.pk, world.org["owner"])
            ]
        elif page.writes:
            assert events and {(e.actor_user_id, e.organisation_id) for e in events} == {
                (user.pk, world.org["owner"])
            }
            assert _state(world) != state
        else:
            assert events == []
        return
    else:
        status = page.anonymous_status if who == "anonymous" else page.denied_status
        assert response.status_code == status
    # refused: no volunteer shown, nothing logged, nothing changed
    assert not [v for v in _personal(world) if v in body]
    assert OWN_POOL not in body
    assert events == []
    assert _state(world) == state


# --- A refused id is the same answer as a missing one -------------------------------------------
PROBES = {
    "pool_detail": "/panels/999999/",
    "run_detail": "/panels/runs/999999/",
    "people_csv": "/panels/runs/999999/people.csv",
    "panel_csv": "/panels/runs/999999/panel.csv",
    "report_unpublished": "/panels/reports/999999/",
}


@pytest.mark.parametrize("who", ["other-administrator", "anonymous"])
@pytest.mark.parametrize("name", list(PROBES))
def test_a_refused_page_cannot_be_told_from_a_missing_one(
    client: Any, world: World, name: str, who: str
) -> None:
    if who != "anonymous":
        verified_login(client, world.users[who])
    status = assert_same_answer(client, _url(PAGES[name], world), PROBES[name])
    assert status == (404 if who != "anonymous" or name == "report_unpublished" else 302)
