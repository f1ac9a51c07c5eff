"""The language check the browser suite runs on every rendered page: it must catch English (and
Swedish on Arabic pages) left on a page, and leave alone what is meant to be there."""

from __future__ import annotations

from tests.browser.language_check import RenderedPage, english_left, findings, html_left


def test_an_english_sentence_on_a_swedish_page_is_caught() -> None:
    text = "Migrationsverket has not reviewed the description of this session."
    assert english_left(text, "sv")
    assert english_left(text, "ar")


def test_an_untranslated_ui_string_is_caught_even_when_short() -> None:
    """'Log in' is in the catalog and Swedish says 'Logga in': seen as such, it was never translated."""
    assert english_left("Log in", "sv")
    assert english_left("Log in", "ar")
    assert not english_left("Logga in", "sv")


def test_swedish_left_on_an_arabic_page_is_caught_but_belongs_on_a_swedish_one() -> None:
    text = "Fiktiv informationsträff för demo och test."
    assert english_left(text, "ar")
    assert not english_left(text, "sv")


def test_terms_of_art_and_names_the_translation_keeps_are_not_leftovers() -> None:
    arabic = "من خلال IOP (idéburet offentligt partnerskap، أي شراكة عامة مع منظمات المجتمع المدني)"
    assert not english_left(arabic, "ar")
    assert not english_left("Migrationsverket, Malmö stad (fiktiv) och Föreningen Nya Grannar", "sv")


def test_findings_skip_english_pages_and_report_each_text_once() -> None:
    english = RenderedPage("/about/", "en", ["This is what the page says in English."], [])
    swedish = RenderedPage("/x/", "sv", ["This is not what the page should say.", "Om Samverkan"], [])
    again = RenderedPage("/y/", "sv", ["This is not what the page should say."], [])
    found = findings([english, swedish, again])
    assert [(f.url, f.text) for f in found] == [("/x/", "This is not what the page should say.")]


def test_a_persons_own_text_in_a_field_or_isolated_is_data_not_a_leftover() -> None:
    swedish = "Särskilt bidrag kan ges om ett särskilt behov konstateras."
    for html in (
        f"<main><textarea>{swedish}</textarea></main>",
        f'<main><div dir="auto">{swedish}</div></main>',
        f"<main><p><bdi>{swedish}</bdi></p></main>",
    ):
        assert html_left(html, "ar") == [], html
    assert html_left(f"<main><p>{swedish}</p></main>", "ar") == [swedish]
