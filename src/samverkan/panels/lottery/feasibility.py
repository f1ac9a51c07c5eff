"""Feasibility of the quotas: a MIP decides whether any panel exists; if none does, explain why.

:func:`explain_infeasible` returns ``None`` when a panel exists, otherwise an :class:`InfeasibleQuotas`
carrying

* simple arithmetic conflicts (a feature's minimums add up to more than the panel size, its maximums to
  less; a value's minimum exceeds the number of volunteers, or of distinct households, having it);
* an irreducible conflicting set of quota bounds (an IIS found by the *deletion filter*: drop one bound
  at a time and keep it dropped if the rest stays infeasible; each test is a small MIP over types);
* the smallest relaxation: integer slacks lowering minimums / raising maximums, minimising their total,
  such that a panel exists (household rule and panel size are never relaxed).

Limits: the deletion filter finds *an* irreducible set, not necessarily the smallest one; it stops after
``iis_time`` seconds and then reports the bounds still in the (reducible) set.
"""

from __future__ import annotations

import time

import highspy
import numpy as np

from .messages import Message, message
from .model import InfeasibleQuotas, Instance, Quota, Types, build_types, validate
from .solver import INF, PanelMip, _idx, new_highs


def _arithmetic_conflicts(types: Types) -> list[Message]:
    inst = types.instance
    out: list[Message] = []
    by_feature: dict[str, list[Quota]] = {}
    for q in inst.quotas:
        by_feature.setdefault(q.feature, []).append(q)
    for feature, qs in by_feature.items():
        mins = sum(q.min for q in qs)
        maxs = sum(q.max for q in qs)
        if mins > inst.size:
            out.append(message("minimums_above_size", feature=feature, sum=mins, size=inst.size))
        if maxs < inst.size:
            out.append(message("maximums_below_size", feature=feature, sum=maxs, size=inst.size))
    for q, ts in types.quota_rows:
        people = [inst.people[i] for t in ts for i in types.members[t]]
        if q.min > len(people):
            out.append(
                message(
                    "value_too_few_people", feature=q.feature, value=q.value, min=q.min, people=len(people)
                )
            )
        elif inst.households is not None:
            homes = len({inst.households[p] for p in people})
            if q.min > homes:
                out.append(
                    message(
                        "value_too_few_households",
                        feature=q.feature,
                        value=q.value,
                        min=q.min,
                        people=len(people),
                        households=homes,
                    )
                )
    return out


def _describe(bound: tuple[int, str], quotas: tuple[Quota, ...]) -> Message:
    k, side = bound
    q = quotas[k]
    return message(f"bound_{side}", feature=q.feature, value=q.value, bound=q.min if side == "min" else q.max)


def _iis(types: Types, iis_time: float) -> tuple[list[Message], bool]:
    """Deletion filter over quota bounds; returns (descriptions, complete)."""
    inst = types.instance
    mip = PanelMip(types)
    bounds: list[tuple[int, str]] = []
    for k, q in enumerate(inst.quotas):
        if q.min > 0:
            bounds.append((k, "min"))
        if q.max < inst.size:
            bounds.append((k, "max"))
    active = set(bounds)

    def apply() -> None:
        for k, q in enumerate(inst.quotas):
            lo = float(q.min) if (k, "min") in active else 0.0
            hi = float(q.max) if (k, "max") in active else INF
            mip.set_quota_bounds(k, lo, hi)

    start = time.monotonic()
    complete = True
    for b in bounds:
        if time.monotonic() - start > iis_time:
            complete = False
            break
        active.discard(b)
        apply()
        if mip.feasible():
            active.add(b)
    return [_describe(b, inst.quotas) for b in bounds if b in active], complete


def smallest_relaxation(types: Types) -> tuple[tuple[Quota, ...], tuple[tuple[Quota, Quota], ...]]:
    """Minimise total integer slack on quota bounds such that a panel exists."""
    inst = types.instance
    n = types.count
    quotas = inst.quotas
    m = len(quotas)
    h = new_highs()
    h.setOptionValue("mip_rel_gap", 0.0)
    cols_lo = np.zeros(n + 2 * m)
    cols_hi = np.concatenate([types.sizes, [float(q.min) for q in quotas], [float(inst.size)] * m])
    cost = np.concatenate([np.zeros(n), np.ones(2 * m)])
    h.addCols(n + 2 * m, cost, cols_lo, cols_hi, 0, _idx([]), _idx([]), np.zeros(0))
    h.changeColsIntegrality(
        n + 2 * m, _idx(range(n + 2 * m)), np.array([highspy.HighsVarType.kInteger] * (n + 2 * m))
    )
    h.addRow(float(inst.size), float(inst.size), n, _idx(range(n)), np.ones(n))
    for k, (q, ts) in enumerate(types.quota_rows):
        # sum c + lo_k >= min ; sum c - hi_k <= max
        h.addRow(float(q.min), INF, len(ts) + 1, _idx([*ts, n + k]), np.ones(len(ts) + 1))
        h.addRow(-INF, float(q.max), len(ts) + 1, _idx([*ts, n + m + k]), np.array([1.0] * len(ts) + [-1.0]))
    for ts in types.household_rows:
        h.addRow(-INF, 1.0, len(ts), _idx(ts), np.ones(len(ts)))
    h.changeObjectiveSense(highspy.ObjSense.kMinimize)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:  # pragma: no cover - validated input
        raise RuntimeError("HiGHS could not solve the relaxation MIP")
    x = np.rint(np.asarray(h.getSolution().col_value)).astype(int)
    relaxed: list[Quota] = []
    changes: list[tuple[Quota, Quota]] = []
    for k, q in enumerate(quotas):
        new = Quota(q.feature, q.value, q.min - int(x[n + k]), q.max + int(x[n + m + k]))
        relaxed.append(new)
        if new != q:
            changes.append((q, new))
    return tuple(relaxed), tuple(changes)


def explain_infeasible(instance: Instance, *, iis_time: float = 10.0) -> InfeasibleQuotas | None:
    """``None`` if some panel meets all quotas, else an :class:`InfeasibleQuotas` explaining why."""
    validate(instance)
    types = build_types(instance)
    if PanelMip(types).feasible():
        return None
    conflicts = _arithmetic_conflicts(types)
    iis, complete = _iis(types, iis_time)
    if iis:
        code = "quotas_conflict" if complete else "quotas_conflict_among"
        conflicts.append(message(code, bounds=iis, size=instance.size))
    relaxation, changes = smallest_relaxation(types)
    conflicts.append(message("smallest_relaxation", changes=[_change(old, new) for old, new in changes]))
    return InfeasibleQuotas(conflicts, relaxation, changes)


def _change(old: Quota, new: Quota) -> Message:
    if new.min != old.min and new.max != old.max:
        return message(
            "relax_both",
            feature=old.feature,
            value=old.value,
            old_min=old.min,
            new_min=new.min,
            old_max=old.max,
            new_max=new.max,
        )
    if new.min != old.min:
        return message("relax_min", feature=old.feature, value=old.value, old=old.min, new=new.min)
    return message("relax_max", feature=old.feature, value=old.value, old=old.max, new=new.max)


def check_feasible(instance: Instance) -> Types:
    """Validate, then raise :class:`InfeasibleQuotas` if no panel exists; return the type structure."""
    validate(instance)
    types = build_types(instance)
    if not PanelMip(types).feasible():
        error = explain_infeasible(instance)
        assert error is not None
        raise error
    return types
