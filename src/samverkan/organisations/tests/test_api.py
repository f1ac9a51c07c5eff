"""The organisations and agreements API: scoping, validation as 422 naming the field, and writes."""

from __future__ import annotations

import datetime as dt
import typing

import pytest

from samverkan.accounts.actors import actor_for_user
from samverkan.accounts.services import api_token_create
from samverkan.accounts.tests.factories import MembershipFactory, member, with_authenticator
from samverkan.core.models import AuditEvent
from samverkan.organisations import schemas
from samverkan.organisations.models import (
    Agreement,
    AgreementInvitation,
    AgreementKind,
    AgreementParty,
    AgreementStatus,
    InvitationStatus,
    Organisation,
    OrganisationKind,
    Visibility,
)
from samverkan.organisations.tests.factories import AgreementFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

ROLES = ["administrator", "coordinator", "case_officer", "editor", "reader"]
JSON = "application/json"


def bearer(user) -> dict[str, str]:
    _, raw = api_token_create(
        actor=actor_for_user(with_authenticator(user), two_factor_verified=True), name="test"
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _locs(response) -> list[list]:
    return [e["loc"] for e in response.json()["detail"]]


def test_schema_literals_match_the_model_choices():
    pairs = [
        (schemas.OrganisationKindCode, OrganisationKind),
        (schemas.AgreementKindCode, AgreementKind),
        (schemas.AgreementStatusCode, AgreementStatus),
        (schemas.VisibilityCode, Visibility),
        (schemas.InvitationStatusCode, InvitationStatus),
    ]
    for literal, choices in pairs:
        assert list(typing.get_args(literal)) == list(choices.values)


# --- Organisations ----------------------------------------------------------------------------
def test_organisation_list_is_public_filtered_and_paginated(client):
    OrganisationFactory(name="Alfa förening")
    OrganisationFactory(name="Beta förening")
    OrganisationFactory(name="Alfa myndighet", kind="agency")
    body = client.get("/api/v1/organisations", {"q": "alfa"}).json()
    assert body["count"] == 2
    body = client.get("/api/v1/organisations", {"q": "alfa", "kind": "agency"}).json()
    assert [o["name"] for o in body["items"]] == ["Alfa myndighet"]
    body = client.get("/api/v1/organisations", {"limit": 1, "offset": 1}).json()
    assert body["count"] == 3 and len(body["items"]) == 1
    assert client.get("/api/v1/organisations", {"kind": "castle"}).status_code == 422
    assert client.get("/api/v1/organisations", {"limit": 10_000}).status_code == 422


def test_organisation_get(client):
    org = OrganisationFactory()
    body = client.get(f"/api/v1/organisations/{org.pk}").json()
    assert body["slug"] == org.slug and body["org_number"] == org.org_number
    assert client.get("/api/v1/organisations/999999").status_code == 404
    assert client.get("/api/v1/organisations/0").status_code == 422
    assert client.get(f"/api/v1/organisations/{2**63}").status_code == 422


def test_organisation_update_by_its_administrator(client):
    org = OrganisationFactory()
    admin = member("administrator", org)
    response = client.patch(
        f"/api/v1/organisations/{org.pk}",
        {"description": "Ny beskrivning", "org_number": "2021002163"},
        content_type=JSON,
        **bearer(admin),
    )
    assert response.status_code == 200, response.content
    org.refresh_from_db()
    assert org.description == "Ny beskrivning" and org.org_number == "202100-2163"
    assert AuditEvent.objects.filter(
        code="organisations.organisation.updated", organisation_id=org.pk
    ).exists()


@pytest.mark.parametrize("role", ROLES[1:])
def test_organisation_update_needs_the_administrator_role(client, role):
    org = OrganisationFactory(description="Orörd")
    response = client.patch(
        f"/api/v1/organisations/{org.pk}",
        {"description": "x"},
        content_type=JSON,
        **bearer(member(role, org)),
    )
    assert response.status_code == 403
    org.refresh_from_db()
    assert org.description == "Orörd"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"org_number": "202100-2164"}, "org_number"),  # wrong check digit
        ({"org_number": "1234"}, "org_number"),
        ({"kind": "municipality", "municipality_code": "9999"}, "municipality_code"),
        ({"kind": "municipality"}, "municipality_code"),
        ({"name": ""}, "name"),
    ],
)
def test_organisation_update_invalid_is_422_naming_the_field_and_writes_nothing(client, payload, field):
    org = OrganisationFactory(description="Orörd")
    auth = bearer(_platform_admin(org))
    before = Organisation.objects.values().get(pk=org.pk)
    events = AuditEvent.objects.count()
    response = client.patch(
        f"/api/v1/organisations/{org.pk}",
        {**payload, "description": "ändrad"},
        content_type=JSON,
        **auth,
    )
    assert response.status_code == 422
    assert ["body", "payload", field] in _locs(response)
    assert Organisation.objects.values().get(pk=org.pk) == before
    assert AuditEvent.objects.count() == events


