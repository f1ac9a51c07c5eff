"""The panels API (/api/v1/panels/...): the same services, selectors and rules as the pages.

A permission matrix (who × operation) like ``test_permission_matrix``: the owning organisation's
administrators, coordinators and case officers reach the pool and its run; its editors and
readers, every role of another organisation (which has a pool of its own) and platform staff get
404, exactly as for an id that does not exist, and nothing is written or logged; an anonymous
caller gets 401 whatever the id. An allowed read of the persons on a panel writes one audit event,
by the reader, under the owner, as the pages do.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase
from django.urls import reverse

from samverkan.accounts.actors import actor_for_user
from samverkan.accounts.tests.factories import UserFactory, member, organisation
from samverkan.core.tests.worlds import audit_events_since, last_audit_seq, module_data
from samverkan.organisations.tests.test_api import bearer
from samverkan.panels import services
from samverkan.panels.models import Pool, PoolQuota, RunStatus, SelectionRun
from samverkan.panels.tests.factories import even_quotas, people_csv
from samverkan.statistics.tests.factories import cube, store

pytestmark = pytest.mark.django_db
JSON = "application/json"
API = "/api/v1/panels"
MISSING = 987654321

ROLES = ["administrator", "coordinator", "case_officer", "editor", "reader"]
ORGANISERS = {f"owner-{r}" for r in ("administrator", "coordinator", "case_officer")}
WHO = [f"{org}-{role}" for org in ("owner", "other") for role in ROLES] + ["platform_staff", "anonymous"]


@dataclass(frozen=True)
class World:
    org: dict[str, int]
    users: dict[str, Any]
    pool: int
    other_pool: int
    run: int


def _build() -> World:
    orgs = {"owner": organisation(), "other": organisation()}
    users: dict[str, Any] = {"platform_staff": UserFactory(is_staff=True, is_superuser=True)}
    for org in orgs:
        for role in ROLES:
            users[f"{org}-{role}"] = member(role, orgs[org])
    pools = {}
    for key in orgs:
        actor = actor_for_user(users[f"{key}-coordinator"])
        pools[key] = services.pool_create(
            actor=actor,
            owner_id=orgs[key].pk,
            name=f"Fiktiv pool {key}",
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
    assert run.status == RunStatus.DONE
    return World({k: o.pk for k, o in orgs.items()}, users, pools["owner"].pk, pools["other"].pk, run.pk)


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    with module_data(django_db_blocker, _build) as built:
        yield built


@pytest.fixture
def client() -> Client:
    """A client that reads the answers in English."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def _headers(world: World, who: str) -> dict[str, str]:
    return {} if who == "anonymous" else bearer(world.users[who])


def _features_file() -> SimpleUploadedFile:
    text = "feature,value,min,max\nkön,kvinna,5,5\nkön,man,5,5\n"
    return SimpleUploadedFile("features.csv", text.encode(), content_type="text/csv")


# operation -> (method, path with {pool}/{run}, request kwargs, the owners' status, the event a read logs)
Op = tuple[str, str, Callable[[], dict[str, Any]], int, str | None]
OPERATIONS: dict[str, Op] = {
    "pool_get": ("get", "/pools/{pool}", dict, 200, None),
    "pool_delete": (
        "delete",
        "/pools/{pool}",
        lambda: {"data": json.dumps({"confirm_name": "Fiktiv pool owner"}), "content_type": JSON},
        204,
        None,
    ),
    "quota_list": ("get", "/pools/{pool}/quotas", dict, 200, None),
    "quota_set": (
        "put",
        "/pools/{pool}/quotas",
        lambda: {
            "data": json.dumps(
                {"quotas": [{"feature": "kön", "value": v, "min": 5, "max": 5} for v in ("kvinna", "man")]}
            ),
            "content_type": JSON,
        },
        200,
        None,
    ),
    "quota_from_csv": (
        "post",
        "/pools/{pool}/quotas/csv",
        lambda: {"data": {"features": _features_file()}},
        200,
        None,
    ),
    # No dataset of that name: the owners get 422 naming it, the others 404 before that.
    "quota_from_statistics": (
        "post",
        "/pools/{pool}/quotas/statistics",
        lambda: {"data": json.dumps({"dataset": "zz-none", "mapping": {"kön": "sex"}}), "content_type": JSON},
        422,
        None,
    ),
    "run_start": (
        "post",
        "/pools/{pool}/runs",
        lambda: {"data": json.dumps({"seed": "7"}), "content_type": JSON},
        201,
        None,
    ),
    "run_get": ("get", "/runs/{run}", dict, 200, None),
    "run_result": ("get", "/runs/{run}/result", dict, 200, "panels.run.viewed"),
    "run_panel_csv": ("get", "/runs/{run}/panel.csv", dict, 200, "panels.panel.exported"),
    "run_people_csv": ("get", "/runs/{run}/people.csv", dict, 200, "panels.input.exported"),
    "run_features_csv": ("get", "/runs/{run}/features.csv", dict, 200, "panels.input.exported"),
    "run_publication": (
        "put",
        "/runs/{run}/publication",
        lambda: {"data": json.dumps({"published": False}), "content_type": JSON},
        200,
        None,
    ),
}


