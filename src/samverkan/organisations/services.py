"""Writes for organisations and agreements: authorise → validate → write → audit → enqueue."""

from __future__ import annotations

import datetime as dt
import logging
from typing import IO, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from samverkan.core import audit
from samverkan.core.actor import Actor
from samverkan.core.errors import NotFound, PermissionDenied, ValidationError
from samverkan.organisations import permissions as perms
from samverkan.organisations.documents import check_document
from samverkan.organisations.models import (
    Agreement,
    AgreementDocument,
    AgreementInvitation,
    AgreementKind,
    AgreementParty,
    AgreementStatus,
    DocumentType,
    InvitationStatus,
    Municipality,
    Organisation,
    OrganisationKind,
    Visibility,
)
from samverkan.organisations.validators import normalise_org_number

ORGANISATION_FIELDS = ("name", "kind", "org_number", "municipality_code", "website", "description")
log = logging.getLogger(__name__)
# A reminder claimed longer ago than this and still not marked sent is reported in the log.
REMINDER_CLAIM_STALE = dt.timedelta(hours=1)
AGREEMENT_FIELDS = (
    "kind",
    "title",
    "purpose",
    "scope",
    "start_date",
    "end_date",
    "status",
    "visibility",
    "open_for_joining",
)


def _full_clean(obj: Any, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude, validate_constraints=False)
    except DjangoValidationError as exc:
        raise ValidationError.from_django(exc) from exc


def _choice(value: Any, choices: Any, field: str) -> str:
    if value not in choices.values:
        raise ValidationError({field: [_("“%(value)s” is not a valid choice.") % {"value": value}]})
    return str(value)


