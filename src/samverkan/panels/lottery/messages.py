"""What the lottery says to people, as codes with parameters.

The lottery is pure and speaks no language: every refusal or explanation it gives (a bad input
file, an instance it cannot take, quotas no panel can meet) is a :class:`Message`, a code from
:data:`ENGLISH` with its parameters (strings, numbers, lists of them, or nested messages). The
platform renders them in the reader's language (``samverkan.panels.messages``); the command line,
and ``str()`` of the exceptions that carry them, use :meth:`Message.english`.

A parameter that is a list is joined with ", " (``names``: each quoted, joined with " or "); a
nested message (a mapping with ``code`` and ``params``, as :meth:`Message.as_dict` writes it) is
rendered in place. Messages are JSON-safe through :meth:`Message.as_dict`, so a failed run can store
them and be read later in another language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# The English text of every code (``str.format`` templates over the parameters).
ENGLISH: dict[str, str] = {
    # Reading files (lottery.files); ``path`` and ``line`` are the exception's, not the message's.
    "file_utf16": "the file is UTF-16; save it as UTF-8 (CSV UTF-8)",
    "file_not_utf8": "not UTF-8 (byte 0x{byte}); save the file as UTF-8 (CSV UTF-8)",
    "file_nul_byte": "a NUL byte: not a text file (or UTF-16 without a byte order mark)",
    "file_bad_csv": "not valid CSV: {detail}",
    "file_empty": "the file is empty; expected a header row and {expected}",
    "file_no_rows": "no rows after the header; expected {expected}",
    "expect_values": "one row per feature value",
    "expect_people": "one row per person in the pool",
    "file_ragged_row": "the row has {cells} cells but the header has {width}",
    "column_duplicate": "more than one {column} column ({found})",
    "column_missing": "no {column} column: expected a column named {names}",
    "column_role": "{name}",
    "column_quota_feature": "'{feature}' (a feature in {file})",
    "column_household": "household '{name}'",
    "column_feature": "feature '{name}'",
    "number_missing": "no {column} value set",
    "number_not_whole": "{column} '{cell}' is not a whole number",
    "number_negative": "{column} {number} is negative",
    "flex_pair": "min_flex and max_flex go together; there is no {missing} column",
    "feature_name_empty": "empty feature name",
    "feature_value_empty": "empty value in feature '{feature}'",
    "feature_value_duplicate": "duplicate value '{value}' of feature '{feature}' (first on line {first})",
    "quota_min_above_max_row": "min ({min}) is greater than max ({max}) for {feature}/{value}",
    "flex_min_above_min": "min_flex ({flex}) is greater than min ({min})",
    "flex_max_below_max": "max_flex ({flex}) is less than max ({max})",
    "share_row_empty": "empty feature or value",
    "share_not_number": "share '{cell}' is not a number",
    "share_negative": "share '{cell}' must be a non-negative number",
    "share_duplicate": "duplicate value '{value}' of feature '{feature}'",
    "shares_zero": "the shares of feature '{feature}' add up to zero",
    "size_below_one": "the panel size must be at least 1, not {size}",
    "minimums_above_size": (
        "the minimums of feature '{feature}' add up to {sum}, more than the panel size {size}"
    ),
    "maximums_below_size": (
        "the maximums of feature '{feature}' add up to {sum}, less than the panel size {size}"
    ),
    "id_empty": "empty id (column '{column}')",
    "id_duplicate": "duplicate id '{person}' (first on line {first})",
    "person_value_empty": "empty value for feature '{feature}' (person '{person}')",
    "person_value_unknown": (
        "value '{value}' of feature '{feature}' is not in {file} (person '{person}'; allowed: {allowed})"
    ),
    "column_feature_and_key": "column '{name}' cannot be both a feature and the id or household",
    "no_feature_columns": "no feature columns: add at least one column besides the id",
    "feature_column_empty": "feature column '{name}' has no values",
    "pool_below_size": "the pool has {people} people, fewer than the panel size {size}",
    "households_below_size": (
        "the pool has {households} households, fewer than the panel size {size} "
        "(at most one person per household can be drawn)"
    ),
    # Not a refusal: what the reader decided and tells the user (PeopleTable.notes).
    "ids_numbered": (
        "{file} has no id column (named '{column}'): its {count} people are numbered {first} to {last} "
        "in file order ({first} is the first row after the header)"
    ),
    # An instance the lottery refuses (model.validate, quotas.quotas_from_shares, draw).
    "person_duplicate": "Person '{person}' appears more than once in the pool.",
    "no_quotas": "No quotas given.",
    "quota_negative": "Quota {feature}={value}: min {min} is negative.",
    "quota_min_above_max": "Quota {feature}={value}: min {min} exceeds max {max}.",
    "quota_twice": "Quota {feature}={value} is given twice.",
    "person_no_features": "Person '{person}' has no features.",
    "person_lacks_feature": "Person '{person}' lacks feature '{feature}'.",
    "person_value_without_quota": (
        "Person '{person}' has {feature}='{value}', a value without a quota (quota'd values: {allowed})."
    ),
    "person_no_household": "Person '{person}' has no household key.",
    "tolerance_negative": "Tolerance must not be negative (got {tolerance}).",
    "feature_no_values": "Feature '{feature}' has no values.",
    "share_invalid": "Share of {feature}={value} must be a non-negative number (got {share}).",
    "algorithm_unknown": "Unknown algorithm '{algorithm}'; choose one of {allowed}.",
    # Why no panel meets the quotas (feasibility.explain_infeasible).
    "value_too_few_people": "{feature}={value} needs at least {min} but only {people} volunteers have it",
    "value_too_few_households": (
        "{feature}={value} needs at least {min} but its {people} volunteers live in only "
        "{households} households"
    ),
    "quotas_conflict": "these quotas cannot all hold at once: {bounds} (panel size {size})",
    "quotas_conflict_among": "the conflict lies among these quotas: {bounds} (panel size {size})",
    "bound_min": "{feature}={value} min {bound}",
    "bound_max": "{feature}={value} max {bound}",
    "smallest_relaxation": "smallest relaxation: {changes}",
    "relax_min": "{feature}={value} min {old}→{new}",
    "relax_max": "{feature}={value} max {old}→{new}",
    "relax_both": "{feature}={value} min {old_min}→{new_min} max {old_max}→{new_max}",
    # The command line's own files (cli.py).
    "file_unreadable": "cannot read the file: {detail}",
    "result_dir_missing": "cannot write the result: no directory '{directory}'",
    "result_not_json": "not a result file: {detail}",
    "result_not_object": "not a result file: expected a JSON object",
    "result_key": "not a result file: '{key}' is missing or of the wrong type",
    "result_algorithm": "unknown algorithm '{algorithm}'",
    "result_lengths": "'panels' and 'weights' differ in length",
}


@dataclass(frozen=True)
class Message:
    """A code of :data:`ENGLISH` with its parameters."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def english(self) -> str:
        return english(self.code, self.params)

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe: ``{"code": ..., "params": {...}}`` with nested messages as dicts too."""
        return {"code": self.code, "params": {k: _plain(v) for k, v in self.params.items()}}

    def __str__(self) -> str:
        return self.english()


def message(code: str, **params: Any) -> Message:
    if code not in ENGLISH:
        raise KeyError(f"unknown lottery message code {code!r}")
    return Message(code, params)


def _plain(value: Any) -> Any:
    if isinstance(value, Message):
        return value.as_dict()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def is_message(value: Any) -> bool:
    """Whether ``value`` is a message, or a message as :meth:`Message.as_dict` writes it."""
    return isinstance(value, Message) or (isinstance(value, Mapping) and "code" in value)


def english(code: str, params: Mapping[str, Any]) -> str:
    """The English text of ``code`` with ``params`` (see the module docstring)."""
    return ENGLISH[code].format(**{name: _english_value(name, value) for name, value in params.items()})


def _english_value(name: str, value: Any) -> Any:
    if isinstance(value, Message):
        return value.english()
    if isinstance(value, Mapping) and "code" in value:
        return english(value["code"], value.get("params", {}))
    if isinstance(value, list | tuple):
        if name == "names":
            return " or ".join(f"'{v}'" for v in value)
        return ", ".join(str(_english_value("", v)) for v in value)
    return value


class LotteryInputError(ValueError):
    """An input the lottery refuses; ``message`` says why (``str()`` is its English text)."""

    def __init__(self, code: str, **params: Any) -> None:
        self.message = message(code, **params)
        super().__init__(self.message.english())
