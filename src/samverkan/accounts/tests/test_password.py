"""Forgotten and changed passwords: e-mailed one-time link, no account enumeration, audited."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from samverkan.accounts import services
from samverkan.accounts.tests.factories import PASSWORD, UserFactory
from samverkan.core.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
NEW_PASSWORD = "a-new-and-long-passphrase"


def _link(mail) -> str:
    match = re.search(r"https?://[^/]+(/accounts/password/reset/[^\s]+/)", mail.body)
    assert match, mail.body
    return match.group(1)


def test_forgotten_password_journey(client, mailoutbox):
    user = UserFactory()
    response = client.post(reverse("accounts:password_reset"), {"email": user.email.upper()})
    assert response.status_code == 302
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [user.email]
    link = client.get(_link(mailoutbox[0]), follow=True)
    assert link.status_code == 200
    form_url = link.redirect_chain[-1][0]
    done = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    codes = list(AuditEvent.objects.order_by("seq").values_list("code", flat=True))
    assert codes == ["accounts.password.reset_requested", "accounts.password.reset_done"]
    # the link works once
    again = client.get(_link(mailoutbox[0]), follow=True).content.decode()
    assert 'name="new_password1"' not in again
    assert reverse("accounts:password_reset") in again  # "ask for a new link"


def test_unknown_address_gets_the_same_answer_and_no_mail(client, mailoutbox):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.invalid"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mailoutbox == []
    event = AuditEvent.objects.get(code="accounts.password.reset_requested")
    assert "nobody@example.invalid" not in str(event.data)


def test_weak_new_password_is_refused_on_the_field(client, mailoutbox):
    user = UserFactory()
    client.post(reverse("accounts:password_reset"), {"email": user.email})
    form_url = client.get(_link(mailoutbox[0]), follow=True).redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": "123", "new_password2": "123"})
    assert response.status_code == 200
    assert 'id="id_new_password2_error"' in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_change_password_needs_the_old_one(client):
    user = UserFactory()
    client.force_login(user)
    url = reverse("accounts:password_change")
    wrong = client.post(
        url, {"old_password": "nope", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert wrong.status_code == 200
    assert 'id="id_old_password_error"' in wrong.content.decode()
    ok = client.post(
        url, {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert ok.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(code="accounts.password.changed").exists()


def test_reset_mails_are_limited_per_account_and_per_address(client, mailoutbox):

    user = UserFactory()
    url = reverse("accounts:password_reset")
    for _ in range(services.RESET_PER_ACCOUNT + 2):
        response = client.post(url, {"email": user.email}, REMOTE_ADDR="198.51.100.1")
        assert response["Location"] == reverse("accounts:password_reset_done")  # same answer every time
    assert len(mailoutbox) == services.RESET_PER_ACCOUNT
    for _ in range(services.RESET_PER_ADDRESS + 2):  # one address trying many mailboxes
        client.post(url, {"email": UserFactory().email}, REMOTE_ADDR="203.0.113.5")
    assert len(mailoutbox) == services.RESET_PER_ACCOUNT + services.RESET_PER_ADDRESS
    assert AuditEvent.objects.filter(code="accounts.password.reset_throttled").count() == 4
