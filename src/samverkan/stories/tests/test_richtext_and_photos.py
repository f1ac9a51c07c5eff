"""The story text's markup and sanitiser, and photo cleaning (pure code, no database)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from samverkan.stories.photos import MAX_SIDE, PhotoError, clean_photo
from samverkan.stories.richtext import plain, render, sanitise

ATTACKS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">x</a>',
    '<svg onload="alert(1)"></svg>',
    '<iframe src="https://example.invalid"></iframe>',
    '<p style="background:url(javascript:alert(1))" onclick="alert(1)">x</p>',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    "<object data=x></object><embed src=x>",
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_the_sanitiser_removes_script_handlers_and_dangerous_links(attack):
    cleaned = sanitise(attack)
    lowered = cleaned.lower()
    for bad in (
        "<script",
        "onerror",
        "onload",
        "onclick",
        "javascript:",
        "<iframe",
        "<svg",
        "style=",
        "data:",
        "<object",
    ):
        assert bad not in lowered, (attack, cleaned)


@pytest.mark.parametrize("attack", ATTACKS)
def test_markup_in_a_story_is_shown_as_text_never_as_html(attack):
    html = render(f"Min berättelse.\n\n{attack}")
    assert "<script" not in html and "<img" not in html and "<iframe" not in html and "<svg" not in html
    assert '<a href="javascript' not in html and '<a href="data' not in html


def test_a_markup_link_to_script_is_not_a_link():
    html = render("[klicka](javascript:alert(1)) [data](data:text/html;base64,PHNjcmlwdD4=)")
    assert "<a " not in html


def test_the_light_markup_keeps_paragraphs_emphasis_lists_quotes_and_safe_links():
    html = render(
        "# Rubrik\n\nEtt **viktigt** och *lugnt* stycke.\n\n- ett\n- två\n\n> citat\n\n[SCB](https://www.scb.se)"
    )
    assert "<h2>Rubrik</h2>" in html  # the page's own h1 is the title
    assert "<strong>viktigt</strong>" in html and "<em>lugnt</em>" in html
    assert "<li>två</li>" in html and "<blockquote>" in html
    assert '<a href="https://www.scb.se" rel="noopener noreferrer nofollow">SCB</a>' in html


def test_plain_text_summaries_cut_at_a_word():
    assert plain("Ett **två** tre") == "Ett två tre"
    summary = plain("ord " * 200, 30)
    assert summary.endswith("…") and len(summary) <= 31 and "or…" not in summary


def _jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (3000, 2000), (200, 100, 50))
    exif = Image.Exif()
    exif[0x010F] = "Fiktiv kameratillverkare"  # Make
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to view
    exif[0x8825] = {1: "N", 2: (59.0, 19.0, 44.0)}  # GPSInfo (latitude)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_a_photo_loses_its_metadata_is_turned_upright_and_scaled_down():
    original = _jpeg_with_exif()
    assert b"Fiktiv kameratillverkare" in original
    cleaned = clean_photo(original)
    assert b"Fiktiv kameratillverkare" not in cleaned and b"Exif" not in cleaned
    with Image.open(io.BytesIO(cleaned)) as image:
        assert image.format == "JPEG"
        assert not image.getexif()
        width, height = image.size
        assert height == MAX_SIDE and abs(width - MAX_SIDE * 2000 / 3000) <= 1  # portrait: turned upright


@pytest.mark.parametrize("data", [b"", b"not an image", b"GIF89a" + b"\x00" * 20, b"%PDF-1.7\n"])
def test_anything_but_a_jpeg_png_or_webp_image_is_refused(data):
    with pytest.raises(PhotoError):
        clean_photo(data)
