"""A pool's quotas: set by hand, from a features or shares CSV, or mirroring a statistics dataset."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from samverkan.core import audit
from samverkan.core.actor import Actor
from samverkan.core.errors import NotFound, ValidationError
from samverkan.panels import permissions as perms
from samverkan.panels.lottery import LotteryInputError, quotas_from_shares
from samverkan.panels.lottery.files import InputError, parse_features, parse_shares
from samverkan.panels.messages import isolate, render, render_input_error
from samverkan.panels.models import Pool, PoolQuota
from samverkan.panels.services._common import QUOTA_LIMITS, _check_upload
from samverkan.statistics.cube import in_language
from samverkan.statistics.models import Dataset
from samverkan.statistics.selectors import composition_for, current_version, dataset_dimensions


@dataclass(frozen=True)
class QuotaRow:
    feature: str
    value: str
    min: int
    max: int
    target_share: float | None = None


def _pool_values(pool: Pool) -> dict[str, list[str]]:
    values: dict[str, dict[str, None]] = {f: {} for f in pool.features}
    for row in pool.volunteers.values_list("features", flat=True):
        for feature in pool.features:
            values[feature][row[feature]] = None
    return {f: list(v) for f, v in values.items()}


def pool_quotas_set(
    *,
    actor: Actor,
    pool: Pool,
    rows: Sequence[QuotaRow],
    source: str,
    origin: Mapping[str, Any] | None = None,
) -> list[PoolQuota]:
    """Replace the pool's quotas. Every value present in the pool of a quota'd feature needs a quota.

    ``source`` says where they come from in English (the audit log's words); ``origin`` says it as a
    code with parameters (``messages.render_origin``), which the pool page shows in its reader's
    language."""
    if not perms.can_manage_pool(actor, pool):
        raise NotFound
    if not rows:
        raise ValidationError({"quotas": [_("Set at least one quota.")]})
    values = _pool_values(pool)
    errors: list[str] = []
    seen: set[tuple[str, str]] = set()
    by_feature: dict[str, list[QuotaRow]] = {}
    for row in rows:
        label = isolate(f"{row.feature}={row.value}")
        if row.feature not in values:
            errors.append(
                _("%(label)s: the pool has no feature “%(feature)s”.")
                % {"label": label, "feature": isolate(row.feature)}
            )
            continue
        if (row.feature, row.value) in seen:
            errors.append(_("%(label)s is given twice.") % {"label": label})
        seen.add((row.feature, row.value))
        if row.min < 0 or row.max < 0:
            errors.append(_("%(label)s: minimum and maximum must not be negative.") % {"label": label})
        elif row.min > row.max:
            errors.append(
                _("%(label)s: the minimum %(min)s exceeds the maximum %(max)s.")
                % {"label": label, "min": row.min, "max": row.max}
            )
        by_feature.setdefault(row.feature, []).append(row)
    for feature, feature_rows in by_feature.items():
        missing = [v for v in values[feature] if (feature, v) not in seen]
        if missing:
            errors.append(
                _("%(feature)s: the pool has volunteers with %(values)s but no quota for them.")
                % {"feature": isolate(feature), "values": ", ".join(isolate(v) for v in missing)}
            )
        low, high = sum(r.min for r in feature_rows), sum(r.max for r in feature_rows)
        if low > pool.panel_size:
            errors.append(
                _("%(feature)s: the minimums add up to %(sum)s, more than the panel size %(size)s.")
                % {"feature": isolate(feature), "sum": low, "size": pool.panel_size}
            )
        if high < pool.panel_size:
            errors.append(
                _("%(feature)s: the maximums add up to %(sum)s, less than the panel size %(size)s.")
                % {"feature": isolate(feature), "sum": high, "size": pool.panel_size}
            )
    if errors:
        raise ValidationError({"quotas": errors})
    with transaction.atomic(durable=True):
        pool.quotas.all().delete()
        created = PoolQuota.objects.bulk_create(
            [
                PoolQuota(
                    pool=pool,
                    position=i,
                    feature=r.feature,
                    value=r.value,
                    min=r.min,
                    max=r.max,
                    target_share=r.target_share,
                )
                for i, r in enumerate(rows)
            ]
        )
        pool.quota_source = source[:400]
        pool.quota_origin = dict(origin or {})
        pool.save(update_fields=["quota_source", "quota_origin"])
        audit.record(
            actor=actor,
            code="panels.quotas.set",
            obj=pool,
            organisation_id=pool.owner_id,
            data={"source": pool.quota_source, "quotas": [[r.feature, r.value, r.min, r.max] for r in rows]},
        )
    return created


def pool_quotas_from_csv(
    *, actor: Actor, pool: Pool, data: bytes, filename: str, tolerance: int = 0
) -> list[PoolQuota]:
    """Quotas from a Sortition Foundation features.csv (feature,value,min,max), or from a CSV of
    target shares (feature,value,share) rounded to seats by largest remainder ± ``tolerance``."""
    name = filename or "features.csv"
    _check_upload(data, QUOTA_LIMITS, "quotas")
    first_line = data.split(b"\n", 1)[0].decode("utf-8", "replace").lower()
    try:
        if "share" in [cell.strip().strip('"\ufeff') for cell in first_line.split(",")]:
            shares = parse_shares(name, data)
            quotas = quotas_from_shares(shares, pool.panel_size, tolerance)
            totals = {f: sum(v.values()) for f, v in shares.items()}
            rows = [
                QuotaRow(q.feature, q.value, q.min, q.max, shares[q.feature][q.value] / totals[q.feature])
                for q in quotas
            ]
            source = f"shares from {name}, tolerance {tolerance}"
            origin = {"code": "shares_csv", "params": {"file": name, "tolerance": tolerance}}
        else:
            table = parse_features(name, data)
            rows = [QuotaRow(r.feature, r.value, r.min, r.max) for r in table.rows]
            source = f"features.csv ({name})"
            origin = {"code": "features_csv", "params": {"file": name}}
    except InputError as exc:
        raise ValidationError({"quotas": [render_input_error(exc)]}) from exc
    except LotteryInputError as exc:
        raise ValidationError({"quotas": [render(exc.message)]}) from exc
    return pool_quotas_set(actor=actor, pool=pool, rows=rows, source=source, origin=origin)


def _match(value: str, labels: Mapping[str, tuple[str, ...]]) -> str | None:
    """The category code whose code or Swedish or English label equals ``value`` (ignoring case)."""
    wanted = value.strip().casefold()
    for code, names in labels.items():
        if any(name.strip().casefold() == wanted for name in names if name):
            return code
    return None


def pool_quotas_from_statistics(
    *,
    actor: Actor,
    pool: Pool,
    dataset: Dataset,
    mapping: Mapping[str, str],
    tolerance: int,
    filters: Mapping[str, Sequence[str]] | None = None,
) -> tuple[list[PoolQuota], list[str]]:
    """Quotas mirroring a dataset's composition: for each pool feature mapped to a dimension, the
    shares of its categories (over the filtered cells) rounded to seats by largest remainder, ± the
    tolerance. Pool values are matched to categories by code or label. Returns the quotas and notes
    (categories without volunteers, which are left out and the rest rescaled)."""
    if not perms.can_manage_pool(actor, pool):
        raise NotFound
    mapping = {f: d for f, d in mapping.items() if d}
    if not mapping:
        raise ValidationError({"__all__": [_("Choose a dimension for at least one feature.")]})
    if tolerance < 0:
        raise ValidationError({"tolerance": [_("The tolerance must not be negative.")]})
    dimensions = {d.code: d for d in dataset_dimensions(dataset)}
    language = get_language() or "sv"
    unknown = [d for d in mapping.values() if d not in dimensions]
    if unknown:
        raise ValidationError(
            {"__all__": [_("The dataset has no dimension “%(code)s”.") % {"code": isolate(unknown[0])}]}
        )
    compositions = {
        c.dimension.code: c
        for c in composition_for(
            actor=actor, dataset=dataset, dimensions=list(dict.fromkeys(mapping.values())), filters=filters
        )
    }
    values = _pool_values(pool)
    shares: dict[str, dict[str, float]] = {}
    notes: list[str] = []
    errors: list[str] = []
    for feature, code in mapping.items():
        composition = compositions[code]
        labels = {s.code: (s.code, s.label_sv, s.label_en) for s in composition.shares}
        share_of = {s.code: s.share for s in composition.shares}
        matched: dict[str, str] = {}
        for value in values.get(feature, []):
            category = _match(value, labels)
            if category is None:
                errors.append(
                    _("%(feature)s: the value “%(value)s” matches no category of %(dimension)s.")
                    % {
                        "feature": isolate(feature),
                        "value": isolate(value),
                        "dimension": isolate(dimensions[code].label(language)),
                    }
                )
            else:
                matched[value] = category
        withheld = [v for v, c in matched.items() if share_of[c] is None]
        if withheld:
            errors.append(
                _("%(feature)s: the share of %(values)s is withheld in the dataset; set the quotas by hand.")
                % {"feature": isolate(feature), "values": ", ".join(isolate(v) for v in withheld)}
            )
        left_out = [
            in_language(language, s.label_sv, s.label_en) or s.code
            for s in composition.shares
            if s.code not in matched.values() and (s.share or 0) > 0
        ]
        if left_out:
            notes.append(
                _("%(feature)s: no volunteer has %(values)s; the other shares are rescaled.")
                % {"feature": isolate(feature), "values": ", ".join(isolate(v) for v in left_out)}
            )
        shares[feature] = {v: float(share_of[c] or 0.0) for v, c in matched.items()}
    if errors:
        raise ValidationError({"__all__": errors})
    try:
        quotas = quotas_from_shares(shares, pool.panel_size, tolerance)
    except LotteryInputError as exc:
        raise ValidationError({"__all__": [render(exc.message)]}) from exc
    totals = {f: sum(v.values()) for f, v in shares.items()}
    rows = [
        QuotaRow(
            q.feature,
            q.value,
            q.min,
            q.max,
            shares[q.feature][q.value] / totals[q.feature] if totals[q.feature] else None,
        )
        for q in quotas
    ]
    version = current_version(dataset)
    source = (
        f"statistics: {dataset.title_sv} ({dataset.slug}, version {version.number}), tolerance {tolerance}"
    )
    if filters:
        source += "; " + "; ".join(f"{k}={','.join(v)}" for k, v in filters.items())
    origin = {
        "code": "statistics",
        "params": {
            "slug": dataset.slug,
            "title": {"sv": dataset.title_sv, "en": dataset.title_en, "ar": dataset.title_ar},
            "version": version.number,
            "tolerance": tolerance,
            "periods": [code for codes in (filters or {}).values() for code in codes],
        },
    }
    return pool_quotas_set(actor=actor, pool=pool, rows=rows, source=source, origin=origin), notes
