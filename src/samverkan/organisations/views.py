"""Pages for organisations and agreements. Every write goes through services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from samverkan.accounts.actors import actor_from_request
from samverkan.core.errors import ValidationError
from samverkan.core.export import csv_response
from samverkan.organisations import permissions as perms
from samverkan.organisations import selectors, services
from samverkan.organisations.forms import (
    AgreementForm,
    ContactForm,
    DocumentForm,
    InviteOrganisationForm,
    JoinForm,
    OrganisationForm,
)
from samverkan.organisations.models import (
    Agreement,
    AgreementKind,
    AgreementStatus,
    OrganisationKind,
)


def _agreement_or_404(request: HttpRequest, agreement_id: int) -> Agreement:
    return selectors.agreement_get_for(actor=actor_from_request(request), agreement_id=agreement_id)


def _search_text(request: HttpRequest) -> str | None:
    """The ?q= search text: at most 200 characters, without NUL (which PostgreSQL refuses)."""
    q = (request.GET.get("q") or "").replace("\x00", "").strip()[:200]
    return q or None


def agreement_list(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    kind = request.GET.get("kind") or None
    status = request.GET.get("status") or None
    q = _search_text(request)
    agreements = selectors.agreement_list_for(
        actor=actor,
        kind=kind if kind in AgreementKind.values else None,
        status=status if status in AgreementStatus.values else None,
        q=q,
    )
    return render(
        request,
        "organisations/agreement_list.html",
        {
            "agreements": agreements,
            "kinds": AgreementKind.choices,
            "statuses": AgreementStatus.choices,
            "kind": kind,
            "status": status,
            "q": q or "",
            "can_start_agreement": bool(perms.agreement_owner_ids(actor)),
        },
    )


def agreement_list_export(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    agreements = selectors.agreement_list_for(actor=actor)
    return csv_response(
        "agreements.csv",
        ["id", "title", "kind", "status", "visibility", "start_date", "end_date", "parties"],
        (
            [
                a.pk,
                a.title,
                a.kind,
                a.status,
                a.visibility,
                a.start_date,
                a.end_date or "",
                "; ".join(p.organisation.name for p in a.parties.all()),
            ]
            for a in agreements
        ),
    )


def agreement_detail(request: HttpRequest, agreement_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    agreement = _agreement_or_404(request, agreement_id)
    parties, is_party = selectors.party_contacts_for(actor=actor, agreement=agreement, via="page")
    joinable = perms.joinable_organisations(actor, agreement)
    return render(
        request,
        "organisations/agreement_detail.html",
        {
            "agreement": agreement,
            "parties": parties,
            # Contact details of parties are shown to the parties themselves only.
            "show_contacts": is_party,
            "documents": agreement.documents.all() if is_party or agreement.visibility == "public" else [],
            "pending_invitations": agreement.invitations.filter(status="pending").select_related(
                "organisation"
            )
            if is_party
            else [],
            "can_edit": perms.can_edit_agreement(actor, agreement),
            "can_invite": perms.can_invite_to_agreement(actor, agreement),
            "can_upload": perms.can_upload_document(actor, agreement),
            "can_join": bool(joinable),
            "contact_editable": {
                p.organisation_id for p in parties if perms.can_edit_party_contact(actor, p.organisation_id)
            },
        },
    )


def agreement_export(request: HttpRequest, agreement_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    agreement = _agreement_or_404(request, agreement_id)
    parties, is_party = selectors.party_contacts_for(actor=actor, agreement=agreement, via="export")
    header = [
        "agreement",
        "kind",
        "status",
        "start_date",
        "end_date",
        "party",
        "organisation_number",
        "joined_on",
    ]
    if is_party:
        header += ["contact_name", "contact_email"]
    rows = []
    for p in parties:
        row: list[Any] = [
            agreement.title,
            agreement.kind,
            agreement.status,
            agreement.start_date,
            agreement.end_date or "",
            p.organisation.name,
            p.organisation.org_number,
            p.joined_on,
        ]
        if is_party:
            row += [p.contact_name, p.contact_email]
        rows.append(row)
    return csv_response(f"agreement-{agreement.pk}.csv", header, rows)


@login_required
@require_http_methods(["GET", "POST"])
def agreement_create(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    owners = selectors.organisation_list(ids=perms.agreement_owner_ids(actor))
    if not owners.exists():
        raise DjangoPermissionDenied
    form = AgreementForm(
        request.POST or None,
        owners=owners,
        initial={
            "status": "draft",
            "visibility": "internal",
            "owner": owners.first() if owners.count() == 1 else None,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        owner = data.pop("owner")
        contact_name, contact_email = data.pop("contact_name"), data.pop("contact_email")
        try:
            agreement = services.agreement_create(
                actor=actor,
                owner_id=owner.pk,
                data=data,
                contact_name=contact_name,
                contact_email=contact_email,
            )
        except ValidationError as exc:
            form.add_domain_errors(exc)
        else:
            messages.success(request, _("The agreement was created."))
            return redirect("organisations:agreement_detail", agreement.pk)
    return render(request, "organisations/agreement_form.html", {"form": form, "creating": True})


@login_required
@require_http_methods(["GET", "POST"])
def agreement_edit(request: HttpRequest, agreement_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    agreement = _agreement_or_404(request, agreement_id)
    if not perms.can_edit_agreement(actor, agreement):
        raise DjangoPermissionDenied
    initial = {f: getattr(agreement, f) for f in services.AGREEMENT_FIELDS}
    form = AgreementForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_update(actor=actor, agreement_id=agreement.pk, data=form.cleaned_data)
        except ValidationError as exc:
            form.add_domain_errors(exc)
        else:
            messages.success(request, _("The agreement was saved."))
            return redirect("organisations:agreement_detail", agreement.pk)
    return render(request, "organisations/agreement_form.html", {"form": form, "agreement": agreement})


@login_required
@require_http_methods(["GET", "POST"])
def agreement_invite(request: HttpRequest, agreement_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    agreement = _agreement_or_404(request, agreement_id)
    if not perms.can_invite_to_agreement(actor, agreement):
        raise DjangoPermissionDenied
    candidates = selectors.organisation_list(excluding=perms.party_ids(agreement))
    form = InviteOrganisationForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_invite(
                actor=actor,
                agreement_id=agreement.pk,
                organisation_id=form.cleaned_data["organisation"].pk,
                message=form.cleaned_data["message"],
            )
        except ValidationError as exc:
            form.add_domain_errors(exc)
        else:
            messages.success(request, _("%(org)s was invited.") % {"org": form.cleaned_data["organisation"]})
            return redirect("organisations:agreement_detail", agreement.pk)
    return render(request, "organisations/agreement_invite.html", {"form": form, "agreement": agreement})


@login_required
@require_http_methods(["GET", "POST"])
def party_contact(request: HttpRequest, agreement_id: int, organisation_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    agreement = _agreement_or_404(request, agreement_id)
    party = selectors.agreement_parties(agreement).filter(organisation_id=organisation_id).first()
    if party is None:
        raise Http404
    if not perms.can_edit_party_contact(actor, organisation_id):
        raise DjangoPermissionDenied
    form = ContactForm(
        request.POST or None,
        initial={"contact_name": party.contact_name, "contact_email": party.contact_email},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.party_update_contact(
                actor=actor,
                agreement_id=agreement.pk,
                organisation_id=organisation_id,
                contact_name=form.cleaned_data["contact_name"],
                contact_email=form.cleaned_data["contact_email"],
            )
        except ValidationError as exc:
            form.add_domain_errors(exc)
        else:
            messages.success(request, _("The contact was saved."))
            return redirect("organisations:agreement_detail", agreement.pk)
    return render(
        request, "organisations/party_contact.html", {"form": form, "agreement": agreement, "party": party}
    )


@login_required
@require_http_methods(["GET", "POST"])
def agreement_join(request: HttpRequest, agreement_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    agreement = _agreement_or_404(request, agreement_id)
    joinable = selectors.organisation_list(ids=perms.joinable_organisations(actor, agreement))
    if not joinable.exists():
        raise DjangoPermissionDenied
    form = JoinForm(request.POST or None, organisations=joinable)
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_join(
                actor=actor,
                agreement_id=agreement.pk,
                organisation_id=form.cleaned_data["organisation"].pk,
                contact_name=form.cleaned_data["contact_name"],
                contact_email=form.cleaned_data["contact_email"],
            )
        except ValidationError as exc:
            form.add_domain_errors(exc)
        else:
            messages.success(request, _("You have joined the agreement."))
            return redirect("organisations:agreement_detail", agreement.pk)
    return render(request, "organisations/agreement_join.html", {"form": form, "agreement": agreement})


@login_required
@require_http_methods(["GET", "POST"])
def invitation_answer(request: HttpRequest, invitation_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    invitation = selectors.invitation_get_for(actor=actor, invitation_id=invitation_id)
    if not perms.can_answer_invitation(actor, invitation):
        raise DjangoPermissionDenied
    form = ContactForm(request.POST or None)
    answer = request.POST.get("answer")
    if request.method == "POST" and answer not in ("accept", "decline"):
        form.add_error(None, _("Choose Accept or Decline."))
    elif request.method == "POST" and form.is_valid():
        accept = answer == "accept"
        try:
            services.invitation_answer(
                actor=actor,
                invitation_id=invitation.pk,
                accept=accept,
                contact_name=form.cleaned_data["contact_name"],
                contact_email=form.cleaned_data["contact_email"],
            )
        except ValidationError as exc:
            form.add_domain_errors(exc)
        else:
            if accept:
                messages.success(
                    request, _("%(org)s is now a party to the agreement.") % {"org": invitation.organisation}
                )
                return redirect("organisations:agreement_detail", invitation.agreement_id)
            messages.success(request, _("The invitation was declined."))
            return redirect("site:dashboard")
    return render(request, "organisations/invitation_answer.html", {"form": form, "invitation": invitation})


@login_required
@require_http_methods(["GET", "POST"])
def document_upload(request: HttpRequest, agreement_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    agreement = _agreement_or_404(request, agreement_id)
    if not perms.can_upload_document(actor, agreement):
        raise DjangoPermissionDenied
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.document_add(
                actor=actor,
                agreement_id=agreement.pk,
                title=form.cleaned_data["title"],
                doc_type=form.cleaned_data["doc_type"],
                name=upload.name,
                stream=upload,
                size=upload.size,
            )
        except ValidationError as exc:
            form.add_domain_errors(exc)
        else:
            messages.success(request, _("The document was added."))
            return redirect("organisations:agreement_detail", agreement.pk)
    return render(request, "organisations/document_form.html", {"form": form, "agreement": agreement})


def document_download(request: HttpRequest, agreement_id: int, document_id: int) -> FileResponse:
    actor = actor_from_request(request)
    document = selectors.document_get_for(actor=actor, agreement_id=agreement_id, document_id=document_id)
    is_party = any(actor.is_member(i) for i in perms.party_ids(document.agreement))
    if not (is_party or document.agreement.visibility == "public"):
        raise Http404
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=f"{document.title}.{document.extension}",
        content_type=document.content_type,
    )


def organisation_list(request: HttpRequest) -> HttpResponse:
    q = _search_text(request)
    kind = request.GET.get("kind") or None
    kind = kind if kind in OrganisationKind.values else None
    organisations = selectors.organisation_list(kind=kind, q=q)
    return render(
        request,
        "organisations/organisation_list.html",
        {
            "organisations": organisations[:500],
            "q": q or "",
            "kind": kind,
        },
    )


def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    actor = actor_from_request(request)
    organisation = selectors.organisation_get(slug=slug)
    agreements = (
        selectors.agreement_list_for(actor=actor).filter(parties__organisation=organisation).distinct()
    )
    return render(
        request,
        "organisations/organisation_detail.html",
        {
            "organisation": organisation,
            "agreements": agreements,
            "can_edit": perms.can_edit_organisation(actor, organisation),
            "can_view_members": perms.can_view_members(actor, organisation),
            "can_view_audit": perms.can_view_audit(actor, organisation),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, slug: str) -> HttpResponse:
    actor = actor_from_request(request)
    organisation = selectors.organisation_get(slug=slug)
    if not perms.can_edit_organisation(actor, organisation):
        raise DjangoPermissionDenied
    initial = {
        "name": organisation.name,
        "kind": organisation.kind,
        "org_number": organisation.org_number,
        "municipality_code": organisation.municipality_id or "",
        "website": organisation.website,
        "description": organisation.description,
    }
    form = OrganisationForm(request.POST or None, initial=initial)
    if not perms.is_platform_admin(actor):  # kind and kommunkod decide access elsewhere
        form.fields["kind"].disabled = True
        form.fields["municipality_code"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(actor=actor, organisation_id=organisation.pk, data=form.cleaned_data)
        except ValidationError as exc:
            form.add_domain_errors(exc)
        else:
            messages.success(request, _("The organisation was saved."))
            return redirect("organisations:organisation_detail", organisation.slug)
    return render(
        request, "organisations/organisation_form.html", {"form": form, "organisation": organisation}
    )