def _call(client: Client, op: Op, headers: dict[str, str], pool: int, run: int) -> Any:
    method, path, kwargs, _status, _event = op
    url = API + path.format(pool=pool, run=run)
    return getattr(client, method)(url, **kwargs(), **headers)


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("name", list(OPERATIONS))
def test_permission_matrix(world: World, client: Client, who: str, name: str) -> None:
    op = OPERATIONS[name]
    headers = _headers(world, who)
    before = last_audit_seq()
    answer = _call(client, op, headers, world.pool, world.run)
    events = audit_events_since(before)
    if who in ORGANISERS:
        assert answer.status_code == op[3], answer.content
        if op[4] is not None:
            [event] = events
            assert (event.code, event.actor_user_id, event.organisation_id, event.object_id) == (
                op[4],
                world.users[who].pk,
                world.org["owner"],
                str(world.run),
            )
        return
    # Refused exactly as a missing id, and nothing written or logged.
    missing = _call(client, op, headers, MISSING, MISSING)
    expected = 401 if who == "anonymous" else 404
    assert (answer.status_code, missing.status_code) == (expected, expected), answer.content
    assert answer.content == missing.content
    assert events == []
    assert Pool.objects.filter(pk=world.pool).exists()
    assert SelectionRun.objects.filter(pool_id=world.pool).count() == 1


@pytest.mark.parametrize("who", WHO)
def test_the_pool_list_holds_the_pools_of_ones_own_organisations_only(world: World, client: Client, who: str):
    answer = client.get(f"{API}/pools", **_headers(world, who))
    if who == "anonymous":
        assert answer.status_code == 401
        return
    names = [p["name"] for p in answer.json()["items"]]
    if who in ORGANISERS:
        assert names == ["Fiktiv pool owner"]
    elif who in {"other-administrator", "other-coordinator", "other-case_officer"}:
        assert names == ["Fiktiv pool other"]
    else:
        assert names == []


def test_a_run_of_another_organisations_pool_is_404_for_its_runs_path(world: World, client: Client):
    # Side B's pool with a run id of side A: the run is looked up on its own, and refused.
    headers = bearer(world.users["other-coordinator"])
    assert client.get(f"{API}/runs/{world.run}", **headers).status_code == 404
    assert client.get(f"{API}/pools/{world.other_pool}", **headers).status_code == 200


# --- Pools ----------------------------------------------------------------------------------------
@pytest.fixture
def org():
    return organisation()


@pytest.fixture
def coordinator(org):
    return member("coordinator", org)


def _create(client: Client, headers: dict[str, str], org_id: int, **fields: Any) -> Any:
    data: dict[str, Any] = {
        "owner_id": org_id,
        "name": "Fiktiv pool",
        "panel_size": 10,
        "id_column": "id",
        "feature_columns": "kön, grund",
        "people": SimpleUploadedFile("people.csv", people_csv(40), content_type="text/csv"),
    }
    data.update(fields)
    return client.post(f"{API}/pools", {k: v for k, v in data.items() if v is not None}, **headers)


def test_a_pool_is_uploaded_and_summarised_as_the_page_shows_it(client, org, coordinator):
    headers = bearer(coordinator)
    answer = _create(client, headers, org.pk)
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["volunteer_count"] == 40 and body["features"] == ["kön", "grund"]
    counts = {(v["feature"], v["value"]): v["volunteers"] for v in body["values"]}
    assert counts == {
        ("kön", "kvinna"): 20,
        ("kön", "man"): 20,
        ("grund", "arbete"): 12,
        ("grund", "familj"): 14,
        ("grund", "skydd"): 14,
    }
    # The name and e-mail columns of the file are not stored.
    pool = Pool.objects.get(pk=body["id"])
    assert set(pool.volunteers.first().features) == {"kön", "grund"}
    again = client.get(f"{API}/pools/{pool.pk}", **headers).json()
    assert again["values"] == body["values"] and again["runs"] == []