# --- Organisations --------------------------------------------------------------------------
def _apply_organisation_fields(org: Organisation, data: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    if "name" in data:
        org.name = str(data["name"] or "").strip()
        if not org.name:
            errors["name"] = [_("Enter the organisation's name.")]
    if "kind" in data:
        try:
            org.kind = _choice(data["kind"], OrganisationKind, "kind")
        except ValidationError as exc:
            errors.update(exc.errors)
    if "org_number" in data:
        raw = str(data["org_number"] or "").strip()
        if raw:
            try:
                org.org_number = normalise_org_number(raw)
            except DjangoValidationError as exc:
                errors["org_number"] = list(exc.messages)
        else:
            org.org_number = ""
    if "municipality_code" in data:
        code = str(data["municipality_code"] or "").strip()
        if code:
            municipality = Municipality.objects.filter(code=code).first()
            if municipality is None:
                errors["municipality_code"] = [
                    _("“%(code)s” is not a Swedish kommunkod (four digits, e.g. 0180 for Stockholm).")
                    % {"code": code}
                ]
            org.municipality = municipality
        else:
            org.municipality = None
    if "website" in data:
        org.website = str(data["website"] or "")
    if "description" in data:
        org.description = str(data["description"] or "")
    if (
        org.kind == OrganisationKind.MUNICIPALITY
        and org.municipality is None
        and "municipality_code" not in errors
    ):
        errors["municipality_code"] = [_("A municipality must be linked to its kommunkod.")]
    if org.org_number:
        clash = Organisation.objects.filter(org_number=org.org_number).exclude(pk=org.pk).exists()
        if clash:
            errors["org_number"] = [_("Another organisation already has this organisation number.")]
    if errors:
        raise ValidationError(errors)
    _full_clean(org, exclude=["slug", "municipality"])


def _refuse_identity_change(org: Organisation, changes: dict[str, Any]) -> None:
    """An organisation's kind and kommunkod decide what it may see elsewhere (a municipality reads
    the resettlement cases placed with it), so only platform administrators change them."""
    errors: dict[str, list[str]] = {}
    message = _("Only the platform's administrators can change this. Contact them if it is wrong.")
    if "kind" in changes and str(changes["kind"] or "") != org.kind:
        errors["kind"] = [message]
    if "municipality_code" in changes and (str(changes["municipality_code"] or "").strip() or None) != (
        org.municipality_id or None
    ):
        errors["municipality_code"] = [message]
    if errors:
        raise ValidationError(errors)


def _unique_slug(name: str) -> str:
    base = slugify(name)[:70] or "org"
    slug, n = base, 2
    while Organisation.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def organisation_create(*, actor: Actor, data: dict[str, Any], is_fictional: bool = False) -> Organisation:
    if not (actor.is_system or perms.can_create_organisation(actor)):
        raise PermissionDenied("organisation.create")
    with transaction.atomic(durable=True):
        org = Organisation(is_fictional=is_fictional)
        _apply_organisation_fields(org, {k: data.get(k, "") for k in ORGANISATION_FIELDS})
        org.slug = _unique_slug(org.name)
        org.save()
        audit.record(
            actor=actor,
            code="organisations.organisation.created",
            obj=org,
            organisation_id=org.pk,
            data={"name": org.name, "kind": org.kind},
        )
    return org


def organisation_update(*, actor: Actor, organisation_id: int, data: dict[str, Any]) -> Organisation:
    with transaction.atomic(durable=True):
        org = Organisation.objects.select_for_update().filter(pk=organisation_id).first()
        if org is None:
            raise NotFound("organisation")
        if not perms.can_edit_organisation(actor, org):
            raise PermissionDenied("organisation.edit")
        changes = {k: data[k] for k in ORGANISATION_FIELDS if k in data}
        if not (actor.is_system or perms.is_platform_admin(actor)):
            _refuse_identity_change(org, changes)
        _apply_organisation_fields(org, changes)
        org.save()
        audit.record(
            actor=actor,
            code="organisations.organisation.updated",
            obj=org,
            organisation_id=org.pk,
            data={"fields": sorted(changes)},
        )
    return org


# --- Agreements -----------------------------------------------------------------------------
def _parse_date(value: Any, field: str, errors: dict[str, list[str]]) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        errors[field] = [_("Enter a valid date (YYYY-MM-DD).")]
        return None


def _apply_agreement_fields(agreement: Agreement, data: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    for field, choices in (("kind", AgreementKind), ("status", AgreementStatus), ("visibility", Visibility)):
        if field in data:
            try:
                setattr(agreement, field, _choice(data[field], choices, field))
            except ValidationError as exc:
                errors.update(exc.errors)
    for field in ("title", "purpose", "scope"):
        if field in data:
            setattr(agreement, field, str(data[field] or "").strip())
    if "title" in data and not agreement.title:
        errors["title"] = [_("Enter a title.")]
    if "purpose" in data and not agreement.purpose:
        errors["purpose"] = [_("Describe the agreement's purpose.")]
    if "start_date" in data:
        start = _parse_date(data["start_date"], "start_date", errors)
        if start is None and "start_date" not in errors:
            errors["start_date"] = [_("Enter the start date.")]
        agreement.start_date = start  # type: ignore[assignment]
    if "end_date" in data:
        agreement.end_date = _parse_date(data["end_date"], "end_date", errors)
    if "open_for_joining" in data:
        agreement.open_for_joining = bool(data["open_for_joining"])
    if (
        agreement.start_date
        and agreement.end_date
        and "start_date" not in errors
        and "end_date" not in errors
        and agreement.end_date < agreement.start_date
    ):
        errors["end_date"] = [_("The end date cannot be before the start date.")]
    if (
        agreement.open_for_joining
        and agreement.visibility != Visibility.PUBLIC
        and "visibility" not in errors
    ):
        errors["open_for_joining"] = [_("Only a public agreement can be open for others to join.")]
    if errors:
        raise ValidationError(errors)
    _full_clean(agreement, exclude=["owner"])


def agreement_create(
    *,
    actor: Actor,
    owner_id: int,
    data: dict[str, Any],
    contact_name: str = "",
    contact_email: str = "",
    is_fictional: bool = False,
) -> Agreement:
    with transaction.atomic(durable=True):
        owner = Organisation.objects.filter(pk=owner_id).first()
        if owner is None or not (actor.is_system or actor.is_member(owner.pk)):
            raise ValidationError({"owner": [_("Choose one of your own organisations.")]})
        if not (actor.is_system or perms.can_create_agreement(actor, owner)):
            raise PermissionDenied("agreement.create")
        agreement = Agreement(owner=owner, is_fictional=is_fictional)
        # Required fields are always applied (missing ones become "" and are reported by name).
        fields: dict[str, Any] = {
            "kind": "",
            "title": "",
            "purpose": "",
            "start_date": "",
            "status": AgreementStatus.DRAFT,
            "visibility": Visibility.INTERNAL,
            "open_for_joining": False,
        }
        fields.update({k: data[k] for k in AGREEMENT_FIELDS if k in data})
        _apply_agreement_fields(agreement, fields)
        _check_contact(contact_email)
        agreement.source_note = str(data.get("source_note", "") or "")
        agreement.save()
        AgreementParty.objects.create(
            agreement=agreement,
            organisation=owner,
            joined_on=agreement.start_date,
            contact_name=contact_name,
            contact_email=contact_email,
        )
        audit.record(
            actor=actor,
            code="organisations.agreement.created",
            obj=agreement,
            organisation_id=owner.pk,
            data={"title": agreement.title, "kind": agreement.kind, "visibility": agreement.visibility},
        )
    return agreement


def _check_contact(email: str) -> None:
    if not email:
        return
    from django.core.validators import validate_email

    try:
        validate_email(email)
    except DjangoValidationError as exc:
        raise ValidationError({"contact_email": list(exc.messages)}) from exc


def _locked_agreement(actor: Actor, agreement_id: int) -> Agreement:
    agreement = Agreement.objects.select_for_update().filter(pk=agreement_id).first()
    if agreement is None or not perms.can_view_agreement(actor, agreement):
        raise NotFound("agreement")
    return agreement


def agreement_update(*, actor: Actor, agreement_id: int, data: dict[str, Any]) -> Agreement:
    with transaction.atomic(durable=True):
        agreement = _locked_agreement(actor, agreement_id)
        if not perms.can_edit_agreement(actor, agreement):
            raise PermissionDenied("agreement.edit")
        changes = {k: data[k] for k in AGREEMENT_FIELDS if k in data}
        _apply_agreement_fields(agreement, changes)
        agreement.save()
        audit.record(
            actor=actor,
            code="organisations.agreement.updated",
            obj=agreement,
            organisation_id=agreement.owner_id,
            data={"fields": sorted(changes)},
        )
    return agreement


def agreement_invite(
    *, actor: Actor, agreement_id: int, organisation_id: int, message: str = ""
) -> AgreementInvitation:
    with transaction.atomic(durable=True):
        agreement = _locked_agreement(actor, agreement_id)
        if not perms.can_invite_to_agreement(actor, agreement):
            raise PermissionDenied("agreement.invite")
        organisation = Organisation.objects.filter(pk=organisation_id).first()
        if organisation is None:
            raise ValidationError({"organisation": [_("Choose an organisation.")]})
        if organisation.pk in perms.party_ids(agreement):
            raise ValidationError(
                {"organisation": [_("%(org)s is already a party.") % {"org": organisation}]}
            )
        if agreement.invitations.filter(organisation=organisation, status=InvitationStatus.PENDING).exists():
            raise ValidationError(
                {"organisation": [_("%(org)s has already been invited.") % {"org": organisation}]}
            )
        try:
            with transaction.atomic():
                invitation = AgreementInvitation.objects.create(
                    agreement=agreement, organisation=organisation, invited_by=actor.user, message=message
                )
        except IntegrityError as exc:
            raise ValidationError(
                {"organisation": [_("This organisation has already been invited.")]}
            ) from exc
        audit.record(
            actor=actor,
            code="organisations.agreement.invited",
            obj=agreement,
            organisation_id=agreement.owner_id,
            data={"invited_organisation": organisation.pk},
        )
        audit.record(
            actor=actor,
            code="organisations.agreement.invitation_received",
            obj=invitation,
            organisation_id=organisation.pk,
            data={"agreement": agreement.pk},
        )
    return invitation


def invitation_answer(
    *, actor: Actor, invitation_id: int, accept: bool, contact_name: str = "", contact_email: str = ""
) -> AgreementInvitation:
    with transaction.atomic(durable=True):
        invitation = (
            AgreementInvitation.objects.select_for_update()
            .filter(pk=invitation_id, organisation_id__in=perms.invitation_organisation_ids(actor))
            .first()
        )
        if invitation is None:  # not addressed to an organisation the actor administers
            raise NotFound("invitation")
        if not perms.can_answer_invitation(actor, invitation):
            raise PermissionDenied("invitation.answer")
        _check_contact(contact_email)
        invitation.status = InvitationStatus.ACCEPTED if accept else InvitationStatus.DECLINED
        invitation.answered_at = timezone.now()
        invitation.save(update_fields=["status", "answered_at"])
        if accept:
            AgreementParty.objects.get_or_create(
                agreement_id=invitation.agreement_id,
                organisation_id=invitation.organisation_id,
                defaults={
                    "joined_on": timezone.localdate(),
                    "contact_name": contact_name,
                    "contact_email": contact_email,
                },
            )
        audit.record(
            actor=actor,
            code="organisations.agreement.invitation_accepted"
            if accept
            else "organisations.agreement.invitation_declined",
            obj=invitation.agreement,
            organisation_id=invitation.organisation_id,
            data={"invitation": invitation.pk},
        )
    return invitation


def party_update_contact(
    *, actor: Actor, agreement_id: int, organisation_id: int, contact_name: str, contact_email: str
) -> AgreementParty:
    """Change who answers for one party (and receives the reminders before the end date)."""
    with transaction.atomic(durable=True):
        agreement = _locked_agreement(actor, agreement_id)
        party = agreement.parties.select_for_update().filter(organisation_id=organisation_id).first()
        if party is None:
            raise NotFound("party")
        if not perms.can_edit_party_contact(actor, organisation_id):
            raise PermissionDenied("agreement.party.edit")
        contact_email = contact_email.strip()
        _check_contact(contact_email)
        party.contact_name = contact_name.strip()[:200]
        party.contact_email = contact_email
        party.save(update_fields=["contact_name", "contact_email"])
        audit.record(
            actor=actor,
            code="organisations.agreement.contact_changed",
            obj=agreement,
            organisation_id=organisation_id,
            data={"party": party.pk},
        )
    return party


def agreement_join(
    *, actor: Actor, agreement_id: int, organisation_id: int, contact_name: str = "", contact_email: str = ""
) -> AgreementParty:
    """Join an agreement that stays open for others (like the nine-agency letter of intent)."""
    with transaction.atomic(durable=True):
        agreement = _locked_agreement(actor, agreement_id)
        organisation = Organisation.objects.filter(pk=organisation_id).first()
        if organisation is None or not actor.is_member(organisation.pk):
            raise ValidationError({"organisation": [_("Choose one of your own organisations.")]})
        if organisation.pk in perms.party_ids(agreement):
            raise ValidationError(
                {"organisation": [_("%(org)s is already a party.") % {"org": organisation}]}
            )
        if not perms.can_join_agreement(actor, agreement, organisation):
            raise PermissionDenied("agreement.join")
        _check_contact(contact_email)
        party = AgreementParty.objects.create(
            agreement=agreement,
            organisation=organisation,
            joined_on=timezone.localdate(),
            contact_name=contact_name,
            contact_email=contact_email,
        )
        AgreementInvitation.objects.filter(
            agreement=agreement, organisation=organisation, status=InvitationStatus.PENDING
        ).update(status=InvitationStatus.ACCEPTED, answered_at=timezone.now())
        audit.record(
            actor=actor,
            code="organisations.agreement.joined",
            obj=agreement,
            organisation_id=organisation.pk,
            data={"organisation": organisation.pk},
        )
    return party


def document_add(
    *, actor: Actor, agreement_id: int, title: str, doc_type: str, name: str, stream: IO[bytes], size: int
) -> AgreementDocument:
    with transaction.atomic(durable=True):
        agreement = _locked_agreement(actor, agreement_id)
        if not perms.can_upload_document(actor, agreement):
            raise PermissionDenied("agreement.document.add")
        errors: dict[str, list[str]] = {}
        if not title.strip():
            errors["title"] = [_("Give the document a title.")]
        if doc_type not in DocumentType.values:
            errors["doc_type"] = [_("Choose a document type.")]
        checked = check_document(name, stream, size)
        if isinstance(checked, str):
            errors["file"] = [checked]
        if errors:
            raise ValidationError(errors)
        assert not isinstance(checked, str)
        document = AgreementDocument(
            agreement=agreement,
            doc_type=doc_type,
            title=title.strip(),
            original_name=name[-255:],
            extension=checked.extension,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            uploaded_by=actor.user,
        )
        # If the transaction rolls back after the file is written, the orphan file is harmless
        # (unreferenced, random name); the row that would point to it never exists.
        document.file.save(f"upload.{checked.extension}", File(stream), save=False)
        document.save()
        audit.record(
            actor=actor,
            code="organisations.agreement.document_added",
            obj=agreement,
            organisation_id=agreement.owner_id,
            data={"document": document.pk, "size": document.size, "type": document.extension},
        )
    return document


def agreement_send_reminders(*, actor: Actor, today: dt.date | None = None) -> int:
    """E-mail the parties' contacts of agreements ending soon; once per threshold. Returns how many
    reminders went out.

    Each reminder is claimed, sent and recorded on its own: (1) the unique reminder row is written
    and committed as a claim (a second worker or run finds it and skips: never twice); (2) the mail
    is handed to the mail server outside any transaction; (3) only then is the row marked sent and
    the audit event written. If sending raises, the claim is deleted (nothing recorded, and the
    next run retries) and the run goes on with the other reminders. A claim left unmarked (the
    process stopped between (2) and (3)) is not sent again; it is logged for a person to check."""
    from django.conf import settings
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.utils import translation

    from samverkan.core.mail import header_text
    from samverkan.organisations.models import AgreementReminder

    today = today or timezone.localdate()
    sent = 0
    thresholds = sorted(settings.AGREEMENT_REMINDER_DAYS)
    horizon = today + dt.timedelta(days=max(thresholds))
    candidates = Agreement.objects.filter(
        status=AgreementStatus.ACTIVE, end_date__isnull=False, end_date__gte=today, end_date__lte=horizon
    ).prefetch_related("parties__organisation")
    for agreement in candidates:
        assert agreement.end_date is not None
        days_left = (agreement.end_date - today).days
        # The tightest threshold reached: a 10-days-left agreement gets the 14-day reminder only.
        due = [d for d in thresholds if days_left <= d]
        if not due:
            continue
        threshold = due[0]
        recipients = sorted({p.contact_email for p in agreement.parties.all() if p.contact_email})
        with transaction.atomic(durable=True):
            reminder, created = AgreementReminder.objects.get_or_create(
                agreement=agreement,
                days_before=threshold,
                end_date=agreement.end_date,
                defaults={"recipients": recipients},
            )
        if not created:
            if reminder.sent_at is None and timezone.now() - reminder.claimed_at > REMINDER_CLAIM_STALE:
                log.warning(
                    "Agreement reminder %s was claimed at %s but never marked sent: check the mail log",
                    reminder.pk,
                    reminder.claimed_at.isoformat(),
                )
            continue
        if recipients:
            with translation.override(settings.LANGUAGE_CODE):
                body = render_to_string(
                    "organisations/email/agreement_reminder.txt",
                    {"agreement": agreement, "days_left": days_left, "site_url": settings.SITE_URL},
                )
                subject = _("Agreement ending on %(date)s: %(title)s") % {
                    "date": agreement.end_date.isoformat(),
                    "title": header_text(agreement.title),
                }
            try:
                send_mail(subject, body, None, recipients)
            except Exception as exc:  # one failing mail never stops the others; retried next run
                log.warning(
                    "Agreement reminder %s not sent (%s); it is retried on the next run",
                    reminder.pk,
                    type(exc).__name__,
                )
                AgreementReminder.objects.filter(pk=reminder.pk, sent_at__isnull=True).delete()
                continue
        with transaction.atomic(durable=True):
            AgreementReminder.objects.filter(pk=reminder.pk).update(sent_at=timezone.now())
            audit.record(
                actor=actor,
                code="organisations.agreement.reminder_sent",
                obj=agreement,
                organisation_id=agreement.owner_id,
                data={"days_before": threshold, "recipients": len(recipients)},
            )
        sent += 1
    return sent
