"""Demo data for meeting places: fictional information sessions by the fictional demo
organisations, in the coming weeks, each marked fictional. Idempotent."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from samverkan.core.actor import Actor
from samverkan.meetingplace import services
from samverkan.meetingplace.models import Activity
from samverkan.organisations.models import Organisation

ACTIVITIES = [
    (
        "nya-grannar",
        {
            "sv": "Språkcafé och samhällsinformation (fiktiv)",
            "en": "Language café and civic information (fictional)",
            "ar": "مقهى اللغة ومعلومات عن المجتمع (خيالي)",
        },
        {"sv": "Fiktiv träff för demo: vi pratar svenska och svarar på frågor om vardagen i Sverige."},
        ["asylum_seekers", "permit_holders"],
        ["sv"],
        ["ar", "ti"],
        "rented_room",
        "Fiktiva gatan 12, Östersund",
    ),
    (
        "fjallbygg",
        {"sv": "Praktik i byggbranschen (fiktiv)", "en": "Internships in construction (fictional)"},
        {"sv": "Fiktiv träff för demo: ett byggföretag berättar om praktikplatser för asylsökande."},
        ["asylum_seekers", "employers"],
        ["sv", "en"],
        ["ar", "so"],
        "service_office",
        "Servicekontoret (fiktivt), Östersund",
    ),
    (
        "exempelviks-folkhogskola",
        {"sv": "Svenska från dag ett (fiktiv)", "en": "Swedish from day one (fictional)"},
        {"sv": "Fiktiv träff för demo: folkhögskolans kurser för nyanlända."},
        ["permit_holders", "young_people"],
        ["sv"],
        ["ar", "prs"],
        "online",
        "",
    ),
]


def load_demo() -> dict[str, int]:
    if Activity.objects.filter(is_fictional=True).exists():
        return {"demo meeting-place sessions": 0}
    actor = Actor.system()
    sessions = 0
    start = timezone.localtime().replace(hour=14, minute=0, second=0, microsecond=0)
    with transaction.atomic():
        for i, (slug, title, description, groups, spoken, interpreted, place, address) in enumerate(
            ACTIVITIES
        ):
            organiser = Organisation.objects.filter(slug=slug).first()
            if organiser is None:
                continue
            activity = services.activity_create(
                actor=actor,
                organiser_id=organiser.pk,
                title=title,
                description=description,
                target_groups=groups,
                languages=spoken,
                interpretation=interpreted,
            )
            Activity.objects.filter(pk=activity.pk).update(is_fictional=True)
            for week in (1, 3):
                when = start + dt.timedelta(days=7 * week + 2 * i)
                services.session_create(
                    actor=actor,
                    activity=activity,
                    starts_at=when,
                    ends_at=when + dt.timedelta(hours=2),
                    place_kind=place,
                    address=address,
                    capacity=20 + 10 * i,
                )
                sessions += 1
    return {"demo meeting-place sessions": sessions}
