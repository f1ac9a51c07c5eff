"""Two-factor authentication: setting up an authenticator, verifying a code after the password."""

from __future__ import annotations

import base64
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from samverkan.accounts.tests.factories import PASSWORD, member
from samverkan.accounts.tests.helpers import (
    code_for,
    english,  # noqa: F401 - fixture
    verified_login,
)
from samverkan.core.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

SETUP = "/accounts/two-factor/setup/"
VERIFY = "/accounts/two-factor/verify/"
DASHBOARD = "/dashboard/"


def test_url_names():
    assert reverse("accounts:two_factor_setup") == SETUP
    assert reverse("accounts:two_factor_verify") == VERIFY
    assert reverse("accounts:account") == "/accounts/"


def test_setup_shows_an_inline_svg_qr_code_and_the_secret(client):
    user = member("reader")
    client.force_login(user)
    response = client.get(SETUP)
    body = response.content.decode()
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed
    assert "<svg" in body
    assert "<img" not in body
    assert "<script>" not in body  # no inline script; the only script is the site's static file
    secret = base64.b32encode(device.bin_key).decode()
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in body
    # Reloading keeps the same key, so a half-scanned code stays valid.
    client.get(SETUP)
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_confirming_with_the_right_code_turns_two_factor_on(client):
    user = member("case_officer")
    client.force_login(user)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=user)

    response = client.post(SETUP, {"code": code_for(device), "next": "/agreements/"})

    assert response["Location"] == "/agreements/"
    device.refresh_from_db()
    assert device.confirmed
    # The session is verified: pages that needed the second factor load now.
    assert client.get(DASHBOARD).status_code == 200
    event = AuditEvent.objects.get(code="accounts.two_factor.enabled")
    assert event.actor_user_id == user.pk
    assert "key" not in event.data


def test_wrong_code_at_setup_is_named_and_nothing_is_turned_on(client):
    user = member("case_officer")
    client.force_login(user)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=user)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"

    response = client.post(SETUP, {"code": wrong})

    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    device.refresh_from_db()
    assert not device.confirmed
    assert AuditEvent.objects.filter(code="accounts.two_factor.failed").exists()
    assert client.get(DASHBOARD)["Location"].startswith(SETUP)


def test_code_must_be_six_digits(client):
    client.force_login(member("reader"))
    client.get(SETUP)
    response = client.post(SETUP, {"code": "12ab"})
    assert "Enter the code as 6 digits" in response.context["form"].errors["code"][0]


def test_password_alone_cannot_replace_an_existing_authenticator(client):
    user = member("case_officer")
    verified_login(client, user)
    client.logout()
    client.force_login(user)  # password only
    response = client.get(SETUP)
    assert urlsplit(response["Location"]).path == VERIFY
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_verify_after_password_login(client):
    user = member("case_officer")
    device = verified_login(client, user)
    client.logout()
    response = client.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})
    assert urlsplit(response["Location"]).path == VERIFY
    assert client.get(DASHBOARD)["Location"].startswith(VERIFY)

    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    response = client.post(VERIFY, {"code": wrong, "next": DASHBOARD})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert AuditEvent.objects.filter(code="accounts.two_factor.failed", actor_user_id=user.pk).exists()

    device.refresh_from_db()
    device.throttling_failure_count = 0  # the wrong code above throttles the next try by 1 s
    device.throttling_failure_timestamp = None
    device.save()
    response = client.post(VERIFY, {"code": code_for(device, drift=1), "next": DASHBOARD})
    assert response["Location"] == DASHBOARD
    assert client.get(DASHBOARD).status_code == 200
    assert AuditEvent.objects.filter(code="accounts.two_factor.verified", actor_user_id=user.pk).exists()


def test_a_code_cannot_be_used_twice(client):
    user = member("case_officer")
    device = verified_login(client, user)
    client.logout()
    client.force_login(user)
    code = code_for(device)
    client.post(VERIFY, {"code": code})
    client.logout()
    client.force_login(user)
    response = client.post(VERIFY, {"code": code})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]


def test_verify_ignores_a_foreign_next(client):
    user = member("case_officer")
    device = verified_login(client, user)
    client.logout()
    client.force_login(user)
    response = client.post(VERIFY, {"code": code_for(device, drift=1), "next": "https://evil.example/"})
    assert response["Location"] == reverse("site:dashboard")


def test_verify_without_device_sends_to_setup(client):
    client.force_login(member("case_officer"))
    assert urlsplit(client.get(VERIFY)["Location"]).path == SETUP


def test_account_page_shows_two_factor_status(client):
    user = member("reader")
    client.force_login(user)
    body = client.get(reverse("accounts:account")).content.decode()
    assert "Set up two-factor authentication" in body
    assert user.email in body
    verified_login(client, user)
    body = client.get(reverse("accounts:account")).content.decode()
    assert "Set up two-factor authentication" not in body


def test_pages_need_login(client):
    for url in (SETUP, VERIFY, reverse("accounts:account")):
        assert urlsplit(client.get(url)["Location"]).path == reverse("accounts:login")
