"""Agreement and organisation services: validation, writes, audit, invitations, joining."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from samverkan.accounts.actors import actor_for_user
from samverkan.accounts.tests.factories import member
from samverkan.core.errors import NotFound, PermissionDenied, ValidationError
from samverkan.core.models import AuditEvent
from samverkan.organisations import services
from samverkan.organisations.models import (
    Agreement,
    AgreementDocument,
    AgreementParty,
    Organisation,
)
from samverkan.organisations.tests.factories import AgreementFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

VALID = {
    "kind": "iop",
    "title": "Språkcafé i samverkan",
    "purpose": "Mötesplats för nyanlända (fiktivt exempel).",
    "start_date": "2026-01-01",
    "end_date": "2026-12-31",
    "visibility": "public",
    "status": "active",
}


def _admin_actor(org: Organisation | None = None):
    org = org or OrganisationFactory()
    return actor_for_user(member("administrator", org)), org


def test_create_agreement_makes_owner_a_party_and_audits():
    actor, org = _admin_actor()
    agreement = services.agreement_create(
        actor=actor, owner_id=org.pk, data=VALID, contact_email="kontakt@example.invalid"
    )
    assert agreement.status == "active"
    assert list(agreement.parties.values_list("organisation_id", flat=True)) == [org.pk]
    event = AuditEvent.objects.get(code="organisations.agreement.created")
    assert event.organisation_id == org.pk
    assert event.object_id == str(agreement.pk)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"end_date": "2025-12-31"}, "end_date"),
        ({"start_date": "not a date"}, "start_date"),
        ({"start_date": ""}, "start_date"),
        ({"title": "  "}, "title"),
        ({"kind": "marriage"}, "kind"),
        ({"visibility": "internal", "open_for_joining": True}, "open_for_joining"),
    ],
)
def test_bad_agreement_input_names_the_field_and_writes_nothing(change, field):
    actor, org = _admin_actor()
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as info:
        services.agreement_create(actor=actor, owner_id=org.pk, data={**VALID, **change})
    assert field in info.value.errors
    assert Agreement.objects.count() == 0
    assert AgreementParty.objects.count() == 0
    assert AuditEvent.objects.count() == before


def test_invalid_contact_email_is_refused():
    actor, org = _admin_actor()
    with pytest.raises(ValidationError) as info:
        services.agreement_create(actor=actor, owner_id=org.pk, data=VALID, contact_email="not-an-email")
    assert "contact_email" in info.value.errors
    assert Agreement.objects.count() == 0


def test_reader_cannot_create_an_agreement():
    org = OrganisationFactory()
    actor = actor_for_user(member("reader", org))
    with pytest.raises(PermissionDenied):
        services.agreement_create(actor=actor, owner_id=org.pk, data=VALID)


def test_cannot_create_an_agreement_for_someone_elses_organisation():
    actor, _ = _admin_actor()
    other = OrganisationFactory()
    with pytest.raises(ValidationError) as info:
        services.agreement_create(actor=actor, owner_id=other.pk, data=VALID)
    assert "owner" in info.value.errors


def test_invitation_accepted_makes_a_party():
    actor_a, org_a = _admin_actor()
    actor_b, org_b = _admin_actor()
    agreement = services.agreement_create(actor=actor_a, owner_id=org_a.pk, data=VALID)
    invitation = services.agreement_invite(actor=actor_a, agreement_id=agreement.pk, organisation_id=org_b.pk)
    with pytest.raises(ValidationError):
        services.agreement_invite(actor=actor_a, agreement_id=agreement.pk, organisation_id=org_b.pk)
    services.invitation_answer(
        actor=actor_b,
        invitation_id=invitation.pk,
        accept=True,
        contact_name="Fiktiv Kontakt",
        contact_email="b@example.invalid",
    )
    assert set(agreement.parties.values_list("organisation_id", flat=True)) == {org_a.pk, org_b.pk}
    codes = set(AuditEvent.objects.values_list("code", flat=True))
    assert {"organisations.agreement.invited", "organisations.agreement.invitation_accepted"} <= codes


def test_declined_invitation_adds_no_party_and_only_invitee_admin_may_answer():
    actor_a, org_a = _admin_actor()
    actor_b, org_b = _admin_actor()
    agreement = services.agreement_create(actor=actor_a, owner_id=org_a.pk, data=VALID)
    invitation = services.agreement_invite(actor=actor_a, agreement_id=agreement.pk, organisation_id=org_b.pk)
    reader_b = actor_for_user(member("reader", org_b))
    with pytest.raises(NotFound):  # only the invited organisation's administrators see it
        services.invitation_answer(actor=reader_b, invitation_id=invitation.pk, accept=True)
    services.invitation_answer(actor=actor_b, invitation_id=invitation.pk, accept=False)
    assert agreement.parties.count() == 1


def test_joining_an_open_agreement():
    actor_a, org_a = _admin_actor()
    actor_b, org_b = _admin_actor()
    agreement = services.agreement_create(
        actor=actor_a, owner_id=org_a.pk, data={**VALID, "open_for_joining": True}
    )
    services.agreement_join(actor=actor_b, agreement_id=agreement.pk, organisation_id=org_b.pk)
    assert agreement.parties.filter(organisation=org_b).exists()
    with pytest.raises(ValidationError):
        services.agreement_join(actor=actor_b, agreement_id=agreement.pk, organisation_id=org_b.pk)


def test_closed_agreement_cannot_be_joined():
    actor_a, org_a = _admin_actor()
    actor_b, org_b = _admin_actor()
    agreement = services.agreement_create(actor=actor_a, owner_id=org_a.pk, data=VALID)
    with pytest.raises(PermissionDenied):
        services.agreement_join(actor=actor_b, agreement_id=agreement.pk, organisation_id=org_b.pk)
    assert agreement.parties.count() == 1


PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def test_document_upload_checks_type_and_size(settings, english):
    actor, org = _admin_actor()
    agreement = services.agreement_create(actor=actor, owner_id=org.pk, data=VALID)
    doc = services.document_add(
        actor=actor,
        agreement_id=agreement.pk,
        title="Avtal",
        doc_type="agreement",
        name="avtal.pdf",
        stream=io.BytesIO(PDF),
        size=len(PDF),
    )
    assert doc.extension == "pdf"
    assert doc.file.read() == PDF

    with pytest.raises(ValidationError) as info:
        services.document_add(
            actor=actor,
            agreement_id=agreement.pk,
            title="Fel",
            doc_type="annex",
            name="script.exe",
            stream=io.BytesIO(b"MZ\x90\x00"),
            size=4,
        )
    assert "file" in info.value.errors

    with pytest.raises(ValidationError) as info:  # right extension, wrong content
        services.document_add(
            actor=actor,
            agreement_id=agreement.pk,
            title="Fel",
            doc_type="annex",
            name="fake.pdf",
            stream=io.BytesIO(b"hello world"),
            size=11,
        )
    assert "not a PDF" in info.value.errors["file"][0]

    settings.DOCUMENT_MAX_BYTES = 10
    with pytest.raises(ValidationError) as info:
        services.document_add(
            actor=actor,
            agreement_id=agreement.pk,
            title="Stor",
            doc_type="annex",
            name="stor.pdf",
            stream=io.BytesIO(PDF),
            size=len(PDF),
        )
    assert "limit" in info.value.errors["file"][0]
    assert AgreementDocument.objects.count() == 1


def _platform_admin():
    user = member("reader", OrganisationFactory())
    user.is_superuser = True
    user.save(update_fields=["is_superuser"])
    return actor_for_user(user)


def test_organisation_update_validates_org_number_and_kommunkod():
    actor, org = _platform_admin(), OrganisationFactory()
    with pytest.raises(ValidationError) as info:
        services.organisation_update(
            actor=actor,
            organisation_id=org.pk,
            data={"org_number": "202100-2164", "kind": "municipality", "municipality_code": "9999"},
        )
    assert set(info.value.errors) == {"org_number", "municipality_code"}
    org.refresh_from_db()
    assert org.kind == "ngo"
    updated = services.organisation_update(
        actor=actor, organisation_id=org.pk, data={"kind": "municipality", "municipality_code": "0180"}
    )
    assert updated.municipality_id == "0180"


def test_municipality_needs_a_kommunkod():
    actor, org = _platform_admin(), OrganisationFactory()
    with pytest.raises(ValidationError) as info:
        services.organisation_update(actor=actor, organisation_id=org.pk, data={"kind": "municipality"})
    assert "municipality_code" in info.value.errors


def test_an_organisations_own_administrator_cannot_change_its_kind_or_kommunkod():
    """Kind and kommunkod decide what an organisation sees elsewhere: a municipality reads the
    resettlement cases placed with it. An NGO's administrator must not make it "a municipality"."""
    actor, org = _admin_actor()
    with pytest.raises(ValidationError) as info:
        services.organisation_update(
            actor=actor, organisation_id=org.pk, data={"kind": "municipality", "municipality_code": "0180"}
        )
    assert set(info.value.errors) == {"kind", "municipality_code"}
    org.refresh_from_db()
    assert (org.kind, org.municipality_id) == ("ngo", None)
    # the same values (the edit form sends them back) and other fields are fine
    services.organisation_update(
        actor=actor,
        organisation_id=org.pk,
        data={"kind": "ngo", "municipality_code": "", "name": "Nytt namn"},
    )
    org.refresh_from_db()
    assert org.name == "Nytt namn"


