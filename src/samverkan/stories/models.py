"""MIG Talks stories: texts based on interviews, approved by the person interviewed.

A story's text lives in revisions; nothing is edited in place. Each revision carries the two
approvals that publication needs: the person's (given through their personal link) and an
editor's. Any new revision, by anyone, starts with neither the person's approval nor (unless an
editor wrote it) an editor's, so a later change is never public before the person has approved it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from samverkan.organisations.models import Organisation

LANGUAGES = (("sv", "svenska"), ("en", "English"), ("ar", "العربية"))


class Ground(models.TextChoices):
    """The main grounds for settlement in Sweden, as MIG Talks names them (seed 000)."""

    PROTECTION = "protection", _("Need of protection")
    FAMILY = "family", _("Family ties")
    WORK = "work", _("Work")
    STUDIES = "studies", _("Studies")
    RETURN = "return", _("Return migration")
    FREE_MOVEMENT = "free_movement", _("Free movement within the EU/EEA")


class OriginRegion(models.TextChoices):
    """Region of birth, in the groups Statistics Sweden uses for immigration by country of birth."""

    NORDIC = "nordic", _("The Nordic countries (except Sweden)")
    EU = "eu", _("The EU (except the Nordic countries)")
    EUROPE_OTHER = "europe_other", _("Europe outside the EU and the Nordic countries")
    AFRICA = "africa", _("Africa")
    ASIA = "asia", _("Asia")
    NORTH_AMERICA = "north_america", _("North America")
    SOUTH_AMERICA = "south_america", _("South America")
    OCEANIA = "oceania", _("Oceania")


class MunicipalityType(models.TextChoices):
    """The three main groups of the Swedish Association of Local Authorities and Regions (SKR)."""

    CITIES = "cities", _("Large cities and municipalities near large cities")
    TOWNS = "towns", _("Medium-sized towns and municipalities near them")
    RURAL = "rural", _("Small towns and rural municipalities")


class Story(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="stories")
    slug = models.SlugField(_("address"), max_length=80, unique=True)
    original_language = models.CharField(_("language of the interview"), max_length=5, default="sv")
    interview_date = models.DateField(_("interview date"), null=True, blank=True)
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="edited_stories"
    )
    # What the public sees: set only by publishing a revision with both approvals.
    published_revision = models.ForeignKey(
        "StoryRevision", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    publish_at = models.DateTimeField(_("publish at"), null=True, blank=True)
    first_published_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    is_fictional = models.BooleanField(_("fictional (demo data)"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "stories"
        indexes = [models.Index(fields=["publish_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(published_revision__isnull=True),
                name="story_withdrawn_is_unpublished",
            ),
        ]

    def __str__(self) -> str:
        return self.slug


class PersonDecision(models.TextChoices):
    PENDING = "pending", _("Waiting for the person")
    APPROVED = "approved", _("Approved by the person")
    DECLINED = "declined", _("Declined by the person")


class StoryRevision(models.Model):
    """One version of everything the person approves: the texts in each language, the name shown,
    the photo, and the facts and themes shown beside them."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    texts = models.JSONField()  # language -> {"title": ..., "body": ...}; body in the light markup
    display_name = models.CharField(_("name shown"), max_length=80)
    photo = models.ForeignKey("StoryPhoto", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    photo_alt = models.CharField(_("photo description"), max_length=200, blank=True)
    # What places the story in the statistics and its themes: shown on the public page beside the
    # text, so they are the person's to approve like the text.
    ground = models.CharField(_("ground for settlement"), max_length=20, choices=Ground.choices)
    origin_region = models.CharField(_("region of origin"), max_length=20, choices=OriginRegion.choices)
    arrival_year = models.PositiveSmallIntegerField(_("year of arrival"))
    municipality_type = models.CharField(
        _("type of home municipality"), max_length=10, choices=MunicipalityType.choices
    )
    tags = models.JSONField(default=list, blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    by_person = models.BooleanField(default=False)  # written through the person's link
    created_at = models.DateTimeField(auto_now_add=True)
    person_decision = models.CharField(
        max_length=10, choices=PersonDecision.choices, default=PersonDecision.PENDING
    )
    person_decided_at = models.DateTimeField(null=True, blank=True)
    editor_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    editor_approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["story", "-number"]
        constraints = [models.UniqueConstraint(fields=["story", "number"], name="story_revision_once")]

    def __str__(self) -> str:
        return f"{self.story.slug} #{self.number}"

    @property
    def shows_photo(self) -> bool:
        """A photo is shown unless it was taken down (removal never waits for anyone's approval)."""
        return self.photo_id is not None and self.photo.removed_at is None  # type: ignore[union-attr]

    @property
    def fully_approved(self) -> bool:
        return self.person_decision == PersonDecision.APPROVED and self.editor_approved_at is not None

    def text(self, language: str | None = None) -> tuple[str, dict[str, str]]:
        """(language, {"title", "body"}) in ``language`` (default: the active one), else the
        interview's language, else any."""
        wanted = (language or translation.get_language() or "sv")[:2]
        for code in (wanted, self.story.original_language, *self.texts):
            if code in self.texts:
                return code, self.texts[code]
        return wanted, {"title": "", "body": ""}


class StoryPhoto(models.Model):
    """A photo, already stripped of metadata (``photos.clean_photo``). Kept in the database, so a
    photo is written in the same transaction as the revision that shows it, and backed up with it."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="photos")
    data = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    # Taken down by the person or an editor: the bytes are erased and no revision shows it again.
    removed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"photo {self.sha256[:12]} of {self.story.slug}"


class StoryComment(models.Model):
    """A comment on a revision, by the person (through the link) or by an editor."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="comments")
    revision = models.ForeignKey(StoryRevision, on_delete=models.CASCADE, related_name="comments")
    by_person = models.BooleanField(default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"comment on {self.revision}"


class PersonLink(models.Model):
    """The interviewed person's personal link. Only the token's SHA-256 is stored; the token is
    shown once to the editor (and e-mailed, if an address was given; the address is not kept)."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True)
    language = models.CharField(max_length=5, default="sv")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"link for {self.story.slug}"
