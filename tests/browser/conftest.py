"""Shared fixtures for the browser tests: one Debian Chromium per session, a new context per test.

Playwright's sync API runs an asyncio event loop in the test thread, so Django's guard against
database access from async contexts is switched off while the browser runs (the ORM calls here
are plain synchronous calls in the test thread); see ``browser``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.language_check import COLLECTOR, RenderedPage, findings, links_in

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "static" / "vendor"
VENDOR_FILES = (
    "samverkan.css",
    "htmx.min.js",
    "axe.min.js",
    "vega.min.js",
    "vega-lite.min.js",
    "vega-embed.min.js",
    "vega-interpreter.min.js",
)

# Reports Content-Security-Policy violations to the test. Playwright injects init scripts and
# bindings through the DevTools protocol, so the page's own CSP does not block them.
CSP_RECORDER = """
document.addEventListener('securitypolicyviolation', (event) => {
  window.__samverkanCspViolation(`${event.violatedDirective} blocked ${event.blockedURI || 'inline'}`
    + ` on ${location.pathname} (${event.sourceFile || 'document'}:${event.lineNumber})`);
});
"""


# Not followed by the link check: logging out ends the session the rest of the check needs.
SKIPPED_LINKS = ("/accounts/logout/",)

REQUIRED_BECAUSE = "CI is set, or SAMVERKAN_REQUIRE_BROWSER=1"


def browser_required() -> bool:
    """Whether a missing Chromium fails the browser tests instead of skipping them: in CI (the
    ``CI`` variable set to anything but empty, ``0``, ``false`` or ``no``) or when asked for with
    ``SAMVERKAN_REQUIRE_BROWSER=1``. Only a developer machine without either may skip them."""
    ci = os.environ.get("CI", "").strip().lower()
    return ci not in ("", "0", "false", "no") or os.environ.get("SAMVERKAN_REQUIRE_BROWSER", "") == "1"


def _vendor_missing() -> list[str]:
    return [name for name in VENDOR_FILES if not (VENDOR / name).is_file()]


@pytest.fixture(scope="session")
def built_assets() -> Path:
    """static/vendor/ must exist: build it once if it does not, and fail (never skip) if that fails."""
    if _vendor_missing():
        bash = shutil.which("bash") or "/bin/bash"
        result = subprocess.run(
            [bash, str(ROOT / "scripts" / "build_assets.sh")], capture_output=True, text=True, check=False
        )
        if result.returncode != 0 or _vendor_missing():
            pytest.fail(
                "static/vendor is not built and scripts/build_assets.sh failed "
                f"(run `make setup`):\n{result.stdout}{result.stderr}"
            )
    return VENDOR


@pytest.fixture(scope="package")
def browser(built_assets: Path, django_db_setup: None, live_server: Any) -> Iterator[Any]:
    """One Chromium for all the browser tests of the session (they all live in this package).

    Playwright's sync API keeps an asyncio loop marked as running in this thread while it is
    started, and Django refuses ORM calls beside a running loop unless DJANGO_ALLOW_ASYNC_UNSAFE
    is set. Package scope stops Playwright and restores the variable when the last browser test
    is done, so neither leaks into the rest of the suite (nor into subprocesses such as
    `manage.py check --deploy`, which warns about the variable). The test database and the live
    server are set up before the loop starts and torn down after it stops.
    """
    if not CHROMIUM.exists():
        missing = f"Debian's Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if browser_required():
            pytest.fail(f"{missing}; the browser tests must run here ({REQUIRED_BECAUSE})", pytrace=False)
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                yield browser
            finally:
                browser.close()


# Links already followed and found to answer, per logged-in session (or none): each is fetched
# once per session, however many pages and tests show it.
_LINKS_OK: set[tuple[str, str]] = set()


class PageFactory:
    """Opens isolated browser contexts (one per user) and collects from all of them: CSP
    violations, and every page rendered (its language, texts and links) for the language and link
    checks of ``language_check``."""

    def __init__(self, browser: Any, base_url: str) -> None:
        self.browser = browser
        self.base_url = base_url
        self.contexts: list[Any] = []
        self.pages: list[Any] = []
        self.violations: list[str] = []
        self.rendered: list[RenderedPage] = []

    def _on_rendered(self, source: dict[str, Any], data: dict[str, Any]) -> None:
        self.rendered.append(
            RenderedPage(data["url"], data["lang"], data["texts"], data["data"], source["context"])
        )

    def untranslated(self) -> list[str]:
        return [str(finding) for finding in findings(self.rendered)]

    def broken_links(self) -> list[str]:
        """Every link on the pages the test saw, as the user who saw them and as those pages are
        now (a link to an invitation that has since been answered is gone from them): none may
        answer 4xx or 5xx."""
        broken: list[str] = []
        for context in self.contexts:
            from playwright.sync_api import Error as PlaywrightError

            try:
                cookies = context.cookies()
            except PlaywrightError:  # the test closed this context itself: nothing left to follow
                continue
            session = next((c["value"] for c in cookies if c["name"] == "sessionid"), "")
            seen = sorted({page.url for page in self.rendered if page.context is context})
            for url in seen:
                response = context.request.get(url, max_redirects=5, fail_on_status_code=False)
                if response.status >= 400 or "html" not in response.headers.get("content-type", ""):
                    continue  # a page that was there when seen (a one-time link, a deleted draft)
                for link in links_in(response.text(), self.base_url + url):
                    if link.startswith(SKIPPED_LINKS) or (session, link) in _LINKS_OK:
                        continue
                    answer = context.request.get(link, max_redirects=5, fail_on_status_code=False)
                    if answer.status >= 400:
                        broken.append(f"{link} answers {answer.status} (shown on {url})")
                    else:
                        _LINKS_OK.add((session, link))
        return broken

    def new(self, language: str = "sv") -> Any:
        context = self.browser.new_context(
            base_url=self.base_url,
            locale={"sv": "sv-SE", "en": "en-GB", "ar": "ar"}.get(language, language),
            viewport={"width": 1100, "height": 900},
        )
        context.set_default_timeout(10_000)
        context.expose_binding("__samverkanCspViolation", lambda source, text: self.violations.append(text))
        context.expose_binding("__samverkanPage", self._on_rendered)
        context.add_init_script(CSP_RECORDER)
        context.add_init_script(COLLECTOR)
        # The language cookie decides the page language, whatever the browser sends.
        context.add_cookies([{"name": "samverkan_language", "value": language, "url": self.base_url}])
        page = context.new_page()
        page.on("console", self._on_console)
        self.contexts.append(context)
        self.pages.append(page)
        return page

    def _on_console(self, message: Any) -> None:
        text = message.text
        if "Refused to" in text or "Content Security Policy" in text:
            self.violations.append(text)

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def pages(browser: Any, live_server: Any) -> Iterator[PageFactory]:
    """Browser pages against the live server. The test fails if any page hit a CSP violation,
    showed English left on a Swedish or Arabic page, or showed a link that answers 4xx/5xx."""
    factory = PageFactory(browser, live_server.url)
    try:
        yield factory
        violations = factory.violations
        assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)
        untranslated = factory.untranslated()
        assert not untranslated, "English left on Swedish or Arabic pages:\n" + "\n".join(untranslated)
        broken = factory.broken_links()
        assert not broken, "links that answer with an error:\n" + "\n".join(broken)
    finally:
        factory.close()


@pytest.fixture
def page(pages: PageFactory) -> Any:
    """One Swedish page (the site's default language) in a fresh context."""
    return pages.new("sv")


@pytest.fixture(autouse=True)
def _migrated_data(request: pytest.FixtureRequest) -> None:
    """Browser tests run against a live server, so their database is flushed after each test, and
    with it what the migrations loaded: the shipped needs taxonomy, which reading pages never
    write back. Load it again, as the first write that needs one would."""
    request.getfixturevalue("transactional_db")
    from samverkan.resettlement import services

    services.taxonomy_current()
