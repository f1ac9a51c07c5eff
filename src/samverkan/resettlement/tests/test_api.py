"""The resettlement API (/api/v1/resettlement/...): the same selectors, services and rules as the
pages, with a real personal token (``Authorization: Bearer sv_…``) for every caller.

A permission matrix (who × operation) over the world of ``test_permission_matrix`` (the agency,
Östersund receiving K-1 and K-3, Göteborg receiving K-2; every role of each; an association in
Östersund, another agency, platform staff): an allowed caller gets the answer and, for a read of
personal data, exactly one audit event, by the reader, under the organisation whose data it is (as
the pages log it); anyone else gets 404 with the same body as a missing id, and nothing is written
or logged; an anonymous caller gets 401. The taxonomy is public, as its page.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from samverkan.accounts.actors import actor_for_user
from samverkan.core.tests.worlds import audit_events_since, last_audit_seq, module_data
from samverkan.organisations.tests.test_api import bearer
from samverkan.resettlement import selectors, services
from samverkan.resettlement.models import Case, Observation, PlacementRun, Proposal, Reception
from samverkan.resettlement.tests.factories import GOTEBORG, KIRUNA, OSTERSUND, YEAR, municipal_user, officer
from samverkan.resettlement.tests.test_permission_matrix import (
    AGENCY,
    ANY_OFFICER,
    MEMBERS,
    OTHER_MUNICIPALITY,
    RECEIVING,
    World,
    _build,
    _filed_under,
)

pytestmark = pytest.mark.django_db
JSON = "application/json"
API = "/api/v1/resettlement"
WHO = [*MEMBERS, "anonymous"]
EVERYONE = frozenset(WHO)


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


def _nothing_observed() -> dict[str, Any]:
    body = {"persons": [{"position": n, "nothing_observed": True} for n in (1, 2, 3)]}
    return {"data": json.dumps(body), "content_type": JSON}


def _reception() -> dict[str, Any]:
    body = {"capacity_persons": 15, "large_dwellings": 2, "need_slots": {"SM": 3}, "languages": ["ar"]}
    return {"data": json.dumps(body), "content_type": JSON}


def _case_file() -> dict[str, Any]:
    text = "case_id,age,sex,needs,languages,education,occupation,priority,tie_municipality,expected_arrival\n"
    text += f"K-9,30,F,,ar,,,normal,,{YEAR}-05-01\n"
    return {"data": {"file": SimpleUploadedFile("cases.csv", text.encode(), content_type="text/csv")}}


def _run_in() -> dict[str, Any]:
    return {"data": json.dumps({"year": YEAR, "time_limit": 5}), "content_type": JSON}


def _unplace() -> dict[str, Any]:
    return {"data": json.dumps({"municipality": None, "note": "Familjen väntar"}), "content_type": JSON}


def _confirm() -> dict[str, Any]:
    return {"data": json.dumps({"confirm": True}), "content_type": JSON}


NO_RUN = "/runs/987654321"
OFFICERS = frozenset(AGENCY)

# what the allowed callers get when it is not 200
ALLOWED_STATUS = {"case_import": 201, "run_start": 422, "run_approve": 422}

# operation -> (method, path, the same path naming nothing, request kwargs, who may, its audit event:
# (code, whose organisation: a key of World.org, or "own" for the caller's municipality))
Op = tuple[str, str, str | None, Callable[[], dict[str, Any]], frozenset[str], tuple[str, str] | None]
OPERATIONS: dict[str, Op] = {
    "packet_list": ("get", "/packets", None, dict, frozenset(RECEIVING | OTHER_MUNICIPALITY),
                    ("resettlement.packets.listed", "own")),
    "packet_get": ("get", "/packets/K-1", "/packets/ZZ-MISSING", dict, frozenset(AGENCY | RECEIVING),
                   ("resettlement.packet.viewed", "receiving")),
    "followup_get": ("get", "/packets/K-1/followup", "/packets/ZZ-MISSING/followup", dict,
                     frozenset(RECEIVING), ("resettlement.followup.viewed", "receiving")),
    # answers with what is now recorded: a read, logged as the follow-up page's
    "followup_record": ("post", "/packets/K-1/followup", "/packets/ZZ-MISSING/followup", _nothing_observed,
                        frozenset(RECEIVING), ("resettlement.followup.viewed", "receiving")),
    "reception_list": ("get", f"/reception/{YEAR}", None, dict, frozenset(ANY_OFFICER), None),
    "reception_get": ("get", f"/reception/{YEAR}/{OSTERSUND}", f"/reception/{YEAR}/0000", dict,
                      frozenset(AGENCY | RECEIVING), None),
    "reception_set": ("put", f"/reception/{YEAR}/{OSTERSUND}", f"/reception/{YEAR}/0000", _reception,
                      frozenset(AGENCY | RECEIVING), None),
    "dashboard": ("get", "/dashboard", None, dict, frozenset(ANY_OFFICER), None),
    "case_list": ("get", f"/cases/{YEAR}", None, dict, OFFICERS, ("resettlement.cases.listed", "agency")),
    "case_import": ("post", f"/cases/{YEAR}", None, _case_file, OFFICERS, None),
    "run_list": ("get", "/runs", None, dict, OFFICERS, None),
    # every case of the year is placed already: nothing to start (422 for officers)
    "run_start": ("post", "/runs", None, _run_in, OFFICERS, None),
    "run_get": ("get", "/runs/{approved}", NO_RUN, dict, OFFICERS, None),
    "run_proposals": ("get", "/runs/{approved}/proposals", f"{NO_RUN}/proposals", dict, OFFICERS,
                      ("resettlement.run.viewed", "agency")),
    "proposal_override": ("put", "/runs/{proposed}/proposals/K-4", f"{NO_RUN}/proposals/K-4", _unplace,
                          OFFICERS, None),
    # the proposed run's cases were placed by the approved one: the approval is refused (422)
    "run_approve": ("post", "/runs/{proposed}/approve", f"{NO_RUN}/approve", _confirm, OFFICERS,
                    None),
    "run_discard": ("post", "/runs/{proposed}/discard", f"{NO_RUN}/discard", _confirm, OFFICERS,
                    None),
    "taxonomy_version_list": ("get", "/taxonomy/versions", None, dict, EVERYONE, None),
    "taxonomy_version_get": ("get", "/taxonomy/versions/1", "/taxonomy/versions/99999", dict, EVERYONE, None),
}  # fmt: skip


def _state() -> tuple[Any, ...]:
    """What a refused call must leave as it was."""
    return (
        sorted(
            Reception.objects.values_list("municipality_id", "year", "capacity_persons", "large_dwellings")
        ),
        Observation.objects.count(),
        sorted(Case.objects.values_list("reference", "placed_in_id")),
        sorted(PlacementRun.objects.values_list("pk", "status")),
        sorted(Proposal.objects.values_list("pk", "municipality_id", "override_note")),
    )


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("name", list(OPERATIONS))
def test_permission_matrix(world: World, client: Client, who: str, name: str) -> None:
    method, path, missing_path, kwargs, allowed, event = OPERATIONS[name]
    headers = _headers(world, who)
    state = _state()
    before = last_audit_seq()
    path = path.format(approved=world.approved_run, proposed=world.proposed_run)
    answer = getattr(client, method)(API + path, **kwargs(), **headers)
    events = audit_events_since(before)
    if who in allowed:
        assert answer.status_code == ALLOWED_STATUS.get(name, 200), answer.content
        reads = [e for e in events if e.code.endswith((".viewed", ".listed"))]
        if event is None:
            assert reads == []
            return
        [read] = reads
        org = _filed_under(event[1], who, world)
        assert (read.code, read.actor_user_id, read.organisation_id) == (
            event[0],
            world.users[who].pk,
            org,
        )
        return
    # Refused exactly as a missing id (or, without an id, as the house's 404), nothing written or logged.
    expected = 401 if who == "anonymous" else 404
    assert answer.status_code == expected, answer.content
    if missing_path is not None:
        missing = getattr(client, method)(API + missing_path, **kwargs(), **headers)
        assert (missing.status_code, missing.content) == (expected, answer.content)
    elif expected == 404:
        assert answer.json() == {"detail": "Not found."}
    assert audit_events_since(before) == []
    assert _state() == state


# --- Packets --------------------------------------------------------------------------------------
def test_a_municipalitys_token_reads_its_own_packets_and_gets_404_for_anothers(world: World, client: Client):
    headers = bearer(world.users["receiving-case_officer"])
    listed = client.get(f"{API}/packets", **headers).json()
    assert sorted(c["reference"] for c in listed["items"]) == ["K-1", "K-3"] and listed["count"] == 2
    assert {c["municipality"]["code"] for c in listed["items"]} == {OSTERSUND}
    assert client.get(f"{API}/packets/K-1", **headers).status_code == 200
    theirs = client.get(f"{API}/packets/K-2", **headers)  # placed in Göteborg
    missing = client.get(f"{API}/packets/ZZ-MISSING", **headers)
    assert (theirs.status_code, theirs.content) == (404, missing.content)
    # ... and Göteborg's token reads K-2 and not K-1.
    other = bearer(world.users["other_municipality-coordinator"])
    assert client.get(f"{API}/packets/K-2", **other).json()["municipality"]["code"] == GOTEBORG
    assert client.get(f"{API}/packets/K-1", **other).status_code == 404


def test_the_packet_holds_only_what_the_page_shows(world: World, client: Client):
    from samverkan.resettlement.tests.factories import give_the_case_what_a_packet_must_not_show

    secrets = give_the_case_what_a_packet_must_not_show("K-1")
    answer = client.get(f"{API}/packets/K-1", **bearer(world.users["receiving-coordinator"]))
    body = answer.json()
    text = answer.content.decode()
    assert [s for s in secrets if s in text] == []
    assert [(p["position"], p["age"], p["sex"]) for p in body["persons"]] == [
        (1, 41, "M"),
        (2, 38, "F"),
        (3, 9, "F"),
    ]
    assert [[n["code"] for n in p["needs"]] for p in body["persons"]] == [[], ["SM-CI"], []]
    assert body["persons"][1]["needs"][0]["label"]  # named in the reader's language
    assert body["persons"][0]["languages"] == ["ar"]
    assert body["services"] and body["taxonomy_version"] >= 1
    assert set(body) == {
        "reference", "municipality", "expected_arrival", "is_fictional", "services", "persons",
        "taxonomy_version", "followup", "followup_opens",
    }  # fmt: skip
    assert {k for p in body["persons"] for k in p} == {"position", "age", "sex", "needs", "languages"}
    # The receiving municipality sees its follow-up (not recorded yet); the agency does not.
    assert [f["observed"] for f in body["followup"]] == [None, None, None]
    agency = client.get(f"{API}/packets/K-1", **bearer(world.users["agency-case_officer"])).json()
    assert agency["followup"] is None


def test_a_packet_read_is_logged_as_the_page_logs_it(world: World, client: Client):
    headers = bearer(world.users["receiving-administrator"])
    before = last_audit_seq()
    client.get(f"{API}/packets/K-1", **headers)
    [event] = audit_events_since(before)
    case = Case.objects.get(reference="K-1")
    assert (event.code, event.organisation_id, event.object_id) == (
        "resettlement.packet.viewed",
        world.org["receiving"],
        str(case.pk),
    )
    assert event.data == {"case": "K-1", "municipality": OSTERSUND, "how": "api"}


def test_the_packet_list_logs_the_cases_it_returned(world: World, client: Client):
    headers = bearer(world.users["receiving-coordinator"])
    first = client.get(f"{API}/packets?limit=1", **headers).json()["items"][0]["reference"]
    before = last_audit_seq()
    page = client.get(f"{API}/packets?limit=1&offset=1", **headers)
    [second] = [c["reference"] for c in page.json()["items"]]
    assert {first, second} == {"K-1", "K-3"} and page.json()["count"] == 2
    [event] = audit_events_since(before)
    assert event.code == "resettlement.packets.listed"
    assert event.data == {"municipality": OSTERSUND, "cases": [second], "count": 1}


# --- Follow-up ------------------------------------------------------------------------------------
def _locs(answer: Any) -> list[Any]:
    return [e["loc"][-1] for e in answer.json()["detail"]]


def test_follow_up_is_recorded_and_read_back(world: World, client: Client):
    headers = bearer(world.users["receiving-case_officer"])
    body = {
        "persons": [
            {"position": 1, "nothing_observed": True},
            {"position": 2, "needs": ["SM-CI"]},
            {"position": 3, "needs": ["SM"]},
        ]
    }
    answer = client.post(f"{API}/packets/K-1/followup", body, content_type=JSON, **headers)
    assert answer.status_code == 200, answer.content
    assert [(p["position"], p["observed"]) for p in answer.json()["persons"]] == [
        (1, []),
        (2, ["SM-CI"]),
        (3, ["SM"]),
    ]
    again = client.get(f"{API}/packets/K-1/followup", **headers).json()
    assert again["persons"] == answer.json()["persons"]
    assert [p["flagged"] for p in again["persons"]] == [[], ["SM-CI"], []]


@pytest.mark.parametrize(
    ("persons", "field"),
    [
        ([{"position": 1, "nothing_observed": True}, {"position": 2, "needs": ["SM"]}], "person_3"),
        (
            [
                {"position": 1, "nothing_observed": True, "needs": ["SM"]},
                {"position": 2, "nothing_observed": True},
                {"position": 3, "nothing_observed": True},
            ],
            "person_1",
        ),
        ([{"position": 1, "needs": ["sm"]}], "needs"),  # not a need code at all: the schema
        ([{"position": 0, "needs": []}], "position"),
    ],
)
def test_bad_follow_up_is_422_naming_the_field_and_writes_nothing(
    world: World, client: Client, persons: list[dict[str, Any]], field: str
):
    headers = bearer(world.users["receiving-coordinator"])
    answer = client.post(f"{API}/packets/K-1/followup", {"persons": persons}, content_type=JSON, **headers)
    assert answer.status_code == 422, answer.content
    assert field in [str(x) for e in answer.json()["detail"] for x in e["loc"]], answer.json()
    assert Observation.objects.count() == 0


def test_follow_up_before_the_arrival_is_refused(world: World, client: Client):
    headers = bearer(world.users["receiving-coordinator"])
    # K-3 is placed in Östersund: give it an arrival still to come.
    Case.objects.filter(reference="K-3").update(expected_arrival=dt.date.today() + dt.timedelta(days=10))
    read = client.get(f"{API}/packets/K-3/followup", **headers).json()
    assert read["opens"] and read["persons"] == []
    answer = client.post(
        f"{API}/packets/K-3/followup",
        {"persons": [{"position": 1, "nothing_observed": True}]},
        content_type=JSON,
        **headers,
    )
    assert answer.status_code == 422 and _locs(answer) == ["payload"]
    assert Observation.objects.count() == 0


# --- Reception ------------------------------------------------------------------------------------
def test_a_municipality_reads_and_submits_its_own_reception(world: World, client: Client):
    headers = bearer(world.users["receiving-coordinator"])
    rows = client.get(f"{API}/reception/{YEAR}", **headers).json()
    assert [r["municipality"]["code"] for r in rows] == [OSTERSUND]
    assert rows[0]["capacity_persons"] == 12 and rows[0]["need_slots"] == {"CR": 1, "SM": 2}
    answer = client.put(f"{API}/reception/{YEAR}/{OSTERSUND}", **_reception(), **headers)
    assert answer.status_code == 200, answer.content
    saved = Reception.objects.get(municipality_id=OSTERSUND, year=YEAR)
    assert (saved.capacity_persons, saved.large_dwellings, saved.need_slots, saved.languages) == (
        15,
        2,
        {"SM": 3},
        ["ar"],
    )
    # Another municipality's is 404, as one that does not exist; the agency's officers see all.
    theirs = client.put(f"{API}/reception/{YEAR}/{KIRUNA}", **_reception(), **headers)
    assert theirs.status_code == 404
    agency = client.get(f"{API}/reception/{YEAR}", **bearer(world.users["agency-coordinator"])).json()
    assert sorted(r["municipality"]["code"] for r in agency) == sorted([OSTERSUND, GOTEBORG, KIRUNA])


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"capacity_persons": -1}, "capacity_persons"),
        ({"need_slots": {"ZZ": 1}}, "need_slots"),  # the service: an unknown need code
        ({"need_slots": {"SM": -2}}, "need_slots"),
        ({"languages": ["a\x00b"]}, "languages"),
    ],
)
def test_bad_reception_is_422_naming_the_field_and_writes_nothing(
    world: World, client: Client, change: dict[str, Any], field: str
):
    body = {"capacity_persons": 15, "large_dwellings": 2, "need_slots": {}, "languages": [], **change}
    before = _state()
    answer = client.put(
        f"{API}/reception/{YEAR}/{OSTERSUND}",
        body,
        content_type=JSON,
        **bearer(world.users["receiving-coordinator"]),
    )
    assert answer.status_code == 422, answer.content
    assert field in [str(x) for e in answer.json()["detail"] for x in e["loc"]], answer.json()
    assert _state() == before


def test_a_year_out_of_range_is_422_naming_it(world: World, client: Client):
    answer = client.get(f"{API}/reception/1999", **bearer(world.users["agency-coordinator"]))
    assert answer.status_code == 422 and "year" in answer.json()["detail"][0]["loc"]


# --- Taxonomy and dashboard -----------------------------------------------------------------------
def test_the_taxonomy_is_public_with_its_versions_and_definitions(world: World, client: Client):
    versions = client.get(f"{API}/taxonomy/versions").json()
    assert versions[0]["current"] and versions[-1]["number"] == 1
    shipped = client.get(f"{API}/taxonomy/versions/1").json()
    codes = {e["code"]: e for e in shipped["entries"]}
    assert codes["SM"]["kind"] == "need" and codes["SM-CI"]["parent"] == "SM"
    assert codes["SM"]["label_sv"] and codes["SM"]["label_en"] and codes["SM"]["label_ar"]


def test_the_dashboard_gives_the_release_as_the_page_withheld_figures_null(world, client, settings):
    from samverkan.resettlement.tests.test_dashboard import follow_up, plain

    settings.RESETTLEMENT_MIN_CELL, settings.RESETTLEMENT_MIN_MUNICIPALITIES = 5, 1
    headers = bearer(world.users["receiving-coordinator"])
    assert client.get(f"{API}/dashboard", **headers).json()["rows"] == []  # no release yet
    # Östersund 10 persons, 6 flagged SM; the others 10, 2 flagged SM: Östersund could pin those 2.
    follow_up(OSTERSUND, [(["SM"], ["SM"])] * 6 + plain(4))
    follow_up(GOTEBORG, [(["SM"], [])] * 2 + plain(3))
    follow_up(KIRUNA, plain(5))
    assert client.get(f"{API}/dashboard", **headers).json()["rows"] == []  # live rows never shown
    services.dashboard_release(actor=officer())
    body = client.get(f"{API}/dashboard", **headers).json()
    rows = {r["code"]: r for r in body["rows"] if r["year"] == YEAR}
    assert body["number"] == 1 and body["threshold"] == 5
    assert rows["*"]["persons"] == 20 and rows["SM"]["flagged"] is None and rows["DS"]["flagged"] == 0
    # exactly the page's figures (the same selector, for the same reader)
    page = selectors.prevalence(actor=actor_for_user(world.users["receiving-coordinator"]))
    assert [(r["code"], r["flagged"], r["observed"]) for r in body["rows"]] == [
        (r.code, r.flagged, r.observed) for r in page.rows
    ]


# --- Cases and placement runs -----------------------------------------------------------------------
def _file(text: bytes, name: str) -> dict[str, Any]:
    return {"file": SimpleUploadedFile(name, text, content_type="text/csv")}


def test_the_agency_imports_runs_moves_and_approves_and_the_packet_opens(
    world: World, client: Client, django_capture_on_commit_callbacks: Any
):
    from samverkan.resettlement.tests.factories import CASES_CSV, RECEPTION_CSV

    year = YEAR + 1
    headers = bearer(world.users["agency-coordinator"])
    services.reception_import(actor=officer(), year=year, data=RECEPTION_CSV, filename="m.csv")
    cases = CASES_CSV.replace(b"K-", b"N-").replace(b"2027-", f"{year}-".encode())
    imported = client.post(f"{API}/cases/{year}", _file(cases, "cases.csv"), **headers)
    assert imported.status_code == 201 and imported.json() == {"year": year, "imported": 4}
    listed = client.get(f"{API}/cases/{year}", **headers).json()
    assert [c["reference"] for c in listed] == ["N-1", "N-2", "N-3", "N-4"]
    assert [c["persons"] for c in listed] == [3, 2, 1, 1] and listed[1]["priority"] == "urgent"
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(f"{API}/runs", {"year": year, "time_limit": 5}, content_type=JSON, **headers)
    assert started.status_code == 201, started.content
    run_id = started.json()["id"]
    status = client.get(f"{API}/runs/{run_id}", **headers).json()
    assert (status["status"], status["progress"]) == ("proposed", 100)
    proposals = client.get(f"{API}/runs/{run_id}/proposals", **headers).json()
    where = {p["reference"]: p["municipality"] and p["municipality"]["code"] for p in proposals["proposals"]}
    assert where["N-2"] == GOTEBORG  # its tie
    # Moving N-2 away from its tie breaks a limit: 422 on confirm, naming it, and nothing moves.
    move = {"municipality": KIRUNA, "note": "Bostad finns"}
    url = f"{API}/runs/{run_id}/proposals/N-2"
    refused = client.put(url, move, content_type=JSON, **headers)
    assert refused.status_code == 422 and set(_locs(refused)) == {"confirm"}, refused.content
    assert "Göteborg" in refused.json()["detail"][0]["msg"]  # the tie, named
    assert Proposal.objects.get(run_id=run_id, case__reference="N-2").municipality_id == GOTEBORG
    moved = client.put(url, {**move, "confirm": True}, content_type=JSON, **headers)
    assert moved.status_code == 200 and moved.json()["municipality"]["code"] == KIRUNA
    assert moved.json()["overridden"] and moved.json()["warnings"]
    # Approval needs the confirmation the page asks for.
    unconfirmed = client.post(f"{API}/runs/{run_id}/approve", {}, content_type=JSON, **headers)
    assert unconfirmed.status_code == 422 and "confirm" in _locs(unconfirmed)
    approved = client.post(f"{API}/runs/{run_id}/approve", {"confirm": True}, content_type=JSON, **headers)
    assert approved.status_code == 200 and approved.json()["status"] == "approved", approved.content
    kiruna = bearer(municipal_user(KIRUNA))
    assert client.get(f"{API}/packets/N-2", **kiruna).status_code == 200
    assert (
        client.get(f"{API}/packets/N-2", **bearer(world.users["other_municipality-coordinator"])).status_code
        == 404
    )


def test_a_bad_case_file_is_422_naming_the_file_and_imports_nothing(world: World, client: Client):
    headers = bearer(world.users["agency-coordinator"])
    bad = b"case_id,age,sex\nX-1,abc,F\n"
    answer = client.post(f"{API}/cases/{YEAR + 2}", _file(bad, "cases.csv"), **headers)
    assert answer.status_code == 422 and _locs(answer) == ["file"], answer.content
    assert not Case.objects.filter(year=YEAR + 2).exists()


def test_a_run_with_a_time_limit_out_of_range_is_422_naming_it(world: World, client: Client):
    headers = bearer(world.users["agency-coordinator"])
    answer = client.post(f"{API}/runs", {"year": YEAR, "time_limit": 0}, content_type=JSON, **headers)
    assert answer.status_code == 422 and "time_limit" in answer.json()["detail"][0]["loc"]


@pytest.mark.parametrize("language", ["sv", "ar", "en"])
def test_the_packet_gives_sex_as_a_code_in_every_language(world: World, language: str):
    answer = Client(HTTP_ACCEPT_LANGUAGE=language).get(
        f"{API}/packets/K-1", **bearer(world.users["receiving-coordinator"])
    )
    assert [p["sex"] for p in answer.json()["persons"]] == ["M", "F", "F"]
