"""The lottery's messages (codes with parameters, ``panels.lottery.messages``) in the reader's language.

The pure lottery never builds a sentence for a page: it names what is wrong with a code and its
parameters, and this module renders them with the catalogs, so a Swedish or Arabic reader reads
their own language (the command line keeps the lottery's English). Every value put into a sentence
is isolated with FSI … PDI (what ``<bdi>`` does in HTML), so a feature's value, a file name or a
number keeps its own direction inside an Arabic sentence; a quota is shown as one unit,
``feature=value``. A failed run stores its messages as dicts and is rendered when read, in the
language of whoever reads it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils import translation
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy, pgettext
from django.utils.translation import gettext as _

from samverkan.panels.lottery.files import InputError
from samverkan.panels.lottery.messages import ENGLISH, Message, english
from samverkan.statistics.cube import in_language

FSI, PDI = "\u2068", "\u2069"

# Codes only the command line meets (its own result file, reading files from disk).
CLI_ONLY = frozenset(
    {
        "file_unreadable",
        "result_dir_missing",
        "result_not_json",
        "result_not_object",
        "result_key",
        "result_algorithm",
        "result_lengths",
    }
)

TEXTS: dict[str, Promise] = {
    "file_utf16": gettext_lazy("the file is saved as UTF-16; save it as UTF-8 (CSV UTF-8)"),
    "file_not_utf8": gettext_lazy(
        "the text is not UTF-8 (byte 0x%(byte)s); save the file as UTF-8 (CSV UTF-8)"
    ),
    "file_nul_byte": gettext_lazy(
        "a NUL byte: this is not a text file (or it is UTF-16 without a byte order mark)"
    ),
    "file_bad_csv": gettext_lazy("not valid CSV (%(detail)s)"),
    "file_empty": gettext_lazy("the file is empty; expected a header row and %(expected)s"),
    "file_no_rows": gettext_lazy("there are no rows after the header; expected %(expected)s"),
    "expect_values": gettext_lazy("one row per value of each feature"),
    "expect_people": gettext_lazy("one row per person in the pool"),
    "file_ragged_row": gettext_lazy("the row has %(cells)s cells but the header has %(width)s"),
    "column_duplicate": gettext_lazy("more than one column for %(column)s (%(found)s)"),
    "column_missing": gettext_lazy("no column for %(column)s: expected a column named %(names)s"),
    "column_role": gettext_lazy("“%(name)s”"),
    "column_quota_feature": gettext_lazy("the feature “%(feature)s” of %(file)s"),
    "column_household": gettext_lazy("the household “%(name)s”"),
    "column_feature": gettext_lazy("the feature “%(name)s”"),
    "number_missing": gettext_lazy("%(column)s has no value"),
    "number_not_whole": gettext_lazy("%(column)s “%(cell)s” is not a whole number"),
    "number_negative": gettext_lazy("%(column)s %(number)s is negative"),
    "flex_pair": gettext_lazy("min_flex and max_flex go together; there is no column %(missing)s"),
    "feature_name_empty": gettext_lazy("the feature has no name"),
    "feature_value_empty": gettext_lazy("an empty value of the feature “%(feature)s”"),
    "feature_value_duplicate": gettext_lazy(
        "the value “%(value)s” of the feature “%(feature)s” is given twice (first on line %(first)s)"
    ),
    "quota_min_above_max_row": gettext_lazy(
        "%(quota)s: the minimum %(min)s is greater than the maximum %(max)s"
    ),
    "flex_min_above_min": gettext_lazy("min_flex (%(flex)s) is greater than min (%(min)s)"),
    "flex_max_below_max": gettext_lazy("max_flex (%(flex)s) is less than max (%(max)s)"),
    "share_row_empty": gettext_lazy("the feature or the value is empty"),
    "share_not_number": gettext_lazy("the share “%(cell)s” is not a number"),
    "share_negative": gettext_lazy("the share “%(cell)s” must be zero or more"),
    "share_duplicate": gettext_lazy("the value “%(value)s” of the feature “%(feature)s” is given twice"),
    "shares_zero": gettext_lazy("the shares of the feature “%(feature)s” add up to zero"),
    "size_below_one": gettext_lazy("the panel size must be at least 1, not %(size)s"),
    "minimums_above_size": gettext_lazy(
        "the minimums of the feature “%(feature)s” add up to %(sum)s, more than the panel size %(size)s"
    ),
    "maximums_below_size": gettext_lazy(
        "the maximums of the feature “%(feature)s” add up to %(sum)s, less than the panel size %(size)s"
    ),
    "id_empty": gettext_lazy("the id is empty (column “%(column)s”)"),
    "id_duplicate": gettext_lazy("the id “%(person)s” is given twice (first on line %(first)s)"),
    "person_value_empty": gettext_lazy("the person “%(person)s” has no value for the feature “%(feature)s”"),
    "person_value_unknown": gettext_lazy(
        "the value “%(value)s” of the feature “%(feature)s” (person “%(person)s”) is not in %(file)s; "
        "allowed: %(allowed)s"
    ),
    "column_feature_and_key": gettext_lazy(
        "the column “%(name)s” cannot be both a feature and the id or household column"
    ),
    "no_feature_columns": gettext_lazy("no feature columns: add at least one column besides the id"),
    "feature_column_empty": gettext_lazy("the feature column “%(name)s” has no values"),
    "pool_below_size": gettext_lazy("the pool has %(people)s people, fewer than the panel size %(size)s"),
    "households_below_size": gettext_lazy(
        "the pool has %(households)s households, fewer than the panel size %(size)s "
        "(at most one person per household can be drawn)"
    ),
    "ids_numbered": gettext_lazy(
        "%(file)s has no id column (named “%(column)s”): its %(count)s people are numbered %(first)s "
        "to %(last)s in file order (%(first)s is the first row after the header)"
    ),
    "person_duplicate": gettext_lazy("the person “%(person)s” appears more than once in the pool"),
    "no_quotas": gettext_lazy("no quotas are set"),
    "quota_negative": gettext_lazy("%(quota)s: the minimum %(min)s is negative"),
    "quota_min_above_max": gettext_lazy("%(quota)s: the minimum %(min)s exceeds the maximum %(max)s"),
    "quota_twice": gettext_lazy("%(quota)s has two quotas"),
    "person_no_features": gettext_lazy("the person “%(person)s” has no features"),
    "person_lacks_feature": gettext_lazy(
        "the person “%(person)s” has no value for the feature “%(feature)s”"
    ),
    "person_value_without_quota": gettext_lazy(
        "the person “%(person)s” has %(quota)s, a value without a quota (values with quotas: %(allowed)s)"
    ),
    "person_no_household": gettext_lazy("the person “%(person)s” has no household"),
    "tolerance_negative": gettext_lazy("the tolerance must not be negative (it is %(tolerance)s)"),
    "feature_no_values": gettext_lazy("the feature “%(feature)s” has no values"),
    "share_invalid": gettext_lazy(
        "the share of %(quota)s must be a number of zero or more (it is %(share)s)"
    ),
    "algorithm_unknown": gettext_lazy("unknown algorithm “%(algorithm)s”; choose one of %(allowed)s"),
    "value_too_few_people": gettext_lazy(
        "%(quota)s needs at least %(min)s, but only %(people)s volunteers have it"
    ),
    "value_too_few_households": gettext_lazy(
        "%(quota)s needs at least %(min)s, but its %(people)s volunteers live in only "
        "%(households)s households"
    ),
    "quotas_conflict": gettext_lazy("these quotas cannot all hold at once: %(bounds)s (panel size %(size)s)"),
    "quotas_conflict_among": gettext_lazy(
        "the conflict lies among these quotas: %(bounds)s (panel size %(size)s)"
    ),
    "bound_min": gettext_lazy("%(quota)s at least %(bound)s"),
    "bound_max": gettext_lazy("%(quota)s at most %(bound)s"),
    "smallest_relaxation": gettext_lazy("the smallest change that makes a panel possible: %(changes)s"),
    "relax_min": gettext_lazy("%(quota)s minimum %(old)s → %(new)s"),
    "relax_max": gettext_lazy("%(quota)s maximum %(old)s → %(new)s"),
    "relax_both": gettext_lazy(
        "%(quota)s minimum %(old_min)s → %(new_min)s, maximum %(old_max)s → %(new_max)s"
    ),
}

# The platform's own reasons for a failed run, stored the same way.
RUN_TEXTS: dict[str, Promise] = {
    "run_timeout": gettext_lazy("The solver did not finish within %(seconds)s seconds."),
    "run_stalled": gettext_lazy("The worker stopped before the selection finished; start a new run."),
    "run_internal": gettext_lazy("An internal error stopped the selection; nothing was drawn."),
}

# Parameters that are positions in a file, never grouped as figures.
_PLAIN_NUMBERS = frozenset({"line", "first", "byte"})


def isolate(text: str) -> str:
    """``text`` kept in its own direction inside a sentence (FSI … PDI, as ``<bdi>`` does)."""
    return f"{FSI}{text}{PDI}"


def _separator() -> str:
    return pgettext("list separator", ", ")


def _value(name: str, value: Any) -> str:
    if isinstance(value, Message):
        return render(value)
    if isinstance(value, Mapping) and "code" in value:
        return render(value)
    if isinstance(value, list | tuple):
        return _separator().join(_value(name, v) for v in value)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int) and name not in _PLAIN_NUMBERS:
        return isolate(number_format(value, use_l10n=True, force_grouping=True))
    return isolate(str(value))


def _parts(msg: Message | Mapping[str, Any]) -> tuple[str, Mapping[str, Any]]:
    if isinstance(msg, Message):
        return msg.code, msg.params
    return str(msg["code"]), msg.get("params", {})


def render(msg: Message | Mapping[str, Any]) -> str:
    """``msg`` (a lottery message, or one stored as a dict) in the active language."""
    code, params = _parts(msg)
    template = TEXTS.get(code) or RUN_TEXTS.get(code)
    if template is None:  # a code of the command line's own: its English
        return english(code, params) if code in ENGLISH else str(code)
    values = {name: _value(name, value) for name, value in params.items()}
    if "feature" in params and "value" in params:
        values["quota"] = isolate(f"{params['feature']}={params['value']}")
    return str(template) % values


def in_english(msg: Message | Mapping[str, Any]) -> str:
    """``msg`` in English for logs and the audit trail: the lottery's own words for its codes."""
    code, params = _parts(msg)
    if code in ENGLISH:
        return english(code, params)
    with translation.override("en"):
        return str(RUN_TEXTS[code]) % {name: str(value) for name, value in params.items()}


