"""Datasets with their provenance, and the versions imported for each.

A version stores its table as a dense cube (see ``cube.py``): the dimensions with their coded,
labelled categories as JSON, and the values as one little-endian float64 array in C order. One
row per version instead of one row per observation keeps a million-cell import a single write
and every filter an index operation (docs/architecture.md explains the choice).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from samverkan.organisations.models import Organisation
from samverkan.statistics.cube import in_language


def _page_language() -> str:
    return get_language() or "sv"


class Dataset(models.Model):
    slug = models.SlugField(_("short name"), max_length=100, unique=True)
    title_sv = models.CharField(_("title (Swedish)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    title_ar = models.CharField(_("title (Arabic)"), max_length=300, blank=True)
    description_sv = models.TextField(_("description (Swedish)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_ar = models.TextField(_("description (Arabic)"), blank=True)
    source_organisation = models.CharField(_("source organisation"), max_length=200)
    table_id = models.CharField(_("table id"), max_length=100, blank=True)
    source_url = models.URLField(_("source address"), blank=True, max_length=500)
    source_note = models.TextField(
        _("source note"), blank=True, help_text=_("Full citation and caveats, as the source states them.")
    )
    caveats_sv = models.TextField(
        _("about the figures (Swedish)"),
        blank=True,
        help_text=_("What a reader should know about the figures, in the reader's language. Public."),
    )
    caveats_en = models.TextField(_("about the figures (English)"), blank=True)
    caveats_ar = models.TextField(_("about the figures (Arabic)"), blank=True)
    internal_note = models.TextField(
        _("internal note"),
        blank=True,
        help_text=_(
            "Notes for those who maintain the dataset (checks, doubts, corrections to make). Never "
            "published: shown only to those who may import its versions."
        ),
    )
    unit = models.CharField(
        _("unit"), max_length=100, blank=True, help_text=_("In Swedish, e.g. “personer”.")
    )
    unit_en = models.CharField(_("unit (English)"), max_length=100, blank=True)
    unit_ar = models.CharField(_("unit (Arabic)"), max_length=100, blank=True)
    licence = models.CharField(_("licence"), max_length=100, blank=True)
    person_level = models.BooleanField(
        _("counts of persons"),
        default=False,
        help_text=_("Small cells are suppressed so that no published figure can identify a person."),
    )
    disclosure_threshold = models.PositiveSmallIntegerField(
        _("suppression threshold"),
        null=True,
        blank=True,
        help_text=_("Cells under this count are suppressed; empty means the platform default."),
    )
    is_public = models.BooleanField(_("public"), default=True)
    owner = models.ForeignKey(
        Organisation,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="datasets",
        help_text=_("Its editors may import new versions; empty means platform administrators only."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title_sv"]
        verbose_name = _("dataset")
        verbose_name_plural = _("datasets")

    def __str__(self) -> str:
        return self.title

    # Texts in the page's language, falling back to another one where a translation is missing.
    @property
    def title(self) -> str:
        return in_language(_page_language(), self.title_sv, self.title_en, self.title_ar)

    @property
    def description(self) -> str:
        return in_language(_page_language(), self.description_sv, self.description_en, self.description_ar)

    @property
    def caveats(self) -> str:
        return in_language(_page_language(), self.caveats_sv, self.caveats_en, self.caveats_ar)

    def unit_in(self, language: str) -> str:
        return in_language(language, self.unit, self.unit_en, self.unit_ar)

    @property
    def unit_label(self) -> str:
        return self.unit_in(_page_language())

    @property
    def threshold(self) -> int:
        if self.disclosure_threshold is not None:
            return int(self.disclosure_threshold)
        return int(settings.STATISTICS_DISCLOSURE_THRESHOLD)


class DatasetVersion(models.Model):
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    content_sha256 = models.CharField(max_length=64)
    format = models.CharField(_("format"), max_length=20)
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    retrieved_at = models.DateTimeField(_("retrieved at"), null=True, blank=True)
    source_updated = models.CharField(_("updated by the source"), max_length=50, blank=True)
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    dimensions = models.JSONField()
    values = models.BinaryField()
    status = models.JSONField(default=dict, blank=True)
    meta = models.JSONField(default=dict, blank=True)
    cell_count = models.PositiveIntegerField()
    # Disclosure control for person-level datasets: the suppression pattern (packed bits) and the
    # threshold it was computed for; recomputed when the threshold changes.
    suppression = models.BinaryField(null=True, blank=True)
    suppression_threshold = models.PositiveSmallIntegerField(null=True, blank=True)
    # What the reader accepted although the file bends its format: [{"code": ..., "params": {...}}]
    # (importers._common.ParseWarning), shown to the dataset's editors in the page's language.
    warnings = models.JSONField(_("warnings"), default=list, blank=True)

    class Meta:
        ordering = ["dataset", "-number"]
        verbose_name = _("dataset version")
        verbose_name_plural = _("dataset versions")
        constraints = [
            models.UniqueConstraint(fields=["dataset", "number"], name="dataset_version_number_unique"),
            models.UniqueConstraint(
                fields=["dataset", "content_sha256"], name="dataset_version_content_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dataset.slug} v{self.number}"

    def warning_texts(self) -> list[str]:
        """The version's warnings in the active language (an unknown code as itself)."""
        return [warning_text(w.get("code", ""), w.get("params") or {}) for w in self.warnings or []]


def warning_text(code: str, params: dict[str, object]) -> str:
    """One reader warning (importers._common.ParseWarning) put into words."""
    if code == "data_not_closed":
        return _(
            "The file's DATA block ends at the end of the file without its closing “;”; all "
            "%(values)s values of the table are there, so it was read."
        ) % {"values": params.get("values", "")}
    if code == "data_row_semicolons":
        return _(
            "The file's DATA block ends %(rows)s rows with “;” instead of only the last one; "
            "together they hold exactly the table's values, so it was read."
        ) % {"rows": params.get("rows", "")}
    if code == "jsonstat_bundle":
        return _("The file is a JSON-stat 1.x bundle; its one dataset “%(dataset)s” was read.") % {
            "dataset": params.get("dataset", "")
        }
    if code == "keyword_skipped":
        return _(
            "Line %(line)s: %(keyword)s could not be read (a stray quotation mark in its text?) and "
            "was left out; it only describes the table and changes none of its figures."
        ) % {"line": params.get("line", ""), "keyword": params.get("keyword", "")}
    if code == "codes_skipped":
        return _(
            'CODES("%(variable)s") on line %(line)s could not be read and was left out: the categories '
            "of %(variable)s take their VALUES texts as codes."
        ) % {"line": params.get("line", ""), "variable": params.get("variable", "")}
    if code == "unknown_variable_ignored":
        return _(
            "Line %(line)s: %(keyword)s is about “%(variable)s”, which is not a variable of the "
            "table (not in STUB or HEADING), so it was ignored."
        ) % {
            "line": params.get("line", ""),
            "keyword": params.get("keyword", ""),
            "variable": params.get("variable", ""),
        }
    return code
