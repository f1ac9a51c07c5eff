"""The OpenAPI document (snapshot of paths and operation ids) and the offline documentation page."""

from __future__ import annotations

import difflib
import json
import os
import re
from pathlib import Path

import pytest

SNAPSHOT = Path(__file__).with_name("openapi_snapshot.json")
UPDATE_HINT = (
    "If the change is intended, update the snapshot: UPDATE_SNAPSHOTS=1 pytest tests/api/test_openapi.py"
)


def _summary(document: dict) -> dict:
    """Path → method → operation id (and whether anonymous access is allowed), sorted."""
    return {
        path: {
            method: {
                "operationId": operation["operationId"],
                "public": {} in operation.get("security", [{}]),
            }
            for method, operation in sorted(methods.items())
        }
        for path, methods in sorted(document["paths"].items())
    }


def test_openapi_paths_and_operation_ids_match_the_snapshot(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    current = _summary(response.json())
    text = json.dumps(current, indent=2, ensure_ascii=False) + "\n"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(text, encoding="utf-8")
        pytest.skip(f"Snapshot written to {SNAPSHOT}")
    assert SNAPSHOT.exists(), f"No snapshot yet. {UPDATE_HINT}"
    stored = SNAPSHOT.read_text(encoding="utf-8")
    if stored != text:
        diff = "".join(
            difflib.unified_diff(
                stored.splitlines(keepends=True),
                text.splitlines(keepends=True),
                fromfile="tests/api/openapi_snapshot.json (stored)",
                tofile="current API",
            )
        )
        pytest.fail(f"The API's paths or operation ids changed:\n{diff}\n{UPDATE_HINT}", pytrace=False)


def test_operation_ids_are_unique_and_security_schemes_declared(client):
    document = client.get("/api/v1/openapi.json").json()
    ids = [op["operationId"] for methods in document["paths"].values() for op in methods.values()]
    assert len(ids) == len(set(ids))
    schemes = document["components"]["securitySchemes"]
    assert schemes["TokenAuth"] == {"type": "http", "scheme": "bearer"}
    assert schemes["SessionAuth"]["in"] == "cookie"


def test_docs_page_uses_local_assets_only(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    # The site's policy applies unchanged: no CDN, no 'unsafe-inline' needed.
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe" not in csp
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets, html
    for url in assets:
        assert url.startswith("/api/v1/docs/assets/"), f"non-local asset {url}"
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert b"".join(asset.streaming_content)
    # No inline executable script: the only inline <script> is JSON data (CSP script-src 'self').
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline == [' type="application/json" id="swagger-settings"']
    settings = json.loads(re.search(r'id="swagger-settings">(.*?)</script>', html, re.S).group(1))
    assert settings["url"] == "/api/v1/openapi.json"
    assert "cdn" not in html.lower()


def test_docs_assets_are_a_closed_list(client):
    assert client.get("/api/v1/docs/assets/..%2F..%2F__init__.py").status_code == 404
    assert client.get("/api/v1/docs/assets/redoc.standalone.js.map").status_code == 404