def _platform_admin(org):
    user = member("administrator", org)
    user.is_superuser = True
    user.save(update_fields=["is_superuser"])
    return user


def test_organisation_update_to_municipality_with_a_real_kommunkod(client):
    org = OrganisationFactory()
    response = client.patch(
        f"/api/v1/organisations/{org.pk}",
        {"kind": "municipality", "municipality_code": "0180"},
        content_type=JSON,
        **bearer(_platform_admin(org)),
    )
    assert response.status_code == 200, response.content
    assert response.json()["municipality_code"] == "0180"


def test_an_organisations_administrator_cannot_make_it_a_municipality(client):
    org = OrganisationFactory()
    response = client.patch(
        f"/api/v1/organisations/{org.pk}",
        {"kind": "municipality", "municipality_code": "0180"},
        content_type=JSON,
        **bearer(member("administrator", org)),
    )
    assert response.status_code == 422
    assert ["body", "payload", "kind"] in _locs(response)
    org.refresh_from_db()
    assert (org.kind, org.municipality_id) == ("ngo", None)


def test_nul_characters_are_422_not_a_database_error(client):
    org = OrganisationFactory()
    admin = member("administrator", org)
    response = client.patch(
        f"/api/v1/organisations/{org.pk}", {"description": "a\x00b"}, content_type=JSON, **bearer(admin)
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "description"


def test_platform_administrator_registers_a_municipality(client):
    from samverkan.accounts.models import User

    staff = User.objects.create_superuser(username="root", email="root@example.invalid", password="x" * 12)
    payload = {"name": "Östersunds kommun", "kind": "municipality", "municipality_code": "2380"}
    response = client.post("/api/v1/organisations", payload, content_type=JSON, **bearer(staff))
    assert response.status_code == 201, response.content
    created = Organisation.objects.get(pk=response.json()["id"])
    assert created.municipality_id == "2380"
    assert AuditEvent.objects.filter(
        code="organisations.organisation.created", organisation_id=created.pk
    ).exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "X", "kind": "ngo", "org_number": "802000-0109"}, "org_number"),
        ({"name": "X", "kind": "municipality", "municipality_code": "9999"}, "municipality_code"),
        ({"name": "X", "kind": "municipality"}, "municipality_code"),
    ],
)
def test_registering_an_organisation_with_bad_input_is_422_and_writes_nothing(client, payload, field):
    from samverkan.accounts.models import User

    staff = User.objects.create_superuser(username="root", email="root@example.invalid", password="x" * 12)
    before = Organisation.objects.count()
    response = client.post("/api/v1/organisations", payload, content_type=JSON, **bearer(staff))
    assert response.status_code == 422
    assert _locs(response)[0][-1] == field
    assert Organisation.objects.count() == before


@pytest.mark.parametrize("role", ROLES)
def test_only_platform_administrators_register_organisations(client, role):
    response = client.post(
        "/api/v1/organisations", {"name": "X", "kind": "ngo"}, content_type=JSON, **bearer(member(role))
    )
    assert response.status_code == 403
    assert not Organisation.objects.filter(name="X").exists()


