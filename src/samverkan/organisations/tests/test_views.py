"""Pages and exports: another organisation's internal agreement is a 404 for every role."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from samverkan.accounts.tests.factories import member
from samverkan.organisations.models import Agreement, AgreementDocument
from samverkan.organisations.tests.factories import AgreementFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

ROLES = ["administrator", "coordinator", "case_officer", "editor", "reader"]
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def login(client, user):
    """Log in, passing two-factor verification as a user with a confirmed TOTP device would."""
    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


def _document(agreement: Agreement) -> AgreementDocument:
    from django.core.files.base import ContentFile

    doc = AgreementDocument(
        agreement=agreement,
        doc_type="annex",
        title="Bilaga",
        original_name="b.pdf",
        extension="pdf",
        content_type="application/pdf",
        size=len(PDF),
        sha256="0" * 64,
    )
    doc.file.save("b.pdf", ContentFile(PDF), save=True)
    return doc


@pytest.mark.parametrize("role", ROLES)
def test_other_organisations_internal_agreement_is_404_on_page_and_export(client, role):
    user = member(role)
    login(client, user)
    foreign = AgreementFactory(visibility="internal", status="active")
    document = _document(foreign)
    urls = [
        reverse("organisations:agreement_detail", args=[foreign.pk]),
        reverse("organisations:agreement_export", args=[foreign.pk]),
        reverse("organisations:agreement_edit", args=[foreign.pk]),
        reverse("organisations:agreement_invite", args=[foreign.pk]),
        reverse("organisations:document_upload", args=[foreign.pk]),
        reverse("organisations:document_download", args=[foreign.pk, document.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    listing = client.get(reverse("organisations:agreement_list_export")).content.decode()
    assert foreign.title not in listing
    assert foreign.title not in client.get(reverse("organisations:agreement_list")).content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_own_internal_agreement_is_visible_to_every_role(client, role):
    org = OrganisationFactory()
    login(client, member(role, org))
    agreement = AgreementFactory(owner=org, visibility="internal")
    response = client.get(reverse("organisations:agreement_detail", args=[agreement.pk]))
    assert response.status_code == 200
    assert agreement.title in response.content.decode()
    export = client.get(reverse("organisations:agreement_export", args=[agreement.pk]))
    assert export.status_code == 200
    assert org.name in export.content.decode("utf-8-sig")


def test_anonymous_visitor_sees_public_agreements_not_internal(client):
    public = AgreementFactory(visibility="public", status="active", title="Offentligt partnerskap")
    internal = AgreementFactory(visibility="internal", title="Internt partnerskap")
    page = client.get(reverse("site:partners")).content.decode()
    assert public.title in page
    assert public.owner.name in page
    assert internal.title not in page
    assert client.get(reverse("organisations:agreement_detail", args=[internal.pk])).status_code == 404


def test_create_agreement_form_shows_field_error_and_writes_nothing(client):
    org = OrganisationFactory()
    login(client, member("editor", org))
    response = client.post(
        reverse("organisations:agreement_create"),
        {
            "owner": org.pk,
            "kind": "iop",
            "title": "Test",
            "purpose": "Syfte",
            "start_date": "2026-05-01",
            "end_date": "2026-04-01",
            "status": "active",
            "visibility": "internal",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_end_date_error"' in html
    assert Agreement.objects.count() == 0


def test_create_agreement_form_creates(client):
    org = OrganisationFactory()
    login(client, member("editor", org))
    response = client.post(
        reverse("organisations:agreement_create"),
        {
            "owner": org.pk,
            "kind": "cooperation",
            "title": "Samverkan om praktik",
            "purpose": "Syfte",
            "start_date": "2026-05-01",
            "end_date": "",
            "status": "active",
            "visibility": "public",
        },
    )
    agreement = Agreement.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("organisations:agreement_detail", args=[agreement.pk])
    assert agreement.end_date is None


def test_document_upload_form_refuses_wrong_type(client):
    org = OrganisationFactory()
    login(client, member("editor", org))
    agreement = AgreementFactory(owner=org)
    upload = io.BytesIO(b"MZ\x90\x00 not a pdf")
    upload.name = "virus.pdf"
    response = client.post(
        reverse("organisations:document_upload", args=[agreement.pk]),
        {"title": "Avtal", "doc_type": "agreement", "file": upload},
    )
    assert response.status_code == 200
    assert 'id="id_file_error"' in response.content.decode()
    assert AgreementDocument.objects.count() == 0


def test_organisation_form_refuses_bad_org_number_and_kommunkod(client):
    org = OrganisationFactory()
    admin = member("administrator", org)
    admin.is_superuser = True  # only platform administrators change kind and kommunkod
    admin.save(update_fields=["is_superuser"])
    login(client, admin)
    response = client.post(
        reverse("organisations:organisation_edit", args=[org.slug]),
        {
            "name": org.name,
            "kind": "municipality",
            "org_number": "123456-7890",
            "municipality_code": "0000",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_org_number_error"' in html
    assert 'id="id_municipality_code_error"' in html
    org.refresh_from_db()
    assert org.kind == "ngo"


def test_an_organisations_administrator_sees_kind_and_kommunkod_but_cannot_change_them(client):
    org = OrganisationFactory()
    login(client, member("administrator", org))
    url = reverse("organisations:organisation_edit", args=[org.slug])
    html = client.get(url).content.decode()
    assert re.search(r'<select name="kind"[^>]*disabled', html)
    response = client.post(url, {"name": "Nytt namn", "kind": "municipality", "municipality_code": "0180"})
    assert response.status_code == 302
    org.refresh_from_db()
    assert (org.name, org.kind, org.municipality_id) == ("Nytt namn", "ngo", None)


@pytest.mark.parametrize("role", ROLES)
def test_a_party_keeps_its_own_contact_current(client, role):
    own, other = OrganisationFactory(), OrganisationFactory()
    agreement = AgreementFactory(owner=own)
    agreement.parties.create(
        organisation=other, joined_on=agreement.start_date, contact_email="b@example.invalid"
    )
    login(client, member(role, own))
    own_url = reverse("organisations:party_contact", args=[agreement.pk, own.pk])
    other_url = reverse("organisations:party_contact", args=[agreement.pk, other.pk])
    may = role in {"administrator", "coordinator", "editor"}
    response = client.post(own_url, {"contact_name": "Ny Kontakt", "contact_email": "ny@example.invalid"})
    assert response.status_code == (302 if may else 403)
    party = agreement.parties.get(organisation=own)
    assert party.contact_email == ("ny@example.invalid" if may else "")
    # Another party's contact is that party's business, whatever the role.
    assert (
        client.post(other_url, {"contact_name": "X", "contact_email": "x@example.invalid"}).status_code == 403
    )
    assert agreement.parties.get(organisation=other).contact_email == "b@example.invalid"


def test_party_contact_bad_email_is_refused_on_the_field(client):
    org = OrganisationFactory()
    agreement = AgreementFactory(owner=org)
    login(client, member("editor", org))
    response = client.post(
        reverse("organisations:party_contact", args=[agreement.pk, org.pk]),
        {"contact_email": "not-an-address"},
    )
    assert response.status_code == 200
    assert 'id="id_contact_email_error"' in response.content.decode()


def test_party_contact_of_a_foreign_internal_agreement_is_404(client):
    foreign = AgreementFactory(visibility="internal")
    login(client, member("administrator"))
    url = reverse("organisations:party_contact", args=[foreign.pk, foreign.owner_id])
    assert client.get(url).status_code == 404


def test_reading_party_contacts_is_logged_on_page_export_and_api(client):
    from samverkan.core.models import AuditEvent

    org = OrganisationFactory()
    agreement = AgreementFactory(owner=org)
    agreement.parties.update(contact_email="kontakt@example.invalid")
    login(client, member("reader", org))
    assert (
        "kontakt@example.invalid"
        in client.get(reverse("organisations:agreement_detail", args=[agreement.pk])).content.decode()
    )
    client.get(reverse("organisations:agreement_export", args=[agreement.pk]))
    client.get(f"/api/v1/agreements/{agreement.pk}/parties")
    vias = sorted(
        e.data["via"] for e in AuditEvent.objects.filter(code="organisations.agreement.contacts_viewed")
    )
    assert vias == ["api", "export", "page"]


def test_outsiders_see_no_contacts_and_nothing_is_logged(client):
    from samverkan.core.models import AuditEvent

    agreement = AgreementFactory(visibility="public", status="active")
    agreement.parties.update(contact_email="kontakt@example.invalid")
    html = client.get(reverse("organisations:agreement_detail", args=[agreement.pk])).content.decode()
    assert "kontakt@example.invalid" not in html
    assert not AuditEvent.objects.filter(code="organisations.agreement.contacts_viewed").exists()


def test_searching_with_a_nul_byte_is_no_server_error(client):
    for url in ("/agreements/?q=a%00b", "/organisations/?q=a%00b", "/organisations/?kind=a%00b"):
        assert client.get(url).status_code == 200, url


def test_an_invitation_answer_without_a_choice_changes_nothing(client):
    from samverkan.organisations.models import AgreementInvitation

    invited = OrganisationFactory()
    invitation = AgreementInvitation.objects.create(agreement=AgreementFactory(), organisation=invited)
    login(client, member("administrator", invited))
    response = client.post(
        reverse("organisations:invitation_answer", args=[invitation.pk]), {"answer": "maybe"}
    )
    assert response.status_code == 200
    invitation.refresh_from_db()
    assert invitation.status == "pending"
