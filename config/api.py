"""The JSON API at /api/v1/: one django-ninja router per app."""

from __future__ import annotations

from ninja import NinjaAPI

api = NinjaAPI(
    title="Samverkan API",
    version="1",
    description="Organisations, memberships and agreements. Authenticate with a session or a "
    "personal API token (Authorization: Bearer <token>).",
    urls_namespace="api",
)