# --- Agreements: reading ----------------------------------------------------------------------
def test_agreement_list_anonymous_sees_public_non_draft_only(client):
    public = AgreementFactory(visibility="public")
    AgreementFactory(visibility="public", status="draft")
    AgreementFactory()  # internal
    body = client.get("/api/v1/agreements").json()
    assert [a["id"] for a in body["items"]] == [public.pk]
    assert body["items"][0]["owner"]["id"] == public.owner_id
    assert body["items"][0]["parties"] == [
        {"id": public.owner.pk, "name": public.owner.name, "slug": public.owner.slug}
    ]


def test_agreement_list_filters_and_mine(client):
    org = OrganisationFactory()
    user = member("reader", org)
    mine = AgreementFactory(owner=org, kind="cooperation")
    AgreementFactory(visibility="public", kind="iop")
    auth = bearer(user)
    ids = lambda **q: {a["id"] for a in client.get("/api/v1/agreements", q, **auth).json()["items"]}  # noqa: E731
    assert mine.pk in ids()
    assert len(ids()) == 2
    assert ids(mine="true") == {mine.pk}
    assert ids(kind="cooperation") == {mine.pk}
    assert ids(status="ended") == set()
    assert client.get("/api/v1/agreements", {"status": "bogus"}).status_code == 422


@pytest.mark.parametrize("role", ROLES)
def test_another_organisations_internal_agreement_is_404_for_every_role(client, role):
    user = member(role)
    secret = AgreementFactory(title="Intern överenskommelse")
    auth = bearer(user)
    for url in (f"/api/v1/agreements/{secret.pk}", f"/api/v1/agreements/{secret.pk}/parties"):
        response = client.get(url, **auth)
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}
    response = client.patch(f"/api/v1/agreements/{secret.pk}", {"title": "x"}, content_type=JSON, **auth)
    assert response.status_code == 404
    response = client.post(
        f"/api/v1/agreements/{secret.pk}/invitations",
        {"organisation_id": secret.owner_id},
        content_type=JSON,
        **auth,
    )
    assert response.status_code == 404
    assert secret.pk not in {a["id"] for a in client.get("/api/v1/agreements", **auth).json()["items"]}
    secret.refresh_from_db()
    assert secret.title == "Intern överenskommelse"


@pytest.mark.parametrize("role", ROLES)
def test_own_internal_agreement_is_visible_for_every_role(client, role):
    org = OrganisationFactory()
    agreement = AgreementFactory(owner=org)
    response = client.get(f"/api/v1/agreements/{agreement.pk}", **bearer(member(role, org)))
    assert response.status_code == 200
    assert response.json()["title"] == agreement.title


def test_party_contacts_only_for_members_of_party_organisations(client):
    org = OrganisationFactory()
    agreement = AgreementFactory(owner=org, visibility="public")
    AgreementParty.objects.filter(agreement=agreement).update(
        contact_name="Kim", contact_email="kim@example.invalid"
    )
    outsider = member("administrator")
    for auth in ({}, bearer(outsider)):
        parties = client.get(f"/api/v1/agreements/{agreement.pk}/parties", **auth).json()
        assert parties[0]["contact_email"] is None and parties[0]["contact_name"] is None
    parties = client.get(f"/api/v1/agreements/{agreement.pk}/parties", **bearer(member("reader", org))).json()
    assert parties[0]["contact_email"] == "kim@example.invalid"
    assert parties[0]["contact_name"] == "Kim"


# --- Agreements: writing ----------------------------------------------------------------------
def _agreement_payload(owner_id: int, **overrides) -> dict:
    return {
        "owner_id": owner_id,
        "kind": "iop",
        "title": "Språkcafé",
        "purpose": "Samtalsträning",
        "start_date": "2026-03-01",
        "end_date": "2027-02-28",
        **overrides,
    }


