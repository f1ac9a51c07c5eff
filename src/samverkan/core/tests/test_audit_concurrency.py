"""Concurrent appends from several connections keep the audit chain linear (both databases)."""

from __future__ import annotations

import threading

import pytest
from django.db import close_old_connections, connection, transaction

from samverkan.core import audit
from samverkan.core.actor import Actor
from samverkan.core.models import AuditEvent

THREADS = 4
PER_THREAD = 10


@pytest.mark.django_db(transaction=True)
def test_parallel_appends_form_one_unbroken_chain():
    errors: list[BaseException] = []
    barrier = threading.Barrier(THREADS)

    def worker(n: int) -> None:
        try:
            barrier.wait()
            for i in range(PER_THREAD):
                with transaction.atomic():
                    audit.record(actor=Actor.system(), code="test.parallel", data={"thread": n, "i": i})
        except BaseException as exc:
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert AuditEvent.objects.count() == THREADS * PER_THREAD
    result = audit.verify()
    assert result.ok, result
    assert sorted(AuditEvent.objects.values_list("seq", flat=True)) == list(
        range(1, THREADS * PER_THREAD + 1)
    )
