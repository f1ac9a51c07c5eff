"""An outside-style sweep: every URL pattern and every API operation, as every role of another
organisation, as an anonymous visitor, and (for crashes) as every role of the owning side.

The world (built once for the module, inside a transaction rolled back afterwards) has two sides.
Side A — the agency named by ``RESETTLEMENT_AGENCY`` / ``MEETINGPLACE_AGENCY``, a municipality and
an NGO — owns one object of every kind: an internal agreement with contacts, a document and an
invitation; a member invitation; API tokens; an internal dataset; a panel pool with a finished
run; an activity with sessions, registrations, a material under review and a closing report; a
story draft with a photo and the person's link; reception numbers, cases, an approved and a
proposed placement run, packets and follow-up. Side B — another agency, another municipality and
another NGO — owns an agreement and a panel run of its own and no tie to side A. Each side has one
user per role (administrator, coordinator, case officer, editor, reader) holding that role in every
organisation of the side — the widest view the role can have — logged in with both factors, and
with a personal API token.

Every personal or internal text of side A carries a marker (``ZZ-SECRET-A-<n>``: names, e-mail
addresses, titles, texts, volunteer ids, an occupation, token names). For side B's roles and the
anonymous visitor the sweep asserts:

- no answer is a server error, for GET and for a POST of a garbage form (CSRF checks off, so the
  POST reaches the view); on the API for every operation, by session and by token, with a body
  that is not JSON and with one of wrong fields;
- an address naming an internal object of side A is answered as if it did not exist: 404 (405 for
  a method the address does not take; the login page or 401 for the anonymous visitor; on the API
  the same answer as for a missing object, since a body is validated before any look-up), never
  200 or 403 (``DENIED``: 403 is fine for an action on a public object);
- the same for a parent of side B's own with a child of side A (``CROSSED``);
- no answer, body or headers, contains a marker of side A.

For side A's own roles: no page or API read answers 500 — also with every query parameter the
pages read set to an edge value, and with parameters naming nothing — and every address that names
an object of side A is reachable by at least one of them (otherwise a stranger's 404 proves
nothing).

The sweep cannot go stale silently: ``test_every_url_pattern_is_swept`` fails when a URL pattern
appears that ``FILLS`` neither fills nor ``EXCLUDED`` excludes (with a reason), and
``test_every_api_operation_is_swept`` the same for the operations of the OpenAPI document.
Findings that other work owns are listed in ``KNOWN`` as strict xfails.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client, TestCase, override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from samverkan.core.tests.worlds import module_data

MARKER = "ZZ-SECRET-A-"
MARKER_RE = re.compile(re.escape(MARKER), re.IGNORECASE)
ROLES = ("administrator", "coordinator", "case_officer", "editor", "reader")
YEAR = 2027
M1_CODE, M2_CODE = "2380", "1480"  # Östersund (side A), Göteborg (side B)
MISSING_INT = 987654321
MISSING_TEXT = "zz-does-not-exist"
OTHER_AGENCY_SLUG = "zz-other-agency"


# --- The world ---------------------------------------------------------------------------------
class Markers:
    """Hands out unique markers and remembers what each one was put into."""

    def __init__(self) -> None:
        self.where: dict[str, str] = {}

    def __call__(self, what: str) -> str:
        marker = f"{MARKER}{len(self.where) + 1}"
        self.where[marker] = what
        return marker


@dataclass
class Identity:
    label: str  # "B:editor", "A:administrator", "anonymous"
    side: str  # "A" or "B" (the anonymous visitor is a stranger too)
    user: Any = None
    session_key: str = ""
    token: str = ""


@dataclass
class World:
    markers: Markers
    orgs: dict[str, Any] = field(default_factory=dict)  # "A:agency" -> Organisation
    identities: list[Identity] = field(default_factory=list)
    obj: dict[str, Any] = field(default_factory=dict)

    def side(self, side: str) -> list[Identity]:
        return [i for i in self.identities if i.side == side]


def _municipality_org(code: str, name: str) -> Any:
    from samverkan.accounts.tests.factories import organisation
    from samverkan.organisations.models import Municipality
    from samverkan.organisations.municipalities import read_municipalities

    if not Municipality.objects.filter(code=code).exists():
        row = next(r for r in read_municipalities() if r.code == code)
        Municipality.objects.create(
            code=row.code, name=row.name, county=row.county, population_2016=row.population_2016
        )
    return organisation(kind="municipality", municipality_id=code, name=name, slug=f"zz-kommun-{code}")


def _login(user: Any) -> str:
    """A session that has passed both factors (as accounts.tests.helpers.verified_login)."""
    device = TOTPDevice.objects.create(user=user, name="sweep", confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return session.session_key


def _token_for(user: Any, name: str) -> str:
    from samverkan.accounts import services as account_services
    from samverkan.core.actor import Actor

    _stored, raw = account_services.api_token_create(actor=Actor.system(), name=name, for_user=user)
    return raw


def build_world() -> World:
    """One object of every kind, in one place."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from samverkan.accounts import services as account_services
    from samverkan.accounts.actors import actor_for_user
    from samverkan.accounts.models import Membership
    from samverkan.accounts.tests.factories import UserFactory, organisation
    from samverkan.core.actor import Actor
    from samverkan.meetingplace import services as mp
    from samverkan.meetingplace.models import Session
    from samverkan.organisations import services as org_services
    from samverkan.organisations.models import Organisation
    from samverkan.panels import services as panels
    from samverkan.panels.tests.factories import even_quotas, people_csv
    from samverkan.resettlement import services as rs
    from samverkan.resettlement.models import Case, PlacementRun
    from samverkan.statistics import demo as statistics_demo
    from samverkan.statistics.models import Dataset
    from samverkan.statistics.tests.factories import cube, store
    from samverkan.stories import services as stories
    from samverkan.stories.tests.factories import jpeg

    mark = Markers()
    w = World(markers=mark)
    system = Actor.system()

    # Organisations: the designated agency (resettlement and meeting places), another agency, two
    # municipalities and two NGOs.
    agency_slugs = {settings.RESETTLEMENT_AGENCY, settings.MEETINGPLACE_AGENCY}
    agencies = [
        Organisation.objects.update_or_create(
            slug=slug, defaults={"name": f"Myndighet {slug} (fiktiv)", "kind": "agency"}
        )[0]
        for slug in sorted(agency_slugs)
    ]
    w.orgs["A:agency"] = agencies[0]
    w.orgs["A:municipality"] = _municipality_org(M1_CODE, "Kommun A (fiktiv)")
    w.orgs["A:ngo"] = organisation(kind="ngo", name="Förening A (fiktiv)", slug="zz-forening-a")
    w.orgs["B:agency"] = organisation(kind="agency", name="Myndighet B (fiktiv)", slug=OTHER_AGENCY_SLUG)
    w.orgs["B:municipality"] = _municipality_org(M2_CODE, "Kommun B (fiktiv)")
    w.orgs["B:ngo"] = organisation(kind="ngo", name="Förening B (fiktiv)", slug="zz-forening-b")

    # One user per side and role, holding that role in every organisation of the side: the widest
    # view the role can have on that side (access grows with memberships), in one login. It also
    # finds what breaks only for someone in several organisations at once (see KNOWN).
    users: dict[str, Any] = {}
    for side in ("A", "B"):
        holders = [org for key, org in w.orgs.items() if key.startswith(side)]
        holders += agencies[1:] if side == "A" else []
        for role in ROLES:
            label = f"{side}:{role}"
            if side == "A":
                user = UserFactory(
                    full_name=mark(f"name of {label}"),
                    email=f"{mark(f'e-mail of {label}').lower()}@example.invalid",
                )
            else:
                user = UserFactory(full_name=f"Fiktiv person {label}")
            for holder in holders:
                Membership.objects.create(user=user, organisation=holder, role=role)
            users[label] = user
            w.identities.append(
                Identity(
                    label=label,
                    side=side,
                    user=user,
                    session_key=_login(user),
                    token=_token_for(user, mark(f"API token name of {label}") if side == "A" else "b"),
                )
            )
    w.identities.append(Identity(label="anonymous", side="B"))

    def actor(label: str) -> Any:
        return actor_for_user(users[label])

    ngo, muni = w.orgs["A:ngo"], w.orgs["A:municipality"]
    ngo_admin = actor("A:administrator")

    # Organisations app: an internal agreement of the NGO, with contacts, a document and a
    # pending invitation to the municipality of side A; a member invitation.
    agreement = org_services.agreement_create(
        actor=ngo_admin,
        owner_id=ngo.pk,
        data={
            "kind": "iop",
            "title": mark("internal agreement title"),
            "purpose": mark("internal agreement purpose"),
            "start_date": dt.date(2026, 1, 1),
            "status": "active",
            "visibility": "internal",
        },
        contact_name=mark("internal agreement contact name"),
        contact_email=f"{mark('internal agreement contact e-mail').lower()}@example.invalid",
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    pdf = b"%PDF-1.4\n" + mark("document content").encode() + b"\n%%EOF\n"
    document = org_services.document_add(
        actor=ngo_admin,
        agreement_id=agreement.pk,
        title=mark("document title"),
        doc_type="agreement",
        name="avtal.pdf",
        stream=SimpleUploadedFile("avtal.pdf", pdf),
        size=len(pdf),
    )
    invitation = org_services.agreement_invite(
        actor=ngo_admin,
        agreement_id=agreement.pk,
        organisation_id=muni.pk,
        message=mark("agreement invitation message"),
    )
    public_agreement = org_services.agreement_create(
        actor=actor("A:administrator"),
        owner_id=muni.pk,
        data={
            "kind": "iop",
            "title": "Offentligt partnerskap (fiktivt)",
            "purpose": "Fiktivt syfte.",
            "start_date": dt.date(2026, 1, 1),
            "status": "active",
            "visibility": "public",
        },
        contact_name=mark("public agreement contact name"),
        contact_email=f"{mark('public agreement contact e-mail').lower()}@example.invalid",
    )
    member_invitation = account_services.membership_invite(
        actor=ngo_admin,
        organisation_id=ngo.pk,
        email=f"{mark('member invitation e-mail').lower()}@example.invalid",
        role="editor",
    )

    # Statistics: the real published tables (public) and an internal table of the NGO.
    statistics_demo.load_demo()
    internal = store(
        cube([[1, 2], [3, 4]]), slug="zz-internal-dataset-a", actor=system, owner_id=ngo.pk, is_public=False
    )
    Dataset.objects.filter(pk=internal.dataset.pk).update(
        title_sv=mark("internal dataset title"), description_sv=mark("internal dataset description")
    )

    # Panels: the NGO's pool (volunteer ids are personal) and a finished, unpublished run.
    coordinator = actor("A:coordinator")
    volunteer = mark("volunteer id prefix")
    lines = ["id,kön,grund"] + [
        f"{volunteer}-{i:03d},{('kvinna', 'man')[i % 2]},{('skydd', 'familj', 'arbete')[(i // 2) % 3]}"
        for i in range(40)
    ]
    pool = panels.pool_create(
        actor=coordinator,
        owner_id=ngo.pk,
        name=mark("panel pool name"),
        panel_size=10,
        data=("\n".join(lines) + "\n").encode(),
        filename="people.csv",
        id_column="id",
        feature_columns=["kön", "grund"],
    )
    panels.pool_quotas_set(actor=coordinator, pool=pool, rows=even_quotas(), source="hand")
    with TestCase.captureOnCommitCallbacks(execute=True):
        panel_run = panels.run_start(actor=coordinator, pool=pool, seed="1")
    panel_run.refresh_from_db()
    assert panel_run.status == "done", panel_run.error if hasattr(panel_run, "error") else panel_run
    panel_member = panel_run.members.first()

    # Meeting places: the NGO's activity, an upcoming session with registrations and a material
    # under review, a past session with a closing report.
    planner = actor("A:editor")
    activity = mp.activity_create(
        actor=planner,
        organiser_id=ngo.pk,
        title={"sv": "Språkcafé (fiktivt)"},
        description={"sv": "Fiktiv träff."},
        target_groups=["asylum_seekers"],
        languages=["sv"],
    )
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=7)
    session = mp.session_create(
        actor=planner,
        activity=activity,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        place_kind="rented_room",
        address="Fiktiv gata 1",
        capacity=20,
    )
    registration = mp.registration_create(
        actor=Actor.anonymous("198.51.100.7"),
        session=session,
        name=mark("participant name"),
        email=f"{mark('participant e-mail').lower()}@example.invalid",
        phone="070-123 45 67",
    )
    mp.registration_create(
        actor=actor("A:case_officer"),
        session=session,
        name=mark("participant registered on behalf"),
        on_behalf=True,
    )
    material = mp.material_submit(
        actor=planner,
        session=session,
        organisation_id=ngo.pk,
        title=mark("material title"),
        text=mark("material text") + " Fiktiv text om praktik för asylsökande.",
    )
    past = mp.session_create(
        actor=planner,
        activity=activity,
        starts_at=start + dt.timedelta(days=1),
        ends_at=start + dt.timedelta(days=1, hours=2),
        place_kind="rented_room",
        address="Fiktiv gata 1",
        capacity=20,
    )
    Session.objects.filter(pk=past.pk).update(
        starts_at=timezone.now() - dt.timedelta(days=2),
        ends_at=timezone.now() - dt.timedelta(days=2, hours=-2),
    )
    past.refresh_from_db()
    mp.report_save(
        actor=coordinator, session=past, attended=7, questions=mark("closing report questions"), notes=""
    )

    # Stories: the NGO's draft with a photo and a person's link, and a published story.
    editor = actor("A:editor")
    details = stories.Details(
        ground="work", origin_region="asia", arrival_year=2019, municipality_type="towns", tags=["arbete"]
    )
    draft = stories.story_create(
        actor=editor,
        organisation_id=ngo.pk,
        original_language="sv",
        details=details,
        display_name=mark("story person's name"),
        texts={"sv": {"title": mark("story draft title"), "body": mark("story draft body")}},
        photo=stories.Photo(data=jpeg(), alt=mark("story photo alt"), consent=True),
    )
    link = stories.link_issue(actor=editor, story=draft, language="sv")
    published = stories.story_create(
        actor=editor,
        organisation_id=ngo.pk,
        original_language="sv",
        details=details,
        display_name="Amira (fiktiv)",
        texts={"sv": {"title": "En kall vinter (fiktiv)", "body": "Fiktiv berättelse."}},
        photo=stories.Photo(data=jpeg((200, 120, 10)), alt="Fiktivt foto", consent=True),
    )
    published_link = stories.link_issue(actor=editor, story=published, language="sv")
    stories.person_decide(actor=Actor.anonymous(), link=published_link.link, base_number=1, approve=True)
    published = stories.story_publish(actor=editor, story=published, base_number=1)

    # Resettlement: the agency's cases (their occupations are need-to-know), placed by an approved
    # run in the municipality of side A, which records follow-up; and a second, proposed run.
    officer = actor("A:case_officer")
    reception_csv = (
        "code,name,capacity_persons,large_dwellings,need_slots,languages\n"
        f"{M1_CODE},Östersund,40,4,SM=4;CR=2;WR=2,ar;ti\n"
    ).encode()
    rs.reception_import(actor=officer, year=YEAR, data=reception_csv, filename="reception.csv")
    occupation = mark("case person's occupation")
    cases_csv = (
        "case_id,age,sex,needs,languages,education,occupation,priority,tie_municipality,expected_arrival\n"
        f"RA-1,41,M,,ar,university,{occupation},normal,,{YEAR}-03-01\n"
        f"RA-1,38,F,SM-CI,ar,,,,,\n"
        f"RA-2,30,F,WR,ti,,,urgent,,{YEAR}-04-01\n"
    ).encode()
    rs.case_import(actor=officer, year=YEAR, data=cases_csv, filename="cases.csv")
    with TestCase.captureOnCommitCallbacks(execute=True):
        approved = rs.run_start(actor=officer, year=YEAR, time_limit=10)
    approved.refresh_from_db()
    assert approved.status == "proposed", approved.status
    rs.run_approve(actor=officer, run=approved)
    case = Case.objects.get(reference="RA-1")
    assert case.placed_in_id == M1_CODE, case.placed_in_id
    # The family arrived a month ago: follow-up can be recorded (never before the arrival).
    Case.objects.filter(pk=case.pk).update(expected_arrival=dt.date.today() - dt.timedelta(days=30))
    case.refresh_from_db()
    rs.observation_record(actor=actor("A:coordinator"), case=case, observed={1: ["TR"]}, nothing_observed=[2])
    rs.case_import(
        actor=officer,
        year=YEAR,
        data=b"case_id,age,sex,needs,languages\nRA-3,50,M,,ar\n",
        filename="more.csv",
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        proposed = rs.run_start(actor=officer, year=YEAR, time_limit=10)
    proposed = PlacementRun.objects.get(pk=proposed.pk)
    assert proposed.status == "proposed", proposed.status

    # Side B's own agreement and finished panel run: the parents of the crossed probes (CROSSED).
    b_admin, b_coordinator = actor("B:administrator"), actor("B:coordinator")
    b_ngo = w.orgs["B:ngo"]
    b_agreement = org_services.agreement_create(
        actor=b_admin,
        owner_id=b_ngo.pk,
        data={
            "kind": "iop",
            "title": "Avtal B (fiktivt)",
            "purpose": "Fiktivt.",
            "start_date": dt.date(2026, 1, 1),
        },
    )
    b_pool = panels.pool_create(
        actor=b_coordinator,
        owner_id=b_ngo.pk,
        name="Pool B (fiktiv)",
        panel_size=10,
        data=people_csv(40),
        filename="people.csv",
        id_column="id",
        feature_columns=["kön", "grund"],
    )
    panels.pool_quotas_set(actor=b_coordinator, pool=b_pool, rows=even_quotas(), source="hand")
    with TestCase.captureOnCommitCallbacks(execute=True):
        b_run = panels.run_start(actor=b_coordinator, pool=b_pool, seed="2")

    w.obj.update(
        b_agreement=b_agreement,
        b_run=b_run,
        agreement=agreement,
        public_agreement=public_agreement,
        document=document,
        invitation=invitation,
        member_invitation_token=member_invitation.token,
        membership=Membership.objects.get(user=users["A:reader"], organisation=ngo),
        dataset=internal.dataset,
        pool=pool,
        panel_run=panel_run,
        panel_member=panel_member,
        activity=activity,
        session=session,
        past_session=past,
        registration=registration,
        material=material,
        draft=draft,
        person_token=link.token,
        published=published,
        approved_run=approved,
        proposed_run=proposed,
        token_id=users["A:administrator"].api_tokens.get().pk,
        password_reset={
            "uidb64": urlsafe_base64_encode(force_bytes(users["A:reader"].pk)),
            "token": default_token_generator.make_token(users["A:reader"]),
        },
    )
    return w


# --- Which addresses the sweep visits, and how -------------------------------------------------
PUBLIC = "public"  # a page or list without an object of side A (or with a public one)
PRIVATE = "private"  # names an internal or personal object of side A
SECRET = "secret"  # a capability address (a code or token): strangers get a wrong one
DENIED = "denied"  # an action on a public object of side A: 403 is as good as 404 (it exists publicly)


@dataclass(frozen=True)
class Fill:
    kind: str
    kwargs: Callable[[World], dict[str, Any]] = lambda w: {}
    # What strangers try instead (a wrong secret, or a draft where the owners read the published).
    stranger_kwargs: Callable[[World], dict[str, Any]] | None = None
    query: str = ""


def _slug(key: str) -> Callable[[World], dict[str, Any]]:
    return lambda w: {"slug": w.orgs[key].slug}


FILLS: dict[str, Fill] = {
    # site
    "": Fill(PUBLIC),
    "about/": Fill(PUBLIC),
    "partners/": Fill(PUBLIC),
    "dashboard/": Fill(PUBLIC),
    "healthz": Fill(PUBLIC),
    "i18n/setlang/": Fill(PUBLIC),
    # API pages that are not operations
    "api/v1/": Fill(PUBLIC),
    "api/v1/openapi.json": Fill(PUBLIC),
    "api/v1/docs": Fill(PUBLIC),
    "api/v1/docs/assets/<str:name>": Fill(PUBLIC, lambda w: {"name": "swagger-ui-init.js"}),
    # accounts
    "accounts/": Fill(PUBLIC),
    "accounts/login/": Fill(PUBLIC),
    "accounts/password/reset/": Fill(PUBLIC),
    "accounts/password/reset/sent/": Fill(PUBLIC),
    "accounts/password/reset/<uidb64>/<token>/": Fill(
        SECRET, lambda w: w.obj["password_reset"], lambda w: {"uidb64": "MQ", "token": "zz-not-a-reset-token"}
    ),
    "accounts/password/reset/complete/": Fill(PUBLIC),
    "accounts/password/change/": Fill(PUBLIC),
    "accounts/two-factor/setup/": Fill(PUBLIC),
    "accounts/two-factor/verify/": Fill(PUBLIC),
    "accounts/two-factor/recovery-codes/": Fill(PUBLIC),
    "accounts/tokens/": Fill(PUBLIC),
    "accounts/tokens/<int:token_id>/renew/": Fill(PRIVATE, lambda w: {"token_id": w.obj["token_id"]}),
    "accounts/tokens/<int:token_id>/revoke/": Fill(PRIVATE, lambda w: {"token_id": w.obj["token_id"]}),
    "accounts/invitations/<str:token>/": Fill(
        SECRET,
        lambda w: {"token": w.obj["member_invitation_token"]},
        lambda w: {"token": "zz-not-an-invitation-token"},
    ),
    "accounts/organisations/<slug:slug>/members/": Fill(PRIVATE, _slug("A:ngo")),
    "accounts/organisations/<slug:slug>/members/invite/": Fill(PRIVATE, _slug("A:ngo")),
    "accounts/organisations/<slug:slug>/members/<int:membership_id>/role/": Fill(
        PRIVATE, lambda w: {"slug": w.orgs["A:ngo"].slug, "membership_id": w.obj["membership"].pk}
    ),
    "accounts/organisations/<slug:slug>/members/<int:membership_id>/remove/": Fill(
        PRIVATE, lambda w: {"slug": w.orgs["A:ngo"].slug, "membership_id": w.obj["membership"].pk}
    ),
    "accounts/organisations/<slug:slug>/audit/": Fill(PRIVATE, _slug("A:ngo")),
    # organisations and agreements
    "agreements/": Fill(PUBLIC),
    "agreements/export.csv": Fill(PUBLIC),
    "agreements/new/": Fill(PUBLIC),
    "agreements/<int:agreement_id>/": Fill(PRIVATE, lambda w: {"agreement_id": w.obj["agreement"].pk}),
    "agreements/<int:agreement_id>/edit/": Fill(PRIVATE, lambda w: {"agreement_id": w.obj["agreement"].pk}),
    "agreements/<int:agreement_id>/invite/": Fill(PRIVATE, lambda w: {"agreement_id": w.obj["agreement"].pk}),
    "agreements/<int:agreement_id>/join/": Fill(PRIVATE, lambda w: {"agreement_id": w.obj["agreement"].pk}),
    "agreements/<int:agreement_id>/parties/<int:organisation_id>/contact/": Fill(
        PRIVATE, lambda w: {"agreement_id": w.obj["agreement"].pk, "organisation_id": w.orgs["A:ngo"].pk}
    ),
    "agreements/<int:agreement_id>/export.csv": Fill(
        PRIVATE, lambda w: {"agreement_id": w.obj["agreement"].pk}
    ),
    "agreements/<int:agreement_id>/documents/new/": Fill(
        PRIVATE, lambda w: {"agreement_id": w.obj["agreement"].pk}
    ),
    "agreements/<int:agreement_id>/documents/<int:document_id>/": Fill(
        PRIVATE, lambda w: {"agreement_id": w.obj["agreement"].pk, "document_id": w.obj["document"].pk}
    ),
    "invitations/<int:invitation_id>/": Fill(PRIVATE, lambda w: {"invitation_id": w.obj["invitation"].pk}),
    "organisations/": Fill(PUBLIC),
    "organisations/<slug:slug>/": Fill(PUBLIC, _slug("A:ngo")),
    "organisations/<slug:slug>/edit/": Fill(DENIED, _slug("A:ngo")),
    # statistics
    "statistics/": Fill(PUBLIC),
    "statistics/asylum-seekers/": Fill(PUBLIC),
    "statistics/forecasts/": Fill(PUBLIC),
    "statistics/forecasts/models.csv": Fill(PUBLIC),
    "statistics/upload/": Fill(PUBLIC),
    "statistics/datasets/<slug:slug>/": Fill(PRIVATE, lambda w: {"slug": w.obj["dataset"].slug}),
    "statistics/datasets/<slug:slug>/table.csv": Fill(PRIVATE, lambda w: {"slug": w.obj["dataset"].slug}),
    # panels
    "panels/": Fill(PUBLIC),
    "panels/new/": Fill(PUBLIC),
    "panels/<int:pool_id>/": Fill(PRIVATE, lambda w: {"pool_id": w.obj["pool"].pk}),
    "panels/<int:pool_id>/quotas/": Fill(PRIVATE, lambda w: {"pool_id": w.obj["pool"].pk}),
    "panels/<int:pool_id>/delete/": Fill(PRIVATE, lambda w: {"pool_id": w.obj["pool"].pk}),
    "panels/<int:pool_id>/quotas/csv/": Fill(PRIVATE, lambda w: {"pool_id": w.obj["pool"].pk}),
    "panels/<int:pool_id>/quotas/statistics/": Fill(PRIVATE, lambda w: {"pool_id": w.obj["pool"].pk}),
    "panels/<int:pool_id>/runs/": Fill(PRIVATE, lambda w: {"pool_id": w.obj["pool"].pk}),
    "panels/runs/<int:run_id>/": Fill(PRIVATE, lambda w: {"run_id": w.obj["panel_run"].pk}),
    "panels/runs/<int:run_id>/status/": Fill(PRIVATE, lambda w: {"run_id": w.obj["panel_run"].pk}),
    "panels/runs/<int:run_id>/publish/": Fill(PRIVATE, lambda w: {"run_id": w.obj["panel_run"].pk}),
    "panels/runs/<int:run_id>/members/<int:member_id>/withdraw/": Fill(
        PRIVATE, lambda w: {"run_id": w.obj["panel_run"].pk, "member_id": w.obj["panel_member"].pk}
    ),
    "panels/runs/<int:run_id>/panel.csv": Fill(PRIVATE, lambda w: {"run_id": w.obj["panel_run"].pk}),
    "panels/runs/<int:run_id>/panel.xlsx": Fill(PRIVATE, lambda w: {"run_id": w.obj["panel_run"].pk}),
    "panels/runs/<int:run_id>/people.csv": Fill(PRIVATE, lambda w: {"run_id": w.obj["panel_run"].pk}),
    "panels/runs/<int:run_id>/features.csv": Fill(PRIVATE, lambda w: {"run_id": w.obj["panel_run"].pk}),
    "panels/reports/<int:run_id>/": Fill(PRIVATE, lambda w: {"run_id": w.obj["panel_run"].pk}),
    # resettlement (the agency's cases and runs; the municipality's reception and packets)
    "resettlement/": Fill(PUBLIC),
    "resettlement/needs/": Fill(PUBLIC),
    "resettlement/needs/new/": Fill(PRIVATE),
    "resettlement/needs/<needcode:code>/edit/": Fill(PRIVATE, lambda w: {"code": "SM"}),
    "resettlement/reception/<int:year>/": Fill(PUBLIC, lambda w: {"year": YEAR}),
    "resettlement/reception/<int:year>/<kommunkod:code>/": Fill(
        PRIVATE, lambda w: {"year": YEAR, "code": M1_CODE}
    ),
    "resettlement/cases/<int:year>/": Fill(PRIVATE, lambda w: {"year": YEAR}),
    "resettlement/runs/<int:year>/new/": Fill(PRIVATE, lambda w: {"year": YEAR}),
    "resettlement/runs/<int:run_id>/": Fill(PRIVATE, lambda w: {"run_id": w.obj["approved_run"].pk}),
    "resettlement/runs/<int:run_id>/status/": Fill(PRIVATE, lambda w: {"run_id": w.obj["proposed_run"].pk}),
    "resettlement/runs/<int:run_id>/approve/": Fill(PRIVATE, lambda w: {"run_id": w.obj["proposed_run"].pk}),
    "resettlement/runs/<int:run_id>/discard/": Fill(PRIVATE, lambda w: {"run_id": w.obj["proposed_run"].pk}),
    "resettlement/runs/<int:run_id>/cases/<reference:reference>/": Fill(
        PRIVATE, lambda w: {"run_id": w.obj["approved_run"].pk, "reference": "RA-1"}
    ),
    "resettlement/packets/": Fill(PUBLIC),
    "resettlement/packets/<reference:reference>/": Fill(PRIVATE, lambda w: {"reference": "RA-1"}),
    "resettlement/packets/<reference:reference>/followup/": Fill(PRIVATE, lambda w: {"reference": "RA-1"}),
    "resettlement/followup/": Fill(PUBLIC),
    # meeting places (the calendar, sessions and their posters are public; participants are not)
    "meetingplace/": Fill(PUBLIC),
    "meetingplace/new/": Fill(PUBLIC),
    "meetingplace/activities/<int:activity_id>/sessions/new/": Fill(
        PRIVATE, lambda w: {"activity_id": w.obj["activity"].pk}
    ),
    "meetingplace/sessions/<int:session_id>/": Fill(PUBLIC, lambda w: {"session_id": w.obj["session"].pk}),
    "meetingplace/sessions/<int:session_id>/participants/": Fill(
        PRIVATE, lambda w: {"session_id": w.obj["session"].pk}
    ),
    "meetingplace/sessions/<int:session_id>/plan/": Fill(
        PRIVATE, lambda w: {"session_id": w.obj["past_session"].pk}
    ),
    "meetingplace/sessions/<int:session_id>/cancel/": Fill(
        PRIVATE, lambda w: {"session_id": w.obj["session"].pk}
    ),
    "meetingplace/sessions/<int:session_id>/poster/": Fill(
        PUBLIC, lambda w: {"session_id": w.obj["session"].pk}
    ),
    "meetingplace/sessions/<int:session_id>/evaluation/": Fill(
        PUBLIC, lambda w: {"session_id": w.obj["past_session"].pk}
    ),
    "meetingplace/overview/": Fill(PUBLIC),
    "meetingplace/sessions/<int:session_id>/materials/new/": Fill(
        PRIVATE, lambda w: {"session_id": w.obj["session"].pk}
    ),
    "meetingplace/materials/<int:material_id>/": Fill(
        PRIVATE, lambda w: {"material_id": w.obj["material"].pk}
    ),
    "meetingplace/review/": Fill(PRIVATE),
    "meetingplace/facts/": Fill(PUBLIC),
    "meetingplace/r/<slug:code>/": Fill(
        SECRET, lambda w: {"code": w.obj["registration"].code}, lambda w: {"code": "ZZNOTACODE"}
    ),
    "meetingplace/sessions/<str:key>.ics": Fill(PUBLIC, lambda w: {"key": w.obj["session"].pk}),
    "meetingplace/activities/<str:key>.ics": Fill(PUBLIC, lambda w: {"key": w.obj["activity"].pk}),
    "meetingplace/organisers/<slug:key>.ics": Fill(PUBLIC, lambda w: {"key": w.orgs["A:ngo"].slug}),
    # stories (a draft is seen by its organisation's editors and, through the link, the person)
    "stories/": Fill(PUBLIC),
    "stories/feed.rss": Fill(PUBLIC),
    "stories/feed.atom": Fill(PUBLIC),
    "stories/manage/": Fill(PUBLIC),
    "stories/manage/new/": Fill(PUBLIC),
    "stories/manage/<int:story_id>/": Fill(PRIVATE, lambda w: {"story_id": w.obj["draft"].pk}),
    "stories/manage/<int:story_id>/edit/": Fill(PRIVATE, lambda w: {"story_id": w.obj["draft"].pk}),
    "stories/manage/<int:story_id>/photos/<int:number>.jpg": Fill(
        PRIVATE, lambda w: {"story_id": w.obj["draft"].pk, "number": 1}
    ),
    "stories/p/<str:token>/": Fill(
        SECRET, lambda w: {"token": w.obj["person_token"]}, lambda w: {"token": "zz-not-a-person-token"}
    ),
    "stories/p/<str:token>/photo.jpg": Fill(
        SECRET, lambda w: {"token": w.obj["person_token"]}, lambda w: {"token": "zz-not-a-person-token"}
    ),
    # The owners read the published story; strangers try the draft's address (never public).
    "stories/<slug:slug>/": Fill(
        PRIVATE, lambda w: {"slug": w.obj["published"].slug}, lambda w: {"slug": w.obj["draft"].slug}
    ),
    "stories/<slug:slug>/photo.jpg": Fill(
        PRIVATE, lambda w: {"slug": w.obj["published"].slug}, lambda w: {"slug": w.obj["draft"].slug}
    ),
}

# Patterns the sweep does not visit, each with its reason. A prefix ends with "*".
EXCLUDED: dict[str, str] = {
    "admin/*": "Django's admin: staff only, behind the site's login and two-factor (tests/test_admin.py)",
    "accounts/logout/": "ends the session the sweep is using; tested in accounts/tests/test_login.py",
    # Static files are served by WhiteNoise (middleware), not by a URL pattern; uploads get one only
    # with DEBUG (config/urls.py), for development.
    "^"
    + re.escape(settings.MEDIA_URL.lstrip("/"))
    + "(?P<path>.*)$": "uploads served by Django with DEBUG only",
}

# Crossed parameters: a parent that side B may open, with a child of side A (a classic way
# around a check that looks at the parent only). Each must be 404 for side B.
CROSSED: dict[str, Callable[[World], dict[str, Any]]] = {
    "accounts/organisations/<slug:slug>/members/<int:membership_id>/role/": lambda w: {
        "slug": w.orgs["B:ngo"].slug,
        "membership_id": w.obj["membership"].pk,
    },
    "accounts/organisations/<slug:slug>/members/<int:membership_id>/remove/": lambda w: {
        "slug": w.orgs["B:ngo"].slug,
        "membership_id": w.obj["membership"].pk,
    },
    "agreements/<int:agreement_id>/documents/<int:document_id>/": lambda w: {
        "agreement_id": w.obj["b_agreement"].pk,
        "document_id": w.obj["document"].pk,
    },
    "agreements/<int:agreement_id>/parties/<int:organisation_id>/contact/": lambda w: {
        "agreement_id": w.obj["b_agreement"].pk,
        "organisation_id": w.orgs["A:ngo"].pk,
    },
    "panels/runs/<int:run_id>/members/<int:member_id>/withdraw/": lambda w: {
        "run_id": w.obj["b_run"].pk,
        "member_id": w.obj["panel_member"].pk,
    },
}

# API operations: OpenAPI path -> how to fill its parameters. Every operation of the document
# must be covered (test_every_api_operation_is_swept).
API_FILLS: dict[str, Fill] = {
    "/api/v1/me": Fill(PUBLIC),
    "/api/v1/tokens": Fill(PUBLIC),
    "/api/v1/tokens/{token_id}": Fill(PRIVATE, lambda w: {"token_id": w.obj["token_id"]}),
    "/api/v1/tokens/{token_id}/renew": Fill(PRIVATE, lambda w: {"token_id": w.obj["token_id"]}),
    "/api/v1/organisations": Fill(PUBLIC),
    "/api/v1/organisations/{organisation_id}": Fill(
        PUBLIC, lambda w: {"organisation_id": w.orgs["A:ngo"].pk}
    ),
    "/api/v1/organisations/{organisation_id}/memberships": Fill(
        PRIVATE, lambda w: {"organisation_id": w.orgs["A:ngo"].pk}
    ),
    "/api/v1/agreements": Fill(PUBLIC),
    "/api/v1/agreements/{agreement_id}": Fill(PRIVATE, lambda w: {"agreement_id": w.obj["agreement"].pk}),
    "/api/v1/agreements/{agreement_id}/parties": Fill(
        PRIVATE, lambda w: {"agreement_id": w.obj["agreement"].pk}
    ),
    "/api/v1/agreements/{agreement_id}/invitations": Fill(
        PRIVATE, lambda w: {"agreement_id": w.obj["agreement"].pk}
    ),
    "/api/v1/agreements/{agreement_id}/join": Fill(
        PRIVATE, lambda w: {"agreement_id": w.obj["agreement"].pk}
    ),
    "/api/v1/invitations": Fill(PUBLIC),
    "/api/v1/invitations/{invitation_id}/accept": Fill(
        PRIVATE, lambda w: {"invitation_id": w.obj["invitation"].pk}
    ),
    "/api/v1/invitations/{invitation_id}/decline": Fill(
        PRIVATE, lambda w: {"invitation_id": w.obj["invitation"].pk}
    ),
    "/api/v1/statistics/datasets": Fill(PUBLIC),
    "/api/v1/statistics/datasets/{slug}": Fill(PRIVATE, lambda w: {"slug": w.obj["dataset"].slug}),
    "/api/v1/statistics/datasets/{slug}/observations": Fill(
        PRIVATE, lambda w: {"slug": w.obj["dataset"].slug}
    ),
    "/api/v1/statistics/datasets/{slug}/composition": Fill(
        PRIVATE, lambda w: {"slug": w.obj["dataset"].slug}, query="?dimensions=sex"
    ),
    "/api/v1/meetingplace/sessions": Fill(PUBLIC),
    "/api/v1/meetingplace/sessions/{session_id}": Fill(PUBLIC, lambda w: {"session_id": w.obj["session"].pk}),
    "/api/v1/meetingplace/sessions/{session_id}/registrations": Fill(
        PRIVATE, lambda w: {"session_id": w.obj["session"].pk}
    ),
    "/api/v1/meetingplace/sessions/{session_id}/cancel": Fill(
        PRIVATE, lambda w: {"session_id": w.obj["session"].pk}
    ),
    "/api/v1/meetingplace/sessions/{session_id}/materials": Fill(
        PRIVATE, lambda w: {"session_id": w.obj["session"].pk}
    ),
    "/api/v1/meetingplace/registrations/{code}": Fill(
        SECRET, lambda w: {"code": w.obj["registration"].code}, lambda w: {"code": "ZZNOTACODE"}
    ),
    "/api/v1/meetingplace/materials/{material_id}": Fill(
        PRIVATE, lambda w: {"material_id": w.obj["material"].pk}
    ),
    "/api/v1/meetingplace/materials/{material_id}/review": Fill(
        PRIVATE, lambda w: {"material_id": w.obj["material"].pk}
    ),
    # The owners read the published story; strangers try the draft's address (never public).
    "/api/v1/stories": Fill(PUBLIC),
    "/api/v1/stories/{slug}": Fill(
        PRIVATE, lambda w: {"slug": w.obj["published"].slug}, lambda w: {"slug": w.obj["draft"].slug}
    ),
    # panels: the NGO's pool and its finished, unpublished run
    "/api/v1/panels/pools": Fill(PUBLIC),
    "/api/v1/panels/pools/{pool_id}": Fill(PRIVATE, lambda w: {"pool_id": w.obj["pool"].pk}),
    "/api/v1/panels/pools/{pool_id}/quotas": Fill(PRIVATE, lambda w: {"pool_id": w.obj["pool"].pk}),
    "/api/v1/panels/pools/{pool_id}/quotas/csv": Fill(PRIVATE, lambda w: {"pool_id": w.obj["pool"].pk}),
    "/api/v1/panels/pools/{pool_id}/quotas/statistics": Fill(
        PRIVATE, lambda w: {"pool_id": w.obj["pool"].pk}
    ),
    "/api/v1/panels/pools/{pool_id}/runs": Fill(PRIVATE, lambda w: {"pool_id": w.obj["pool"].pk}),
    "/api/v1/panels/runs/{run_id}": Fill(PRIVATE, lambda w: {"run_id": w.obj["panel_run"].pk}),
    "/api/v1/panels/runs/{run_id}/result": Fill(PRIVATE, lambda w: {"run_id": w.obj["panel_run"].pk}),
    "/api/v1/panels/runs/{run_id}/panel.csv": Fill(PRIVATE, lambda w: {"run_id": w.obj["panel_run"].pk}),
    "/api/v1/panels/runs/{run_id}/people.csv": Fill(PRIVATE, lambda w: {"run_id": w.obj["panel_run"].pk}),
    "/api/v1/panels/runs/{run_id}/features.csv": Fill(PRIVATE, lambda w: {"run_id": w.obj["panel_run"].pk}),
    "/api/v1/panels/runs/{run_id}/publication": Fill(PRIVATE, lambda w: {"run_id": w.obj["panel_run"].pk}),
    # resettlement: the public taxonomy; lists of one's own (packets, reception) and the released
    # dashboard; side A's municipality's reception number, packet and follow-up; the agency's cases,
    # its approved run and its proposed run (which holds RA-3)
    "/api/v1/resettlement/taxonomy/versions": Fill(PUBLIC),
    "/api/v1/resettlement/taxonomy/versions/{number}": Fill(PUBLIC, lambda w: {"number": 1}),
    "/api/v1/resettlement/reception/{year}": Fill(PUBLIC, lambda w: {"year": YEAR}),
    "/api/v1/resettlement/reception/{year}/{code}": Fill(PRIVATE, lambda w: {"year": YEAR, "code": M1_CODE}),
    "/api/v1/resettlement/packets": Fill(PUBLIC),
    "/api/v1/resettlement/packets/{reference}": Fill(PRIVATE, lambda w: {"reference": "RA-1"}),
    "/api/v1/resettlement/packets/{reference}/followup": Fill(PRIVATE, lambda w: {"reference": "RA-1"}),
    "/api/v1/resettlement/dashboard": Fill(PUBLIC),
    "/api/v1/resettlement/cases/{year}": Fill(PRIVATE, lambda w: {"year": YEAR}),
    "/api/v1/resettlement/runs": Fill(PRIVATE),
    "/api/v1/resettlement/runs/{run_id}": Fill(PRIVATE, lambda w: {"run_id": w.obj["approved_run"].pk}),
    "/api/v1/resettlement/runs/{run_id}/proposals": Fill(
        PRIVATE, lambda w: {"run_id": w.obj["approved_run"].pk}
    ),
    "/api/v1/resettlement/runs/{run_id}/proposals/{reference}": Fill(
        PRIVATE, lambda w: {"run_id": w.obj["proposed_run"].pk, "reference": "RA-3"}
    ),
    "/api/v1/resettlement/runs/{run_id}/approve": Fill(
        PRIVATE, lambda w: {"run_id": w.obj["proposed_run"].pk}
    ),
    "/api/v1/resettlement/runs/{run_id}/discard": Fill(
        PRIVATE, lambda w: {"run_id": w.obj["proposed_run"].pk}
    ),
}

# Methods whose rule differs from their path's: anyone may register for a public session (its
# participant list is private); changing a public organisation is refused, 403 or 404.
API_METHOD_KINDS = {
    ("post", "/api/v1/meetingplace/sessions/{session_id}/registrations"): PUBLIC,
    ("patch", "/api/v1/organisations/{organisation_id}"): DENIED,
}

# Known findings, owned by other work on issue #15: (test, route or "METHOD path") -> reason; the
# test is "pages-stranger", "pages-owner", "crossed", "api-stranger" or "api-owner". Each is a strict xfail:
# it fails (XPASS) once the finding is fixed, so the entry is removed then.
KNOWN: dict[tuple[str, str], str] = {}


# --- Enumeration -------------------------------------------------------------------------------
def url_routes() -> list[str]:
    """Every URL pattern of the project as its full route (i18n prefixes included)."""
    routes: list[str] = []

    def walk(resolver: URLResolver, prefix: str) -> None:
        for entry in resolver.url_patterns:
            pattern = str(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry, prefix + pattern)
            elif isinstance(entry, URLPattern):
                routes.append(prefix + pattern)

    walk(get_resolver(), "")
    return list(dict.fromkeys(routes))


def _excluded(route: str) -> bool:
    return any(route.startswith(key[:-1]) if key.endswith("*") else route == key for key in EXCLUDED)


def _api_route(path: str) -> str:
    """The URL route ninja registers for an OpenAPI path."""
    return re.sub(r"\{(\w+)\}", r"<\1>", path.removeprefix("/"))


@functools.cache
def api_operations() -> list[tuple[str, str]]:
    from config.api import api

    document = api.get_openapi_schema()
    return sorted((method, path) for path, ops in document["paths"].items() for method in ops)


def _url(route: str, kwargs: dict[str, Any]) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), route)