def test_reminders_are_sent_once_per_threshold(mailoutbox, django_capture_on_commit_callbacks):
    from samverkan.core.actor import Actor

    agreement = AgreementFactory(end_date=dt.date(2026, 3, 1), start_date=dt.date(2025, 1, 1))
    agreement.parties.update(contact_email="kontakt@example.invalid")
    AgreementFactory(end_date=dt.date(2027, 3, 1))  # far from its end: no reminder
    today = dt.date(2026, 1, 15)  # 45 days left: the 60-day reminder
    with django_capture_on_commit_callbacks(execute=True):
        assert services.agreement_send_reminders(actor=Actor.system(), today=today) == 1
        assert services.agreement_send_reminders(actor=Actor.system(), today=today) == 0
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["kontakt@example.invalid"]
    assert agreement.title in mailoutbox[0].subject
    # 10 days left: the 14-day reminder goes out as well
    with django_capture_on_commit_callbacks(execute=True):
        assert services.agreement_send_reminders(actor=Actor.system(), today=dt.date(2026, 2, 19)) == 1
    assert len(mailoutbox) == 2


def test_reminder_task_runs_through_the_task_queue(mailoutbox, django_capture_on_commit_callbacks):
    from django.utils import timezone

    from samverkan.organisations.tasks import send_agreement_reminders

    soon = AgreementFactory(
        end_date=timezone.localdate() + dt.timedelta(days=5), start_date=dt.date(2025, 1, 1)
    )
    soon.parties.update(contact_email="kontakt@example.invalid")
    with django_capture_on_commit_callbacks(execute=True):
        result = send_agreement_reminders.enqueue()
    assert result.return_value == 1
    assert [m.to for m in mailoutbox] == [["kontakt@example.invalid"]]
