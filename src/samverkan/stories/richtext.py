"""The stories' rich text: a light markup (Markdown's paragraphs, emphasis, lists, quotes,
sub-headings and links) turned into HTML, then cleaned by an allow-list sanitiser.

Two independent guards against stored script: the Markdown renderer does not pass raw HTML
through (``html=False``), and ``sanitise`` (ammonia, through nh3) keeps only the tags and
attributes below, whatever it is given. Pages carry a Content Security Policy without
'unsafe-inline' as the third guard. Pure: no Django.
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {"p", "br", "strong", "em", "a", "ul", "ol", "li", "blockquote", "h2", "h3"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = {"http", "https", "mailto"}

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).disable(
    ["image", "code", "fence", "html_block", "html_inline", "table"], ignoreInvalid=True
)


def sanitise(html: str) -> str:
    """Keep only the allowed tags, attributes and link schemes; links get rel=noopener etc."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def _shift_headings(source: str) -> str:
    # The page's own <h1> is the title: "# x" in a story becomes a level-2 heading.
    out = []
    for line in source.splitlines():
        stripped = line.lstrip()
        if stripped.startswith("#"):
            hashes = len(stripped) - len(stripped.lstrip("#"))
            if 1 <= hashes <= 6 and stripped[hashes : hashes + 1] in (" ", ""):
                line = "#" * min(hashes + 1, 3) + stripped[hashes:]
        out.append(line)
    return "\n".join(out)


def render(source: str) -> str:
    """The markup as safe HTML."""
    return sanitise(_markdown.render(_shift_headings(source)))


def plain(source: str, limit: int = 300) -> str:
    """The text without markup, cut at a word boundary: for summaries and share metadata."""
    text = " ".join(nh3.clean(render(source), tags=set()).split())
    text = text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut + "…"
