"""The audit chain: appends link up, and any edit or deletion is found by audit_verify."""

from __future__ import annotations

import datetime as dt
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
    return [
        audit.record_read(actor=actor, code="test.thing.done", data={"n": i, "name": "Åsa"}) for i in range(n)
    ]


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
    event = audit.record_read(
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


def test_an_event_outside_a_transaction_is_refused_not_committed_alone():
    """A change whose event would commit on its own, whatever became of the change, is a bug the
    suite must catch: the test case's own wrapping transaction does not count."""
    before = AuditEvent.objects.count()
    with pytest.raises(audit.OutsideTransaction):
        audit.record(actor=Actor.system(), code="test.alone")
    assert AuditEvent.objects.count() == before
    # A read (an event that changes nothing) is its own unit of work.
    event = audit.record_read(actor=Actor.system(), code="test.read")
    assert AuditEvent.objects.filter(pk=event.pk, code="test.read").exists()


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_without_a_test_case_wrapping_either():
    with pytest.raises(audit.OutsideTransaction):
        audit.record(actor=Actor.system(), code="test.alone")
    assert not AuditEvent.objects.filter(code="test.alone").exists()


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
    event = audit.record_read(actor=Actor(user=user), code="test.by_user")
    user_id = user.pk
    user.delete()
    event = AuditEvent.objects.get(pk=event.pk)
    assert event.actor_user_id == user_id
    assert event.actor_label == "gone@example.invalid"
    assert audit.verify().ok


@pytest.mark.parametrize("ip", ["10.0.0.1", "::1", "2001:db8::1", "::ffff:10.0.0.1", "2001:0db8:0000::0001"])
def test_every_address_form_verifies_after_the_round_trip(ip):
    audit.record_read(actor=Actor.anonymous(ip), code="test.address")
    assert audit.verify().ok


def test_long_email_addresses_fit_the_actor_label(django_user_model):
    email = "a" * 64 + "@" + ("b" * 60 + ".") * 3 + "se"
    user = django_user_model.objects.create_user(username="long", email=email, password="x" * 12)
    event = audit.record_read(actor=Actor(user=user), code="test.long")
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


def test_orm_refuses_bulk_updates_of_events():
    (event,) = _events(1)
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).update(code="changed")
    assert audit.verify().ok


# --- Every hashed field is covered ------------------------------------------------------------
# The inputs of compute_hash, with a second value for each. If a field is left out of the hash,
# changing it no longer changes the hash, and the matching case below fails.
_HASH_INPUTS = {
    "seq": (5, 6),
    "occurred_at": (
        dt.datetime(2026, 3, 1, 12, 0, 0, 1, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 1, 12, 0, 0, 2, tzinfo=dt.UTC),
    ),
    "code": ("test.a", "test.b"),
    "actor_user_id": (7, 8),
    "actor_label": ("a@example.invalid", "b@example.invalid"),
    "organisation_id": (3, 4),
    "object_type": ("accounts.user", "accounts.membership"),
    "object_id": ("11", "12"),
    "ip": ("10.0.0.1", "10.0.0.2"),
    "data": ({"n": 1}, {"n": 2}),
    "prev_hash": ("a" * 64, "b" * 64),
}


def test_the_hash_inputs_are_all_the_columns_but_the_hash():
    names = {f.attname for f in AuditEvent._meta.concrete_fields} - {"id", "hash"}
    assert set(_HASH_INPUTS) == names


@pytest.mark.parametrize("field", sorted(_HASH_INPUTS))
def test_changing_any_one_input_changes_the_hash(field):
    base = {name: values[0] for name, values in _HASH_INPUTS.items()}
    changed = {**base, field: _HASH_INPUTS[field][1]}
    assert audit.compute_hash(**base) != audit.compute_hash(**changed)


def _tamper_value(column, event, other_user_id):
    return {
        "seq": event.seq + 100,
        "occurred_at": connection.ops.adapt_datetimefield_value(event.occurred_at + dt.timedelta(seconds=1)),
        "code": "test.tampered",
        "actor_user_id": other_user_id,
        "actor_label": "someone.else@example.invalid",
        "organisation_id": event.organisation_id + 1,
        "object_type": "accounts.membership",
        "object_id": str(int(event.object_id) + 1),
        "ip": "10.9.9.9",
        "data": json.dumps({"n": 99, "name": "Åsa"}),
        "prev_hash": "f" * 64,
        "hash": "e" * 64,
    }[column]


_COLUMNS = sorted(set(_HASH_INPUTS) | {"hash"})


@pytest.mark.parametrize("column", _COLUMNS)
def test_changing_one_column_in_the_database_is_detected(column, django_user_model):
    """Each column of a middle row, changed alone by SQL (as someone with database access but
    without the key would), makes verification fail at that row. ``seq`` and ``prev_hash`` are
    also caught by the order and link checks; every other column only by the hash."""
    user = django_user_model.objects.create_user(username="u", email="u@example.invalid", password="x" * 12)
    other = django_user_model.objects.create_user(username="o", email="o@example.invalid", password="x" * 12)
    actor = Actor(user=user, ip="10.0.0.1")
    events = [
        audit.record_read(
            actor=actor, code="test.full", obj=user, organisation_id=41, data={"n": i, "name": "Åsa"}
        )
        for i in range(3)
    ]
    assert audit.verify().ok
    target = events[1]
    assert getattr(target, column) is not None  # a real change, not NULL → value
    value = _tamper_value(column, target, other.pk)
    _raw(f"UPDATE {AuditEvent._meta.db_table} SET {column} = %s WHERE id = %s", [value, target.pk])
    result = audit.verify()
    assert not result.ok
    assert result.broken_seq == target.seq
    with pytest.raises(CommandError, match=f"#{target.seq}"):
        call_command("audit_verify")
