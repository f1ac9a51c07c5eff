"""Helpers for the browser tests: translated UI strings, data, logging in with two-factor."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.utils import translation
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from samverkan.accounts.tests.factories import PASSWORD


def t(msgid: str, language: str = "sv") -> str:
    """``msgid`` as the page shows it in ``language`` (read from the same compiled catalogs)."""
    with translation.override(language):
        return translation.gettext(msgid)


def confirmed_totp_device(user: Any) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Fiktiv app", confirmed=True)


def current_code(device: TOTPDevice) -> str:
    """The code an authenticator app would show now for ``device``."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"


def log_in(page: Any, user: Any, device: TOTPDevice | None, language: str = "sv") -> None:
    """Log in through the login form and, when the user has a device, the two-factor page."""
    page.goto("/accounts/login/")
    main = page.get_by_role("main")
    main.get_by_label(t("E-mail address", language)).fill(user.email)
    main.get_by_label(t("Password", language)).fill(PASSWORD)
    main.get_by_role("button", name=t("Log in", language)).click()
    if device is None:
        return
    page.wait_for_url("**/accounts/two-factor/verify/**")
    main.get_by_label(t("Code from your authenticator app", language)).fill(current_code(device))
    main.get_by_role("button", name=t("Continue", language)).click()
    page.wait_for_load_state()
    assert "/accounts/two-factor/" not in page.url, f"two-factor verification failed on {page.url}"


def snap(page: Any, name: str) -> None:
    """Save a full-page screenshot to $BROWSER_SCREENSHOTS/<name>.png when that variable is set."""
    folder = os.environ.get("BROWSER_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)
