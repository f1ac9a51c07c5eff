"""Invitations and memberships: who may do what, validation named by field, audit, e-mail."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from samverkan.accounts import services
from samverkan.accounts.actors import actor_for_user
from samverkan.accounts.models import Invitation, Membership, User
from samverkan.accounts.tests.factories import MembershipFactory, member, organisation
from samverkan.accounts.tests.helpers import english  # noqa: F401 - fixture
from samverkan.core.errors import NotFound, PermissionDenied, ValidationError
from samverkan.core.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

NEW_PASSWORD = "a-long-and-unusual-passphrase-42"


@pytest.fixture
def org():
    return organisation()


@pytest.fixture
def admin(org):
    return member("administrator", org)


def _invite(admin, org, email="ny.person@example.invalid", role="reader"):
    return services.membership_invite(
        actor=actor_for_user(admin), organisation_id=org.pk, email=email, role=role
    )


# --- membership_invite ----------------------------------------------------------------------
def test_invite_stores_only_the_hash_and_mails_the_link_on_commit(
    admin, org, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        issued = _invite(admin, org, email="  Ny.Person@Example.invalid ")

    invitation = Invitation.objects.get()
    assert invitation.email == "ny.person@example.invalid"
    assert invitation.token_hash == hashlib.sha256(issued.token.encode()).hexdigest()
    assert issued.token not in json.dumps(list(Invitation.objects.values()), default=str)
    assert invitation.invited_by == admin
    assert timedelta(days=6, hours=23) < invitation.expires_at - timezone.now() <= timedelta(days=7)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ny.person@example.invalid"]
    assert f"/accounts/invitations/{issued.token}/" in mail.outbox[0].body
    event = AuditEvent.objects.get(code="accounts.invitation.created")
    assert event.organisation_id == org.pk
    assert issued.token not in json.dumps(event.data)


def test_no_mail_when_the_transaction_does_not_commit(admin, org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _invite(admin, org)
    assert len(callbacks) == 1
    assert mail.outbox == []


@pytest.mark.parametrize("role", ["coordinator", "case_officer", "editor", "reader"])
def test_only_administrators_invite(org, role):
    with pytest.raises(PermissionDenied if role == "coordinator" else NotFound):
        _invite(member(role, org), org)
    assert not Invitation.objects.exists()


def test_administrator_of_another_organisation_cannot_invite(org):
    with pytest.raises(NotFound):
        _invite(member("administrator"), org)


def test_invite_validates_email_and_role_by_field(admin, org):
    with pytest.raises(ValidationError) as exc:
        _invite(admin, org, email="not-an-address", role="king")
    assert set(exc.value.errors) == {"email", "role"}
    assert not Invitation.objects.exists()
    assert not AuditEvent.objects.filter(code="accounts.invitation.created").exists()


def test_cannot_invite_someone_to_a_role_they_hold(admin, org):
    reader = member("reader", org)
    with pytest.raises(ValidationError) as exc:
        _invite(admin, org, email=reader.email.upper(), role="reader")
    assert "email" in exc.value.errors


# --- invitation_accept ----------------------------------------------------------------------
def test_new_person_gets_an_account_and_the_membership(admin, org):
    issued = _invite(admin, org, role="editor")

    membership = services.invitation_accept(token=issued.token, full_name="Ny Person", password=NEW_PASSWORD)

    user = User.objects.get(email="ny.person@example.invalid")
    assert membership.user == user and membership.organisation == org and membership.role == "editor"
    assert user.check_password(NEW_PASSWORD)
    assert user.full_name == "Ny Person"
    issued.invitation.refresh_from_db()
    assert issued.invitation.accepted_by == user and issued.invitation.accepted_at is not None
    assert AuditEvent.objects.filter(code="accounts.invitation.accepted", organisation_id=org.pk).exists()
    assert NEW_PASSWORD not in json.dumps([e.data for e in AuditEvent.objects.all()])


def test_an_invitation_works_once(admin, org):
    issued = _invite(admin, org)
    services.invitation_accept(token=issued.token, full_name="Ny Person", password=NEW_PASSWORD)
    with pytest.raises(ValidationError, match="already been used"):
        services.invitation_accept(token=issued.token, full_name="Annan", password=NEW_PASSWORD)


def test_expired_invitation_is_refused(admin, org):
    issued = _invite(admin, org)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(ValidationError, match="expired"):
        services.invitation_accept(token=issued.token, full_name="Ny Person", password=NEW_PASSWORD)
    assert not User.objects.filter(email="ny.person@example.invalid").exists()


def test_unknown_token_is_refused():
    with pytest.raises(ValidationError, match="not valid"):
        services.invitation_accept(token="made-up", full_name="Ny Person", password=NEW_PASSWORD)


def test_weak_password_and_missing_name_are_named(admin, org):
    issued = _invite(admin, org)
    with pytest.raises(ValidationError) as exc:
        services.invitation_accept(token=issued.token, full_name=" ", password="12345")
    assert set(exc.value.errors) == {"full_name", "password"}
    assert not User.objects.filter(email="ny.person@example.invalid").exists()
    issued.invitation.refresh_from_db()
    assert issued.invitation.accepted_at is None


def test_logged_in_user_with_the_same_email_gets_the_membership(admin, org):
    existing = member("reader")
    issued = _invite(admin, org, email=existing.email.upper(), role="coordinator")
    membership = services.invitation_accept(token=issued.token, user=existing)
    assert membership.user == existing
    assert Membership.objects.filter(user=existing, organisation=org, role="coordinator").exists()


def test_logged_in_user_with_another_email_is_refused(admin, org):
    issued = _invite(admin, org)
    with pytest.raises(ValidationError, match="another e-mail address"):
        services.invitation_accept(token=issued.token, user=member("reader"))
    assert not Membership.objects.filter(organisation=org, role="reader").exists()


def test_existing_account_must_log_in_to_accept(admin, org):
    existing = member("reader")
    issued = _invite(admin, org, email=existing.email)
    with pytest.raises(ValidationError, match="Log in"):
        services.invitation_accept(token=issued.token, full_name="Someone", password=NEW_PASSWORD)


# --- membership_change_role / membership_remove ---------------------------------------------
def _membership(user, org):
    return Membership.objects.get(user=user, organisation=org)


def test_administrator_changes_a_role_and_it_is_audited(admin, org):
    reader = member("reader", org)
    services.membership_change_role(
        actor=actor_for_user(admin),
        organisation_id=org.pk,
        membership_id=_membership(reader, org).pk,
        role="case_officer",
    )
    assert _membership(reader, org).role == "case_officer"
    event = AuditEvent.objects.get(code="accounts.membership.role_changed")
    assert event.organisation_id == org.pk
    assert event.data == {"user_id": reader.pk, "from": "reader", "to": "case_officer"}


def test_last_administrator_cannot_step_down_or_be_removed(admin, org):
    membership = _membership(admin, org)
    with pytest.raises(ValidationError) as exc:
        services.membership_change_role(
            actor=actor_for_user(admin), organisation_id=org.pk, membership_id=membership.pk, role="reader"
        )
    assert "role" in exc.value.errors
    with pytest.raises(ValidationError):
        services.membership_remove(
            actor=actor_for_user(admin), organisation_id=org.pk, membership_id=membership.pk
        )
    assert _membership(admin, org).role == "administrator"


def test_an_administrator_can_step_down_when_another_remains(admin, org):
    member("administrator", org)
    services.membership_change_role(
        actor=actor_for_user(admin),
        organisation_id=org.pk,
        membership_id=_membership(admin, org).pk,
        role="reader",
    )
    assert _membership(admin, org).role == "reader"


def test_holding_admin_role_elsewhere_or_another_role_does_not_count_as_another_admin(admin, org):
    MembershipFactory(user=admin, organisation=org, role="reader")
    member("administrator")  # administrator of a different organisation
    admin_membership = Membership.objects.get(user=admin, organisation=org, role="administrator")
    with pytest.raises(ValidationError):
        services.membership_remove(
            actor=actor_for_user(admin), organisation_id=org.pk, membership_id=admin_membership.pk
        )


def test_administrator_removes_a_member_and_it_is_audited(admin, org):
    reader = member("reader", org)
    membership = _membership(reader, org)
    services.membership_remove(
        actor=actor_for_user(admin), organisation_id=org.pk, membership_id=membership.pk
    )
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert User.objects.filter(pk=reader.pk).exists()
    event = AuditEvent.objects.get(code="accounts.membership.removed")
    assert event.organisation_id == org.pk and event.data == {"user_id": reader.pk, "role": "reader"}


def test_changing_to_a_role_already_held_is_named(admin, org):
    reader = member("reader", org)
    MembershipFactory(user=reader, organisation=org, role="editor")
    with pytest.raises(ValidationError) as exc:
        services.membership_change_role(
            actor=actor_for_user(admin),
            organisation_id=org.pk,
            membership_id=Membership.objects.get(user=reader, role="reader").pk,
            role="editor",
        )
    assert "role" in exc.value.errors


def test_coordinator_cannot_manage_and_outsiders_get_not_found(admin, org):
    membership = _membership(admin, org)
    coordinator = member("coordinator", org)
    with pytest.raises(PermissionDenied):
        services.membership_remove(
            actor=actor_for_user(coordinator), organisation_id=org.pk, membership_id=membership.pk
        )
    for outsider in (member("reader", org), member("administrator")):
        with pytest.raises(NotFound):
            services.membership_remove(
                actor=actor_for_user(outsider), organisation_id=org.pk, membership_id=membership.pk
            )
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_membership_of_another_organisation_is_not_found_through_this_one(admin, org):
    other_membership = Membership.objects.create(
        user=member("reader"), organisation=organisation(), role="editor"
    )
    with pytest.raises(NotFound):
        services.membership_remove(
            actor=actor_for_user(admin), organisation_id=org.pk, membership_id=other_membership.pk
        )
