"""The audit log, tried as someone with database access (but not the keys) would: delete the
newest events and rewind the head, or empty the log; forge a checkpoint. And the audit page with
dates at the edge of the calendar.

Issue #15, items 4 and 10."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse
from django.utils import translation

from samverkan.accounts.tests.factories import member, organisation
from samverkan.accounts.tests.helpers import verified_login
from samverkan.core import audit
from samverkan.core.actor import Actor
from samverkan.core.models import AuditEvent, AuditHead

pytestmark = pytest.mark.django_db


@pytest.fixture
def checkpoints(tmp_path, settings):
    settings.AUDIT_CHECKPOINT_DIR = tmp_path / "checkpoints"
    settings.AUDIT_CHECKPOINT_EMAIL = ""
    return settings.AUDIT_CHECKPOINT_DIR


def _log(n: int) -> list[AuditEvent]:
    org = organisation()
    return [
        audit.record_read(actor=Actor.system(), code="test.probe", organisation_id=org.pk) for _ in range(n)
    ]


def _sql(statement: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


def test_deleting_the_newest_events_and_rewinding_the_head_is_detected(checkpoints):
    events = _log(6)
    call_command("audit_checkpoint")
    _sql(f"DELETE FROM {AuditEvent._meta.db_table} WHERE seq > 4")
    _sql(f"UPDATE {AuditHead._meta.db_table} SET seq = 4, hash = %s", [events[3].hash])
    with pytest.raises(CommandError, match="#5 to #6 were deleted"):
        call_command("audit_verify", "--checkpoints", str(checkpoints))


def test_emptying_the_log_is_detected(checkpoints):
    _log(3)
    call_command("audit_checkpoint")
    _sql(f"DELETE FROM {AuditEvent._meta.db_table}")
    _sql(f"DELETE FROM {AuditHead._meta.db_table}")
    with pytest.raises(CommandError, match="the log ends at event #0"):
        call_command("audit_verify", "--checkpoints", str(checkpoints))


def test_a_checkpoint_shrunk_to_cover_a_truncation_is_refused(checkpoints):
    """Deleting the tail and editing the checkpoint file to the shorter length to match."""
    events = _log(4)
    call_command("audit_checkpoint")
    _sql(f"DELETE FROM {AuditEvent._meta.db_table} WHERE seq > 2")
    _sql(f"UPDATE {AuditHead._meta.db_table} SET seq = 2, hash = %s", [events[1].hash])
    (path,) = checkpoints.glob("*.json")
    forged = json.loads(path.read_bytes())
    forged.update(tree_size=2, head_hash=events[1].hash)
    path.write_text(json.dumps(forged))
    with pytest.raises(CommandError, match="signature does not verify"):
        call_command("audit_verify", "--checkpoints", str(checkpoints))


@pytest.mark.parametrize(
    "query",
    [
        {"date_from": "0001-01-01"},
        {"date_to": "0001-01-01"},
        {"date_from": "0001-01-01", "date_to": "0001-01-01"},
        {"date_from": "1899-12-31", "date_to": "9999-12-31"},
    ],
)
def test_audit_page_refuses_dates_before_1900_with_a_message(client, settings, query):
    settings.LANGUAGE_CODE = "en"
    org = organisation()
    verified_login(client, member("administrator", org))
    with translation.override("en"):
        response = client.get(reverse("accounts:audit_log", args=[org.slug]), query)
    assert response.status_code == 200
    too_early = {field for field, day in query.items() if day < "1900-01-01"}  # ISO dates sort as text
    assert set(response.context["form"].errors) == too_early
    assert "Enter a date from 1900-01-01 or later" in response.content.decode()


def test_audit_page_still_takes_the_first_allowed_date(client):
    org = organisation()
    verified_login(client, member("administrator", org))
    response = client.get(reverse("accounts:audit_log", args=[org.slug]), {"date_from": "1900-01-01"})
    assert response.status_code == 200
    assert not response.context["form"].errors
