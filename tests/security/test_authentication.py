"""Authentication is decided in one place: a request is a token request or a session request.

Tried as an attacker who has only a user's password (issue #15, item 1): no header turns the
session's second factor off, and a session that has not passed it cannot mint or renew a token.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from samverkan.accounts.actors import actor_for_user
from samverkan.accounts.models import ApiToken
from samverkan.accounts.services import api_token_create, api_token_renew
from samverkan.accounts.tests.factories import PASSWORD, member, with_authenticator
from samverkan.accounts.tests.helpers import verified_login
from samverkan.accounts.tokens import authenticate_token
from samverkan.core.errors import NotFound, PermissionDenied, ValidationError

pytestmark = pytest.mark.django_db
JSON = "application/json"


def _password_only_session(user) -> tuple[Client, str]:
    """A browser that logged in with the password and stopped at the second-factor page."""
    browser = Client(enforce_csrf_checks=True)
    browser.get("/accounts/login/")
    csrf = browser.cookies["csrftoken"].value
    response = browser.post(
        "/accounts/login/", {"username": user.email, "password": PASSWORD, "csrfmiddlewaretoken": csrf}
    )
    assert response.status_code == 302
    assert "two-factor" in browser.get("/dashboard/")["Location"]
    return browser, browser.cookies["csrftoken"].value


def _token_for(user) -> str:
    return api_token_create(
        actor=actor_for_user(with_authenticator(user), two_factor_verified=True), name="own"
    )[1]


HEADERS_THAT_MUST_NOT_HELP = [
    {"HTTP_AUTHORIZATION": "Bearer x"},
    {"HTTP_AUTHORIZATION": "Bearer "},
    {"HTTP_AUTHORIZATION": "bearer sv_wrong"},
    {"HTTP_AUTHORIZATION": "Basic eDp5"},
    {"HTTP_AUTHORIZATION": "Token sv_x"},
    {"HTTP_AUTHORIZATION": ""},
    {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"},
    {"HTTP_HX_REQUEST": "true"},
    {"HTTP_X_FORWARDED_PROTO": "https"},
    {"HTTP_X_FORWARDED_FOR": "127.0.0.1"},
]


@pytest.mark.parametrize("headers", HEADERS_THAT_MUST_NOT_HELP)
def test_password_alone_cannot_mint_a_token_whatever_the_headers(headers):
    admin = with_authenticator(member("administrator"))
    browser, csrf = _password_only_session(admin)
    response = browser.post(
        "/api/v1/tokens", {"name": "x"}, content_type=JSON, HTTP_X_CSRFTOKEN=csrf, **headers
    )
    assert response.status_code in (401, 403), response.content
    assert not ApiToken.objects.filter(user=admin).exists()


def test_password_alone_for_a_role_without_an_authenticator_yet_cannot_mint_a_token():
    # A new coordinator who has not set up two-factor yet: the password is all there is.
    coordinator = member("coordinator")
    browser, csrf = _password_only_session(coordinator)
    for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer x"}):
        response = browser.post(
            "/api/v1/tokens", {"name": "x"}, content_type=JSON, HTTP_X_CSRFTOKEN=csrf, **headers
        )
        assert response.status_code in (401, 403)
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("headers", HEADERS_THAT_MUST_NOT_HELP)
def test_password_alone_reads_no_personal_data_through_the_api(headers):
    admin = with_authenticator(member("administrator"))
    organisation_id = admin.memberships.get().organisation_id
    browser, _csrf = _password_only_session(admin)
    response = browser.get(f"/api/v1/organisations/{organisation_id}/memberships", **headers)
    assert response.status_code in (401, 403)
    assert admin.email not in response.content.decode()


def test_a_token_request_never_uses_the_session_it_also_carries():
    admin = member("administrator")
    browser = Client()
    verified_login(browser, admin)
    reader = member("reader")
    raw = _token_for(reader)
    me = browser.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert me.status_code == 200 and me.json()["user"]["email"] == reader.email
    # A wrong token beside a good, verified session is still a 401: the session is not a fallback.
    assert browser.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer sv_wrong").status_code == 401
    # A token request neither reads, writes nor clears the session: no cookie comes back, and the
    # browser's session still works afterwards.
    assert settings.SESSION_COOKIE_NAME not in me.cookies
    assert browser.get("/api/v1/me").json()["user"]["email"] == admin.email


def test_a_token_cannot_mint_or_renew_tokens_even_beside_a_verified_session():
    user = member("administrator")
    browser = Client()
    verified_login(browser, user)
    token = ApiToken.objects.get(
        pk=api_token_create(actor=actor_for_user(user, two_factor_verified=True), name="t")[0].pk
    )
    raw = api_token_create(actor=actor_for_user(user, two_factor_verified=True), name="u")[1]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert browser.post("/api/v1/tokens", {"name": "x"}, content_type=JSON, **auth).status_code == 401
    before = token.expires_at
    response = browser.post(f"/api/v1/tokens/{token.pk}/renew", {}, content_type=JSON, **auth)
    assert response.status_code == 401
    token.refresh_from_db()
    assert token.expires_at == before
    assert ApiToken.objects.filter(user=user).count() == 2


def test_a_verified_session_mints_a_token_that_expires_by_default():
    admin = member("administrator")
    browser = Client()
    verified_login(browser, admin)
    response = browser.post("/api/v1/tokens", {"name": "laptop"}, content_type=JSON)
    assert response.status_code == 201, response.content
    body = response.json()
    expires = dt.datetime.fromisoformat(body["expires_at"])
    expected = timezone.now() + dt.timedelta(days=settings.API_TOKEN_DEFAULT_DAYS)
    assert abs(expires - expected) < dt.timedelta(minutes=5)
    assert authenticate_token(body["token"]) == admin


def test_a_token_longer_than_the_maximum_is_refused(client):
    reader = member("reader")
    client.force_login(reader)
    response = client.post(
        "/api/v1/tokens",
        {"name": "x", "expires_in_days": settings.API_TOKEN_MAX_DAYS + 1},
        content_type=JSON,
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "expires_in_days"


# --- The service's own rule (whatever calls it) ------------------------------------------------
def test_service_refuses_an_unverified_actor_who_needs_a_second_factor():
    admin = with_authenticator(member("administrator"))
    with pytest.raises(PermissionDenied):
        api_token_create(actor=actor_for_user(admin), name="x")
    # Someone who turned two-factor on voluntarily is held to it too.
    reader = with_authenticator(member("reader"))
    with pytest.raises(PermissionDenied):
        api_token_create(actor=actor_for_user(reader), name="x")
    assert not ApiToken.objects.exists()
    # A reader without an authenticator needs no second factor.
    api_token_create(actor=actor_for_user(member("reader")), name="x")


def test_renewal_moves_the_expiry_of_a_live_token_only():
    user = member("coordinator")
    verified = actor_for_user(with_authenticator(user), two_factor_verified=True)
    token, _raw = api_token_create(actor=verified, name="x", expires_in_days=3)
    with pytest.raises(PermissionDenied):
        api_token_renew(actor=actor_for_user(user), token_id=token.pk)
    renewed = api_token_renew(actor=verified, token_id=token.pk, expires_in_days=30)
    assert renewed.expires_at > timezone.now() + dt.timedelta(days=29)
    with pytest.raises(NotFound):
        api_token_renew(
            actor=actor_for_user(with_authenticator(member("coordinator")), two_factor_verified=True),
            token_id=token.pk,
        )
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(ValidationError) as exc:
        api_token_renew(actor=verified, token_id=token.pk)
    assert "token" in exc.value.errors


# --- The pages ----------------------------------------------------------------------------------
def test_token_page_lists_last_use_and_expiry_and_shows_a_new_token_once(english):
    user = member("case_officer")
    browser = Client()
    verified_login(browser, user)
    page = browser.get("/accounts/tokens/")
    assert page.status_code == 200
    response = browser.post("/accounts/tokens/", {"name": "nightly export", "expires_in_days": 30})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    raw = re.search(r"data-new-token>(sv_[^<]+)<", response.content.decode()).group(1)
    assert authenticate_token(raw) == user
    listing = browser.get("/accounts/tokens/").content.decode()
    assert "nightly export" in listing and raw not in listing
    token = ApiToken.objects.get(user=user)
    assert token.last_used_at is not None
    assert timezone.localtime(token.last_used_at).strftime("%Y-%m-%d %H:%M") in listing
    assert timezone.localtime(token.expires_at).strftime("%Y-%m-%d") in listing


def test_revoking_from_the_page_asks_first(english):
    user = member("reader")
    browser = Client()
    browser.force_login(user)
    token, raw = api_token_create(actor=actor_for_user(user), name="old script")
    confirm = browser.get(f"/accounts/tokens/{token.pk}/revoke/")
    assert confirm.status_code == 200 and "old script" in confirm.content.decode()
    assert authenticate_token(raw) == user  # asking changed nothing
    browser.post(f"/accounts/tokens/{token.pk}/revoke/")
    assert authenticate_token(raw) is None
    # Someone else's token is a 404, indistinguishable from a missing one.
    other, _ = api_token_create(actor=actor_for_user(member("reader")), name="theirs")
    assert browser.get(f"/accounts/tokens/{other.pk}/revoke/").status_code == 404
    assert browser.get("/accounts/tokens/999999/revoke/").status_code == 404


def test_a_page_with_a_bearer_header_still_needs_the_second_factor(client):
    # Pages are always session requests: an Authorization header changes nothing there.
    user = with_authenticator(member("administrator"))
    client.force_login(user)  # the password only
    for headers in (
        {},
        {"HTTP_AUTHORIZATION": "Bearer x"},
        {"HTTP_AUTHORIZATION": f"Bearer {_token_for(user)}"},
    ):
        response = client.get("/organisations/", **headers)
        assert response.status_code == 302 and "/accounts/two-factor/" in response["Location"], headers
