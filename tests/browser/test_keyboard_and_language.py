"""The skip link, visible focus and the language switch in the header, in a real browser."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.support import t

pytestmark = pytest.mark.browser

FOCUS_YELLOW = "rgb(255, 221, 0)"


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(page: Any) -> None:
    page.goto("/about/")
    skip = page.get_by_role("link", name=t("Skip to main content"))
    expect(skip).not_to_be_in_viewport()  # visually hidden until focused

    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    assert skip.evaluate("el => getComputedStyle(el).backgroundColor") == FOCUS_YELLOW

    page.keyboard.press("Enter")
    expect(page.locator("main#main-content")).to_be_focused()
    assert page.url.endswith("#main-content")

    # The next Tab continues after the main landmark's start, never back in the header.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('header') === null")
    assert page.evaluate(
        "document.getElementById('main-content').compareDocumentPosition(document.activeElement)"
        " & Node.DOCUMENT_POSITION_FOLLOWING"
    )


def test_header_links_show_a_visible_focus_indicator(page: Any) -> None:
    page.goto("/")
    brand = page.get_by_role("banner").get_by_role("link", name="Samverkan", exact=True)
    before = brand.evaluate("el => getComputedStyle(el).backgroundColor")
    brand.focus()
    after = brand.evaluate("el => getComputedStyle(el).backgroundColor")
    assert before != after
    assert after == FOCUS_YELLOW


def test_language_switch_changes_language_and_direction(page: Any) -> None:
    page.goto("/about/")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "sv")
    expect(html).to_have_attribute("dir", "ltr")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("About Samverkan", "sv"))
    assert t("About Samverkan", "sv") == "Om Samverkan", "the Swedish catalog is not compiled (make setup)"

    banner = page.get_by_role("banner")
    banner.get_by_label(t("Language", "sv")).select_option(label="English")
    banner.get_by_role("button", name=t("Change language", "sv")).click()
    expect(html).to_have_attribute("lang", "en")
    expect(html).to_have_attribute("dir", "ltr")
    expect(page).to_have_url(re.compile(r"/about/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("About Samverkan")

    select = banner.get_by_label("Language")
    arabic = select.locator("option[value=ar]")
    expect(arabic).to_have_text(re.compile("العربي"))
    select.select_option(value="ar")
    banner.get_by_role("button", name="Change language").click()
    expect(html).to_have_attribute("lang", "ar")
    expect(html).to_have_attribute("dir", "rtl")
    expect(page).to_have_url(re.compile(r"/about/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(t("About Samverkan", "ar"))
    assert t("About Samverkan", "ar") != "About Samverkan", "the Arabic catalog is not compiled"

    # The header mirrors: the brand sits on the right in Arabic.
    brand = banner.get_by_role("link", name="Samverkan", exact=True).bounding_box()
    tools = banner.get_by_label(t("Language", "ar")).bounding_box()
    assert brand is not None and tools is not None
    assert brand["x"] > tools["x"]

    # And back to Swedish, the default.
    banner.get_by_label(t("Language", "ar")).select_option(value="sv")
    banner.get_by_role("button", name=t("Change language", "ar")).click()
    expect(html).to_have_attribute("lang", "sv")
    expect(html).to_have_attribute("dir", "ltr")
