from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from samverkan.meetingplace import demo as meetingplace_demo
from samverkan.organisations import demo as organisations_demo
from samverkan.organisations.demo import DEMO_PASSWORD, DEMO_USERS
from samverkan.panels import demo as panels_demo
from samverkan.resettlement import demo as resettlement_demo
from samverkan.statistics import demo as statistics_demo
from samverkan.stories import demo as stories_demo


class Command(BaseCommand):
    help = (
        "Load demo data: the nine agencies, 21 county boards, 290 municipalities, fictional NGOs and "
        "people, the real published statistics in data/statistics/, a fictional panel pool, "
        "meeting places and MIG Talks stories."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--force", action="store_true", help="allow outside DEBUG (never in production)")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "seed_demo creates accounts with a published password; it runs only with DEBUG."
            )
        counts = organisations_demo.load_demo()
        counts.update(statistics_demo.load_demo())
        counts.update(panels_demo.load_demo())
        counts.update(resettlement_demo.load_demo())
        counts.update(meetingplace_demo.load_demo())
        counts.update(stories_demo.load_demo())
        self.stdout.write(
            self.style.SUCCESS("Demo data loaded: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        )
        self.stdout.write(f"Fictional demo logins (password: {DEMO_PASSWORD}):")
        for user in DEMO_USERS:
            self.stdout.write(f"  {user.email:45} {user.role} at {user.organisation_slug}")
        self.stdout.write("Administrators and case officers set up two-factor authentication at first login.")