def test_a_pool_without_an_id_column_is_numbered_and_the_notes_say_so(client, org, coordinator):
    text = "kön,grund\n" + "".join(f"{('kvinna', 'man')[i % 2]},skydd\n" for i in range(12))
    answer = _create(
        client,
        bearer(coordinator),
        org.pk,
        id_column=None,
        feature_columns=None,
        people=None,
        people_text=text,
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["notes"] and answer.json()["volunteer_count"] == 12


def _locs(answer: Any) -> list[str]:
    return [e["loc"][-1] for e in answer.json()["detail"]]


def test_bad_pool_input_is_422_naming_the_field_and_writes_nothing(client, org, coordinator, monkeypatch):
    headers = bearer(coordinator)
    other = organisation()
    cases = [
        ({"owner_id": other.pk}, "owner_id"),
        ({"panel_size": 0}, "panel_size"),
        ({"panel_size": 41}, "panel_size"),  # more seats than volunteers (the service)
        ({"people_text": "id,kön\n1,man\n"}, "people"),  # both a file and text
        ({"people": None}, "people"),  # neither
        ({"feature_columns": "ålder"}, "people"),  # no such column in the file
        ({"name": "a\x00b"}, "name"),
    ]
    for fields, field in cases:
        answer = _create(client, headers, org.pk, **fields)
        assert answer.status_code == 422, (fields, answer.content)
        assert field in _locs(answer), (fields, answer.json())
    # A file over the limit is refused before it is read, as on the page.
    monkeypatch.setattr("samverkan.panels.api.MAX_UPLOAD_BYTES", 100)
    too_big = _create(client, headers, org.pk)
    assert too_big.status_code == 422 and _locs(too_big) == ["people"]
    assert "20 MB" in too_big.json()["detail"][0]["msg"]
    assert not Pool.objects.filter(owner=org).exists()


def test_a_pool_is_erased_only_with_its_name(client, org, coordinator):
    headers = bearer(coordinator)
    pool_id = _create(client, headers, org.pk).json()["id"]
    wrong = client.delete(f"{API}/pools/{pool_id}", {"confirm_name": "fel"}, content_type=JSON, **headers)
    assert wrong.status_code == 422 and _locs(wrong) == ["confirm_name"]
    assert Pool.objects.filter(pk=pool_id).exists()
    done = client.delete(
        f"{API}/pools/{pool_id}", {"confirm_name": "Fiktiv pool"}, content_type=JSON, **headers
    )
    assert done.status_code == 204 and not Pool.objects.filter(pk=pool_id).exists()


# --- Quotas ---------------------------------------------------------------------------------------
def test_quotas_are_set_by_hand_from_csv_and_from_statistics(client, org, coordinator):
    headers = bearer(coordinator)
    pool_id = _create(client, headers, org.pk).json()["id"]
    url = f"{API}/pools/{pool_id}/quotas"
    rows = [{"feature": q.feature, "value": q.value, "min": q.min, "max": q.max} for q in even_quotas()]
    answer = client.put(url, {"quotas": rows}, content_type=JSON, **headers)
    assert answer.status_code == 200, answer.content
    assert [
        (q["feature"], q["value"], q["min"], q["max"]) for q in client.get(url, **headers).json()["quotas"]
    ] == [(r["feature"], r["value"], r["min"], r["max"]) for r in rows]
    # A value of a quota'd feature without its row: 422 naming the quotas, the old ones kept.
    short = client.put(url, {"quotas": rows[:1]}, content_type=JSON, **headers)
    assert short.status_code == 422 and set(_locs(short)) == {"quotas"}
    assert PoolQuota.objects.filter(pool_id=pool_id).count() == 5
    # A features.csv, and a broken one (its line named).
    upload = client.post(f"{url}/csv", {"features": _features_file()}, **headers)
    assert upload.status_code == 200 and len(upload.json()["quotas"]) == 2
    broken = SimpleUploadedFile("features.csv", b"feature,value,min,max\nk\xc3\xb6n,kvinna,x,5\n")
    refused = client.post(f"{url}/csv", {"features": broken}, **headers)
    assert refused.status_code == 422 and set(_locs(refused)) == {"features"}
    assert "line \u20682\u2069" in refused.json()["detail"][0]["msg"]
    # Mirroring a dataset (illustrative figures: 60 % women), as the page does.
    store(cube([[55, 45], [65, 35]], sexes=("kvinna", "man")))
    mirrored = client.post(
        f"{url}/statistics",
        {"dataset": "test-table", "mapping": {"kön": "sex"}, "tolerance": 1},
        content_type=JSON,
        **headers,
    )
    assert mirrored.status_code == 200, mirrored.content
    assert [(q["value"], q["min"], q["max"]) for q in mirrored.json()["quotas"]] == [
        ("kvinna", 5, 7),
        ("man", 3, 5),
    ]
    for body, field in (
        ({"dataset": "zz-none", "mapping": {"kön": "sex"}}, "dataset"),
        ({"dataset": "test-table", "mapping": {"ålder": "sex"}}, "mapping"),
        ({"dataset": "test-table", "mapping": {"kön": "zz"}}, "mapping"),
        ({"dataset": "test-table", "mapping": {"kön": "sex"}, "years": ["1066"]}, "years"),
        ({"dataset": "test-table", "mapping": {"kön": "sex"}, "tolerance": -1}, "tolerance"),
    ):
        answer = client.post(f"{url}/statistics", body, content_type=JSON, **headers)
        assert answer.status_code == 422 and field in _locs(answer), (body, answer.content)


# --- Runs -----------------------------------------------------------------------------------------
def _csv(answer: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))