def _api_url(path: str, kwargs: dict[str, Any]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(kwargs[m.group(1)]), path)


def _missing_kwargs(route: str) -> dict[str, Any]:
    """Values naming nothing that exists, valid for each parameter's converter."""
    out: dict[str, Any] = {}
    for converter, name in re.findall(r"<(?:(\w+):)?(\w+)>", route):
        out[name] = {
            "int": MISSING_INT,
            "kommunkod": "0000",
            "needcode": "ZZ",
            "reference": "ZZ-MISSING",
        }.get(converter, MISSING_TEXT if converter != "" or "id" not in name else MISSING_INT)
    return out


# --- Requests ----------------------------------------------------------------------------------
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Answer:
    status: int
    location: str = ""
    body: bytes = b""
    headers: str = ""
    error: str = ""  # the head of an exception's traceback


def _client(identity: Identity) -> Client:
    client = Client(enforce_csrf_checks=False, HTTP_ACCEPT_LANGUAGE="en")
    if identity.session_key:
        client.cookies[settings.SESSION_COOKIE_NAME] = identity.session_key
    return client


def _traceback_head(exc: BaseException) -> str:
    """The project's innermost frames and the error: enough to find the line that failed."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if f.filename.startswith(str(ROOT)) and "/.venv/" not in f.filename]
    lines = [
        f"{Path(f.filename).relative_to(ROOT)}:{f.lineno} in {f.name}: {(f.line or '').strip()}"
        for f in (ours or frames)[-3:]
    ]
    return "\n".join([*lines, f"{type(exc).__name__}: {exc}"[:400]])


def _request(client: Client, method: str, url: str, **extra: Any) -> Answer:
    try:
        response = getattr(client, method)(url, **extra)
    except Exception as exc:  # the view raised: the server would answer 500
        return Answer(500, error=_traceback_head(exc))
    streaming = getattr(response, "streaming", False)
    body = b"".join(response.streaming_content) if streaming else response.content
    headers = "\n".join(f"{k}: {v}" for k, v in response.items())
    return Answer(response.status_code, response.get("Location", ""), body, headers)


# What a stranger posts: fields that forms commonly read, each with a wrong value.
GARBAGE_FORM = {
    "garbage": "zz",
    "name": "\u202e<b>x",
    "title": "",
    "email": "not-an-address",
    "code": "!!",
    "action": "zz",
    "decision": "zz",
    "role": "zz",
    "year": "zz",
    "organisation": "zz",
    "file": "not a file",
}
GARBAGE_JSON = json.dumps({"name": "", "title": 1, "decision": "zz", "organisation_id": "x", "capacity": -1})
BROKEN_JSON = b'{"garbage": [1, {"x": null}]'


def _hostile_query(world: World) -> dict[str, Any]:
    """Every query parameter the pages read (grep request.GET), each at an edge: dates at the ends
    of the calendar, numbers out of range, unknown codes, a NUL, an open redirect."""
    edge_dates = {
        "date_from": "0001-01-01",
        "date_to": "9999-12-31",
        "start": "0001-01-01",
        "end": "9999-12-31",
    }
    return {
        **edge_dates,
        "organiser": world.orgs["A:ngo"].pk,
        "year": "-1",
        "version": "9" * 30,
        "page": "-1",
        "limit": "0",
        "offset": "-1",
        "kind": "zz",
        "status": "zz",
        "q": "\x00%",
        "print": "1",
        "place": "zz",
        "parent": "zz",
        "next": "//evil.example/",
        "language": "zz",
        "group": "zz",
        "code": "zz",
        "dataset": "zz",
        "arrival_year": "0",
        "ground": "zz",
    }


def _leaks(answer: Answer) -> list[str]:
    text = answer.body.decode("utf-8", "replace") + "\n" + answer.headers
    return sorted({m.group(0).upper() for m in re.finditer(MARKER_RE.pattern + r"\d+", text, re.IGNORECASE)})


def _to_login(answer: Answer) -> bool:
    return answer.status == 302 and answer.location.startswith(resolve_url(settings.LOGIN_URL))


def _refused(answer: Answer, *, anonymous: bool, api: bool, allow_403: bool) -> bool:
    """Whether a stranger's request about an object of side A was turned away as it must be:
    404 (or 405 for a method the address does not take); the anonymous visitor may instead be sent
    to log in (pages) or get 401 (API); ``allow_403`` for actions on public objects."""
    if answer.status in (404, 405) or (allow_403 and answer.status == 403):
        return True
    if anonymous:
        return answer.status == 401 if api else _to_login(answer)
    return False


@dataclass
class Finding:
    identity: str
    method: str
    url: str
    problem: str
    detail: str = ""

    def __str__(self) -> str:
        text = f"{self.problem}: {self.method.upper()} {self.url} as {self.identity}"
        return text + (f"\n    {self.detail.strip()}".replace("\n", "\n    ") if self.detail else "")


def check(
    findings: list[Finding],
    who: str,
    side: str,
    method: str,
    url: str,
    answer: Answer,
    *,
    kind: str,
    api: bool,
    world: World,
    missing: Answer | None = None,
) -> None:
    """Record what is wrong with one answer. ``missing``: the answer to the same request naming
    an object that does not exist (the API validates a body before it looks the object up, so a
    garbage body may be 400 or 422 either way; the two answers must then be the same)."""
    if answer.status >= 500:
        findings.append(Finding(who, method, url, str(answer.status), answer.error))
        return
    if side == "A":
        return
    leaks = _leaks(answer)
    if leaks:
        what = "; ".join(f"{m} ({world.markers.where.get(m, '?')})" for m in leaks)
        findings.append(Finding(who, method, url, f"leak in a {answer.status} answer", what))
    if kind not in (PRIVATE, DENIED):
        return
    anonymous = who.startswith("anonymous")
    ok = _refused(answer, anonymous=anonymous, api=api, allow_403=kind == DENIED)
    if not ok and missing is not None:
        ok = answer.status == missing.status and not 200 <= answer.status < 300
    if not ok:
        detail = answer.location or answer.body[:300].decode("utf-8", "replace")
        expected = "as for a missing object" if missing is not None else "404"
        findings.append(Finding(who, method, url, f"{answer.status} instead of {expected}", detail))


def _fail(findings: list[Finding]) -> None:
    if findings:
        report = "\n".join(str(f) for f in findings[:40])
        more = f"\n... and {len(findings) - 40} more" if len(findings) > 40 else ""
        pytest.fail(f"{len(findings)} finding(s):\n{report}{more}", pytrace=False)


# --- Fixtures ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[World]:
    """Built once, inside a transaction that is rolled back after the module; each test runs in a
    savepoint of it, so what a test changes is undone before the next."""
    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("sweep-media"))
    media.enable()
    started = time.monotonic()
    try:
        with module_data(django_db_blocker, build_world) as built:
            print(f"\nsecurity sweep: world built in {time.monotonic() - started:.1f} s")
            yield built
    finally:
        media.disable()


@pytest.fixture(autouse=True)
def _media_root() -> None:
    """The world's files live in the module's media folder (replaces the per-test folder)."""


# --- The tests ---------------------------------------------------------------------------------
def _is_api_operation_route(route: str) -> bool:
    return route in {_api_route(path) for _method, path in api_operations()}


def test_every_url_pattern_is_swept() -> None:
    routes = url_routes()
    unknown = [r for r in routes if r not in FILLS and not _excluded(r) and not _is_api_operation_route(r)]
    assert not unknown, (
        "New URL patterns that the security sweep neither fills nor excludes; add each to FILLS "
        f"(with the objects of side A it names) or to EXCLUDED (with a reason): {unknown}"
    )
    stale = [r for r in FILLS if r not in routes]
    assert not stale, f"FILLS names patterns that no longer exist: {stale}"


def test_every_api_operation_is_swept() -> None:
    paths = {path for _method, path in api_operations()}
    unknown = sorted(paths - set(API_FILLS))
    assert not unknown, f"New API operations that the security sweep does not fill: {unknown}"
    stale = sorted(set(API_FILLS) - paths)
    assert not stale, f"API_FILLS names operations that no longer exist: {stale}"


def _params(check_name: str, targets: list[str]) -> list[Any]:
    return [
        pytest.param(
            target,
            id=target or "/",
            marks=[pytest.mark.xfail(strict=True, reason=KNOWN[(check_name, target)])]
            if (check_name, target) in KNOWN
            else [],
        )
        for target in targets
    ]


PAGE_ROUTES = sorted(FILLS)
API_OPERATIONS = [f"{method.upper()} {path}" for method, path in api_operations()]


@pytest.mark.django_db
@pytest.mark.parametrize("route", _params("pages-stranger", PAGE_ROUTES))
def test_pages_as_another_organisation_and_anonymous(world: World, route: str) -> None:
    """GET, and POST a garbage form, as every role of side B and anonymously."""
    fill = FILLS[route]
    url = _url(route, (fill.stranger_kwargs or fill.kwargs)(world)) + fill.query
    findings: list[Finding] = []
    for identity in world.side("B"):
        client = _client(identity)
        for method, extra in (("get", {}), ("post", {"data": GARBAGE_FORM})):
            answer = _request(client, method, url, **extra)
            check(findings, identity.label, "B", method, url, answer, kind=fill.kind, api=False, world=world)
    _fail(findings)


@pytest.mark.django_db
@pytest.mark.parametrize("route", _params("pages-owner", PAGE_ROUTES))
def test_pages_as_the_owning_side_never_crash(world: World, route: str) -> None:
    """GET as every role of side A; and, for an address with parameters, naming nothing."""
    fill = FILLS[route]
    url = _url(route, fill.kwargs(world)) + fill.query
    findings: list[Finding] = []
    statuses = []
    for identity in world.side("A"):
        answer = _request(_client(identity), "get", url)
        statuses.append(answer.status)
        check(findings, identity.label, "A", "get", url, answer, kind=fill.kind, api=False, world=world)
    if fill.kind != PUBLIC and all(status == 404 for status in statuses):
        # Else the strangers' 404 would prove nothing: the address would name nothing at all.
        findings.append(Finding("every role of side A", "get", url, "404 for the owners too: fix FILLS"))
    # The widest role once more, with every query parameter a page reads set to an absurd value.
    hostile = _request(_client(world.side("A")[0]), "get", url, data=_hostile_query(world))
    check(
        findings,
        world.side("A")[0].label,
        "A",
        "get",
        f"{url}?<hostile query>",
        hostile,
        kind=PUBLIC,
        api=False,
        world=world,
    )
    if "<" in route:
        missing = _url(route, _missing_kwargs(route))
        for identity in (world.side("A")[0], world.side("B")[-1]):
            answer = _request(_client(identity), "get", missing)
            check(findings, identity.label, "A", "get", missing, answer, kind=PUBLIC, api=False, world=world)
    _fail(findings)


# Pages where side A's administrator must find side A's markers: the leak check is not vacuous.
OWN_MARKERS: dict[str, Callable[[World], tuple[str, str]]] = {
    "internal agreement title": lambda w: ("get", f"/agreements/{w.obj['agreement'].pk}/"),
    "internal agreement contact name": lambda w: ("get", f"/agreements/{w.obj['agreement'].pk}/"),
    "panel pool name": lambda w: ("get", f"/panels/{w.obj['pool'].pk}/"),
    "volunteer id prefix": lambda w: ("get", f"/panels/runs/{w.obj['panel_run'].pk}/people.csv"),
    "participant name": lambda w: ("get", f"/meetingplace/sessions/{w.obj['session'].pk}/participants/"),
    "material title": lambda w: ("get", f"/meetingplace/materials/{w.obj['material'].pk}/"),
    "closing report questions": lambda w: ("get", f"/meetingplace/sessions/{w.obj['past_session'].pk}/plan/"),
    "story person's name": lambda w: ("get", f"/stories/manage/{w.obj['draft'].pk}/"),
    "internal dataset title": lambda w: ("get", f"/statistics/datasets/{w.obj['dataset'].slug}/"),
    "name of A:reader": lambda w: ("get", f"/accounts/organisations/{w.orgs['A:ngo'].slug}/members/"),
    "API token name of A:administrator": lambda w: ("get", "/api/v1/tokens"),
}


@pytest.mark.django_db
def test_the_owners_see_their_markers(world: World) -> None:
    """The markers sit in what the pages show: were they never shown, no leak could be seen."""
    marker_of = {what: marker for marker, what in world.markers.where.items()}
    client = _client(world.side("A")[0])
    missing = []
    for what, request in OWN_MARKERS.items():
        method, url = request(world)
        answer = _request(client, method, url)
        if marker_of[what] not in {m for m in _leaks(answer)}:
            missing.append(f"{what} ({marker_of[what]}) not on {url} ({answer.status})")
    assert not missing, missing


@pytest.mark.django_db
@pytest.mark.parametrize("route", _params("crossed", sorted(CROSSED)))
def test_crossed_parameters_as_another_organisation(world: World, route: str) -> None:
    """Side B's own parent object with side A's child: 404, and nothing of side A in the answer."""
    url = _url(route, CROSSED[route](world))
    findings: list[Finding] = []
    for identity in world.side("B"):
        client = _client(identity)
        for method, extra in (("get", {}), ("post", {"data": GARBAGE_FORM})):
            answer = _request(client, method, url, **extra)
            check(findings, identity.label, "B", method, url, answer, kind=PRIVATE, api=False, world=world)
    _fail(findings)


def _api_clients(identity: Identity) -> list[tuple[str, Client, dict[str, Any]]]:
    """The session, and (for a user) the user's personal API token."""
    if identity.user is None:
        return [(identity.label, Client(), {})]
    return [
        (f"{identity.label} (session)", _client(identity), {}),
        (f"{identity.label} (token)", Client(), {"HTTP_AUTHORIZATION": f"Bearer {identity.token}"}),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("operation", _params("api-stranger", API_OPERATIONS))
def test_api_as_another_organisation_and_anonymous(world: World, operation: str) -> None:
    """Every operation as every role of side B (session and token) and anonymously; a write with
    a body that is not JSON and with one of wrong fields."""
    method, path = operation.split(" ")
    method = method.lower()
    fill = API_FILLS[path]
    kind = API_METHOD_KINDS.get((method, path), fill.kind)
    url = _api_url(path, (fill.stranger_kwargs or fill.kwargs)(world)) + fill.query
    missing_url = _api_url(path, _missing_kwargs(_api_route(path))) + fill.query
    findings: list[Finding] = []
    for identity in world.side("B"):
        for who, client, headers in _api_clients(identity):
            bodies: list[dict[str, Any]] = (
                [{}] if method == "get" else [{"data": BROKEN_JSON}, {"data": GARBAGE_JSON}]
            )
            for body in bodies:
                extra = {**body, **headers, **({"content_type": "application/json"} if body else {})}
                answer = _request(client, method, url, **extra)
                missing = (
                    _request(client, method, missing_url, **extra) if kind in (PRIVATE, DENIED) else None
                )
                check(
                    findings, who, "B", method, url, answer, kind=kind, api=True, world=world, missing=missing
                )
    _fail(findings)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "operation", _params("api-owner", [op for op in API_OPERATIONS if op.startswith("GET ")])
)
def test_api_reads_as_the_owning_side_never_crash(world: World, operation: str) -> None:
    path = operation.split(" ")[1]
    url = _api_url(path, API_FILLS[path].kwargs(world)) + API_FILLS[path].query
    findings: list[Finding] = []
    statuses, bodies = [], []
    for identity in world.side("A"):
        for who, client, headers in _api_clients(identity):
            answer = _request(client, "get", url, **headers)
            statuses.append(answer.status)
            bodies.append(answer.body[:300].decode("utf-8", "replace"))
            check(findings, who, "A", "get", url, answer, kind=PUBLIC, api=True, world=world)
    if API_FILLS[path].kind != PUBLIC and 200 not in statuses:
        findings.append(
            Finding(
                "every role of side A",
                "get",
                url,
                f"{set(statuses)} for the owners: fix API_FILLS",
                bodies[0],
            )
        )
    _fail(findings)
