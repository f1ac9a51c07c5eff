from typing import Any

from django.core.management.base import BaseCommand, CommandError

from samverkan.core.actor import Actor
from samverkan.resettlement.services import dashboard_release


class Command(BaseCommand):
    help = (
        "Make a release of the resettlement follow-up dashboard now (the scheduler makes one every "
        "RESETTLEMENT_DASHBOARD_INTERVAL seconds). The page shows the newest release."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        release = dashboard_release(actor=Actor.system())
        if release is None:
            raise CommandError("Another release was made at the same moment; nothing was written.")
        states = [block["state"] for block in release.reasons.values()]
        self.stdout.write(
            self.style.SUCCESS(
                f"Release {release.number} made at {release.created_at:%Y-%m-%d %H:%M %Z}: "
                f"{states.count('fresh')} year(s) with new figures, {states.count('stale')} held at an "
                f"earlier release, {states.count('withheld')} withheld."
            )
        )
