"""manage.py fetch_pxweb TABLE_ID [--select VAR=code,code ...] — fetch a table from a PxWeb v2
service (Statistics Sweden by default) in Swedish and English and store it as a dataset version.

Raw answers are cached under PXWEB_CACHE_DIR, so a repeated fetch works offline and gives the
same table; --refresh asks the service again."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from samverkan.core.actor import Actor
from samverkan.core.errors import DomainError, ValidationError
from samverkan.statistics.importers import ImportRefused
from samverkan.statistics.importers.pxweb import FetchError, cache_path, fetch_bilingual
from samverkan.statistics.services import DatasetFields, dataset_version_import, import_limits


class Command(BaseCommand):
    help = (
        "Fetch a PxWeb v2 table (JSON-stat 2, Swedish and English labels) and import it as a dataset version."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("table_id", help="the table's id, e.g. TAB5974")
        parser.add_argument(
            "--select", action="append", default=[], metavar="VAR=CODES", help="value codes of one variable"
        )
        parser.add_argument("--dataset", default="", help="short name (slug) of the dataset")
        parser.add_argument("--base-url", default=settings.PXWEB_BASE_URL)
        parser.add_argument("--person-level", action="store_true")
        parser.add_argument(
            "--refresh", action="store_true", help="ask the service again, ignoring the cache"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        selection: dict[str, list[str]] = {}
        for item in options["select"]:
            name, sep, codes = item.partition("=")
            if not sep or not name.strip() or not codes.strip():
                raise CommandError(f"--select {item!r}: write VARIABLE=code,code")
            selection[name.strip()] = [c.strip() for c in codes.split(",") if c.strip()]
        try:
            cube = fetch_bilingual(
                options["table_id"],
                selection or None,
                base_url=options["base_url"],
                cache_dir=settings.PXWEB_CACHE_DIR,
                refresh=options["refresh"],
                limits=import_limits(),
            )
        except (FetchError, ImportRefused, ValueError) as exc:
            raise CommandError(f"{options['table_id']}: {exc}") from exc
        # When the figures were retrieved: the time the (Swedish) answer was cached.
        cached = cache_path(
            settings.PXWEB_CACHE_DIR,
            options["table_id"],
            selection or None,
            language="sv",
            base_url=options["base_url"],
        )
        retrieved_at = dt.datetime.fromtimestamp(cached.stat().st_mtime, tz=dt.UTC)
        try:
            outcome = dataset_version_import(
                actor=Actor.system(),
                cube=cube,
                format="jsonstat2",
                filename=f"pxweb:{options['table_id']}",
                dataset_slug=options["dataset"],
                fields=DatasetFields(source_url=options["base_url"], person_level=options["person_level"]),
                retrieved_at=retrieved_at,
            )
        except ValidationError as exc:
            raise CommandError("; ".join(m for ms in exc.errors.values() for m in ms)) from exc
        except DomainError as exc:
            raise CommandError(exc.__class__.__name__) from exc
        version = outcome.version
        state = "unchanged" if outcome.unchanged else "stored"
        self.stdout.write(
            f"{outcome.dataset.slug}: version {version.number} {state} ({version.cell_count} cells)"
        )
