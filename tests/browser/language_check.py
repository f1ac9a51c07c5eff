"""Every page the browser tests render in Swedish or Arabic is checked for English left on it, and
every link the pages they saw show is followed: a user must find no untranslated string and no
4xx/5xx link.

The browser side (``COLLECTOR``, an init script in every test context) reports, after each page
load and each htmx swap, the page's address and language, its texts grouped by block (headings, paragraphs,
cells, labels, buttons, options …), the texts people never see but screen readers read
(``aria-label``, ``title``, ``alt``, ``placeholder``, SVG ``<title>``/``<desc>``), and apart
from them the data the page shows (text inside ``<bdi>`` or an element with ``dir="auto"``, the
ways names, titles and texts of unknown language are inserted here; what a form field holds; and
the document title).
Content that is in another language on purpose is marked as such in the HTML, as it should be for
screen readers: an element with a ``lang`` other than the page's (a story in English, the language
menu's own names) or ``translate="no"`` (codes, e-mail addresses) is not checked.

``english_left`` decides, in plain Python, whether a text is English left on a page (data is
only checked for catalog msgids: an agreement's Swedish title on an Arabic page is its name):
* it contains a msgid of the catalog (two words or more) that the page's language translates to
  something else: a string that was never passed through gettext, or whose translation was lost;
* or it reads as English: three or more different English function words in one block.
Arabic pages are also checked for Swedish left on them (units such as "personer", notes).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

COLLECTOR = r"""
(() => {
  const BLOCKS = 'p,li,td,th,dt,dd,h1,h2,h3,h4,h5,h6,label,legend,button,caption,figcaption,summary,'
    + 'option,title,div,a,span.govuk-tag,span.govuk-hint,strong.govuk-tag';
  const ATTRS = ['aria-label', 'title', 'alt', 'placeholder', 'aria-description', 'aria-roledescription'];
  function skipped(element, lang) {
    if (!element) return true;
    if (element.closest('script,style,template,noscript,[translate=no]')) return true;
    const marked = element.closest('[lang]');
    return marked !== null && marked.getAttribute('lang').split('-')[0] !== lang;
  }
  function report() {
    const lang = (document.documentElement.getAttribute('lang') || '').split('-')[0];
    const groups = new Map();
    const data = [document.title];
    const walker = document.createTreeWalker(document.body || document.documentElement, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (!node.nodeValue.trim() || skipped(parent, lang)) continue;
      if (parent.closest('bdi,textarea,[dir=auto]')) { data.push(node.nodeValue.trim()); continue; }
      const block = parent.closest(BLOCKS) || parent;
      groups.set(block, (groups.get(block) || '') + node.nodeValue);
    }
    const texts = [];
    for (const text of groups.values()) texts.push(text.replace(/\s+/g, ' ').trim());
    for (const element of document.querySelectorAll('*')) {
      if (skipped(element, lang)) continue;
      for (const name of ATTRS) {
        const value = element.getAttribute(name);
        if (value && value.trim()) texts.push(value.trim());
      }
    }
    window.__samverkanPage({url: location.pathname + location.search, lang, texts, data});
  }
  addEventListener('load', report);
  document.addEventListener('htmx:afterSettle', report);
})();
"""

# Words that carry no content and occur in nearly every English sentence, but (almost) never in
# Swedish or Arabic UI text. "and", "is", "for" and "be" are also Swedish words, so left out.
ENGLISH = frozenset(
    re.findall(
        r"\S+",
        "the of with has have had been this that these those your you which would should not are was "
        "were will from there their they can cannot what when who here into only than our its it's "
        "does did shown show please",
    )
)
SWEDISH = frozenset(
    re.findall(
        r"\S+",
        "och att är för inte som med har det den till på av om eller kan ska finns personer vi ni också sig",
    )
)
WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


@dataclass
class Finding:
    url: str
    lang: str
    text: str
    why: str

    def __str__(self) -> str:
        return f"{self.url} [{self.lang}] {self.why}: {self.text[:160]!r}"


@dataclass
class RenderedPage:
    url: str
    lang: str
    texts: list[str]
    data: list[str] = field(default_factory=list)
    context: object = field(repr=False, default=None)


@cache
def translated_msgids(language: str) -> tuple[str, ...]:
    """The catalog's msgids (two words or more, placeholders cut out) that ``language`` shows as
    something else: each must never appear as such on a page in that language."""
    from django.utils import translation

    catalog = translation.trans_real.translation(language)._catalog  # type: ignore[attr-defined]
    # A term some translation keeps as it is (a Swedish term of art, a name) is no leftover.
    kept = "\n".join(v if isinstance(v, str) else " ".join(v) for _, v in catalog.items())
    found: set[str] = set()
    for key, value in catalog.items():
        msgid = key[0] if isinstance(key, tuple) else key
        if not isinstance(msgid, str) or "\x04" in msgid or not value or value == msgid:
            continue
        for fragment in re.split(r"%\(\w+\)[sd]|%[sd]|\{[^}]*\}|<[^>]+>|[“”\"]", msgid):
            fragment = fragment.strip(" .,:;–-()")
            if len(WORD.findall(fragment)) >= 2 and len(fragment) >= 6 and fragment not in kept:
                found.add(fragment)
    return tuple(sorted(found, key=len, reverse=True))


def english_left(text: str, language: str, *, data: bool = False) -> str | None:
    """Why ``text`` on a page in ``language`` is English (or Swedish on Arabic) left, or None.
    ``data`` (a name, a title, a value the page shows): only a catalog msgid in it is a leftover."""
    words = set() if data else {w.lower() for w in WORD.findall(text)}
    english = sorted(words & ENGLISH)
    if len(english) >= 3:
        return f"English words {', '.join(english)}"
    if language == "ar":
        swedish = sorted(words & SWEDISH)
        if len(swedish) >= 2:
            return f"Swedish words {', '.join(swedish)}"
    for msgid in translated_msgids(language):
        start = text.find(msgid)
        if start >= 0:
            end = start + len(msgid)
            before = text[start - 1] if start else " "
            after = text[end] if end < len(text) else " "
            if not before.isalnum() and not after.isalnum():
                return f"untranslated msgid {msgid!r}"
    return None


def findings(rendered: Iterable[RenderedPage]) -> list[Finding]:
    out: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    for page in rendered:
        if page.lang not in ("sv", "ar"):
            continue
        for text, data in [(t, False) for t in page.texts] + [(t, True) for t in page.data]:
            if (page.lang, text) in seen:
                continue
            seen.add((page.lang, text))
            why = english_left(text, page.lang, data=data)
            if why:
                out.append(Finding(page.url, page.lang, text, why))
    return out


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def links_in(html: str, base: str) -> list[str]:
    """The same-site links of a page (path and query, without the fragment)."""
    parser = _Links()
    parser.feed(html)
    out = []
    origin = urlsplit(base)
    for href in parser.hrefs:
        url = urlsplit(urljoin(base, href))
        if (url.scheme, url.netloc) == (origin.scheme, origin.netloc):
            out.append(url.path + (f"?{url.query}" if url.query else ""))
    return out


BLOCK_TAGS = frozenset(
    [
        "p",
        "li",
        "td",
        "th",
        "dt",
        "dd",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "label",
        "legend",
        "button",
        "caption",
        "figcaption",
        "summary",
        "option",
        "title",
        "div",
        "a",
    ]
)
SKIPPED_TAGS = frozenset({"script", "style", "code", "pre", "template", "svg", "noscript"})
VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
)
READ_ATTRIBUTES = ("aria-label", "title", "alt", "placeholder", "aria-description")


class _Texts(HTMLParser):
    """What ``COLLECTOR`` reports, read from HTML without a browser (the <main> of a page a test
    client rendered): texts grouped by block, screen-reader attributes, and data in <bdi>."""

    def __init__(self, language: str) -> None:
        super().__init__(convert_charrefs=True)
        self.language = language
        self.stack: list[tuple[str, bool, bool]] = []  # (tag, skipped, inside <bdi>)
        self.main = 0
        self.texts: list[str] = []
        self.data: list[str] = []
        self.current: list[str] = []

    def _flush(self) -> None:
        text = " ".join("".join(self.current).split())
        if text:
            self.texts.append(text)
        self.current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        skipped, in_bdi = self.stack[-1][1:] if self.stack else (False, False)
        lang = values.get("lang")
        skipped = (
            skipped
            or tag in SKIPPED_TAGS
            or values.get("translate") == "no"
            or (lang is not None and lang.split("-")[0] != self.language)
        )
        if tag == "main":
            self.main += 1
        if tag in BLOCK_TAGS:
            self._flush()
        if self.main and not skipped:
            self.texts.extend(v.strip() for name in READ_ATTRIBUTES if (v := values.get(name)) and v.strip())
        if tag not in VOID_TAGS:
            data = tag in ("bdi", "textarea") or values.get("dir") == "auto"
            self.stack.append((tag, skipped, in_bdi or data))

    def handle_endtag(self, tag: str) -> None:
        if tag in BLOCK_TAGS:
            self._flush()
        if tag == "main":
            self.main -= 1
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data: str) -> None:
        skipped, in_bdi = self.stack[-1][1:] if self.stack else (False, False)
        if not self.main or skipped or not data.strip():
            return
        if in_bdi:
            self.data.append(" ".join(data.split()))
        else:
            self.current.append(data)


def html_left(html: str, language: str) -> list[str]:
    """The texts of a rendered page's <main> that are English (or Swedish on Arabic) left, by the
    same rule as the browser check: for pages tests render without a browser."""
    reader = _Texts(language)
    reader.feed(html)
    reader._flush()
    page = RenderedPage("", language, reader.texts, reader.data)
    return [finding.text for finding in findings([page])]
