"""Member, invitation and audit-log pages, driven as a user would."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from samverkan.accounts.models import Invitation, Membership, User
from samverkan.accounts.tests.factories import member, organisation
from samverkan.accounts.tests.helpers import english, verified_login  # noqa: F401 - fixture
from samverkan.core import audit
from samverkan.core.actor import Actor
from samverkan.core.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

NEW_PASSWORD = "a-long-and-unusual-passphrase-42"


@pytest.fixture
def client_factory():
    """A fresh browser (its own cookies), beside the administrator's."""
    return Client


@pytest.fixture
def org():
    return organisation()


@pytest.fixture
def admin_client(client, org):
    admin = member("administrator", org)
    verified_login(client, admin)
    client.user = admin
    return client


# --- Member list ----------------------------------------------------------------------------
def test_administrator_sees_members_and_can_invite(admin_client, org):
    reader = member("reader", org)
    outsider = member("reader")
    response = admin_client.get(reverse("accounts:member_list", args=[org.slug]))
    body = response.content.decode()
    assert response.status_code == 200
    assert reader.email in body and admin_client.user.email in body
    assert outsider.email not in body
    assert reverse("accounts:member_invite", args=[org.slug]) in body
    assert AuditEvent.objects.filter(code="accounts.membership.listed", organisation_id=org.pk).count() == 1


def test_coordinator_sees_members_but_no_management(client, org):
    coordinator = member("coordinator", org)
    verified_login(client, coordinator)
    body = client.get(reverse("accounts:member_list", args=[org.slug])).content.decode()
    assert coordinator.email in body
    assert reverse("accounts:member_invite", args=[org.slug]) not in body
    assert "Change role" not in body
    assert client.get(reverse("accounts:member_invite", args=[org.slug])).status_code == 404


@pytest.mark.parametrize("role", ["case_officer", "editor", "reader"])
def test_other_roles_get_404(client, org, role):
    verified_login(client, member(role, org))
    assert client.get(reverse("accounts:member_list", args=[org.slug])).status_code == 404


def test_administrator_of_another_organisation_gets_404(client, org):
    verified_login(client, member("administrator"))
    assert client.get(reverse("accounts:member_list", args=[org.slug])).status_code == 404
    assert client.get(reverse("accounts:audit_log", args=[org.slug])).status_code == 404


# --- Inviting -------------------------------------------------------------------------------
def test_invite_page_sends_the_invitation(admin_client, org, django_capture_on_commit_callbacks):
    url = reverse("accounts:member_invite", args=[org.slug])
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, {"email": "ny@example.invalid", "role": "editor"})
    assert response["Location"] == reverse("accounts:member_list", args=[org.slug])
    assert Invitation.objects.get().email == "ny@example.invalid"
    assert len(mail.outbox) == 1
    listing = admin_client.get(reverse("accounts:member_list", args=[org.slug])).content.decode()
    assert "ny@example.invalid" in listing  # under open invitations


def test_invite_errors_are_named_by_field(admin_client, org):
    response = admin_client.post(
        reverse("accounts:member_invite", args=[org.slug]), {"email": "nope", "role": "king"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"email", "role"}
    assert not Invitation.objects.exists()


def _token_from_outbox() -> str:
    match = re.search(r"/accounts/invitations/([A-Za-z0-9_-]+)/", mail.outbox[-1].body)
    assert match
    return match.group(1)


def _invite(admin_client, org, capture, email="ny@example.invalid", role="editor"):
    with capture(execute=True):
        admin_client.post(reverse("accounts:member_invite", args=[org.slug]), {"email": email, "role": role})
    return _token_from_outbox()


# --- Accepting ------------------------------------------------------------------------------
def test_new_person_accepts_creates_an_account_and_can_log_in(
    admin_client, org, client_factory, django_capture_on_commit_callbacks
):
    token = _invite(admin_client, org, django_capture_on_commit_callbacks)
    visitor = client_factory()
    url = reverse("accounts:invitation_accept", args=[token])
    page = visitor.get(url)
    assert page.status_code == 200
    assert org.name in page.content.decode()

    mismatch = visitor.post(
        url, {"full_name": "Ny Person", "password": NEW_PASSWORD, "password_again": NEW_PASSWORD + "x"}
    )
    assert "password_again" in mismatch.context["form"].errors
    weak = visitor.post(url, {"full_name": "Ny Person", "password": "12345", "password_again": "12345"})
    assert "password" in weak.context["form"].errors
    assert not User.objects.filter(email="ny@example.invalid").exists()

    response = visitor.post(
        url, {"full_name": "Ny Person", "password": NEW_PASSWORD, "password_again": NEW_PASSWORD}
    )
    assert response["Location"] == reverse("accounts:login")
    user = User.objects.get(email="ny@example.invalid")
    assert Membership.objects.filter(user=user, organisation=org, role="editor").exists()
    visitor.post(reverse("accounts:login"), {"username": "ny@example.invalid", "password": NEW_PASSWORD})
    assert visitor.session["_auth_user_id"] == str(user.pk)
    # The link is spent.
    again = client_factory().get(url)
    assert again.status_code == 410
    assert "already been used" in again.content.decode()


def test_unknown_invitation_link_says_so(client):
    response = client.get(reverse("accounts:invitation_accept", args=["no-such-token"]))
    assert response.status_code == 410
    assert "not valid" in response.content.decode()


def test_logged_in_user_accepts_with_one_button(
    admin_client, org, client_factory, django_capture_on_commit_callbacks
):
    existing = member("reader")
    token = _invite(
        admin_client, org, django_capture_on_commit_callbacks, email=existing.email, role="reader"
    )
    visitor = client_factory()
    visitor.force_login(existing)
    url = reverse("accounts:invitation_accept", args=[token])
    assert "Accept invitation" in visitor.get(url).content.decode()
    visitor.post(url)
    assert Membership.objects.filter(user=existing, organisation=org, role="reader").exists()


def test_existing_account_is_asked_to_log_in(
    admin_client, org, client_factory, django_capture_on_commit_callbacks
):
    existing = member("reader")
    token = _invite(admin_client, org, django_capture_on_commit_callbacks, email=existing.email)
    body = client_factory().get(reverse("accounts:invitation_accept", args=[token])).content.decode()
    assert "Log in to accept" in body
    assert 'name="password"' not in body


# --- Changing roles and removing ------------------------------------------------------------
def test_change_role_page(admin_client, org):
    reader = member("reader", org)
    membership = Membership.objects.get(user=reader)
    url = reverse("accounts:member_change_role", args=[org.slug, membership.pk])
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {"role": "case_officer"})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == "case_officer"


