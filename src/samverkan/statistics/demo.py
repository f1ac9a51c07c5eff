"""Demo data for statistics: the real published datasets shipped in data/statistics/, stored
through the import service with their sources. Idempotent: an unchanged table is not stored again."""

from __future__ import annotations

from samverkan.core.actor import Actor
from samverkan.statistics.real_data import all_real_datasets
from samverkan.statistics.services import DatasetFields, dataset_version_import


def load_demo() -> dict[str, int]:
    actor = Actor.system()
    stored = 0
    for real in all_real_datasets():
        outcome = dataset_version_import(
            actor=actor,
            cube=real.cube,
            format="csv",
            filename=f"data/statistics/{real.slug}.csv",
            dataset_slug=real.slug,
            fields=DatasetFields(
                slug=real.slug,
                source_organisation=real.source_organisation,
                source_note=real.source_note,
                description_sv=real.description_sv,
                description_en=real.description_en,
                licence=real.licence,
            ),
        )
        stored += 0 if outcome.unchanged else 1
    return {"datasets": len(all_real_datasets()), "dataset versions stored": stored}
