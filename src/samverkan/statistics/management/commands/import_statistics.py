"""manage.py import_statistics FILE [--format auto|jsonstat2|px|csv] — store a table as a dataset version."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from samverkan.core.actor import Actor
from samverkan.core.errors import DomainError, ValidationError
from samverkan.organisations.models import Organisation
from samverkan.statistics import importers
from samverkan.statistics.services import DatasetFields, statistics_import


class Command(BaseCommand):
    help = (
        "Import a statistics table (PxWeb JSON-stat2 or CSV, PC-Axis .px, or the plain CSV of "
        "docs/statistics-formats.md) as a new version of a dataset. Nothing is written if the file "
        "is refused; an unchanged table is not stored again."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="the file to import")
        parser.add_argument("--format", default="auto", choices=["auto", *importers.FORMATS])
        parser.add_argument("--dataset", default="", help="short name (slug) of the dataset")
        parser.add_argument("--title", default="", help="Swedish title of a new dataset")
        parser.add_argument("--title-en", default="", help="English title of a new dataset")
        parser.add_argument("--source-organisation", default="", help="who published the figures")
        parser.add_argument("--source-url", default="")
        parser.add_argument("--licence", default="")
        parser.add_argument("--owner", default="", help="slug of the owning organisation")
        parser.add_argument(
            "--person-level", action="store_true", help="counts of persons: apply disclosure control"
        )
        parser.add_argument(
            "--threshold", type=int, default=None, help="suppression threshold (default: platform)"
        )
        parser.add_argument("--internal", action="store_true", help="visible to the owner's members only")
        parser.add_argument("--retrieved-at", default="", help="when the figures were retrieved (ISO 8601)")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        size = path.stat().st_size
        if size > settings.STATISTICS_MAX_UPLOAD_BYTES:
            raise CommandError(
                f"{path}: {size} bytes is more than the limit of {settings.STATISTICS_MAX_UPLOAD_BYTES} "
                "(STATISTICS_MAX_UPLOAD_BYTES)"
            )
        owner_id = None
        if options["owner"]:
            owner = Organisation.objects.filter(slug=options["owner"]).first()
            if owner is None:
                raise CommandError(f"--owner: no organisation “{options['owner']}”")
            owner_id = owner.pk
        retrieved_at = None
        if options["retrieved_at"]:
            try:
                retrieved_at = dt.datetime.fromisoformat(options["retrieved_at"])
            except ValueError as exc:
                raise CommandError(f"--retrieved-at: {exc}") from exc
            if retrieved_at.tzinfo is None:
                retrieved_at = retrieved_at.replace(tzinfo=dt.UTC)
        fields = DatasetFields(
            slug=options["dataset"],
            title_sv=options["title"],
            title_en=options["title_en"],
            source_organisation=options["source_organisation"],
            source_url=options["source_url"],
            licence=options["licence"],
            person_level=options["person_level"],
            disclosure_threshold=options["threshold"],
            is_public=not options["internal"],
            owner_id=owner_id,
        )
        try:
            outcome = statistics_import(
                actor=Actor.system(),
                data=path.read_bytes(),
                format=options["format"],
                filename=path.name,
                dataset_slug=options["dataset"],
                fields=fields,
                retrieved_at=retrieved_at,
            )
        except ValidationError as exc:
            lines = [f"{path}: {message}" for messages in exc.errors.values() for message in messages]
            raise CommandError("\n".join(lines)) from exc
        except DomainError as exc:
            raise CommandError(f"{path}: {exc.__class__.__name__}") from exc
        version = outcome.version
        if outcome.unchanged:
            self.stdout.write(
                f"{outcome.dataset.slug}: unchanged — this table is already version {version.number}; "
                "nothing written."
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"{outcome.dataset.slug}: version {version.number} stored ({version.cell_count} cells, "
                f"{version.format})" + (" — new dataset" if outcome.created_dataset else "")
            )
        )
        for text in version.warning_texts():
            self.stdout.write(self.style.WARNING(f"{outcome.dataset.slug}: warning: {text}"))
