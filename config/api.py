"""The JSON API at /api/v1/: one django-ninja router per app.

Authentication: a personal API token (``Authorization: Bearer sv_...``) or the Django session
(CSRF-checked); see samverkan.accounts.api. Domain errors become HTTP answers here.

The interactive documentation at /api/v1/docs is Swagger UI served from the files django-ninja
ships (under /api/v1/docs/assets/), never from a CDN, and needs no inline script, so it works
offline under the site's Content-Security-Policy (script-src 'self').
"""

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ninja
from django.core.exceptions import TooManyFieldsSent
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.urls import path, reverse
from django.utils.html import escape
from ninja import NinjaAPI
from ninja.openapi.docs import DocsBase

from samverkan.core.errors import NotFound, PermissionDenied, RateLimited, ValidationError

if TYPE_CHECKING:
    from ninja.operation import Operation

NINJA_STATIC = Path(ninja.__file__).parent / "static" / "ninja"
DOCS_ASSETS = {
    "swagger-ui.css": "text/css",
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui-init.js": "text/javascript",
    "favicon.svg": "image/svg+xml",
    "favicon.png": "image/png",
}


class LocalSwagger(DocsBase):
    """Swagger UI from local files; settings travel as JSON data, not as an inline script."""

    def __init__(self, settings: dict[str, Any] | None = None) -> None:
        self.settings: dict[str, Any] = {"layout": "BaseLayout", "deepLinking": True, **(settings or {})}

    def render_page(self, request: HttpRequest, api: "NinjaAPI", **kwargs: Any) -> HttpResponse:
        namespace = api.urls_namespace

        def asset(name: str) -> str:
            return escape(reverse(f"{namespace}:docs-asset", kwargs={**kwargs, "name": name}))

        config = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        # "</" cannot end the data block early once "<" is escaped.
        config_json = json.dumps(config).replace("<", "\\u003c")
        csrf = escape(get_token(request))
        html = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{escape(api.title)}</title>
<link rel="stylesheet" href="{asset("swagger-ui.css")}">
<link rel="icon" href="{asset("favicon.svg")}" type="image/svg+xml">
</head>
<body data-csrf-token="{csrf}" data-api-csrf="true">
<script type="application/json" id="swagger-settings">{config_json}</script>
<div id="swagger-ui"></div>
<script src="{asset("swagger-ui-bundle.js")}"></script>
<script src="{asset("swagger-ui-init.js")}"></script>
</body>
</html>
"""
        return HttpResponse(html)


def docs_asset(request: HttpRequest, name: str, **kwargs: Any) -> FileResponse:
    content_type = DOCS_ASSETS.get(name)
    if content_type is None:
        raise Http404
    response = FileResponse((NINJA_STATIC / name).open("rb"), content_type=content_type)
    response["Cache-Control"] = "public, max-age=86400"
    return response


class SamverkanAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: "Operation") -> str:
        # "organisations_agreement_list" rather than "samverkan_organisations_api_agreement_list".
        module = operation.view_func.__module__.split(".")
        if module[0] == "samverkan" and len(module) > 1:
            return f"{module[1]}_{operation.view_func.__name__}"
        return super().get_openapi_operation_id(operation)

    def _get_urls(self) -> list[Any]:
        urls = super()._get_urls()
        return [path("docs/assets/<str:name>", docs_asset, name="docs-asset"), *urls]


api = SamverkanAPI(
    title="Samverkan API",
    version="1",
    description="Organisations, memberships, agreements, open statistics and published stories. "
    "Authenticate with a session or a personal API token (Authorization: Bearer <token>).",
    urls_namespace="api",
    docs=LocalSwagger(),
)


# --- Domain errors → HTTP -------------------------------------------------------------------
@api.exception_handler(NotFound)
def _not_found(request: HttpRequest, exc: NotFound) -> HttpResponse:
    return api.create_response(request, {"detail": "Not found."}, status=404)


@api.exception_handler(Http404)
def _http_404(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": "Not found."}, status=404)


@api.exception_handler(PermissionDenied)
def _permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": "You do not have permission to do this."}, status=403)


@api.exception_handler(RateLimited)
def _rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    response = api.create_response(request, {"detail": "Too many requests. Try again later."}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(TooManyFieldsSent)
def _too_many_fields(request: HttpRequest, exc: TooManyFieldsSent) -> HttpResponse:
    # Django refuses a query with too many parameters while ninja reads it; answer it ourselves, as
    # a client error, so that no debug page (which would read the query again) is ever rendered.
    return api.create_response(request, {"detail": "Too many query parameters."}, status=400)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    # The same shape as ninja's own 422 for schema errors, so clients handle both alike.
    detail = [
        {
            "loc": ["body", "payload"] if field == "__all__" else ["body", "payload", field],
            "msg": message,
            "type": "value_error",
        }
        for field, messages in exc.errors.items()
        for message in messages
    ]
    return api.create_response(request, {"detail": detail}, status=422)


# --- Routers (imported last: they use the authentication defined in accounts.api) ------------
from samverkan.accounts.api import router as accounts_router  # noqa: E402
from samverkan.meetingplace.api import router as meetingplace_router  # noqa: E402
from samverkan.organisations.api import router as organisations_router  # noqa: E402
from samverkan.panels.api import router as panels_router  # noqa: E402
from samverkan.resettlement.api import router as resettlement_router  # noqa: E402
from samverkan.statistics.api import router as statistics_router  # noqa: E402
from samverkan.stories.api import router as stories_router  # noqa: E402

api.add_router("/", accounts_router)
api.add_router("/", organisations_router)
api.add_router("/", statistics_router)
api.add_router("/", meetingplace_router)
api.add_router("/", panels_router)
api.add_router("/", resettlement_router)
api.add_router("/", stories_router)
