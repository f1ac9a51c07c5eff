"""Test data built once per module, and the audit log as a test reads it.

``module_data`` is what Django's ``setUpTestData`` does for a TestCase, for pytest's module-scoped
fixtures: the data is built inside a transaction that every test's own savepoint sits on and that
is rolled back after the module. The transaction is marked as the test case's, so the rules that
look through the test case's wrapping transaction (``audit.record`` refusing to run outside one
of the code's own, services that must be the outermost unit opening ``atomic(durable=True)``)
hold while the data is built and in every test.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.db import transaction

from samverkan.core.models import AuditEvent

T = TypeVar("T")


@contextmanager
def module_data(django_db_blocker: Any, build: Callable[[], T]) -> Iterator[T]:
    """``build()`` inside the module's transaction, rolled back at the end (see the module)."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic._from_testcase = True  # type: ignore[attr-defined]
        atomic.__enter__()
        try:
            yield build()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def last_audit_seq() -> int:
    """The newest event's sequence number (0 for an empty log)."""
    return AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def audit_events_since(seq: int) -> list[AuditEvent]:
    """The events written after ``seq``, oldest first."""
    return list(AuditEvent.objects.filter(seq__gt=seq).order_by("seq"))


def assert_same_answer(client: Any, existing: str, missing: str) -> int:
    """A refused address answers exactly as one whose id does not exist (status and page, the
    address itself aside), so ids cannot be probed. Returns the status."""
    refused, absent = client.get(existing), client.get(missing)
    assert refused.status_code == absent.status_code
    refused_page = _stable(refused.content.decode()).replace(existing, "")
    assert refused_page == _stable(absent.content.decode()).replace(missing, "")
    return refused.status_code


# What every rendering of the site's pages draws anew (the CSP nonce, the CSRF token of the
# language switch): equal pages differ only in these.
_PER_RESPONSE = re.compile(r'(nonce="|name="csrfmiddlewaretoken" value=")[^"]*"')


def _stable(body: str) -> str:
    return _PER_RESPONSE.sub(r'\1"', body)
