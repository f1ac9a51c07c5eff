"""Organisations, the municipalities register, and agreements between organisations."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samverkan.organisations.validators import validate_org_number


class Municipality(models.Model):
    """Reference register of Sweden's 290 municipalities (data/municipalities.csv)."""

    code = models.CharField(_("kommunkod"), max_length=4, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    county = models.CharField(_("county"), max_length=100)
    population_2016 = models.PositiveIntegerField(_("population 31 Dec 2016"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class OrganisationKind(models.TextChoices):
    AGENCY = "agency", _("Government agency")
    COUNTY_BOARD = "county_board", _("County administrative board")
    MUNICIPALITY = "municipality", _("Municipality")
    REGION = "region", _("Region")
    NGO = "ngo", _("Non-governmental organisation")
    FAITH = "faith", _("Faith community")
    EMPLOYER = "employer", _("Employer")
    EDUCATION = "education", _("Education provider")
    OTHER = "other", _("Other")


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    org_number = models.CharField(
        _("organisation number"), max_length=11, blank=True, validators=[validate_org_number]
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("kommunkod"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    is_fictional = models.BooleanField(
        _("fictional (demo data)"), default=False, help_text=_("Demo organisations are marked as fictional.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["org_number"], condition=~Q(org_number=""), name="organisation_unique_org_number"
            ),
            models.CheckConstraint(
                condition=~Q(kind="municipality") | Q(municipality__isnull=False),
                name="organisation_municipality_has_code",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class AgreementKind(models.TextChoices):
    IOP = "iop", _("IOP (idéburet offentligt partnerskap)")
    LETTER_OF_INTENT = "letter_of_intent", _("Letter of intent")
    COOPERATION = "cooperation", _("Cooperation agreement")
    JOINT_INITIATIVE = "joint_initiative", _("Framework for a joint initiative")


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")
    TERMINATED = "terminated", _("Terminated")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    INTERNAL = "internal", _("Internal")


class Agreement(models.Model):
    """An agreement between two or more organisations (IOP, letter of intent, ...)."""

    kind = models.CharField(_("kind"), max_length=20, choices=AgreementKind.choices)
    title = models.CharField(_("title"), max_length=200)
    purpose = models.TextField(_("purpose"))
    scope = models.TextField(_("scope"), blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT
    )
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.INTERNAL
    )
    open_for_joining = models.BooleanField(
        _("open for others to join"),
        default=False,
        help_text=_("Other organisations may join this agreement without an invitation."),
    )
    owner = models.ForeignKey(
        Organisation,
        verbose_name=_("initiating organisation"),
        on_delete=models.PROTECT,
        related_name="owned_agreements",
    )
    is_fictional = models.BooleanField(_("fictional (demo data)"), default=False)
    source_note = models.TextField(_("source"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-start_date", "title"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="agreement_end_not_before_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class AgreementParty(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="parties")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="agreement_parties")
    joined_on = models.DateField(_("joined on"))
    contact_name = models.CharField(_("responsible contact"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)

    class Meta:
        ordering = ["joined_on", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "organisation"], name="agreement_party_once"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} in {self.agreement}"


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class AgreementInvitation(models.Model):
    """An invitation to an organisation to become a party to an agreement."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="invitations")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="agreement_invitations"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.TextField(_("message"), blank=True)
    status = models.CharField(
        max_length=10, choices=InvitationStatus.choices, default=InvitationStatus.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "organisation"],
                condition=Q(status="pending"),
                name="agreement_invitation_one_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} invited to {self.agreement}"


class DocumentType(models.TextChoices):
    AGREEMENT = "agreement", _("Signed agreement")
    ANNEX = "annex", _("Annex")
    REPORT = "report", _("Report or follow-up")
    OTHER = "other", _("Other")


def document_upload_to(instance: AgreementDocument, filename: str) -> str:
    # The stored name never uses the uploader's file name (path tricks, personal data).
    import uuid

    return f"agreements/{instance.agreement_id}/{uuid.uuid4().hex}.{instance.extension}"


class AgreementDocument(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="documents")
    doc_type = models.CharField(_("document type"), max_length=12, choices=DocumentType.choices)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=document_upload_to)
    original_name = models.CharField(max_length=255)
    extension = models.CharField(max_length=10)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.title


class AgreementReminder(models.Model):
    """A reminder before an agreement ends; one per agreement, threshold and end date.

    The row is claimed (``claimed_at``) before the mail is handed to the mail server and marked
    ``sent_at`` after it was accepted; a failed send deletes the claim so the next run retries. A
    row claimed but never marked means the process stopped between the two: it is not sent again
    (never twice) and not counted as sent (the run logs it for a person to check)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="reminders")
    days_before = models.PositiveSmallIntegerField()
    end_date = models.DateField()
    claimed_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    recipients = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "days_before", "end_date"], name="agreement_reminder_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement}: {self.days_before} days"
