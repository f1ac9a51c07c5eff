from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from samverkan.core.audit_checkpoints import public_key_pem, write_checkpoint


class Command(BaseCommand):
    help = (
        "Write a signed checkpoint of the audit chain's head (event count and hash) into "
        "AUDIT_CHECKPOINT_DIR, and e-mail it to AUDIT_CHECKPOINT_EMAIL if set. Keep the files "
        "outside the database's reach; audit_verify --checkpoints DIR checks the log against them."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dir", type=Path, help="directory to write to (default AUDIT_CHECKPOINT_DIR)")
        parser.add_argument(
            "--force", action="store_true", help="write even if the log has not grown since the newest one"
        )
        parser.add_argument(
            "--public-key",
            action="store_true",
            help="print the public key that checks the checkpoints (PEM) and write nothing",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["public_key"]:
            self.stdout.write(public_key_pem().rstrip("\n"))
            return
        directory = options["dir"] or Path(settings.AUDIT_CHECKPOINT_DIR)
        result = write_checkpoint(directory, force=options["force"])
        checkpoint = result.checkpoint
        if result.path is None:
            self.stdout.write(
                f"No new events since checkpoint {checkpoint.source} ({checkpoint.tree_size} events); "
                "nothing written."
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Wrote checkpoint of {checkpoint.tree_size} events (head {checkpoint.head_hash[:16]}…) "
                    f"to {result.path}."
                )
            )
        if result.mail_error:
            self.stderr.write(f"The checkpoint was written but could not be e-mailed: {result.mail_error}")
        elif result.mailed:
            self.stdout.write(f"E-mailed to {settings.AUDIT_CHECKPOINT_EMAIL}.")
        if result.problem:
            raise CommandError(
                f"The audit log disagrees with its newest earlier checkpoint: {result.problem}."
            )
