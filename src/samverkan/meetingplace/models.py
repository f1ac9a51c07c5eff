"""Mötesplats (meeting places): information sessions held by agencies and organisations for
asylum seekers and new residents, and the registrations for them.

An *activity* (what is offered, by whom, for whom, in which languages) has one or more *sessions*
(dates, place, capacity, registration window). People register themselves with minimal data, or
staff register them; a full session puts newcomers on a waiting list in arrival order, and a
cancellation promotes the first of them. Titles and descriptions are kept per language
(``{"sv": ..., "en": ..., "ar": ...}``; Swedish is required and the fallback).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from samverkan.organisations.models import Organisation


def in_language(texts: dict[str, str], language: str | None = None) -> str:
    """The text in ``language`` (default: the active one), else Swedish, else any."""
    language = (language or translation.get_language() or "sv")[:2]
    return texts.get(language) or texts.get("sv") or next(iter(texts.values()), "")


def language_of(texts: dict[str, str], language: str | None = None) -> str:
    """The language of the text :func:`in_language` picks, for the page to mark it (``lang``)
    when it is not the page's own (a Swedish description on an Arabic page)."""
    language = (language or translation.get_language() or "sv")[:2]
    if texts.get(language):
        return language
    if texts.get("sv"):
        return "sv"
    return next((code for code, text in texts.items() if text), language)


class TargetGroup(models.TextChoices):
    ASYLUM_SEEKERS = "asylum_seekers", _("Asylum seekers")
    PERMIT_HOLDERS = "permit_holders", _("People granted a residence permit")
    RETURNING = "returning", _("People who are to return")
    WOMEN = "women", _("Women")
    YOUNG_PEOPLE = "young_people", _("Young people")
    EMPLOYERS = "employers", _("Employers")
    PUBLIC = "public", _("Everyone")


class PlaceKind(models.TextChoices):
    AGENCY_OFFICE = "agency_office", _("The agency's premises")
    SERVICE_OFFICE = "service_office", _("Service office")
    RENTED_ROOM = "rented_room", _("Rented room")
    ONLINE = "online", _("Online")
    HYBRID = "hybrid", _("On site and online")


