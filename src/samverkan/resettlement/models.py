"""Resettlement of quota refugees: the shared needs taxonomy (versioned), municipalities' reception
per year, cases with their persons, placement runs with their proposals, and follow-up of the needs
municipalities observe after arrival.

Cases and persons are personal data about vulnerable people. Only the agency's placement officers
see them whole; a receiving municipality sees its own approved cases through the need-to-know
packet (``selectors.packet_for``), which carries only what it needs to prepare.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from samverkan.core.runs import JobRun, JobStatus
from samverkan.organisations.models import Municipality
from samverkan.resettlement.taxonomy import ADULT, CHILD, SHIPPED_NOTE, applies_at

# The shipped version's note, as the catalogs translate it (the same text as ``SHIPPED_NOTE``).
SHIPPED_NOTE_TEXT = _("UNHCR specific-needs codes and resettlement submission categories (shipped)")


class Service(models.TextChoices):
    """Municipal and regional services a need calls for (the taxonomy maps need codes to these)."""

    PRIMARY_CARE = "primary_care", _("Primary health care")
    SPECIALIST_CARE = "specialist_care", _("Specialist medical care")
    MENTAL_HEALTH = "mental_health", _("Psychiatric and mental health care")
    TRAUMA_CARE = "trauma_care", _("Trauma and torture rehabilitation")
    DISABILITY_SUPPORT = "disability_support", _("Disability support and aids")
    ACCESSIBLE_HOUSING = "accessible_housing", _("Accessible housing")
    CHILD_PROTECTION = "child_protection", _("Social services for children and young people")
    GUARDIAN = "guardian", _("Special representative or guardian")
    SCHOOL_SUPPORT = "school_support", _("School and special educational support")
    ELDER_CARE = "elder_care", _("Elderly care")
    SOCIAL_SERVICES = "social_services", _("Social services for adults and families")
    PROTECTED_HOUSING = "protected_housing", _("Protected housing")
    MATERNITY_CARE = "maternity_care", _("Maternity care")
    CHILDCARE = "childcare", _("Childcare and preschool")
    FAMILY_TRACING = "family_tracing", _("Family tracing and reunification support")


class EntryKind(models.TextChoices):
    NEED = "need", _("Specific need")
    SUBNEED = "subneed", _("Specific need, sub-code")
    CATEGORY = "category", _("Resettlement submission category")


class TaxonomyVersionManager(models.Manager["TaxonomyVersion"]):
    def current(self) -> TaxonomyVersion | None:
        """The newest version: None only in a database emptied since the migration that loads the
        shipped version 1 (a flush). Reading never writes; ``services.taxonomy_current`` loads the
        shipped version again for the writes that need one."""
        return self.order_by("-number").first()


class TaxonomyVersion(models.Model):
    """One dated state of the whole taxonomy. A change makes a new version; old ones are kept."""

    number = models.PositiveIntegerField(unique=True)
    note = models.TextField(_("what changed"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TaxonomyVersionManager()

    class Meta:
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"{self.number} ({self.created_at:%Y-%m-%d})"

    @property
    def note_text(self) -> str:
        """The note in the page's language when it is the shipped version's; a note the agency
        wrote stays in the words it was written in."""
        return str(SHIPPED_NOTE_TEXT) if self.note == SHIPPED_NOTE else self.note


class AppliesTo(models.TextChoices):
    """Who a need can apply to, as its definition says (``taxonomy.applies_at``)."""

    ANYONE = "", _("Anyone")
    CHILD = CHILD, _("Children (under 18)")
    ADULT = ADULT, _("Adults (18 or over)")


def _language() -> str:
    return (translation.get_language() or "sv").split("-")[0]


class NeedDefinition(models.Model):
    version = models.ForeignKey(TaxonomyVersion, on_delete=models.CASCADE, related_name="entries")
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=EntryKind.choices)
    code = models.CharField(_("code"), max_length=10)
    parent = models.CharField(max_length=10, blank=True)
    applies_to = models.CharField(max_length=5, choices=AppliesTo.choices, blank=True, default="")
    label_sv = models.CharField(_("name (Swedish)"), max_length=200)
    label_en = models.CharField(_("name (English)"), max_length=200)
    label_ar = models.CharField(_("name (Arabic)"), max_length=200, blank=True, default="")
    definition_sv = models.TextField(_("definition (Swedish)"))
    definition_en = models.TextField(_("definition (English)"))
    definition_ar = models.TextField(_("definition (Arabic)"), blank=True, default="")
    services = models.JSONField(default=list)

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="resettlement_need_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.label_en}"

    def _in_language(self, field: str) -> tuple[str, str]:
        """The text of ``field`` in the page's language and that language; an empty one falls back
        to Swedish, then English (so a page can mark the fallback with its ``lang``)."""
        language = _language()
        for lang in dict.fromkeys((language, "sv", "en")):
            text = getattr(self, f"{field}_{lang}", "")
            if text:
                return text, lang
        return "", language

    @property
    def label(self) -> str:
        return self._in_language("label")[0]

    @property
    def label_lang(self) -> str:
        return self._in_language("label")[1]

    @property
    def definition(self) -> str:
        return self._in_language("definition")[0]

    @property
    def definition_lang(self) -> str:
        return self._in_language("definition")[1]

    def applies_at(self, age: int) -> bool:
        return applies_at(self.applies_to, age)

    @property
    def service_labels(self) -> list[str]:
        names = dict(Service.choices)
        return [str(names.get(s, s)) for s in self.services]


class Reception(models.Model):
    """A municipality's reception of quota refugees in one year (the kommuntal for resettlement)."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="receptions")
    year = models.PositiveSmallIntegerField(_("year"))
    capacity_persons = models.PositiveIntegerField(_("reception number (persons)"))
    large_dwellings = models.PositiveIntegerField(_("large dwellings (families of 6 or more)"))
    need_slots = models.JSONField(default=dict)  # need code -> places
    languages = models.JSONField(default=list)  # languages with interpreters
    is_fictional = models.BooleanField(_("fictional (demo data)"), default=False)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["year", "municipality"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "year"], name="resettlement_reception_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.municipality_id} {self.year}"


