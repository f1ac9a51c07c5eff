"""Documents of an agreement: checked uploads."""

from __future__ import annotations

from typing import IO

from django.core.files.base import File
from django.db import transaction
from django.utils.translation import gettext as _

from samverkan.core import audit
from samverkan.core.actor import Actor
from samverkan.core.errors import PermissionDenied, ValidationError
from samverkan.organisations import permissions as perms
from samverkan.organisations.documents import check_document
from samverkan.organisations.models import AgreementDocument, DocumentType
from samverkan.organisations.services._common import _locked_agreement


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
