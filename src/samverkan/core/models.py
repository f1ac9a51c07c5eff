"""The append-only, hash-chained audit log."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("The audit log is append-only.")

    def update(self, **kwargs: Any) -> int:
        raise TypeError("The audit log is append-only.")


class AuditEvent(models.Model):
    """One thing that happened: a write, or a read of personal data.

    ``hash`` covers every other field and ``prev_hash``, so editing or deleting any row breaks
    the chain from that row on (``manage.py audit_verify``). ``AuditHead`` records the newest
    row, so a deleted tail is noticed too, unless the head is rewound with it: it lives in the
    same database. Signed checkpoints kept elsewhere (``core/audit_checkpoints.py``,
    ``audit_verify --checkpoints``) catch that as well.
    """

    seq = models.PositiveBigIntegerField(unique=True)
    occurred_at = models.DateTimeField()
    code = models.CharField(max_length=100, db_index=True)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        # Deleting a user must not touch the log (that would break the chain): no constraint,
        # no cascade; the id stays as it was hashed.
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
    )
    actor_label = models.CharField(max_length=254, blank=True)
    organisation_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        indexes = [models.Index(fields=["organisation_id", "-seq"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.code}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("Audit events cannot be deleted.")


class AuditHead(models.Model):
    """A single row holding the newest event's sequence number and hash; locked on append."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"head #{self.seq}"


class RateHit(models.Model):
    """One counted request for a rate limit (``samverkan.core.ratelimit``). Kept in the database so
    the limit holds across every web process; rows older than the longest window are pruned."""

    key = models.CharField(max_length=128)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["key", "at"])]

    def __str__(self) -> str:
        return f"{self.key} at {self.at:%Y-%m-%d %H:%M:%S}"
