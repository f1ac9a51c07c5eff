"""The interactive API documentation renders in Debian's Chromium, offline, under the site's CSP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSP_RECORDER = """
document.addEventListener('securitypolicyviolation', (event) => {
  window.__cspViolation(`${event.violatedDirective} blocked ${event.blockedURI || 'inline'}`);
});
"""


def test_swagger_ui_renders_with_local_assets_and_no_csp_violation(
    live_server: Any, monkeypatch: Any
) -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"Debian's Chromium is not installed at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    # Playwright runs an event loop in this thread; undone by monkeypatch when the test ends.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    violations: list[str] = []
    foreign: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        try:
            context = browser.new_context(base_url=live_server.url)
            context.expose_binding("__cspViolation", lambda source, text: violations.append(text))
            context.add_init_script(CSP_RECORDER)

            def route(request_route: Any) -> None:
                # No network: anything not served by this site is refused and recorded.
                url = request_route.request.url
                if url.startswith(live_server.url) or url.startswith("data:"):
                    request_route.continue_()
                else:
                    foreign.append(url)
                    request_route.abort()

            context.route("**/*", route)
            page = context.new_page()
            page.on(
                "console",
                lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
            )
            page.goto("/api/v1/docs")
            page.wait_for_selector(".swagger-ui .opblock", timeout=15_000)
            assert page.locator(".opblock-summary-path", has_text="/api/v1/agreements").count() >= 1
            assert "Samverkan API" in page.locator(".swagger-ui .info .title").inner_text()
        finally:
            browser.close()
    assert not foreign, f"requests outside the site: {foreign}"
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)
