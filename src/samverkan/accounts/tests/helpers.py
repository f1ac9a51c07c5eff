"""Test helpers: logging in with a verified second factor, computing TOTP codes, naming actors."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from django.utils import translation
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from samverkan.accounts.actors import actor_for_user
from samverkan.core.actor import Actor


def code_for(device: TOTPDevice, drift: int = 0) -> str:
    """The device's current code (``drift`` steps ahead: a code the device has not used yet)."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift):06d}"


def verified_login(client: Any, user: Any) -> TOTPDevice:
    """Log ``user`` in as if they had passed both factors."""
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


@pytest.fixture
def english(settings: Any) -> Iterator[None]:
    """Run in English (msgids), whatever the default language and its translations say."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def actor_named(who: str, users: Mapping[str, Any]) -> Actor:
    """The actor a permission-matrix row names: "anonymous", "system" or one of ``users``."""
    if who == "anonymous":
        return Actor.anonymous()
    if who == "system":
        return Actor.system()
    return actor_for_user(users[who])
