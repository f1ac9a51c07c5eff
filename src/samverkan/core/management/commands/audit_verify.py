from typing import Any

from django.core.management.base import BaseCommand, CommandError

from samverkan.core.audit import verify


class Command(BaseCommand):
    help = "Verify the audit log's hash chain; exit non-zero at the first broken link."

    def handle(self, *args: Any, **options: Any) -> None:
        result = verify()
        if not result.ok:
            raise CommandError(
                f"Audit chain broken at event #{result.broken_seq}: {result.reason} "
                f"({result.checked} events verified before it)."
            )
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {result.checked} events verified."))
