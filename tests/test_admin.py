"""Changes made in the Django admin are audited; the audit log cannot be edited there."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from samverkan.accounts.models import User
from samverkan.core import audit
from samverkan.core.models import AuditEvent
from samverkan.organisations.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    user = User.objects.create_superuser(username="root", email="root@example.invalid", password="x" * 12)
    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="t", confirmed=True)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


def test_admin_create_is_audited(staff_client):
    response = staff_client.post(
        reverse("admin:organisations_organisation_add"),
        {
            "name": "Fiktiv stiftelse",
            "slug": "fiktiv-stiftelse",
            "kind": "ngo",
            "org_number": "",
            "website": "fiktiv-stiftelse.example",
            "is_fictional": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    org = Organisation.objects.get(slug="fiktiv-stiftelse")
    assert org.website == "https://fiktiv-stiftelse.example"  # an address without a scheme is https
    event = AuditEvent.objects.get(code="organisations.organisation.admin_saved")
    assert event.object_id == str(org.pk)
    assert audit.verify().ok


def test_audit_log_is_read_only_in_admin(staff_client):
    event = audit.record_read(actor=audit.Actor.system(), code="test.thing")
    assert staff_client.get(reverse("admin:core_auditevent_change", args=[event.pk])).status_code == 200
    response = staff_client.post(reverse("admin:core_auditevent_delete", args=[event.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_admin_login_is_the_sites_login_with_lockout(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_staff_without_a_second_factor_cannot_reach_the_admin(client):
    staff = User.objects.create_user(
        username="staff", email="staff@example.invalid", password="x" * 12, is_staff=True
    )
    client.force_login(staff)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/accounts/two-factor/" in response["Location"]


def test_membership_added_inline_in_the_admin_is_audited(staff_client):
    org = Organisation.objects.create(name="Fiktiv kommunförening", slug="fkf", kind="ngo", is_fictional=True)
    person = User.objects.create_user(username="p", email="p@example.invalid", password="x" * 12)
    url = reverse("admin:accounts_user_change", args=[person.pk])
    page = staff_client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {
        k: v for k, v in form.initial.items() if v is not None and k not in ("groups", "user_permissions")
    }
    data.update(
        {
            "email": person.email,
            "username": person.username,
            "date_joined_0": "2026-01-01",
            "date_joined_1": "10:00",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-0-organisation": str(org.pk),
            "memberships-0-role": "administrator",
        }
    )
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert person.memberships.filter(organisation=org, role="administrator").exists()
    event = AuditEvent.objects.get(code="accounts.membership.admin_saved")
    assert event.organisation_id == org.pk  # the organisation's administrators see it in their log
    assert audit.verify().ok


def test_removing_a_lost_authenticator_in_the_admin_is_audited(staff_client):
    person = User.objects.create_user(username="lost", email="lost@example.invalid", password="x" * 12)
    device = TOTPDevice.objects.create(user=person, name="phone", confirmed=True)
    response = staff_client.post(
        reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    assert AuditEvent.objects.filter(code="otp_totp.totpdevice.admin_deleted").exists()
    assert audit.verify().ok


def test_a_threshold_changed_in_the_admin_re_protects_the_stored_versions(staff_client):
    import numpy as np

    from samverkan.statistics.models import Dataset, DatasetVersion
    from samverkan.statistics.tests.factories import cube, store

    store(cube([[30, 6], [40, 50]]), person_level=True)
    dataset = Dataset.objects.get()
    url = reverse("admin:statistics_dataset_change", args=[dataset.pk])
    form = staff_client.get(url).context["adminform"].form
    data = {name: form.initial.get(name) or "" for name in form.fields}
    data.update(
        {
            "disclosure_threshold": "7",
            "is_public": "on",
            "versions-TOTAL_FORMS": "1",
            "versions-INITIAL_FORMS": "1",
            "versions-MIN_NUM_FORMS": "0",
            "versions-MAX_NUM_FORMS": "1000",
            "versions-0-id": str(DatasetVersion.objects.get().pk),
            "versions-0-dataset": str(dataset.pk),
        }
    )
    data = {k: v for k, v in data.items() if v not in (None, False)}
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    version = DatasetVersion.objects.get()
    assert version.suppression_threshold == 7
    withheld = np.unpackbits(np.frombuffer(bytes(version.suppression), dtype=np.uint8))[:9]
    assert withheld[1]  # the 6 is small at 7 and withheld
    assert AuditEvent.objects.filter(code="statistics.dataset.threshold_changed").exists()
