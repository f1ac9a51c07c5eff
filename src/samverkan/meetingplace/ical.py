"""iCalendar (RFC 5545) files of sessions, for a session, an activity or an organiser, written with
the ``icalendar`` package. Every event names the organisers, so the attribution travels with it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from icalendar import Calendar, Event, vCalAddress, vText

from samverkan.meetingplace.models import Session, SessionStatus, in_language

PRODID = "-//Samverkan//Mötesplats//SV"


def calendar_for(sessions: Iterable[Session], *, name: str, base_url: str, language: str = "sv") -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    stamp = dt.datetime.now(dt.UTC).replace(microsecond=0)
    for session in sessions:
        activity = session.activity
        organisers = [activity.organiser, *activity.co_organisers.all()]
        event = Event()
        event.add("uid", f"session-{session.pk}@{settings.MEETINGPLACE_ICAL_DOMAIN}")
        event.add("dtstamp", stamp)
        event.add("dtstart", session.starts_at.astimezone(dt.UTC))
        event.add("dtend", session.ends_at.astimezone(dt.UTC))
        event.add("summary", in_language(activity.title, language))
        description = in_language(activity.description, language)
        names = ", ".join(o.name for o in organisers)
        event.add("description", f"{description}\n\n{names}".strip())
        if session.address:
            event.add("location", session.address)
        organiser = vCalAddress(f"urn:samverkan:organisation:{activity.organiser.slug}")
        organiser.params["cn"] = vText(activity.organiser.name)
        event.add("organizer", organiser)
        event.add("url", f"{base_url.rstrip('/')}/meetingplace/sessions/{session.pk}/")
        event.add("status", "CANCELLED" if session.status == SessionStatus.CANCELLED else "CONFIRMED")
        cal.add_component(event)
    return cal.to_ical()
