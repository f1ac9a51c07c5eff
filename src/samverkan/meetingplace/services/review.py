"""Content review: organisers submit and revise material, pre-checked against the fact base; the
agency's reviewer decides each revision."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext as _

from samverkan.core import audit
from samverkan.core.actor import Actor
from samverkan.core.errors import NotFound, PermissionDenied, ValidationError
from samverkan.meetingplace import permissions as perms
from samverkan.meetingplace.embedding import get_embedder
from samverkan.meetingplace.extract import ExtractError, extract_text
from samverkan.meetingplace.models import Material, MaterialRevision, ReviewStatus, Session
from samverkan.meetingplace.precheck import Fact as PrecheckFact
from samverkan.meetingplace.precheck import precheck as precheck_text
from samverkan.meetingplace.selectors import facts_current, organiser_ids
from samverkan.meetingplace.services._common import agency_id


def _run_precheck(text: str) -> tuple[list[dict[str, object]], str]:
    facts = facts_current()
    by_key = {f.key: f for f in facts}
    embedder = get_embedder()
    findings = precheck_text(
        text,
        [PrecheckFact(f.key, f.topic, f.text_sv, f.text_en, f.legal_reference) for f in facts],
        embed=embedder,
    )
    return [
        {
            "statement": f.statement,
            "topic": f.topic,
            "flagged": f.flagged,
            "matches": [[by_key[m.key].pk, m.score] for m in f.matches],
        }
        for f in findings
    ], ("lexical + " + embedder.name) if embedder else "lexical"


# Why a file's text could not be read (extract.ExtractError's codes), worded for the reader.
EXTRACT_REASONS = {
    "too_large": gettext_lazy("the file is larger than %(limit)s MB"),
    "not_pdf": gettext_lazy("the file is not a PDF"),
    "not_docx": gettext_lazy("the file is not a Word document (.docx)"),
    "not_utf8": gettext_lazy("the text file is not in UTF-8"),
    "unknown_type": gettext_lazy("only .pdf, .docx and .txt files are read"),
    "no_text": gettext_lazy("no text could be read from the file (a scanned image?)"),
    "pdf_encrypted": gettext_lazy("the PDF is encrypted"),
    "pdf_pages": gettext_lazy("the PDF has %(pages)s pages; at most %(limit)s are read"),
    "pdf_slow": gettext_lazy("reading the PDF took longer than %(seconds)s seconds"),
    "pdf_unreadable": gettext_lazy("the PDF could not be read"),
    "docx_unreadable": gettext_lazy("the Word document could not be read"),
    "refused": "%(reason)s",
}


def _extract_reason(exc: ExtractError) -> str:
    wording = EXTRACT_REASONS.get(exc.code)
    return str(wording) % exc.params if wording is not None else gettext("the file could not be read")


def _material_text(text: str, upload: tuple[str, bytes] | None) -> tuple[str, str]:
    """The material's text: typed, or read from one file. Both at once is refused, each field told
    why, so a typed text is never dropped for a file (nor a file for a text) without a word."""
    text = text.replace("\x00", "").strip()
    if upload is not None and text:
        raise ValidationError(
            {
                "text": [
                    _(
                        "You also chose a file: send either this text or the file. "
                        "Empty this field to send the file."
                    )
                ],
                "file": [
                    _(
                        "You also wrote a text: send either the file or the text. "
                        "Remove the file to send the text."
                    )
                ],
            }
        )
    if upload is not None:
        filename, data = upload
        try:
            return extract_text(filename, data), filename[:200]
        except ExtractError as exc:
            raise ValidationError(
                {
                    "file": [
                        _("%(file)s: %(reason)s.") % {"file": filename[:100], "reason": _extract_reason(exc)}
                    ]
                }
            ) from None
    if not text:
        raise ValidationError({"text": [_("Write the text, or upload a PDF, Word or text file.")]})
    if len(text) > 500_000:
        raise ValidationError({"text": [_("At most %(n)s characters.") % {"n": 500_000}]})
    return text, ""


@dataclass(frozen=True)
class _Prepared:
    text: str
    filename: str
    findings: list[dict[str, object]]
    method: str


def _prepare(text: str, upload: tuple[str, bytes] | None) -> _Prepared:
    """Extract and pre-check outside any transaction: it can take seconds."""
    body, filename = _material_text(text, upload)
    findings, method = _run_precheck(body)
    return _Prepared(body, filename, findings, method)


def _add_revision(actor: Actor, material: Material, number: int, prepared: _Prepared) -> MaterialRevision:
    return MaterialRevision.objects.create(
        material=material,
        number=number,
        text=prepared.text,
        filename=prepared.filename,
        precheck=prepared.findings,
        precheck_method=prepared.method,
        submitted_by=actor.user,
    )


def material_submit(
    *,
    actor: Actor,
    session: Session,
    organisation_id: int,
    title: str,
    text: str = "",
    upload: tuple[str, bytes] | None = None,
) -> Material:
    """An organiser submits what it wants to say at a session: pre-checked and queued for review."""
    organisers = organiser_ids(session.activity)
    if organisation_id not in organisers or not perms.can_plan(actor, [organisation_id]):
        raise NotFound
    title = " ".join(title.split())
    if not title or len(title) > 200:
        raise ValidationError({"title": [_("Give a title (at most 200 characters).")]})
    prepared = _prepare(text, upload)
    with transaction.atomic(durable=True):
        material = Material.objects.create(
            session=session, organisation_id=organisation_id, title=title, created_by=actor.user
        )
        revision = _add_revision(actor, material, 1, prepared)
        audit.record(
            actor=actor,
            code="meetingplace.material.submitted",
            obj=material,
            organisation_id=organisation_id,
            data={"revision": revision.number, "flagged": sum(1 for f in prepared.findings if f["flagged"])},
        )
    return material


def material_revise(
    *, actor: Actor, material: Material, text: str = "", upload: tuple[str, bytes] | None = None
) -> MaterialRevision:
    """An edit is a new revision that needs its own approval; participants keep seeing the last
    approved revision (if any) until then."""
    if not perms.can_plan(actor, [material.organisation_id]):
        raise NotFound
    prepared = _prepare(text, upload)
    with transaction.atomic(durable=True):
        material = Material.objects.select_for_update().get(pk=material.pk)
        latest = material.revisions.order_by("-number").first()
        material.revisions.filter(status=ReviewStatus.SUBMITTED).update(status=ReviewStatus.SUPERSEDED)
        revision = _add_revision(actor, material, (latest.number + 1) if latest else 1, prepared)
        audit.record(
            actor=actor,
            code="meetingplace.material.revised",
            obj=material,
            organisation_id=material.organisation_id,
            data={"revision": revision.number},
        )
    return revision


def material_review(
    *, actor: Actor, revision: MaterialRevision, decision: str, comment: str = ""
) -> MaterialRevision:
    """The agency's reviewer approves, requests changes or rejects one revision; never their own."""
    agency = agency_id()
    if not perms.can_review(actor, agency):
        raise NotFound
    if decision not in ("approve", "changes", "reject"):
        raise ValidationError({"decision": [_("Choose a decision.")]})
    comment = comment.strip()
    if decision != "approve" and not comment:
        raise ValidationError({"comment": [_("Say what should change, or why it is rejected.")]})
    if len(comment) > 10_000 or "\x00" in comment:
        raise ValidationError({"comment": [_("At most %(n)s characters.") % {"n": 10_000}]})
    with transaction.atomic(durable=True):
        material = Material.objects.select_for_update().get(pk=revision.material_id)
        revision = MaterialRevision.objects.get(pk=revision.pk)
        if revision.submitted_by_id is not None and revision.submitted_by_id == actor.user_id:
            raise PermissionDenied
        if revision.status != ReviewStatus.SUBMITTED:
            raise ValidationError({"__all__": [_("Only a revision waiting for review can be decided.")]})
        revision.status = {
            "approve": ReviewStatus.APPROVED,
            "changes": ReviewStatus.CHANGES_REQUESTED,
            "reject": ReviewStatus.REJECTED,
        }[decision]
        revision.reviewed_by = actor.user
        revision.reviewed_at = timezone.now()
        revision.comment = comment
        revision.save(update_fields=["status", "reviewed_by", "reviewed_at", "comment"])
        if decision == "approve":
            material.approved_revision = revision
            material.save(update_fields=["approved_revision"])
        audit.record(
            actor=actor,
            code=f"meetingplace.material.{revision.status}",
            obj=material,
            organisation_id=agency,
            data={"revision": revision.number, "submitter_organisation": material.organisation_id},
        )
    return revision
