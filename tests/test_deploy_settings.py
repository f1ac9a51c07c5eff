"""Production settings pass Django's deployment checklist with no warning."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _prod_env(extra_env: dict[str, str]) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "AUDIT_CHAIN_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "samverkan.example.org",
        **extra_env,
    }
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by browser tests; never in a deployment
    return env


def _check_deploy(extra_env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_prod_env(extra_env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_prod_settings_pass_check_deploy_without_warnings():
    result = _check_deploy({})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def _prod_setting(name: str, extra_env: dict[str, str]) -> str:
    code = f"import django; django.setup(); from django.conf import settings; print(settings.{name})"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=_prod_env(extra_env),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip()


def test_forwarded_proto_is_believed_only_behind_trusted_proxies():
    # A header must not switch a check off: without our own proxies in front, a client's
    # X-Forwarded-Proto would make a plain-HTTP request look secure and skip the HTTPS redirect.
    assert _prod_setting("SECURE_PROXY_SSL_HEADER", {"TRUSTED_PROXIES": ""}) == "None"
    behind = _prod_setting("SECURE_PROXY_SSL_HEADER", {"TRUSTED_PROXIES": "10.0.0.0/8"})
    assert "HTTP_X_FORWARDED_PROTO" in behind


def test_prod_settings_refuse_to_start_without_a_secret_key():
    result = _check_deploy({"SECRET_KEY": ""})
    # An empty key is refused by Django; a missing one by django-environ. Either way: no start.
    assert result.returncode != 0


def test_prod_settings_refuse_to_start_without_an_audit_chain_key():
    result = _check_deploy({"AUDIT_CHAIN_KEY": ""})
    assert result.returncode != 0


def test_static_files_collect_for_production(tmp_path):
    """`collectstatic` with the production storage (hashed, compressed names) succeeds: every file
    the stylesheets refer to exists."""
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=_prod_env({"STATIC_ROOT": str(tmp_path)}),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "staticfiles.json").exists()
