"""Session limits (idle and absolute) and the two-factor requirement, seen through real requests."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from samverkan.accounts import middleware
from samverkan.accounts.middleware import SESSION_AUTH_AT, SESSION_LAST_SEEN
from samverkan.accounts.tests.factories import member
from samverkan.accounts.tests.factories import organisation as new_organisation
from samverkan.accounts.tests.helpers import (
    english,  # noqa: F401 - fixture
    verified_login,
)
from samverkan.core.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

DASHBOARD = "/dashboard/"


class FakeClock:
    def __init__(self) -> None:
        self.now = time.time()

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(middleware, "time", fake)
    return fake


def _set_session(client, **values):
    session = client.session
    for key, value in values.items():
        session[key] = value
    session.save()


def test_idle_session_is_logged_out_and_sent_to_login_with_expired(client):
    client.force_login(member("reader"))
    assert client.get(DASHBOARD).status_code == 200
    _set_session(client, **{SESSION_LAST_SEEN: time.time() - 31 * 60})

    response = client.get(DASHBOARD)

    assert response.status_code == 302
    parts = urlsplit(response["Location"])
    assert parts.path == reverse("accounts:login")
    assert parse_qs(parts.query) == {"next": [DASHBOARD], "expired": ["1"]}
    assert "_auth_user_id" not in client.session
    # Logged out for good: the next request is an anonymous one.
    assert client.get(DASHBOARD)["Location"].startswith(reverse("accounts:login"))


def test_expired_redirect_keeps_the_whole_address_including_its_query(client):
    client.force_login(member("reader"))
    client.get(DASHBOARD)
    _set_session(client, **{SESSION_LAST_SEEN: time.time() - 31 * 60})

    response = client.get("/agreements/?kind=iop&status=active")

    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["next"] == ["/agreements/?kind=iop&status=active"]
    assert query["expired"] == ["1"]


def test_absolute_limit_ends_an_active_session(client):
    client.force_login(member("reader"))
    client.get(DASHBOARD)
    now = time.time()
    _set_session(client, **{SESSION_AUTH_AT: now - 10 * 60 * 60 - 60, SESSION_LAST_SEEN: now - 5})

    response = client.get(DASHBOARD)

    assert response.status_code == 302
    assert "expired=1" in response["Location"]
    assert "_auth_user_id" not in client.session


def test_activity_keeps_the_session_alive_until_the_absolute_limit(client, clock, settings):
    client.force_login(member("reader"))
    assert client.get(DASHBOARD).status_code == 200
    start = clock.now
    # A request every 20 minutes for 9 h 40 min: never idle for 30 minutes, so still logged in.
    for _ in range(29):
        clock.now += 20 * 60
        assert client.get(DASHBOARD).status_code == 200
    # Ten hours after logging in the session ends, activity or not.
    clock.now = start + 10 * 60 * 60 + 1
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert "expired=1" in response["Location"]


def test_idle_clock_restarts_on_every_request(client, clock):
    client.force_login(member("reader"))
    client.get(DASHBOARD)
    clock.now += 29 * 60
    assert client.get(DASHBOARD).status_code == 200
    clock.now += 29 * 60
    assert client.get(DASHBOARD).status_code == 200
    clock.now += 31 * 60
    assert client.get(DASHBOARD).status_code == 302


def test_login_page_explains_a_timed_out_session(client):
    response = client.get(reverse("accounts:login") + "?expired=1")
    assert "session timed out" in response.content.decode()
    assert "session timed out" not in client.get(reverse("accounts:login")).content.decode()


# --- Two-factor requirement -----------------------------------------------------------------
def test_case_officer_without_device_is_sent_to_setup_before_any_page(client):
    client.force_login(member("case_officer"))
    for path in (DASHBOARD, "/agreements/", reverse("accounts:account")):
        response = client.get(path)
        assert response.status_code == 302
        parts = urlsplit(response["Location"])
        assert parts.path == reverse("accounts:two_factor_setup")
        assert parse_qs(parts.query)["next"] == [path]
    assert client.get(reverse("accounts:two_factor_setup")).status_code == 200


def test_reader_is_not_asked_for_a_second_factor(client):
    client.force_login(member("reader"))
    assert client.get(DASHBOARD).status_code == 200


@pytest.mark.parametrize("role", ["administrator", "coordinator", "case_officer"])
def test_required_role_with_device_is_sent_to_verify_then_page_loads(client, role):
    user = member(role)
    device = verified_login(client, user)
    assert client.get(DASHBOARD).status_code == 200
    # A fresh login without the second factor.
    client.logout()
    client.force_login(user)
    response = client.get(DASHBOARD)
    assert urlsplit(response["Location"]).path == reverse("accounts:two_factor_verify")
    assert device.pk


def test_reader_who_turned_two_factor_on_must_use_it(client):
    user = member("reader")
    verified_login(client, user)
    client.logout()
    client.force_login(user)
    response = client.get(DASHBOARD)
    assert urlsplit(response["Location"]).path == reverse("accounts:two_factor_verify")


def test_superuser_needs_a_second_factor(client, django_user_model):
    admin = django_user_model.objects.create_superuser(
        username="root", email="root@example.invalid", password="x-very-long-password"
    )
    client.force_login(admin)
    assert urlsplit(client.get(DASHBOARD)["Location"]).path == reverse("accounts:two_factor_setup")


def test_api_answers_403_without_second_factor(client):
    client.force_login(member("case_officer"))
    response = client.get("/api/v1/anything")
    assert response.status_code == 403


def test_logout_is_reachable_without_second_factor(client):
    client.force_login(member("case_officer"))
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_audit_events_from_pages_carry_the_client_address(client):
    organisation = new_organisation()
    verified_login(client, member("administrator", organisation))
    client.get(reverse("accounts:member_list", args=[organisation.slug]), REMOTE_ADDR="203.0.113.7")
    event = AuditEvent.objects.get(code="accounts.membership.listed")
    assert event.ip == "203.0.113.7"
