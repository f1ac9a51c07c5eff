"""Fictional activities and sessions for the meeting-place tests."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from samverkan.accounts.actors import actor_for_user
from samverkan.accounts.tests.factories import member, organisation
from samverkan.meetingplace import services
from samverkan.meetingplace.models import Activity, Session
from samverkan.organisations.models import Organisation


def activity(org: Organisation | None = None) -> Activity:
    org = org or organisation()
    planner = actor_for_user(member("editor", org))
    return services.activity_create(
        actor=planner,
        organiser_id=org.pk,
        title={"sv": "Arbete och praktik (fiktiv)", "en": "Work and internships (fictional)"},
        description={"sv": "Fiktiv informationsträff för demo och test."},
        target_groups=["asylum_seekers"],
        languages=["sv", "ar"],
        interpretation=["ar", "ti"],
    )


def session(act: Activity | None = None, capacity: int = 50, days: int = 7) -> Session:
    act = act or activity()
    planner = actor_for_user(member("editor", act.organiser))
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=days)
    return services.session_create(
        actor=planner,
        activity=act,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        place_kind="agency_office",
        address="Fiktiv gata 1, Exempelstad",
        capacity=capacity,
    )
