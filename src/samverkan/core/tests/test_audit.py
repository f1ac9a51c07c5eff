"""The audit chain: appends link up, and any edit or deletion is found by audit_verify."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from samverkan.core import audit
from samverkan.core.actor import Actor
from samverkan.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _events(n: int) -> list[AuditEvent]:
    actor = Actor.system()
    return [audit.record(actor=actor, code="test.thing.done", data={"n": i, "name": "Åsa"}) for i in range(n)]


def _raw(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_chain_links_each_event_to_the_previous():
    events = _events(3)
    assert events[0].prev_hash == audit.GENESIS
    assert events[1].prev_hash == events[0].hash
    assert events[2].prev_hash == events[1].hash
    assert audit.verify().ok
    call_command("audit_verify")


def test_secrets_never_enter_the_log():
    event = audit.record(
        actor=Actor.system(), code="test.login", data={"password": "hunter2", "email": "a@b.c"}
    )
    event.refresh_from_db()
    assert "password" not in event.data
    assert event.data["email"] == "a@b.c"


def test_editing_a_row_breaks_verification_at_that_row():
    events = _events(4)
    _raw(f"UPDATE {AuditEvent._meta.db_table} SET code = %s WHERE id = %s", ["test.tampered", events[2].pk])
    result = audit.verify()
    assert not result.ok
    assert result.broken_seq == events[2].seq
    with pytest.raises(CommandError, match=f"#{events[2].seq}"):
        call_command("audit_verify")


def test_editing_the_data_of_a_row_breaks_verification():
    events = _events(2)
    _raw(f"UPDATE {AuditEvent._meta.db_table} SET data = %s WHERE id = %s", ['{"n": 99}', events[0].pk])
    assert audit.verify().broken_seq == events[0].seq


def test_deleting_a_middle_row_breaks_verification():
    events = _events(4)
    _raw(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [events[1].pk])
    result = audit.verify()
    assert not result.ok
    assert result.broken_seq == events[1].seq
    with pytest.raises(CommandError):
        call_command("audit_verify")


def test_deleting_the_newest_row_breaks_verification():
    events = _events(3)
    _raw(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [events[-1].pk])
    result = audit.verify()
    assert not result.ok
    assert result.broken_seq == events[-1].seq


def test_orm_refuses_to_change_or_delete_events():
    (event,) = _events(1)
    event.code = "changed"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.all().delete()
    assert audit.verify().ok


def test_a_rolled_back_change_leaves_no_event():
    from django.db import transaction

    _events(1)
    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record(actor=Actor.system(), code="test.rolled_back")
        raise RuntimeError("the change failed")
    assert not AuditEvent.objects.filter(code="test.rolled_back").exists()
    assert audit.verify().ok


def test_deleting_a_user_leaves_their_events_and_the_chain_intact(django_user_model):
    user = django_user_model.objects.create_user(
        username="gone", email="gone@example.invalid", password="x" * 12
    )
    event = audit.record(actor=Actor(user=user), code="test.by_user")
    user_id = user.pk
    user.delete()
    event = AuditEvent.objects.get(pk=event.pk)
    assert event.actor_user_id == user_id
    assert event.actor_label == "gone@example.invalid"
    assert audit.verify().ok


@pytest.mark.parametrize("ip", ["10.0.0.1", "::1", "2001:db8::1", "::ffff:10.0.0.1", "2001:0db8:0000::0001"])
def test_every_address_form_verifies_after_the_round_trip(ip):
    audit.record(actor=Actor.anonymous(ip), code="test.address")
    assert audit.verify().ok


def test_long_email_addresses_fit_the_actor_label(django_user_model):
    email = "a" * 64 + "@" + ("b" * 60 + ".") * 3 + "se"
    user = django_user_model.objects.create_user(username="long", email=email, password="x" * 12)
    event = audit.record(actor=Actor(user=user), code="test.long")
    assert AuditEvent.objects.get(pk=event.pk).actor_label == email
    assert audit.verify().ok


def test_rewriting_the_chain_without_the_key_is_detected():
    """Someone with database access edits a row and recomputes every later hash with plain
    SHA-256 (or with a guessed key): verification still fails, because the chain is keyed."""
    import hashlib

    events = _events(3)
    forged_prev = audit.GENESIS
    for event in AuditEvent.objects.order_by("seq"):
        data = {"n": 99} if event.pk == events[1].pk else event.data
        forged = hashlib.sha256(f"{forged_prev}{event.code}{data}".encode()).hexdigest()
        _raw(
            f"UPDATE {AuditEvent._meta.db_table} SET data = %s, prev_hash = %s, hash = %s WHERE id = %s",
            [json.dumps(data), forged_prev, forged, event.pk],
        )
        forged_prev = forged
    _raw("UPDATE core_audithead SET hash = %s", [forged_prev])
    result = audit.verify()
    assert not result.ok
    assert result.broken_seq == events[0].seq


def test_the_chain_depends_on_the_key(settings):
    _events(2)
    assert audit.verify().ok
    settings.AUDIT_CHAIN_KEY = "another-key"
    assert not audit.verify().ok
