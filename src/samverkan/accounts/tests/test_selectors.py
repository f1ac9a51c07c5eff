"""Reads of personal data: member lists and the audit log. Permission matrix and filters."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from samverkan.accounts import selectors
from samverkan.accounts.actors import actor_for_user
from samverkan.accounts.tests.factories import member, organisation
from samverkan.accounts.tests.helpers import english  # noqa: F401 - fixture
from samverkan.core import audit
from samverkan.core.actor import Actor
from samverkan.core.errors import NotFound
from samverkan.core.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

ROLES = ("administrator", "coordinator", "case_officer", "editor", "reader")
MEMBER_VIEWERS = {"administrator", "coordinator"}
AUDIT_VIEWERS = {"administrator"}


# --- Permission matrix: every role × own / other organisation -------------------------------
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("whose", ["own", "other"])
def test_member_list_matrix(role, whose):
    own, other = organisation(), organisation()
    user = member(role, own)
    colleague = member("reader", own)
    target = own if whose == "own" else other
    member("reader", other)
    actor = actor_for_user(user)

    if whose == "own" and role in MEMBER_VIEWERS:
        users = {m.user for m in selectors.member_list_for(actor=actor, organisation_id=target.pk)}
        assert users == {user, colleague}
        assert AuditEvent.objects.filter(
            code="accounts.membership.listed", organisation_id=target.pk, actor_user_id=user.pk
        ).exists()
    else:
        with pytest.raises(NotFound):
            selectors.member_list_for(actor=actor, organisation_id=target.pk)
        assert not AuditEvent.objects.filter(code="accounts.membership.listed").exists()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("whose", ["own", "other"])
def test_audit_event_list_matrix(role, whose):
    own, other = organisation(), organisation()
    user = member(role, own)
    system = Actor.system()
    audit.record_read(actor=system, code="test.own", organisation_id=own.pk)
    audit.record_read(actor=system, code="test.other", organisation_id=other.pk)
    target = own if whose == "own" else other
    actor = actor_for_user(user)

    if whose == "own" and role in AUDIT_VIEWERS:
        codes = [e.code for e in selectors.audit_event_list_for(actor=actor, organisation_id=target.pk)]
        # Viewing is itself recorded, and is the newest event.
        assert codes == ["core.audit.viewed", "test.own"]
    else:
        with pytest.raises(NotFound):
            selectors.audit_event_list_for(actor=actor, organisation_id=target.pk)
        assert not AuditEvent.objects.filter(code="core.audit.viewed").exists()


@pytest.mark.parametrize("selector", [selectors.member_list_for, selectors.audit_event_list_for])
def test_anonymous_and_unknown_organisation_are_not_found(selector):
    own = organisation()
    with pytest.raises(NotFound):
        selector(actor=Actor.anonymous(), organisation_id=own.pk)
    with pytest.raises(NotFound):
        selector(actor=actor_for_user(member("administrator", own)), organisation_id=own.pk + 999)


# --- Audit filters --------------------------------------------------------------------------
@pytest.fixture
def audited():
    org = organisation()
    admin = member("administrator", org)
    other = member("coordinator", org)
    audit.record_read(actor=actor_for_user(admin), code="accounts.invitation.created", organisation_id=org.pk)
    audit.record_read(
        actor=actor_for_user(other), code="organisations.agreement.updated", organisation_id=org.pk
    )
    audit.record_read(actor=actor_for_user(other), code="accounts.membership.removed", organisation_id=org.pk)
    return org, admin, other


def _codes(admin, org, **filters):
    events = selectors.audit_event_list_for(actor=actor_for_user(admin), organisation_id=org.pk, **filters)
    return [e.code for e in events if e.code != "core.audit.viewed"]


def test_filter_by_code_prefix(audited):
    org, admin, _ = audited
    assert _codes(admin, org, code_prefix="accounts.") == [
        "accounts.membership.removed",
        "accounts.invitation.created",
    ]


def test_filter_by_actor_email_ignores_case(audited):
    org, admin, other = audited
    assert _codes(admin, org, actor_email=other.email.upper()) == [
        "accounts.membership.removed",
        "organisations.agreement.updated",
    ]


def test_filter_by_date_range_is_inclusive(audited):
    org, admin, _ = audited
    today = timezone.localdate()
    assert len(_codes(admin, org, date_from=today, date_to=today)) == 3
    assert _codes(admin, org, date_to=today - dt.timedelta(days=1)) == []
    assert _codes(admin, org, date_from=today + dt.timedelta(days=1)) == []


def test_viewing_records_the_filters(audited):
    org, admin, _ = audited
    _codes(admin, org, code_prefix="accounts.")
    event = AuditEvent.objects.filter(code="core.audit.viewed").get()
    assert event.organisation_id == org.pk
    assert event.data == {"code_prefix": "accounts."}