def test_create_agreement(client):
    org = OrganisationFactory()
    editor = member("editor", org)
    response = client.post(
        "/api/v1/agreements",
        _agreement_payload(org.pk, contact_email="kontakt@example.invalid"),
        content_type=JSON,
        **bearer(editor),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft" and body["visibility"] == "internal"
    assert body["start_date"] == "2026-03-01" and body["owner"]["id"] == org.pk
    agreement = Agreement.objects.get(pk=body["id"])
    assert agreement.parties.get().contact_email == "kontakt@example.invalid"
    assert AuditEvent.objects.filter(code="organisations.agreement.created").count() == 1


def test_create_agreement_end_before_start_is_422_and_writes_nothing(client):
    org = OrganisationFactory()
    editor = member("editor", org)
    auth = bearer(editor)
    events = AuditEvent.objects.count()
    response = client.post(
        "/api/v1/agreements",
        _agreement_payload(org.pk, start_date="2026-03-01", end_date="2026-02-28"),
        content_type=JSON,
        **auth,
    )
    assert response.status_code == 422
    assert _locs(response) == [["body", "payload", "end_date"]]
    assert not Agreement.objects.exists()
    assert not AgreementParty.objects.exists()
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"start_date": "2026-02-30"}, "start_date"),
        ({"kind": "treaty"}, "kind"),
        ({"title": ""}, "title"),
        ({"contact_email": "not-an-address"}, "contact_email"),
        ({"open_for_joining": True, "visibility": "internal"}, "open_for_joining"),
    ],
)
def test_create_agreement_invalid_fields_are_422_naming_the_field(client, overrides, field):
    org = OrganisationFactory()
    response = client.post(
        "/api/v1/agreements",
        _agreement_payload(org.pk, **overrides),
        content_type=JSON,
        **bearer(member("editor", org)),
    )
    assert response.status_code == 422
    assert any(loc[-1] == field for loc in _locs(response)), response.json()
    assert not Agreement.objects.exists()


def test_create_agreement_for_someone_elses_organisation_is_422_on_owner_id(client):
    other = OrganisationFactory()
    response = client.post(
        "/api/v1/agreements",
        _agreement_payload(other.pk),
        content_type=JSON,
        **bearer(member("administrator")),
    )
    assert response.status_code == 422
    assert _locs(response) == [["body", "payload", "owner_id"]]


@pytest.mark.parametrize("role", ["case_officer", "reader"])
def test_create_agreement_needs_a_writer_role(client, role):
    org = OrganisationFactory()
    response = client.post(
        "/api/v1/agreements", _agreement_payload(org.pk), content_type=JSON, **bearer(member(role, org))
    )
    assert response.status_code == 403
    assert not Agreement.objects.exists()


def test_update_agreement(client):
    org = OrganisationFactory()
    agreement = AgreementFactory(owner=org)
    auth = bearer(member("editor", org))
    response = client.patch(
        f"/api/v1/agreements/{agreement.pk}",
        {"title": "Nytt namn", "status": "ended"},
        content_type=JSON,
        **auth,
    )
    assert response.status_code == 200, response.content
    assert response.json()["title"] == "Nytt namn"
    agreement.refresh_from_db()
    assert agreement.status == "ended"
    response = client.patch(
        f"/api/v1/agreements/{agreement.pk}", {"end_date": "2020-01-01"}, content_type=JSON, **auth
    )
    assert response.status_code == 422
    assert _locs(response) == [["body", "payload", "end_date"]]
    agreement.refresh_from_db()
    assert agreement.end_date == dt.date(2027, 12, 31)
    reader = bearer(member("reader", org))
    response = client.patch(f"/api/v1/agreements/{agreement.pk}", {"title": "x"}, content_type=JSON, **reader)
    assert response.status_code == 403