class Priority(models.TextChoices):
    EMERGENCY = "emergency", _("Emergency")
    URGENT = "urgent", _("Urgent")
    NORMAL = "normal", _("Normal")


class Sex(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")
    OTHER = "X", _("Other or not stated")


class Case(models.Model):
    """A family unit resettled together."""

    reference = models.CharField(_("case reference"), max_length=40, unique=True)
    year = models.PositiveSmallIntegerField(_("year"))
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    tie = models.ForeignKey(
        Municipality,
        verbose_name=_("tie to municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    expected_arrival = models.DateField(_("expected arrival"), null=True, blank=True)
    placed_in = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="placed_cases"
    )
    approved_run = models.ForeignKey(
        "PlacementRun", on_delete=models.PROTECT, null=True, blank=True, related_name="approved_cases"
    )
    is_fictional = models.BooleanField(_("fictional (demo data)"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["year", "reference"]

    def __str__(self) -> str:
        return self.reference


class Person(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="persons")
    position = models.PositiveSmallIntegerField()
    age = models.PositiveSmallIntegerField(_("age"))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    needs = models.JSONField(default=list)  # taxonomy codes flagged by the agency
    languages = models.JSONField(default=list)
    education = models.CharField(_("education"), max_length=200, blank=True)
    occupation = models.CharField(_("occupation"), max_length=200, blank=True)

    class Meta:
        ordering = ["case", "position"]
        constraints = [
            models.UniqueConstraint(fields=["case", "position"], name="resettlement_person_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}/{self.position}"


class RunStatus(models.TextChoices):
    """The run lifecycle's states (``core.runs.JobStatus``), with *proposed* for its *done* and the
    states after it: approved or discarded."""

    QUEUED = JobStatus.QUEUED.value, JobStatus.QUEUED.label
    RUNNING = JobStatus.RUNNING.value, JobStatus.RUNNING.label
    PROPOSED = "proposed", _("Proposed, awaiting approval")
    APPROVED = "approved", pgettext_lazy("placement", "Approved")
    FAILED = JobStatus.FAILED.value, JobStatus.FAILED.label
    DISCARDED = "discarded", _("Discarded")


class RunStep(models.TextChoices):
    WAITING = "waiting", _("Waiting for a worker")
    READING = "reading", _("Reading cases and reception numbers")
    LP = "lp", _("Solving the LP relaxation of the full model")
    INCUMBENT = "incumbent", _("Finding a first placement")
    RESTRICTED = "restricted", _("Improving the placement")
    FINAL = "final", _("Proving the placement near-optimal")
    EXPLAINING = "explaining", _("Explaining each case")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class PlacementRun(JobRun):
    """A placement of the year's open cases; status, progress, reason and timestamps are the run
    lifecycle's (``core.runs.JobRun``), with the placement's own states."""

    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    step = models.CharField(max_length=12, choices=RunStep.choices, default=RunStep.WAITING)
    time_limit = models.PositiveIntegerField(default=30)
    taxonomy_version = models.ForeignKey(TaxonomyVersion, on_delete=models.PROTECT, null=True)
    input_sha256 = models.CharField(max_length=64, blank=True)
    # reception less approved placements when the run was computed: approval checks it is unchanged
    capacity_sha256 = models.CharField(max_length=64, blank=True)
    objective = models.FloatField(null=True, blank=True)
    lp_bound = models.FloatField(null=True, blank=True)
    gap = models.FloatField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)
    solver = models.CharField(max_length=50, blank=True)
    stats = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.year} ({self.created_at:%Y-%m-%d %H:%M}, {self.status})"


class Proposal(models.Model):
    """Where a run puts one case: the optimizer's choice and, if overridden, the officer's."""

    run = models.ForeignKey(PlacementRun, on_delete=models.CASCADE, related_name="proposals")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="proposals")
    suggested = models.ForeignKey(Municipality, on_delete=models.PROTECT, null=True, related_name="+")
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    score = models.FloatField(default=0)
    parts = models.JSONField(default=dict)
    binding = models.JSONField(default=list)
    reasons = models.JSONField(default=list)
    override_note = models.TextField(blank=True)
    override_warnings = models.JSONField(default=list)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    overridden_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "case__reference"]
        constraints = [
            models.UniqueConstraint(fields=["run", "case"], name="resettlement_proposal_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} -> {self.municipality_id}"

    @property
    def overridden(self) -> bool:
        return self.overridden_at is not None


class Observation(models.Model):
    """The needs the receiving municipality observed for one person after arrival."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="observation")
    needs = models.JSONField(default=list)
    taxonomy_version = models.ForeignKey(TaxonomyVersion, on_delete=models.PROTECT)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    recorded_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.person} {self.needs}"


class PrevalenceRelease(models.Model):
    """One release of the follow-up dashboard (``services.dashboard_release``): the figures every
    audience sees until the next release, and the contributions they were computed from.

    ``contributions`` (year -> municipality -> persons and counts per figure) is internal: it is
    what the next release is protected against, and it is never shown. ``published`` (year -> what
    the page shows) and ``reasons`` (why years are held and figures withheld; internal) are what
    ``statistics.disclosure.shared.next_release`` decided. ``scheduled_for`` is the start of the
    scheduled period the release was made for, or empty for a release made by hand."""

    number = models.PositiveIntegerField(unique=True)
    taxonomy_version = models.ForeignKey(TaxonomyVersion, on_delete=models.PROTECT, related_name="+")
    threshold = models.PositiveSmallIntegerField()
    scheduled_for = models.DateTimeField(null=True, blank=True, unique=True)
    contributions = models.JSONField(default=dict)
    published = models.JSONField(default=dict)
    reasons = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"{self.number} ({self.created_at:%Y-%m-%d %H:%M})"
