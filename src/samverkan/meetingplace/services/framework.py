"""The common framework around a session: checklist, closing report, participants' evaluation and
the fact base of authoritative statements."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samverkan.core import audit
from samverkan.core.actor import Actor
from samverkan.core.errors import NotFound, ValidationError
from samverkan.meetingplace import permissions as perms
from samverkan.meetingplace.models import (
    ChecklistEntry,
    ChecklistItem,
    ClosingReport,
    Evaluation,
    FactStatement,
    FactTopic,
    Rating,
    Registration,
    Session,
)
from samverkan.meetingplace.selectors import EVALUATION_DAYS, organiser_ids
from samverkan.meetingplace.services._common import LANGUAGE, MAX_CAPACITY, agency_id
from samverkan.organisations.models import Organisation


def checklist_save(
    *, actor: Actor, session: Session, entries: Mapping[str, tuple[bool, str]]
) -> list[ChecklistEntry]:
    """Save checklist points (point -> (done, note)) together: every point is checked first, and
    all are written in one transaction or none."""
    if not perms.can_plan(actor, organiser_ids(session.activity)):
        raise NotFound
    for item, (_done, note) in entries.items():
        if item not in ChecklistItem.values:
            raise ValidationError({"item": [_("Unknown checklist point.")]})
        if len(note) > 500 or "\x00" in note:
            raise ValidationError({f"note_{item}": [_("At most %(n)s characters.") % {"n": 500}]})
    user = actor.user if actor.is_authenticated else None
    saved = []
    with transaction.atomic(durable=True):
        for item, (done, note) in entries.items():
            entry, _created = ChecklistEntry.objects.update_or_create(
                session=session, item=item, defaults={"done": done, "note": note.strip(), "updated_by": user}
            )
            saved.append(entry)
        audit.record(
            actor=actor,
            code="meetingplace.checklist.set",
            obj=session,
            organisation_id=session.activity.organiser_id,
            data={"done": sorted(item for item, (done, _note) in entries.items() if done)},
        )
    return saved


def checklist_set(*, actor: Actor, session: Session, item: str, done: bool, note: str = "") -> ChecklistEntry:
    return checklist_save(actor=actor, session=session, entries={item: (done, note)})[0]


def report_save(
    *,
    actor: Actor,
    session: Session,
    attended: int,
    organisation_ids: Sequence[int] = (),
    questions: str = "",
    notes: str = "",
    now: dt.datetime | None = None,
) -> ClosingReport:
    """The closing report, written once the session has started (and corrected later if needed)."""
    if not perms.can_handle_participants(actor, organiser_ids(session.activity)):
        raise NotFound
    now = now or timezone.now()
    if session.starts_at > now:
        raise ValidationError({"__all__": [_("The closing report is written after the session.")]})
    if not 0 <= attended <= MAX_CAPACITY:
        raise ValidationError({"attended": [_("Give the number of people who came.")]})
    for name, text in (("questions", questions), ("notes", notes)):
        if len(text) > 10_000 or "\x00" in text:
            raise ValidationError({name: [_("At most %(n)s characters.") % {"n": 10_000}]})
    present = list(Organisation.objects.filter(pk__in=organisation_ids))
    with transaction.atomic(durable=True):
        report, _created = ClosingReport.objects.update_or_create(
            session=session,
            defaults={
                "attended": attended,
                "questions": questions.strip(),
                "notes": notes.strip(),
                "written_by": actor.user if actor.is_authenticated else None,
            },
        )
        report.organisations_present.set(present)
        audit.record(
            actor=actor,
            code="meetingplace.report.saved",
            obj=session,
            organisation_id=session.activity.organiser_id,
            data={"attended": attended, "organisations": [o.pk for o in present]},
        )
    return report


def evaluation_submit(
    *,
    session: Session,
    understood: int,
    useful: int,
    language: str = "",
    code: str = "",
    now: dt.datetime | None = None,
) -> Evaluation:
    """A participant's anonymous answer. With the code from their registration, one answer per
    registration; without it (at the door, on a shared tablet), one more answer."""
    now = now or timezone.now()
    if not (session.starts_at <= now <= session.starts_at + dt.timedelta(days=EVALUATION_DAYS)):
        raise ValidationError(
            {"__all__": [_("Answers are taken from the start of the session and two weeks after.")]}
        )
    if understood not in Rating.values or useful not in Rating.values:
        raise ValidationError({"__all__": [_("Choose one answer to each question.")]})
    if language and not LANGUAGE.fullmatch(language):
        language = ""
    with transaction.atomic(durable=True):
        registration = None
        if code:
            registration = (
                Registration.objects.select_for_update()
                .filter(session=session, code=code.strip().upper()[:12])
                .first()
            )
            if registration is None:
                raise ValidationError({"code": [_("No registration for this session has that code.")]})
            if Evaluation.objects.filter(registration=registration).exists():
                raise ValidationError({"code": [_("You have already answered. Thank you!")]})
        return Evaluation.objects.create(
            session=session,
            understood=understood,
            useful=useful,
            language=language,
            registration=registration,
        )


def fact_save(
    *,
    actor: Actor,
    key: str,
    topic: str,
    text_sv: str,
    text_en: str,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
    legal_reference: str = "",
) -> FactStatement:
    """A new version of an authoritative statement (or its first). Earlier versions are kept."""
    owner = agency_id()
    if owner is None or not perms.can_edit_facts(actor, owner):
        raise NotFound
    errors: dict[str, list[str]] = {}
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,79}", key):
        errors["key"] = [_("Use lower-case letters, digits and hyphens.")]
    if topic not in FactTopic.values:
        errors["topic"] = [_("Choose a topic.")]
    for name, value in (("text_sv", text_sv), ("text_en", text_en)):
        if not value.strip() or len(value) > 5000 or "\x00" in value:
            errors[name] = [_("Give the statement (at most %(n)s characters).") % {"n": 5000}]
    if valid_to and valid_to < valid_from:
        errors["valid_to"] = [_("The end cannot be before the start.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(durable=True):
        latest = FactStatement.objects.select_for_update().filter(key=key).order_by("-version").first()
        fact = FactStatement.objects.create(
            key=key,
            version=(latest.version + 1) if latest else 1,
            topic=topic,
            text_sv=text_sv.strip(),
            text_en=text_en.strip(),
            legal_reference=legal_reference.strip()[:300],
            valid_from=valid_from,
            valid_to=valid_to,
            owner_id=owner,
            created_by=actor.user if actor.is_authenticated else None,
        )
        audit.record(
            actor=actor,
            code="meetingplace.fact.saved",
            obj=fact,
            organisation_id=owner,
            data={"key": key, "version": fact.version, "topic": topic},
        )
    return fact