class Activity(models.Model):
    organiser = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="activities")
    co_organisers = models.ManyToManyField(Organisation, blank=True, related_name="co_activities")
    title = models.JSONField()  # language -> text
    description = models.JSONField(default=dict)
    target_groups = models.JSONField(default=list)
    languages = models.JSONField(default=list)  # spoken at the session
    interpretation = models.JSONField(default=list)  # interpreted into
    agenda = models.TextField(_("agenda"), blank=True)
    is_fictional = models.BooleanField(_("fictional (demo data)"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "activities"

    def __str__(self) -> str:
        return in_language(self.title, "sv")

    @property
    def title_text(self) -> str:
        return in_language(self.title)

    @property
    def description_text(self) -> str:
        return in_language(self.description)

    @property
    def title_language(self) -> str:
        return language_of(self.title)

    @property
    def description_language(self) -> str:
        return language_of(self.description)


class SessionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    CANCELLED = "cancelled", pgettext_lazy("session", "Cancelled")


class Session(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place_kind = models.CharField(_("place"), max_length=20, choices=PlaceKind.choices)
    address = models.CharField(_("address or link"), max_length=300, blank=True)
    capacity = models.PositiveIntegerField(_("places"))
    registration_opens = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes = models.DateTimeField(_("registration closes"), null=True, blank=True)
    status = models.CharField(max_length=10, choices=SessionStatus.choices, default=SessionStatus.PLANNED)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Shown on the session's page and sent to everyone registered: why it does not take place.
    cancel_reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="meetingplace_session_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity} {self.starts_at:%Y-%m-%d %H:%M}"


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Registered")
    WAITING = "waiting", _("On the waiting list")
    CANCELLED = "cancelled", pgettext_lazy("registration", "Cancelled")


class Registration(models.Model):
    """One person's place at a session. ``identity`` says who it is, normalised (an account, an
    e-mail address, a phone number, or a name with the registering staff's organisation): at most
    one live registration per identity and session."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="registrations")
    name = models.CharField(_("name"), max_length=100)
    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    identity = models.CharField(max_length=200)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=RegistrationStatus.choices)
    code = models.CharField(max_length=12, unique=True)  # check-in code and the person's own link
    created_at = models.DateTimeField(auto_now_add=True)
    promoted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)  # set once the reminder went out
    # Taken by the worker sending the reminder before the mail goes out; cleared if sending fails.
    reminder_claimed_at = models.DateTimeField(null=True, blank=True)
    # Self-registrations without an account: a keyed hash (HMAC) of the address they came from, to
    # count an address's places in the session (meetingplace.brakes). Never the address itself.
    address_key = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["session", "id"]
        indexes = [models.Index(fields=["session", "address_key"], name="meetingplace_reg_address")]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "identity"],
                condition=~Q(status="cancelled"),
                name="meetingplace_one_live_registration_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.status})"


class ChecklistItem(models.TextChoices):
    """The common framework's planning points for every session (the ethics council's answer)."""

    PURPOSE = "purpose", _("The purpose is written down and agreed with the agency")
    TARGET_GROUP = "target_group", _("The target group is clear and the information suits it")
    INTERPRETER = "interpreter", _("Interpreters are booked for the languages needed")
    MATERIAL = "material", _("The material has been reviewed by the agency")
    ROLES = "roles", _("Everyone knows whose information is whose (no one speaks for the agency)")


class ChecklistEntry(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="checklist")
    item = models.CharField(max_length=20, choices=ChecklistItem.choices)
    done = models.BooleanField(default=False)
    note = models.CharField(max_length=500, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["session", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "item"], name="meetingplace_checklist_unique")
        ]

    def __str__(self) -> str:
        return f"{self.session_id} {self.item}: {self.done}"


class ClosingReport(models.Model):
    """After the session: who came, which organisations were there, what people asked."""

    session = models.OneToOneField(Session, on_delete=models.CASCADE, related_name="report")
    attended = models.PositiveIntegerField(_("attended"))
    organisations_present = models.ManyToManyField(Organisation, blank=True, related_name="+")
    questions = models.TextField(_("questions raised"), blank=True)
    notes = models.TextField(_("other notes"), blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    written_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.session_id}: {self.attended}"


class Rating(models.IntegerChoices):
    NO = 1, _("No")
    PARTLY = 2, _("Partly")
    YES = 3, _("Yes")


class Evaluation(models.Model):
    """A participant's short, anonymous answer: did you understand? was it useful?"""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="evaluations")
    understood = models.PositiveSmallIntegerField(choices=Rating.choices)
    useful = models.PositiveSmallIntegerField(choices=Rating.choices)
    language = models.CharField(max_length=10, blank=True)
    registration = models.OneToOneField(
        Registration, on_delete=models.SET_NULL, null=True, blank=True, related_name="evaluation"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.session_id}: {self.understood}/{self.useful}"


class FactTopic(models.TextChoices):
    BENEFITS = "benefits", _("Benefits and allowances")
    EXPULSION_RETURN = "expulsion_return", _("Expulsion and return")
    RIGHT_TO_WORK = "right_to_work", _("The right to work")
    FAMILY_REUNIFICATION = "family_reunification", _("Family reunification")
    HEALTH_CARE = "health_care", _("Health care")
    OTHER = "other", _("Other")


class FactStatement(models.Model):
    """One version of one of the agency's authoritative statements. ``key`` names the statement
    across versions; a change adds a version, the old ones are kept."""

    key = models.SlugField(_("key"), max_length=80)
    version = models.PositiveIntegerField()
    topic = models.CharField(_("topic"), max_length=30, choices=FactTopic.choices)
    text_sv = models.TextField(_("statement (Swedish)"))
    text_en = models.TextField(_("statement (English)"))
    legal_reference = models.CharField(_("legal reference"), max_length=300, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    owner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    is_fictional = models.BooleanField(_("fictional (demo data)"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["topic", "key", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="meetingplace_fact_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.key} v{self.version}"


class Material(models.Model):
    """Information an organisation wants to give at a session (a text or a document)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="materials")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    approved_revision = models.ForeignKey(
        "MaterialRevision", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["session", "id"]

    def __str__(self) -> str:
        return self.title


class ReviewStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Waiting for review")
    CHANGES_REQUESTED = "changes", _("Changes requested")
    APPROVED = "approved", pgettext_lazy("material", "Approved")
    REJECTED = "rejected", _("Rejected")
    SUPERSEDED = "superseded", _("Replaced by a later revision")


class MaterialRevision(models.Model):
    """One text of a material. Approval belongs to a revision: an edit is a new revision, which
    needs its own approval before it reaches participants."""

    material = models.ForeignKey(Material, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    text = models.TextField()
    filename = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=12, choices=ReviewStatus.choices, default=ReviewStatus.SUBMITTED)
    precheck = models.JSONField(default=list)  # [{"statement", "topic", "matches": [[fact id, score]]}]
    precheck_method = models.CharField(max_length=60, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["material", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["material", "number"], name="meetingplace_revision_unique")
        ]

    def __str__(self) -> str:
        return f"{self.material} #{self.number} ({self.status})"
