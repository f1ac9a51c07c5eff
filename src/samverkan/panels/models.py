"""Representative panels: volunteer pools (personal data), their quotas, selection runs and members.

A pool's volunteers are fixed once uploaded (a run's input hash must stay reproducible); quotas can
change, so every run keeps a snapshot of the quotas it used. Only the feature columns the organiser
names are stored, never the rest of the uploaded file.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from samverkan.core.runs import JobRun, JobStatus
from samverkan.organisations.models import Organisation


class Pool(models.Model):
    owner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="panel_pools")
    name = models.CharField(_("name"), max_length=200)
    panel_size = models.PositiveIntegerField(_("panel size"))
    features = models.JSONField(default=list)  # feature names in file order
    has_households = models.BooleanField(default=False)
    quota_source = models.CharField(max_length=400, blank=True)  # in English, as the audit log says it
    # The same as a code with parameters, shown in the reader's language (messages.render_origin).
    quota_origin = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class Volunteer(models.Model):
    pool = models.ForeignKey(Pool, on_delete=models.CASCADE, related_name="volunteers")
    position = models.PositiveIntegerField()
    external_id = models.CharField(max_length=200)
    features = models.JSONField()
    household = models.CharField(max_length=400, blank=True)

    class Meta:
        ordering = ["pool", "position"]
        constraints = [
            models.UniqueConstraint(fields=["pool", "external_id"], name="panels_volunteer_unique_id"),
            models.UniqueConstraint(fields=["pool", "position"], name="panels_volunteer_unique_position"),
        ]

    def __str__(self) -> str:
        return self.external_id


class PoolQuota(models.Model):
    pool = models.ForeignKey(Pool, on_delete=models.CASCADE, related_name="quotas")
    position = models.PositiveIntegerField()
    feature = models.CharField(max_length=200)
    value = models.CharField(max_length=200)
    min = models.PositiveIntegerField()
    max = models.PositiveIntegerField()
    target_share = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["pool", "position"]
        constraints = [
            models.UniqueConstraint(fields=["pool", "feature", "value"], name="panels_quota_unique_value"),
            models.CheckConstraint(
                condition=models.Q(min__lte=models.F("max")), name="panels_quota_min_le_max"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.feature}={self.value} [{self.min}, {self.max}]"


# A selection run's states are the run lifecycle's own (core.runs).
RunStatus = JobStatus


class RunStep(models.TextChoices):
    """Where a running selection is; stored as a code so each reader sees it in their language."""

    WAITING = "waiting", _("Waiting for a worker")
    CHECKING = "checking", _("Checking the quotas")
    COMPUTING = "computing", _("Computing everyone's selection probability")
    DRAWING = "drawing", _("Drawing the panel")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class Algorithm(models.TextChoices):
    """The lotteries a run may use (``lottery.draw.ALGORITHMS``), by name in the reader's language."""

    LEXIMIN = "leximin", _("Leximin (fairest possible)")
    LEGACY = "legacy", _("Legacy greedy (for comparison)")


class SelectionRun(JobRun):
    """A lottery over a pool; status, progress, reason and timestamps are the run lifecycle's
    (``core.runs.JobRun``), the steps and the result are the panels'."""

    pool = models.ForeignKey(Pool, on_delete=models.CASCADE, related_name="runs")
    algorithm = models.CharField(max_length=20, choices=Algorithm.choices, default=Algorithm.LEXIMIN)
    seed = models.CharField(max_length=100)
    panel_size = models.PositiveIntegerField()
    quotas = models.JSONField(default=list)  # [[feature, value, min, max, target_share], ...]
    step = models.CharField(max_length=20, choices=RunStep.choices, default=RunStep.WAITING)
    input_sha256 = models.CharField(max_length=64, blank=True)
    algorithm_version = models.CharField(max_length=50, blank=True)
    probabilities = models.JSONField(default=dict)  # volunteer external id -> probability
    min_probability = models.FloatField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)
    stats = models.JSONField(default=dict)
    is_published = models.BooleanField(default=False)
    # Why a failed run failed, as messages (codes with parameters) rendered in the reader's language;
    # ``error`` keeps the same in English.
    problems = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.pool} ({self.created_at:%Y-%m-%d %H:%M}, {self.status})"


class MemberStatus(models.TextChoices):
    ACTIVE = "active", _("On the panel")
    WITHDRAWN = "withdrawn", pgettext_lazy("panel member", "Withdrawn")


class PanelMember(models.Model):
    run = models.ForeignKey(SelectionRun, on_delete=models.CASCADE, related_name="members")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="seats")
    status = models.CharField(max_length=10, choices=MemberStatus.choices, default=MemberStatus.ACTIVE)
    replaces = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "volunteer__position"]
        constraints = [
            models.UniqueConstraint(fields=["run", "volunteer"], name="panels_member_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} ({self.status})"


class ReportRelease(models.Model):
    """One published state of a run's public report. The report page shows the latest release and
    never counts the panel live: each release is made by the service that changed the panel (or
    published it), protected jointly with the release before it, so comparing two versions of the
    report gives nothing away (``statistics.disclosure.protect_release``).

    ``tables`` holds, per quota'd feature, its values, the counts, and the suppression pattern of the
    one-way table in the extended layout (one flag per value, then the total): ``withheld`` and
    ``primary``. The counts are internal: where withheld they are never shown, only used to protect
    the next release. ``members`` are the ids of the panel members counted (internal too), so the next
    release knows exactly who left and who joined in between.
    """

    run = models.ForeignKey(SelectionRun, on_delete=models.CASCADE, related_name="releases")
    number = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    size = models.PositiveIntegerField()
    threshold = models.PositiveIntegerField()
    protection = models.PositiveIntegerField()
    members = models.JSONField(default=list)  # PanelMember ids, ascending
    # [{"feature", "values", "counts", "withheld", "primary"}, ...] in the run's quota order
    tables = models.JSONField(default=list)

    class Meta:
        ordering = ["run", "number"]
        constraints = [
            models.UniqueConstraint(fields=["run", "number"], name="panels_release_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.run_id} #{self.number}"
