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
            "is_fictional": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    org = Organisation.objects.get(slug="fiktiv-stiftelse")
    event = AuditEvent.objects.get(code="organisations.organisation.admin_saved")
    assert event.object_id == str(org.pk)
    assert audit.verify().ok


def test_audit_log_is_read_only_in_admin(staff_client):
    event = audit.record(actor=audit.Actor.system(), code="test.thing")
    assert staff_client.get(reverse("admin:core_auditevent_change", args=[event.pk])).status_code == 200
    response = staff_client.post(reverse("admin:core_auditevent_delete", args=[event.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()
