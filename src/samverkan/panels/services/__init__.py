"""Writes for panels: pools, quotas, selection runs, replacements, publishing. One transaction each:
authorise → validate → write → audit → enqueue on commit. One module per process, re-exported here."""

from samverkan.panels.services.pools import pool_create, pool_create_with_notes, pool_delete
from samverkan.panels.services.publishing import member_withdraw, run_publish
from samverkan.panels.services.quotas import (
    QuotaRow,
    pool_quotas_from_csv,
    pool_quotas_from_statistics,
    pool_quotas_set,
)
from samverkan.panels.services.runs import run_execute, run_start, runs_fail_stalled

__all__ = [
    "QuotaRow",
    "member_withdraw",
    "pool_create",
    "pool_create_with_notes",
    "pool_delete",
    "pool_quotas_from_csv",
    "pool_quotas_from_statistics",
    "pool_quotas_set",
    "run_execute",
    "run_publish",
    "run_start",
    "runs_fail_stalled",
]