def test_last_administrator_demotion_shows_the_reason_on_the_field(admin_client, org):
    membership = Membership.objects.get(user=admin_client.user)
    url = reverse("accounts:member_change_role", args=[org.slug, membership.pk])
    response = admin_client.post(url, {"role": "reader"})
    assert response.status_code == 200
    assert "at least one administrator" in response.context["form"].errors["role"][0]


def test_remove_page_asks_then_removes(admin_client, org):
    reader = member("reader", org)
    membership = Membership.objects.get(user=reader)
    url = reverse("accounts:member_remove", args=[org.slug, membership.pk])
    assert str(reader) in admin_client.get(url).content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()
    admin_client.post(url)
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_coordinator_cannot_reach_change_or_remove(client, org):
    verified_login(client, member("coordinator", org))
    membership = Membership.objects.filter(organisation=org).first()
    assert membership is not None
    for name in ("accounts:member_change_role", "accounts:member_remove"):
        assert (
            client.post(reverse(name, args=[org.slug, membership.pk]), {"role": "reader"}).status_code == 404
        )
    assert Membership.objects.filter(pk=membership.pk, role=membership.role).exists()


# --- Audit log page -------------------------------------------------------------------------
def _events(org, n, code="test.event"):
    for _ in range(n):
        audit.record_read(actor=Actor.system(), code=code, organisation_id=org.pk)


def test_audit_log_newest_first_and_paginated_by_50(admin_client, org):
    _events(org, 55)
    url = reverse("accounts:audit_log", args=[org.slug])
    first = admin_client.get(url)
    assert first.status_code == 200
    page = first.context["page"]
    assert len(page.object_list) == 50
    seqs = [e.seq for e in page.object_list]
    assert seqs == sorted(seqs, reverse=True)
    assert page.object_list[0].code == "core.audit.viewed"
    second = admin_client.get(url, {"page": 2})
    assert len(second.context["page"].object_list) >= 5


def test_audit_log_filters_and_keeps_them_across_pages(admin_client, org):
    _events(org, 51, code="accounts.x")
    _events(org, 3, code="organisations.y")
    response = admin_client.get(
        reverse("accounts:audit_log", args=[org.slug]), {"code_prefix": "organisations."}
    )
    assert [e.code for e in response.context["page"].object_list] == ["organisations.y"] * 3
    response = admin_client.get(reverse("accounts:audit_log", args=[org.slug]), {"code_prefix": "accounts.x"})
    assert "code_prefix=accounts.x&amp;page=2" in response.content.decode()


def test_bad_dates_are_reported_on_their_fields(admin_client, org):
    response = admin_client.get(
        reverse("accounts:audit_log", args=[org.slug]), {"date_from": "2026-02-30", "date_to": "igår"}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "date_from" in errors and "date_to" in errors
    body = response.content.decode()
    assert "Enter a real date as YYYY-MM-DD" in body


def test_reversed_date_range_is_reported_on_the_to_date(admin_client, org):
    response = admin_client.get(
        reverse("accounts:audit_log", args=[org.slug]), {"date_from": "2026-03-02", "date_to": "2026-03-01"}
    )
    assert "date_to" in response.context["form"].errors


@pytest.mark.parametrize("role", ["coordinator", "case_officer", "editor", "reader"])
def test_audit_log_is_404_for_non_administrators(client, org, role):
    verified_login(client, member(role, org))
    assert client.get(reverse("accounts:audit_log", args=[org.slug])).status_code == 404
    assert not AuditEvent.objects.filter(code="core.audit.viewed").exists()


def test_audit_page_accepts_the_last_possible_date(client):
    from samverkan.organisations.tests.factories import OrganisationFactory

    org = OrganisationFactory()
    admin = member("administrator", org)
    client.force_login(admin)
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=admin, name="t", confirmed=True)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    response = client.get(reverse("accounts:audit_log", args=[org.slug]) + "?date_to=9999-12-31")
    assert response.status_code == 200
