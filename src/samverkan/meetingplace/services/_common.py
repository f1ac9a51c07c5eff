"""Helpers shared by the meeting-place processes: language codes, the largest session, the
agency that owns the fact base and reviews material, and how e-mails say when and where."""

from __future__ import annotations

import logging
import re

from django.conf import settings
from django.utils import timezone, translation
from django.utils.formats import date_format

from samverkan.meetingplace.models import Session
from samverkan.organisations.models import Organisation

log = logging.getLogger("samverkan.meetingplace.services")  # one logger for every process, as before

LANGUAGE = re.compile(r"[a-z]{2,3}")
MAX_CAPACITY = 10_000


def agency_id() -> int | None:
    return Organisation.objects.filter(slug=settings.MEETINGPLACE_AGENCY).values_list("pk", flat=True).first()


MAIL_LANGUAGES = ("sv", "en", "ar")  # the languages e-mails are written in


def mail_language(preferred: str) -> str:
    """The language of a participant's e-mail: theirs if we write in it, else the page's, else Swedish."""
    for language in (preferred, (translation.get_language() or "")[:2]):
        if language in MAIL_LANGUAGES:
            return language
    return "sv"


def when_text(session: Session) -> str:
    """A session's day and time range in plain text, in the active language. In Arabic the range is
    isolated left to right (U+2066 … U+2069), so it reads 14:00–16:00, never 16:00–14:00."""
    starts, ends = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
    times, separator = f"{starts:%H:%M}–{ends:%H:%M}", ", "
    if (translation.get_language() or "")[:2] == "ar":
        times, separator = f"\u2066{times}\u2069", "، "
    return f"{date_format(starts, 'l j F Y')}{separator}{times}"


def where_text(session: Session) -> str:
    """Where a session is held, in plain text: the kind of place, and its address or link."""
    place = str(session.get_place_kind_display())
    return f"{place}: {session.address}" if session.address else place
