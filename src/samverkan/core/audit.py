"""Writing and verifying the audit log.

``record`` must be called inside the transaction of the change it describes: the event and the
change commit or roll back together, and it refuses to run outside one (:class:`OutsideTransaction`)
rather than commit alone. A read of personal data changes nothing, so its log entry is a unit of
its own: ``record_read`` opens that transaction. Appends are serialised by locking the single
``AuditHead`` row, so the chain stays linear with many web and worker processes on PostgreSQL.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.ipv6 import clean_ipv6_address

from samverkan.core.actor import Actor
from samverkan.core.models import AuditEvent, AuditHead

GENESIS = "0" * 64
# Keys whose values never enter the log, whatever a caller passes.
SECRET_KEYS = frozenset({"password", "token", "secret", "otp", "key", "code_verifier"})


def _scrub(data: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for key, value in data.items():
        if any(s in key.lower() for s in SECRET_KEYS):
            continue
        clean[key] = _scrub(value) if isinstance(value, dict) else value
    return clean


def compute_hash(
    *,
    seq: int,
    occurred_at: datetime,
    code: str,
    actor_user_id: int | None,
    actor_label: str,
    organisation_id: int | None,
    object_type: str,
    object_id: str,
    ip: str | None,
    data: dict[str, Any],
    prev_hash: str,
) -> str:
    payload = json.dumps(
        [
            seq,
            occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
            code,
            actor_user_id,
            actor_label,
            organisation_id,
            object_type,
            object_id,
            ip,
            data,
            prev_hash,
        ],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    # Keyed (HMAC): someone who can write to the database but does not hold AUDIT_CHAIN_KEY
    # cannot recompute the chain after an edit.
    return hmac.new(settings.AUDIT_CHAIN_KEY.encode(), payload.encode(), hashlib.sha256).hexdigest()


def _normalise(data: dict[str, Any]) -> dict[str, Any]:
    # Round-trip through JSON so the hashed value equals what the JSON column gives back.
    result: dict[str, Any] = json.loads(json.dumps(_scrub(data), default=str))
    return result


def _normalise_ip(ip: str | None) -> str | None:
    """The address exactly as the database column will hold it (Django's own cleaning), so the
    hash taken now matches the row read back later, e.g. for IPv4-mapped IPv6 addresses."""
    if not ip:
        return None
    try:
        parsed = ipaddress.ip_address(ip)
    except ValueError:
        return None
    if parsed.version == 6:
        return clean_ipv6_address(str(parsed))
    return str(parsed)


class OutsideTransaction(RuntimeError):
    """``record`` was called with no transaction open: the event would commit alone, whatever
    became of the change it describes."""


def _in_transaction(using: str | None = None) -> bool:
    """Whether the caller has a transaction open. The test case's own wrapping transaction does
    not count (as for Django's ``durable`` check), so the suite catches a call outside one."""
    connection = transaction.get_connection(using)
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def record(
    *,
    actor: Actor,
    code: str,
    obj: models.Model | None = None,
    organisation_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event, inside the transaction of the change it describes (refused outside one)."""
    if not _in_transaction():
        raise OutsideTransaction(f"audit.record({code!r}) must run inside the transaction of its change")
    payload = _normalise(data or {})
    user = actor.user if actor.is_authenticated else None
    label = (
        "system" if actor.is_system else (str(getattr(user, "email", "") or user) if user else "anonymous")
    )
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(id=1)
        seq = head.seq + 1
        occurred_at = timezone.now()
        fields: dict[str, Any] = {
            "seq": seq,
            "occurred_at": occurred_at,
            "code": code,
            "actor_user_id": user.pk if user else None,
            "actor_label": label,
            "organisation_id": organisation_id,
            "object_type": obj._meta.label_lower if obj is not None else "",
            "object_id": str(obj.pk) if obj is not None else "",
            "ip": _normalise_ip(actor.ip),
            "data": payload,
            "prev_hash": head.hash,
        }
        digest = compute_hash(**fields)
        event = AuditEvent.objects.create(hash=digest, **fields)
        AuditHead.objects.filter(id=1).update(seq=seq, hash=digest)
    return event


def record_read(
    *,
    actor: Actor,
    code: str,
    obj: models.Model | None = None,
    organisation_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Log a read of personal data (or another event that changes nothing): its own unit of work."""
    with transaction.atomic():
        return record(actor=actor, code=code, obj=obj, organisation_id=organisation_id, data=data)


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""


@dataclass(frozen=True)
class Anchor:
    """A point the log must still pass through: its hash after ``seq`` events, as recorded
    outside the database (a signed checkpoint, ``core/audit_checkpoints.py``). ``seq`` 0 is the
    empty log, whose hash is ``GENESIS``. ``source`` names it in messages (e.g. the file)."""

    seq: int
    hash: str
    source: str = ""


def _iter_events() -> Iterator[AuditEvent]:
    return AuditEvent.objects.order_by("seq").iterator(chunk_size=2000)


def verify(anchors: Sequence[Anchor] = ()) -> VerifyResult:
    """Walk the chain from the start; report the first row whose link or content is wrong.

    Without ``anchors`` a log whose newest rows were deleted *and* whose ``AuditHead`` was
    rewound to match (or that was emptied) still verifies: the head lives in the same database.
    Each anchor closes that gap up to its ``seq``: the log must be at least that long and hold
    exactly that hash there.
    """
    wanted: dict[int, list[Anchor]] = {}
    for anchor in anchors:
        wanted.setdefault(anchor.seq, []).append(anchor)
    prev = GENESIS
    expected_seq = 1
    checked = 0
    for anchor in wanted.get(0, []):
        if anchor.hash != GENESIS:
            return VerifyResult(False, 0, 0, f"the empty log differs from checkpoint {anchor.source}")
    for event in _iter_events():
        if event.seq != expected_seq:
            return VerifyResult(False, checked, expected_seq, f"event #{expected_seq} is missing")
        if event.prev_hash != prev:
            return VerifyResult(False, checked, event.seq, "link to the previous event is broken")
        digest = compute_hash(
            seq=event.seq,
            occurred_at=event.occurred_at,
            code=event.code,
            actor_user_id=event.actor_user_id,
            actor_label=event.actor_label,
            organisation_id=event.organisation_id,
            object_type=event.object_type,
            object_id=event.object_id,
            ip=event.ip,
            data=event.data,
            prev_hash=event.prev_hash,
        )
        if digest != event.hash:
            return VerifyResult(False, checked, event.seq, "content does not match its hash")
        for anchor in wanted.get(event.seq, []):
            if anchor.hash != event.hash:
                return VerifyResult(
                    False,
                    checked,
                    event.seq,
                    f"it differs from checkpoint {anchor.source} "
                    "(the log was rewritten from here or earlier)",
                )
        prev = event.hash
        expected_seq += 1
        checked += 1
    head = AuditHead.objects.filter(id=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if head_seq != checked or head_hash != prev:
        return VerifyResult(False, checked, checked + 1, "events after the last one found are missing")
    longest = max(anchors, key=lambda a: a.seq, default=None)
    if longest is not None and longest.seq > checked:
        return VerifyResult(
            False,
            checked,
            checked + 1,
            f"the log ends at event #{checked} but checkpoint {longest.source} covers "
            f"{longest.seq} events: events #{checked + 1} to #{longest.seq} were deleted",
        )
    return VerifyResult(True, checked)