def test_invite_accept_and_decline(client):
    owner = OrganisationFactory()
    agreement = AgreementFactory(owner=owner)
    guest, other_guest = OrganisationFactory(), OrganisationFactory()
    owner_auth = bearer(member("administrator", owner))
    url = f"/api/v1/agreements/{agreement.pk}/invitations"
    response = client.post(
        url, {"organisation_id": guest.pk, "message": "Välkomna"}, content_type=JSON, **owner_auth
    )
    assert response.status_code == 201, response.content
    invitation_id = response.json()["id"]
    again = client.post(url, {"organisation_id": guest.pk}, content_type=JSON, **owner_auth)
    assert again.status_code == 422 and _locs(again) == [["body", "payload", "organisation_id"]]
    missing = client.post(url, {"organisation_id": 999999}, content_type=JSON, **owner_auth)
    assert missing.status_code == 422 and _locs(missing) == [["body", "payload", "organisation_id"]]

    # The invited organisation may see the agreement and its pending invitation.
    guest_admin = member("administrator", guest)
    guest_auth = bearer(guest_admin)
    assert client.get(f"/api/v1/agreements/{agreement.pk}", **guest_auth).status_code == 200
    assert [i["id"] for i in client.get("/api/v1/invitations", **guest_auth).json()] == [invitation_id]
    # Only the invited organisation's administrators see the invitation: a reader there, like a
    # stranger, gets 404.
    reader_auth = bearer(member("reader", guest))
    assert (
        client.post(
            f"/api/v1/invitations/{invitation_id}/accept", {}, content_type=JSON, **reader_auth
        ).status_code
        == 404
    )
    stranger = bearer(member("administrator"))
    assert (
        client.post(
            f"/api/v1/invitations/{invitation_id}/accept", {}, content_type=JSON, **stranger
        ).status_code
        == 404
    )

    response = client.post(
        f"/api/v1/invitations/{invitation_id}/accept",
        {"contact_name": "Alex", "contact_email": "alex@example.invalid"},
        content_type=JSON,
        **guest_auth,
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "accepted"
    assert AgreementParty.objects.filter(agreement=agreement, organisation=guest).exists()
    # Answered once only.
    again = client.post(f"/api/v1/invitations/{invitation_id}/decline", {}, content_type=JSON, **guest_auth)
    assert again.status_code == 403

    response = client.post(url, {"organisation_id": other_guest.pk}, content_type=JSON, **owner_auth)
    declined_id = response.json()["id"]
    response = client.post(
        f"/api/v1/invitations/{declined_id}/decline",
        {},
        content_type=JSON,
        **bearer(member("administrator", other_guest)),
    )
    assert response.status_code == 200 and response.json()["status"] == "declined"
    assert AgreementInvitation.objects.get(pk=declined_id).status == "declined"
    assert not AgreementParty.objects.filter(agreement=agreement, organisation=other_guest).exists()


def test_join_an_open_agreement(client):
    agreement = AgreementFactory(visibility="public", open_for_joining=True)
    joiner = OrganisationFactory()
    admin = member("administrator", joiner)
    url = f"/api/v1/agreements/{agreement.pk}/join"
    response = client.post(
        url,
        {"organisation_id": joiner.pk, "contact_email": "j@example.invalid"},
        content_type=JSON,
        **bearer(admin),
    )
    assert response.status_code == 201, response.content
    assert response.json()["organisation"]["id"] == joiner.pk
    assert response.json()["contact_email"] == "j@example.invalid"
    again = client.post(url, {"organisation_id": joiner.pk}, content_type=JSON, **bearer(admin))
    assert again.status_code == 422 and _locs(again) == [["body", "payload", "organisation_id"]]

    closed = AgreementFactory(visibility="public")
    other = OrganisationFactory()
    response = client.post(
        f"/api/v1/agreements/{closed.pk}/join",
        {"organisation_id": other.pk},
        content_type=JSON,
        **bearer(member("administrator", other)),
    )
    assert response.status_code == 403
    assert not AgreementParty.objects.filter(agreement=closed, organisation=other).exists()
    # Joining for an organisation you are not a member of is 422 on organisation_id.
    third = OrganisationFactory()
    response = client.post(url, {"organisation_id": third.pk}, content_type=JSON, **bearer(admin))
    assert response.status_code == 422 and _locs(response) == [["body", "payload", "organisation_id"]]
    # A reader of an organisation may not join for it.
    MembershipFactory(user=admin, organisation=third, role="reader")
    response = client.post(url, {"organisation_id": third.pk}, content_type=JSON, **bearer(admin))
    assert response.status_code == 403
