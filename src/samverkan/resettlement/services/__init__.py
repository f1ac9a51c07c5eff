"""Writes for resettlement. One transaction each: authorise → validate → write → audit → enqueue on
commit. Imports are all-or-nothing; a run's proposals are written only when the solver has
finished; approval places every case of the run or none.

One module per process: ``taxonomy``, ``reception``, ``cases``, ``runs``, ``followup`` and
``dashboard``; every caller imports from here."""

from ._common import MAX_YEAR, MIN_YEAR
from .cases import case_import
from .dashboard import dashboard_release, dashboard_release_due
from .followup import observation_record
from .reception import parse_slots_text, reception_import, reception_set
from .runs import (
    proposal_override,
    run_approve,
    run_discard,
    run_execute,
    run_start,
    runs_fail_stalled,
)
from .taxonomy import taxonomy_add, taxonomy_current, taxonomy_update

__all__ = [
    "MAX_YEAR",
    "MIN_YEAR",
    "case_import",
    "dashboard_release",
    "dashboard_release_due",
    "observation_record",
    "parse_slots_text",
    "proposal_override",
    "reception_import",
    "reception_set",
    "run_approve",
    "run_discard",
    "run_execute",
    "run_start",
    "runs_fail_stalled",
    "taxonomy_add",
    "taxonomy_current",
    "taxonomy_update",
]
