"""What the hash-chained audit log costs per write, against a plain insert of the same row.

Run:  .venv/bin/python benchmarks/audit_append.py [--events 1000] [--runs 5]
      DATABASE_URL=postgres://postgres@127.0.0.1:5432/samverkan .venv/bin/python benchmarks/audit_append.py

Each run appends N events, each in its own transaction as in a real request, once through
``audit.record`` (head-row lock, SHA-256 chain) and once as a bare INSERT of an equivalent row
(the baseline: what any unchained log would cost). Prints the median of the runs and the ratio,
and the time ``audit_verify`` needs for the whole chain. Uses a throw-away test database.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection, transaction
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    from samverkan.core import audit
    from samverkan.core.actor import Actor
    from samverkan.core.models import AuditEvent

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        actor = Actor.system()
        chained: list[float] = []
        plain: list[float] = []
        seq = 10_000_000
        for _ in range(args.runs):
            start = time.perf_counter()
            for i in range(args.events):
                with transaction.atomic():
                    audit.record(actor=actor, code="bench.chained", data={"i": i, "name": "Åsa"})
            chained.append(time.perf_counter() - start)

            start = time.perf_counter()
            for i in range(args.events):
                seq += 1
                with transaction.atomic():
                    AuditEvent.objects.create(
                        seq=seq,
                        occurred_at=timezone.now(),
                        code="bench.plain",
                        actor_label="system",
                        data={"i": i, "name": "Åsa"},
                        prev_hash="0" * 64,
                        hash=f"{seq:064d}",
                    )
            plain.append(time.perf_counter() - start)
        # Remove the unchained rows so verify walks a real chain.
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE code = 'bench.plain'")
        start = time.perf_counter()
        result = audit.verify()
        verify_seconds = time.perf_counter() - start
        assert result.ok, result

        c, p = statistics.median(chained), statistics.median(plain)
        print(f"database: {connection.vendor}; {args.events} events x {args.runs} runs (median)")
        print(f"chained append: {c / args.events * 1e6:8.1f} us/event")
        print(f"plain insert:   {p / args.events * 1e6:8.1f} us/event")
        print(f"ratio chained/plain: {c / p:.2f}")
        print(
            f"audit_verify: {result.checked} events in {verify_seconds:.2f} s "
            f"({verify_seconds / result.checked * 1e6:.1f} us/event)"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
