from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from samverkan.core import audit_checkpoints
from samverkan.core.audit import verify


class Command(BaseCommand):
    help = (
        "Verify the audit log's hash chain; exit non-zero at the first broken link. With "
        "--checkpoints DIR also exit non-zero when the log is shorter than, or differs from, any "
        "signed checkpoint in DIR, or when a checkpoint there is not validly signed."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--checkpoints",
            type=Path,
            metavar="DIR",
            help="directory of checkpoints written by audit_checkpoint (copies kept outside the database)",
        )
        parser.add_argument(
            "--public-key",
            type=Path,
            metavar="FILE",
            help="check the checkpoints with this public key (PEM) instead of this deployment's own",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        directory: Path | None = options["checkpoints"]
        checkpoints: list[audit_checkpoints.Checkpoint] = []
        if directory is not None:
            if not directory.is_dir():
                raise CommandError(f"Checkpoint directory {directory} does not exist.")
            key = None
            if options.get("public_key"):
                try:
                    key = audit_checkpoints.load_public_key(Path(options["public_key"]).read_bytes())
                except (OSError, ValueError, audit_checkpoints.CheckpointError) as exc:
                    raise CommandError(f"Cannot use the public key {options['public_key']}: {exc}") from exc
            checkpoints, refused = audit_checkpoints.load_all(directory, key)
            if refused:
                lines = "\n".join(f"  {name}: {reason}" for name, reason in refused)
                raise CommandError(f"Checkpoints that cannot be trusted in {directory}:\n{lines}")
            if not checkpoints:
                raise CommandError(
                    f"No checkpoints in {directory}: nothing to check the log's length against "
                    "(write one with manage.py audit_checkpoint)."
                )
        result = verify(audit_checkpoints.anchors(checkpoints))
        if not result.ok:
            raise CommandError(
                f"Audit chain broken at event #{result.broken_seq}: {result.reason} "
                f"({result.checked} events verified before it)."
            )
        if checkpoints:
            newest = max(checkpoints, key=lambda c: (c.tree_size, c.timestamp))
            count = f"{len(checkpoints)} checkpoint{'' if len(checkpoints) == 1 else 's'}"
            self.stdout.write(
                self.style.SUCCESS(
                    f"Audit chain intact: {result.checked} events verified, consistent with {count} "
                    f"(the newest covers {newest.tree_size} events, {newest.timestamp})."
                )
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(f"Audit chain intact: {result.checked} events verified.")
                + "\nNote: without --checkpoints DIR a deleted tail (the newest events removed and the "
                "head rewound, or the whole log emptied) is not detected."
            )
