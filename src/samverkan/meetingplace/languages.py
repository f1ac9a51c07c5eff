"""The languages sessions are held and interpreted in, and participants prefer: the codes stored,
and the names people see.

People see a language by its name in the page's language ("tigrinska", "التغرينية"), never by
its code ("ti"); where they choose their own language, its own name comes first, so that a
Tigrinya speaker on a Swedish page finds "ትግርኛ". A code outside this table (an organiser may
enter any) is shown as it is rather than hidden.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import get_language, pgettext_lazy

# code -> (the language's own name, its name in the page's language)
LANGUAGES: dict[str, tuple[str, Promise]] = {
    "sv": ("svenska", pgettext_lazy("language name", "Swedish")),
    "en": ("English", pgettext_lazy("language name", "English")),
    "ar": ("العربية", pgettext_lazy("language name", "Arabic")),
    "fa": ("فارسی", pgettext_lazy("language name", "Persian")),
    "prs": ("دری", pgettext_lazy("language name", "Dari")),
    "ps": ("پښتو", pgettext_lazy("language name", "Pashto")),
    "ti": ("ትግርኛ", pgettext_lazy("language name", "Tigrinya")),
    "am": ("አማርኛ", pgettext_lazy("language name", "Amharic")),
    "so": ("Soomaali", pgettext_lazy("language name", "Somali")),
    "ku": ("Kurdî", pgettext_lazy("language name", "Kurdish")),
    "tr": ("Türkçe", pgettext_lazy("language name", "Turkish")),
    "uk": ("українська", pgettext_lazy("language name", "Ukrainian")),
    "ru": ("русский", pgettext_lazy("language name", "Russian")),
    "fr": ("français", pgettext_lazy("language name", "French")),
    "es": ("español", pgettext_lazy("language name", "Spanish")),
}


def language_name(code: str) -> str:
    """The language's name in the page's language, or the code itself if it is not in the table."""
    known = LANGUAGES.get(code)
    return str(known[1]) if known else code


def language_names(codes: list[str] | tuple[str, ...]) -> str:
    """Several languages by name, as the page's language lists them."""
    separator = "، " if (get_language() or "")[:2] == "ar" else ", "
    return separator.join(language_name(code) for code in codes)


def language_choice_label(code: str) -> str:
    """How a person recognises their own language in a list: its own name, then the page's name
    for it when that differs ("ትግርኛ (tigrinska)")."""
    own, name_lazy = LANGUAGES[code]
    name = str(name_lazy)
    return own if own.casefold() == name.casefold() else f"{own} ({name})"


def language_choices(blank: str) -> list[tuple[str, str]]:
    """The choices of a language field, in the page's language, after ``blank`` (the empty choice)."""
    return [("", blank), *((code, language_choice_label(code)) for code in LANGUAGES)]
