"""Two-factor authentication: setting up an authenticator, verifying a code after the password."""

from __future__ import annotations

import base64
import re
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from samverkan.accounts.models import RecoveryCode, RecoveryCodes
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

    # Next come the recovery codes, shown once, then on to where the person was going.
    assert response.status_code == 200 and 'href="/agreements/"' in response.content.decode()
    assert "no-store" in response["Cache-Control"]
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


RECOVERY = "/accounts/two-factor/recovery-codes/"


def _codes(response) -> list[str]:
    body = response.content.decode()
    return re.findall(r'<code dir="ltr">([A-Z0-9-]+)</code>', body)


def _set_up(client, user) -> tuple[TOTPDevice, list[str]]:
    client.force_login(user)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=user)
    codes = _codes(client.post(SETUP, {"code": code_for(device)}))
    return device, codes


def test_setting_up_gives_ten_recovery_codes_kept_only_as_hashes(client):
    user = member("case_officer")
    _device, codes = _set_up(client, user)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(re.fullmatch(r"[A-Z2-9]{5}-[A-Z2-9]{5}", c) for c in codes)
    stored = list(RecoveryCode.objects.filter(device__user=user).values_list("code_hash", flat=True))
    assert len(stored) == 10 and not any(c in h or c.replace("-", "") in h for c in codes for h in stored)
    assert 'data-recovery-left="10"' in client.get("/accounts/").content.decode()


def test_a_recovery_code_passes_the_second_factor_once(client):
    user = member("case_officer")
    _device, codes = _set_up(client, user)
    client.logout()
    client.force_login(user)  # the password again, and no phone at hand
    response = client.post(
        VERIFY, {"action": "recovery", "recovery_code": codes[0].lower().replace("-", " "), "next": DASHBOARD}
    )
    assert response.status_code == 200 and 'data-recovery-left="9"' in response.content.decode()
    assert client.get(DASHBOARD).status_code == 200
    assert AuditEvent.objects.get(code="accounts.two_factor.recovered").data == {"left": 9}
    client.logout()
    client.force_login(user)
    again = client.post(VERIFY, {"action": "recovery", "recovery_code": codes[0]})
    assert again.status_code == 200 and again.context["recovery_form"].errors["recovery_code"]
    assert client.get(DASHBOARD)["Location"].startswith(VERIFY)
    assert AuditEvent.objects.filter(code="accounts.two_factor.failed", data__stage="recovery").exists()


def test_with_a_recovery_code_a_lost_phone_is_replaced_by_the_person(client):
    user = member("case_officer")
    old_device, codes = _set_up(client, user)
    client.logout()
    client.force_login(user)
    client.post(VERIFY, {"action": "recovery", "recovery_code": codes[3]})
    page = client.get(SETUP)
    assert page.status_code == 200 and "data-replacing" in page.content.decode()
    new_device = TOTPDevice.objects.get(user=user, confirmed=False)
    fresh = _codes(client.post(SETUP, {"code": code_for(new_device)}))
    assert list(TOTPDevice.objects.filter(user=user).values_list("pk", flat=True)) == [new_device.pk]
    assert not TOTPDevice.objects.filter(pk=old_device.pk).exists()
    assert AuditEvent.objects.filter(code="accounts.two_factor.replaced", actor_user_id=user.pk).exists()
    # The set shown with the new authenticator replaces the old one.
    assert len(fresh) == 10 and RecoveryCodes.objects.filter(user=user).count() == 1
    client.logout()
    client.force_login(user)
    old = client.post(VERIFY, {"action": "recovery", "recovery_code": codes[4]})
    assert old.context["recovery_form"].errors["recovery_code"]


def test_new_recovery_codes_need_a_verified_session_and_void_the_old_ones(client):
    user = member("case_officer")
    _device, codes = _set_up(client, user)
    response = client.post(RECOVERY)
    new = _codes(response)
    assert len(new) == 10 and not set(new) & set(codes)
    client.logout()
    client.force_login(user)  # password only
    assert urlsplit(client.post(RECOVERY)["Location"]).path == VERIFY
    assert (
        client.post(VERIFY, {"action": "recovery", "recovery_code": codes[0]}).context["recovery_form"].errors
    )
    # A wrong code throttles the next try (1 s, doubling), as for authenticator codes.
    throttled = client.post(VERIFY, {"action": "recovery", "recovery_code": new[0]})
    assert throttled.context["recovery_form"].errors
    unthrottled = {"throttling_failure_count": 0, "throttling_failure_timestamp": None}
    RecoveryCodes.objects.filter(user=user).update(**unthrottled)
    assert client.post(VERIFY, {"action": "recovery", "recovery_code": new[0]}).status_code == 200
    assert client.get(DASHBOARD).status_code == 200


def test_after_an_administrator_resets_the_authenticator_old_recovery_codes_do_not_stand_in(client):
    user = member("case_officer")
    device, codes = _set_up(client, user)
    device.delete()  # the administrator's reset, in the admin
    client.logout()
    client.force_login(user)
    assert urlsplit(client.get(DASHBOARD)["Location"]).path == VERIFY
    assert urlsplit(client.get(VERIFY)["Location"]).path == SETUP
    assert (
        urlsplit(client.post(VERIFY, {"action": "recovery", "recovery_code": codes[0]})["Location"]).path
        == SETUP
    )
    assert client.get(SETUP).status_code == 200  # a password suffices after a reset, as before
    fresh = TOTPDevice.objects.get(user=user, confirmed=False)
    new_codes = _codes(client.post(SETUP, {"code": code_for(fresh)}))
    assert len(new_codes) == 10 and RecoveryCodes.objects.filter(user=user).count() == 1
