"""Helpers shared by the meeting-place processes: language codes, the largest session and the
agency that owns the fact base and reviews material."""

from __future__ import annotations

import logging
import re

from django.conf import settings

from samverkan.organisations.models import Organisation

log = logging.getLogger("samverkan.meetingplace.services")  # one logger for every process, as before

LANGUAGE = re.compile(r"[a-z]{2,3}")
MAX_CAPACITY = 10_000


def agency_id() -> int | None:
    return Organisation.objects.filter(slug=settings.MEETINGPLACE_AGENCY).values_list("pk", flat=True).first()
