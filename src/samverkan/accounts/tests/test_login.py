"""Logging in and out: lockout per (username, address), audit, safe redirects, session rotation."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from samverkan.accounts.models import LoginFailure
from samverkan.accounts.tests.factories import PASSWORD, member
from samverkan.accounts.tests.helpers import (
    english,  # noqa: F401 - fixture
    verified_login,
)
from samverkan.core.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

LOGIN = "/accounts/login/"
HOME_IP = "198.51.100.10"
ATTACKER_IP = "203.0.113.66"


def _login(client, email, password, ip=HOME_IP, **extra):
    return client.post(LOGIN, {"username": email, "password": password, **extra}, REMOTE_ADDR=ip)


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_login_url_name():
    assert reverse("accounts:login") == LOGIN


def test_correct_password_logs_in_and_goes_to_dashboard(client):
    user = member("reader")
    response = _login(client, user.email, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("site:dashboard")
    assert client.session["_auth_user_id"] == str(user.pk)
    event = AuditEvent.objects.get(code="accounts.login.succeeded")
    assert event.actor_user_id == user.pk
    assert event.ip == HOME_IP


def test_email_is_matched_without_regard_to_case(client):
    user = member("reader")
    _login(client, user.email.upper(), PASSWORD)
    assert _logged_in(client)


def test_login_rotates_the_session_key(client):
    user = member("reader")
    session = client.session
    session["before"] = True
    session.save()
    before = session.session_key
    _login(client, user.email, PASSWORD)
    assert client.session.session_key != before


def test_wrong_password_is_refused_counted_and_audited_without_the_password(client):
    user = member("reader")
    response = _login(client, user.email, "wrong-password-123")
    assert response.status_code == 200
    assert "The e-mail address or the password is not correct." in response.content.decode()
    assert not _logged_in(client)
    assert LoginFailure.objects.filter(username=user.email, ip=HOME_IP).count() == 1
    event = AuditEvent.objects.get(code="accounts.login.failed")
    assert event.data == {"username": user.email}
    all_events = json.dumps([e.data for e in AuditEvent.objects.all()])
    assert "wrong-password-123" not in all_events


def test_unknown_user_gets_the_same_message(client):
    response = _login(client, "nobody@example.invalid", "whatever-password")
    assert "The e-mail address or the password is not correct." in response.content.decode()


def _fail(client, email, times, ip=HOME_IP):
    for _ in range(times):
        _login(client, email, "wrong-password-123", ip=ip)


def test_pair_is_locked_after_the_limit_even_with_the_correct_password(client, settings):
    user = member("reader")
    _fail(client, user.email, settings.LOGIN_LOCKOUT_FAILURES)

    response = _login(client, user.email, PASSWORD)

    assert not _logged_in(client)
    assert "Too many failed attempts" in response.content.decode()
    assert AuditEvent.objects.filter(code="accounts.login.locked").count() == 1
    assert all(PASSWORD not in json.dumps(e.data) for e in AuditEvent.objects.all())


def test_one_fewer_failure_than_the_limit_still_lets_the_user_in(client, settings):
    user = member("reader")
    _fail(client, user.email, settings.LOGIN_LOCKOUT_FAILURES - 1)
    _login(client, user.email, PASSWORD)
    assert _logged_in(client)


def test_an_attacker_cannot_lock_the_user_out_from_another_address(client, settings):
    user = member("reader")
    _fail(client, user.email, settings.LOGIN_LOCKOUT_FAILURES + 3, ip=ATTACKER_IP)
    assert "Too many failed attempts" in _login(client, user.email, PASSWORD, ip=ATTACKER_IP).content.decode()

    _login(client, user.email, PASSWORD, ip=HOME_IP)

    assert client.session["_auth_user_id"] == str(user.pk)


def test_lock_lifts_when_the_window_has_passed(client, settings):
    user = member("reader")
    _fail(client, user.email, settings.LOGIN_LOCKOUT_FAILURES)
    _login(client, user.email, PASSWORD)
    assert not _logged_in(client)

    LoginFailure.objects.update(at=timezone.now() - settings.LOGIN_LOCKOUT_WINDOW - timedelta(seconds=1))
    _login(client, user.email, PASSWORD)

    assert _logged_in(client)


def test_success_clears_the_pairs_failures_only(client):
    user = member("reader")
    _fail(client, user.email, 3)
    _fail(client, user.email, 2, ip=ATTACKER_IP)
    _login(client, user.email, PASSWORD)
    assert not LoginFailure.objects.filter(username=user.email, ip=HOME_IP).exists()
    assert LoginFailure.objects.filter(username=user.email, ip=ATTACKER_IP).count() == 2


def test_address_ceiling_across_usernames(client, settings):
    settings.LOGIN_LOCKOUT_ADDRESS_FAILURES = 4
    victim = member("reader")
    for n in range(4):
        _login(client, f"guess{n}@example.invalid", "wrong-password-123", ip=ATTACKER_IP)

    response = _login(client, victim.email, PASSWORD, ip=ATTACKER_IP)
    assert not _logged_in(client)
    assert "Too many failed attempts" in response.content.decode()

    _login(client, victim.email, PASSWORD, ip=HOME_IP)
    assert _logged_in(client)


def test_safe_next_is_followed_and_foreign_next_is_ignored(client):
    user = member("reader")
    response = _login(client, user.email, PASSWORD, next="/agreements/")
    assert response["Location"] == "/agreements/"
    client.logout()
    response = _login(client, user.email, PASSWORD, next="https://evil.example/")
    assert response["Location"] == reverse("site:dashboard")


def test_user_with_authenticator_is_asked_for_the_code_after_the_password(client):
    user = member("case_officer")
    verified_login(client, user)
    client.logout()
    response = _login(client, user.email, PASSWORD, next="/agreements/")
    assert response["Location"] == reverse("accounts:two_factor_verify") + "?next=%2Fagreements%2F"


def test_form_errors_name_the_field(client):
    response = client.post(LOGIN, {"username": "", "password": ""})
    body = response.content.decode()
    assert "Enter your e-mail address." in body
    assert "Enter your password." in body
    assert not LoginFailure.objects.exists()


def test_logout_needs_post_and_logs_out(client):
    user = member("reader")
    client.force_login(user)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert _logged_in(client)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert not _logged_in(client)
    assert AuditEvent.objects.filter(code="accounts.logout", actor_user_id=user.pk).exists()


def test_a_password_typed_into_the_name_field_never_enters_the_log(client):
    _login(client, "MySecretPassw0rd!", "whatever")
    event = AuditEvent.objects.get(code="accounts.login.failed")
    assert "MySecretPassw0rd" not in json.dumps(event.data).lower()
    assert "username" not in event.data


def test_ipv6_clients_are_counted_per_64_network(client, settings):
    settings.LOGIN_LOCKOUT_FAILURES = 3
    user = member("reader")
    for n in range(3):  # an attacker rotating through addresses of one /64
        _login(client, user.email, "wrong-password-123", ip=f"2001:db8:1:2::{n + 1}")
    response = _login(client, user.email, PASSWORD, ip="2001:db8:1:2::ffff")
    assert not _logged_in(client)
    assert "Too many failed attempts" in response.content.decode()
    # the user's own network is unaffected
    _login(client, user.email, PASSWORD, ip="2001:db8:9:9::1")
    assert _logged_in(client)


def test_parallel_guesses_get_no_more_tries_than_the_limit(settings, monkeypatch):
    """While one guess is being checked, others arrive (a script firing in parallel): each is
    counted before its password is checked, so no more than the limit are ever checked."""
    from samverkan.accounts import services

    settings.LOGIN_LOCKOUT_FAILURES = 3
    user = member("reader")
    checked: list[str] = []
    real_authenticate = services.login.authenticate

    def authenticate_while_others_arrive(request, username, password):
        checked.append(password)
        if len(checked) == 1:  # the first guess is still being checked when five more arrive
            for n in range(5):
                with pytest.raises((services.LoginFailed, services.LoginLocked)):
                    services.login_authenticate(username=user.email, password=f"guess-{n}", ip=ATTACKER_IP)
        return real_authenticate(request, username=username, password=password)

    monkeypatch.setattr(services.login, "authenticate", authenticate_while_others_arrive)
    with pytest.raises(services.LoginFailed):
        services.login_authenticate(username=user.email, password="guess-first", ip=ATTACKER_IP)
    assert len(checked) == 3  # the first and two of the five; the other three were locked out unchecked
    assert LoginFailure.objects.filter(username=user.email, ip=ATTACKER_IP).count() == 3
    assert AuditEvent.objects.filter(code="accounts.login.locked").count() == 3