def render_input_error(error: InputError, *, name: str | None = None) -> str:
    """A file's problem with where it is: "people.csv, line 5: …" (``name`` replaces the file's)."""
    return _("%(file)s, line %(line)s: %(reason)s") % {
        "file": isolate(name or error.path),
        "line": isolate(str(error.line)),
        "reason": render(error.message),
    }


def render_all(messages: Iterable[Message | Mapping[str, Any]]) -> list[str]:
    return [render(m) for m in messages]


# Where a pool's quotas come from (``Pool.quota_origin``).
ORIGIN_TEXTS: dict[str, Promise] = {
    "hand": gettext_lazy("entered by hand"),
    "features_csv": gettext_lazy("the file %(file)s"),
    "shares_csv": gettext_lazy("the shares in %(file)s (tolerance in seats: %(tolerance)s)"),
    "statistics": gettext_lazy(
        "the statistics dataset %(title)s (%(slug)s, version %(version)s; tolerance in seats: %(tolerance)s)"
    ),
    "statistics_periods": gettext_lazy(
        "the statistics dataset %(title)s (%(slug)s, version %(version)s; periods %(periods)s; "
        "tolerance in seats: %(tolerance)s)"
    ),
    "demo": gettext_lazy("illustrative quotas for the demo, not official statistics"),
}


def render_origin(origin: Mapping[str, Any], fallback: str = "") -> str:
    """Where a pool's quotas come from, in the active language (``fallback``: the stored English
    words of a pool set before origins were recorded)."""
    code = origin.get("code")
    if code not in ORIGIN_TEXTS:
        return fallback
    params = dict(origin.get("params", {}))
    if code == "statistics":
        titles = params.get("title") or {}
        language = get_language() or "sv"
        params["title"] = in_language(language, *(titles.get(lang, "") for lang in ("sv", "en", "ar")))
        if params.get("periods"):
            code = "statistics_periods"
    values = {name: _value(name, value) for name, value in params.items()}
    return str(ORIGIN_TEXTS[code]) % values
