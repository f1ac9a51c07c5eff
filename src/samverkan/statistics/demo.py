"""Demo data for statistics: the real published datasets shipped in data/statistics/, stored
through the import service with their sources. Idempotent: an unchanged table is not stored again,
and a dataset stored before keeps its figures but gets the current texts (titles, notes, units)."""

from __future__ import annotations

from samverkan.core.actor import Actor
from samverkan.statistics.real_data import RealDataset, all_real_datasets
from samverkan.statistics.services import DatasetFields, dataset_texts_set, dataset_version_import


def _fields(real: RealDataset) -> DatasetFields:
    meta = real.cube.meta
    return DatasetFields(
        slug=real.slug,
        title_sv=meta.title_sv,
        title_en=meta.title_en,
        title_ar=meta.title_ar,
        source_organisation=real.source_organisation,
        source_note=real.source_note,
        description_sv=real.description_sv,
        description_en=real.description_en,
        description_ar=real.description_ar,
        caveats_sv=real.caveats_sv,
        caveats_en=real.caveats_en,
        caveats_ar=real.caveats_ar,
        internal_note=real.internal_note,
        unit=meta.unit,
        unit_en=real.unit_en,
        unit_ar=real.unit_ar,
        licence=real.licence,
    )


def load_demo() -> dict[str, int]:
    actor = Actor.system()
    stored = 0
    for real in all_real_datasets():
        fields = _fields(real)
        outcome = dataset_version_import(
            actor=actor,
            cube=real.cube,
            format="csv",
            filename=f"data/statistics/{real.slug}.csv",
            dataset_slug=real.slug,
            fields=fields,
        )
        if not outcome.created_dataset:
            dataset_texts_set(actor=actor, dataset=outcome.dataset, fields=fields)
        stored += 0 if outcome.unchanged else 1
    return {"datasets": len(all_real_datasets()), "dataset versions stored": stored}