def test_a_run_through_the_api_gives_the_services_probabilities(
    client, org, coordinator, django_capture_on_commit_callbacks
):
    headers = bearer(coordinator)
    pool_id = _create(client, headers, org.pk).json()["id"]
    pool = Pool.objects.get(pk=pool_id)
    actor = actor_for_user(coordinator)
    services.pool_quotas_set(actor=actor, pool=pool, rows=even_quotas(), source="hand")
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(f"{API}/pools/{pool_id}/runs", {"seed": "4711"}, content_type=JSON, **headers)
    assert started.status_code == 201, started.content
    run_id = started.json()["id"]
    status = client.get(f"{API}/runs/{run_id}", **headers).json()
    assert (status["status"], status["progress"], status["seed"]) == ("done", 100, "4711")
    result = client.get(f"{API}/runs/{run_id}/result", **headers).json()
    with django_capture_on_commit_callbacks(execute=True):
        direct = services.run_start(actor=actor, pool=pool, seed="4711")
    direct.refresh_from_db()
    assert {p["id"]: p["probability"] for p in result["probabilities"]} == direct.probabilities
    assert sorted(m["id"] for m in result["members"]) == sorted(
        m.volunteer.external_id for m in direct.members.all()
    )
    assert all(m["probability"] == direct.probabilities[m["id"]] for m in result["members"])
    assert len(result["probabilities"]) == 40 and result["run"]["input_sha256"] == direct.input_sha256
    assert result["quotas"][0] == {
        "feature": "kön",
        "value": "kvinna",
        "min": 5,
        "max": 5,
        "target_share": None,
    }
    people = client.get(f"{API}/runs/{run_id}/people.csv", **headers)
    assert people["Content-Type"].startswith("text/csv")
    assert _csv(people)[:2] == [["id", "kön", "grund"], ["V000", "kvinna", "skydd"]]
    features = _csv(client.get(f"{API}/runs/{run_id}/features.csv", **headers))
    assert features[:2] == [["feature", "value", "min", "max"], ["kön", "kvinna", "5", "5"]]
    panel = _csv(client.get(f"{API}/runs/{run_id}/panel.csv", **headers))
    assert panel[0] == ["id", "kön", "grund", "status", "replaces", "probability"] and len(panel) == 11


def test_bad_run_input_and_an_unfinished_run(client, org, coordinator):
    headers = bearer(coordinator)
    pool_id = _create(client, headers, org.pk).json()["id"]
    url = f"{API}/pools/{pool_id}/runs"
    no_quotas = client.post(url, {}, content_type=JSON, **headers)
    assert no_quotas.status_code == 422 and "quotas" in no_quotas.json()["detail"][0]["msg"]
    services.pool_quotas_set(
        actor=actor_for_user(coordinator),
        pool=Pool.objects.get(pk=pool_id),
        rows=even_quotas(),
        source="hand",
    )
    assert _locs(client.post(url, {"algorithm": "zz"}, content_type=JSON, **headers)) == ["algorithm"]
    assert _locs(client.post(url, {"seed": "x" * 101}, content_type=JSON, **headers)) == ["seed"]
    queued = client.post(url, {}, content_type=JSON, **headers)  # no worker here: it stays queued
    assert queued.status_code == 201 and queued.json()["status"] == "queued"
    run_id = queued.json()["id"]
    before = last_audit_seq()
    for path in ("result", "panel.csv"):
        answer = client.get(f"{API}/runs/{run_id}/{path}", **headers)
        assert answer.status_code == 422 and "not finished" in answer.json()["detail"][0]["msg"]
    assert audit_events_since(before) == []
    publish = client.put(
        f"{API}/runs/{run_id}/publication", {"published": True}, content_type=JSON, **headers
    )
    assert publish.status_code == 422


def test_a_published_report_is_public_and_withdrawn_again(world: World, client: Client):
    headers = bearer(world.users["owner-coordinator"])
    url = f"{API}/runs/{world.run}/publication"
    report = reverse("panels:report", args=[world.run])
    assert client.get(report).status_code == 404
    published = client.put(url, {"published": True}, content_type=JSON, **headers)
    assert published.status_code == 200 and published.json()["is_published"] is True
    assert Client().get(report).status_code == 200
    withdrawn = client.put(url, {"published": False}, content_type=JSON, **headers)
    assert withdrawn.json()["is_published"] is False
    assert Client().get(report).status_code == 404
