"""The Django admin for users, memberships and invitations (superusers, with a second factor)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from samverkan.accounts import services
from samverkan.accounts.actors import actor_for_user
from samverkan.accounts.models import Membership, User
from samverkan.accounts.tests.factories import member, organisation
from samverkan.accounts.tests.helpers import english, verified_login  # noqa: F401 - fixture

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def admin_client(client):
    root = User.objects.create_superuser(
        username="root", email="root@example.invalid", password="x-very-long-password"
    )
    verified_login(client, root)
    return client


def test_changelists_load_and_search_by_email(admin_client):
    user = member("reader")
    for name in ("accounts_user", "accounts_membership", "accounts_invitation"):
        assert admin_client.get(reverse(f"admin:{name}_changelist")).status_code == 200
    response = admin_client.get(reverse("admin:accounts_user_changelist"), {"q": user.email})
    assert user.email in response.content.decode()


def test_user_is_added_with_email_and_password(admin_client):
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "new.staff@example.invalid",
            "username": "newstaff",
            "full_name": "Ny Handläggare",
            "usable_password": "true",
            "password1": "a-long-and-unusual-passphrase-42",
            "password2": "a-long-and-unusual-passphrase-42",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="new.staff@example.invalid")
    assert user.check_password("a-long-and-unusual-passphrase-42")


def test_user_change_page_loads(admin_client):
    user = member("reader")
    assert admin_client.get(reverse("admin:accounts_user_change", args=[user.pk])).status_code == 200
    membership = Membership.objects.get(user=user)
    assert (
        admin_client.get(reverse("admin:accounts_membership_change", args=[membership.pk])).status_code == 200
    )


def test_invitations_are_read_only(admin_client):
    org = organisation()
    issued = services.membership_invite(
        actor=actor_for_user(member("administrator", org)),
        organisation_id=org.pk,
        email="ny@example.invalid",
        role="reader",
    )
    assert admin_client.get(reverse("admin:accounts_invitation_add")).status_code == 403
    url = reverse("admin:accounts_invitation_change", args=[issued.invitation.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    assert issued.invitation.token_hash in page.content.decode()
    assert issued.token not in page.content.decode()
    admin_client.post(url, {"email": "changed@example.invalid"})
    issued.invitation.refresh_from_db()
    assert issued.invitation.email == "ny@example.invalid"
