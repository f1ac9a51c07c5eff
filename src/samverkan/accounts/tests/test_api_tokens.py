"""Personal API tokens: created once, stored hashed, refused when revoked/expired/inactive."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from samverkan.accounts.actors import actor_for_user
from samverkan.accounts.models import ApiToken
from samverkan.accounts.services import api_token_create, api_token_revoke
from samverkan.accounts.tests.factories import MembershipFactory, UserFactory, member, with_authenticator
from samverkan.accounts.tokens import authenticate_token
from samverkan.core.actor import Actor
from samverkan.core.errors import NotFound, PermissionDenied, ValidationError
from samverkan.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _token(user, **kwargs) -> tuple[ApiToken, str]:
    return api_token_create(
        actor=actor_for_user(with_authenticator(user), two_factor_verified=True), name="script", **kwargs
    )


def bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


# --- Service ----------------------------------------------------------------------------------
def test_create_stores_only_the_hash_and_audits_without_the_secret():
    user = UserFactory()
    token, raw = _token(user, expires_in_days=30)
    assert raw.startswith("sv_") and len(raw) > 40
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in {token.prefix, token.token_hash, token.name}
    assert raw.startswith(token.prefix)
    assert token.expires_at is not None and token.expires_at > timezone.now() + dt.timedelta(days=29)
    event = AuditEvent.objects.get(code="accounts.api_token.created")
    dumped = json.dumps(event.data)
    assert raw not in dumped and token.token_hash not in dumped and raw[3:13] not in dumped
    assert event.actor_user_id == user.pk


def test_two_tokens_differ():
    user = UserFactory()
    assert _token(user)[1] != _token(user)[1]


@pytest.mark.parametrize(
    ("name", "days", "field"),
    [("", None, "name"), ("   ", None, "name"), ("x" * 101, None, "name"), ("ok", 0, "expires_in_days")],
)
def test_create_refuses_bad_input(name, days, field):
    user = UserFactory()
    with pytest.raises(ValidationError) as exc:
        api_token_create(actor=actor_for_user(user), name=name, expires_in_days=days)
    assert field in exc.value.errors
    assert not ApiToken.objects.exists()


def test_anonymous_cannot_create_and_nobody_creates_for_someone_else():
    other = UserFactory()
    with pytest.raises(PermissionDenied):
        api_token_create(actor=Actor.anonymous(), name="x")
    with pytest.raises(PermissionDenied):
        api_token_create(actor=actor_for_user(UserFactory()), name="x", for_user=other)


def test_authenticate_accepts_a_valid_token_and_records_use():
    user = UserFactory()
    token, raw = _token(user)
    assert authenticate_token(raw) == user
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize("raw", ["", "nonsense", "sv_", "sv_" + "a" * 43, "Bearer sv_x", "sv_" + "a" * 500])
def test_authenticate_refuses_unknown_tokens(raw):
    _token(UserFactory())
    assert authenticate_token(raw) is None


def test_authenticate_refuses_revoked_expired_and_inactive():
    user = UserFactory()
    revoked, raw_revoked = _token(user)
    api_token_revoke(actor=actor_for_user(user), token_id=revoked.pk)
    assert authenticate_token(raw_revoked) is None

    expired, raw_expired = _token(user, expires_in_days=1)
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert authenticate_token(raw_expired) is None

    _, raw_live = _token(user)
    assert authenticate_token(raw_live) == user
    user.is_active = False
    user.save()
    assert authenticate_token(raw_live) is None


def test_revoke_only_own_tokens_and_audit_once():
    owner, stranger = UserFactory(), UserFactory()
    token, _ = _token(owner)
    with pytest.raises(NotFound):
        api_token_revoke(actor=actor_for_user(stranger), token_id=token.pk)
    api_token_revoke(actor=actor_for_user(owner), token_id=token.pk)
    api_token_revoke(actor=actor_for_user(owner), token_id=token.pk)
    assert AuditEvent.objects.filter(code="accounts.api_token.revoked").count() == 1


def test_management_command_prints_the_token_once():
    user = UserFactory(email="robot@example.invalid")
    out, err = io.StringIO(), io.StringIO()
    call_command("create_api_token", email="ROBOT@example.invalid", name="nightly", stdout=out, stderr=err)
    raw = out.getvalue().strip()
    assert authenticate_token(raw) == user
    assert raw not in err.getvalue()
    assert AuditEvent.objects.get(code="accounts.api_token.created").actor_label == "system"


def test_management_command_refuses_unknown_user():
    with pytest.raises(CommandError):
        call_command("create_api_token", email="nobody@example.invalid", name="x", stdout=io.StringIO())


# --- HTTP -------------------------------------------------------------------------------------
PROTECTED = [
    ("get", "/api/v1/me"),
    ("get", "/api/v1/tokens"),
    ("post", "/api/v1/tokens"),
    ("delete", "/api/v1/tokens/1"),
    ("get", "/api/v1/organisations/1/memberships"),
    ("patch", "/api/v1/organisations/1"),
    ("post", "/api/v1/agreements"),
    ("patch", "/api/v1/agreements/1"),
    ("post", "/api/v1/agreements/1/invitations"),
    ("post", "/api/v1/agreements/1/join"),
    ("get", "/api/v1/invitations"),
    ("post", "/api/v1/invitations/1/accept"),
    ("post", "/api/v1/invitations/1/decline"),
]


@pytest.mark.parametrize(("method", "url"), PROTECTED)
def test_protected_endpoints_answer_401_without_credentials(client, method, url):
    response = getattr(client, method)(url, data={}, content_type="application/json")
    assert response.status_code == 401


@pytest.mark.parametrize(("method", "url"), PROTECTED)
def test_a_wrong_or_revoked_token_is_401(client, method, url):
    user = UserFactory()
    token, raw = _token(user)
    api_token_revoke(actor=actor_for_user(user), token_id=token.pk)
    for bad in (raw, "sv_wrong"):
        response = getattr(client, method)(url, data={}, content_type="application/json", **bearer(bad))
        assert response.status_code == 401


def test_a_wrong_token_is_401_even_on_a_public_endpoint(client):
    assert client.get("/api/v1/agreements").status_code == 200
    assert client.get("/api/v1/agreements", **bearer("sv_wrong")).status_code == 401


def test_token_authenticates_and_bypasses_the_session_second_factor(client):
    # An administrator must pass 2FA in a session; a token (made in such a session) suffices.
    admin = member("administrator")
    _, raw = _token(admin)
    response = client.get("/api/v1/me", **bearer(raw))
    assert response.status_code == 200
    assert response.json()["user"]["email"] == admin.email
    client.force_login(admin)
    assert client.get("/api/v1/me").status_code == 403  # session without the second factor
    # With the unverified session still open, the bearer token alone decides who is calling.
    assert client.get("/api/v1/me", **bearer(raw)).status_code == 200
    assert client.get("/api/v1/me", **bearer("sv_wrong")).status_code == 401


def test_tokens_endpoint_lists_without_secrets_and_revokes(client):
    user = UserFactory()
    token, raw = _token(user)
    listed = client.get("/api/v1/tokens", **bearer(raw)).json()
    assert [t["id"] for t in listed] == [token.pk]
    assert "token" not in listed[0] and "token_hash" not in listed[0]
    other_token, _ = _token(UserFactory())
    assert client.delete(f"/api/v1/tokens/{other_token.pk}", **bearer(raw)).status_code == 404
    assert client.delete(f"/api/v1/tokens/{token.pk}", **bearer(raw)).status_code == 204
    assert client.get("/api/v1/tokens", **bearer(raw)).status_code == 401


def test_creating_a_token_needs_a_session_with_csrf():
    user = UserFactory()
    _, raw = _token(user)
    csrf_client = Client(enforce_csrf_checks=True)
    # A token cannot mint tokens.
    response = csrf_client.post(
        "/api/v1/tokens", {"name": "x"}, content_type="application/json", **bearer(raw)
    )
    assert response.status_code == 401
    csrf_client.force_login(user)
    # The user has an authenticator, so the session must have passed it (as after a real login).
    session = csrf_client.session
    session["otp_device_id"] = user.totpdevice_set.get().persistent_id
    session.save()
    response = csrf_client.post("/api/v1/tokens", {"name": "x"}, content_type="application/json")
    assert response.status_code == 403  # no CSRF token
    csrf_client.get("/api/v1/docs")  # sets the CSRF cookie
    csrf = csrf_client.cookies["csrftoken"].value
    response = csrf_client.post(
        "/api/v1/tokens",
        {"name": "laptop", "expires_in_days": 7},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=csrf,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "laptop" and body["token"].startswith("sv_")
    assert authenticate_token(body["token"]) == user
    assert ApiToken.objects.filter(user=user).count() == 2


def test_create_token_validation_is_422_naming_the_field(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        "/api/v1/tokens", {"name": "x", "expires_in_days": 0}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "expires_in_days"
    response = client.post("/api/v1/tokens", {"name": "   "}, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "payload", "name"]
    assert not ApiToken.objects.exists()


def test_a_token_stops_working_when_its_owner_needs_a_second_factor_they_lack(client):
    editor = UserFactory()
    membership = MembershipFactory(user=editor, role="editor")
    _, raw = api_token_create(actor=actor_for_user(editor), name="script")  # no authenticator
    assert client.get("/api/v1/me", **bearer(raw)).status_code == 200
    membership.role = "administrator"
    membership.save()
    response = client.get(f"/api/v1/organisations/{membership.organisation_id}/memberships", **bearer(raw))
    assert response.status_code == 403
    with_authenticator(editor)
    assert client.get("/api/v1/me", **bearer(raw)).status_code == 200
