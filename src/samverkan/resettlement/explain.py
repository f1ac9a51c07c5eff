"""The placement's codes in the reader's language: why a case could not be placed, the limits a
placed case reached, what moving a case would break, how good a run's placement is, and what is
wrong in an imported reception or case file.

The optimizer (``optimizer``, pure) and ``selectors.override_warnings`` speak in codes with
parameters (``optimizer.Reason``); this module words them with need and municipality names
(``Names``, read by ``selectors.names_for``). Reasons stored by runs made before the codes existed
are English strings of a fixed form: ``reason_from_stored`` reads them back into codes, so those
runs are worded like new ones.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _

from samverkan.resettlement.models import RunStep
from samverkan.resettlement.optimizer import (
    NO_LARGE_DWELLING,
    NO_SERVICE_PLACES,
    TOO_LITTLE,
    TOO_MANY_PERSONS,
    USED_UP,
    Reason,
)
from samverkan.resettlement.optimizer.capacity import LARGE_DWELLINGS, NEED_SLOTS, PERSONS
from samverkan.resettlement.optimizer.files import InputError

# What moving a case by hand would break (``selectors.override_warnings``).
TIE = "tie"  # municipality: the case is tied to another municipality (relatives there)
NO_RECEPTION = "no_reception"  # municipality, year: it has no reception number for the year
OVER_LIMIT = "over_limit"  # limit, [need], needed, capacity: a limit the move exceeds

SHOWN = 10  # municipalities named in one sentence; the rest are counted


@dataclass(frozen=True)
class Names:
    """What people call the codes: need codes (in the page's language) and kommunkoder."""

    needs: Mapping[str, str] = field(default_factory=dict)
    municipalities: Mapping[str, str] = field(default_factory=dict)

    def need(self, code: object) -> str:
        return self.needs.get(str(code)) or str(code)

    def municipality(self, code: object) -> str:
        return self.municipalities.get(str(code)) or str(code)


def _as_list(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list | tuple) else []


def mentioned(reasons: Iterable[Reason]) -> tuple[set[str], set[str]]:
    """The need codes and the kommunkoder the reasons name (to read their names once)."""
    needs: set[str] = set()
    municipalities: set[str] = set()
    for r in reasons:
        if "need" in r.params:
            needs.add(str(r.params["need"]))
        for key in ("tie", "municipality"):
            if key in r.params:
                municipalities.add(str(r.params[key]))
        municipalities.update(_as_list(r.params.get("municipalities")))
    return needs, municipalities


# --- Reading stored reasons ----------------------------------------------------------------------
_WHERE = r"(?:any municipality|tie municipality (?P<tie>\S+))"
_TOO_MANY = re.compile(rf"capacity_persons: (?P<persons>\d+) persons exceed the reception number of {_WHERE}")
_NO_LARGE = re.compile(
    rf"large_dwellings: a family of (?P<persons>\d+) needs a large dwelling; {_WHERE} has none"
)
_NO_SERVICE = re.compile(rf"need_slots:(?P<need>[A-Z]+): {_WHERE} has no [A-Z]+ service slots for this case")
_LISTED = re.compile(
    r"(?P<family>capacity_persons|large_dwellings|need_slots:(?P<need>[A-Z]+)): "
    r"(?P<what>used up by other cases|too little for this case) in (?P<list>.+)"
)


def _legacy(text: str) -> Reason | None:
    """A reason as runs stored it before codes: ``need_slots:WR: any municipality has no WR
    service slots for this case``, ``capacity_persons: used up by other cases in 2380, 1480``."""
    for pattern, code in (
        (_TOO_MANY, TOO_MANY_PERSONS),
        (_NO_LARGE, NO_LARGE_DWELLING),
        (_NO_SERVICE, NO_SERVICE_PLACES),
    ):
        if (m := pattern.fullmatch(text)) is not None:
            params: dict[str, object] = {
                k: int(v) if k == "persons" else v for k, v in m.groupdict().items() if v
            }
            return Reason(code, params)
    if (m := _LISTED.fullmatch(text)) is None:
        return None
    listed = m["list"]
    params = {
        "limit": NEED_SLOTS
        if m["need"]
        else (PERSONS if m["family"] == "capacity_persons" else LARGE_DWELLINGS),
        "municipalities": [c.strip() for c in listed.removesuffix(" …").split(",") if c.strip()],
    }
    if m["need"]:
        params["need"] = m["need"]
    if listed.endswith(" …"):  # more than ten, not counted
        params["others"] = True
    return Reason(USED_UP if m["what"].startswith("used") else TOO_LITTLE, params)


def reason_from_stored(value: object) -> Reason | None:
    """A reason as a proposal keeps it: a code with its parameters (``Reason.as_json``), or the
    English text of runs made before codes. ``None`` for anything else."""
    if isinstance(value, dict) and isinstance(value.get("code"), str):
        return Reason(str(value["code"]), {k: v for k, v in value.items() if k != "code"})
    if isinstance(value, str):
        return _legacy(value)
    return None


# --- Wording -----------------------------------------------------------------------------------
def _list(codes: list[str], names: Names, others: bool = False) -> str:
    """Municipalities by name, as running text: "Östersund, Göteborg and 3 more"."""
    shown = [names.municipality(c) for c in codes[:SHOWN]]
    rest = len(codes) - len(shown)
    separator = "، " if (get_language() or "")[:2] == "ar" else ", "
    text = separator.join(shown)
    if rest > 0:
        return ngettext("%(list)s and %(n)s more", "%(list)s and %(n)s more", rest) % {
            "list": text,
            "n": rest,
        }
    if others:
        return gettext("%(list)s and others") % {"list": text}
    return text


def reason_text(reason: Reason, names: Names) -> str:
    """One reason in the page's language, with need and municipality names."""
    p = reason.params
    code = reason.code
    persons = p.get("persons", 0)
    count = int(persons) if isinstance(persons, int) else 0
    tie = names.municipality(p["tie"]) if "tie" in p else None
    if code == TOO_MANY_PERSONS:
        if tie:
            return ngettext(
                "The family has %(n)s person, more than the reception number of %(tie)s, where it has "
                "relatives.",
                "The family has %(n)s persons, more than the reception number of %(tie)s, where it has "
                "relatives.",
                count,
            ) % {"n": count, "tie": tie}
        return ngettext(
            "The family has %(n)s person, more than any municipality's reception number.",
            "The family has %(n)s persons, more than any municipality's reception number.",
            count,
        ) % {"n": count}
    if code == NO_LARGE_DWELLING:
        if tie:
            return gettext(
                "A family of %(n)s needs a large dwelling, and %(tie)s, where it has relatives, has none."
            ) % {"n": count, "tie": tie}
        return gettext("A family of %(n)s needs a large dwelling, and no municipality has one.") % {
            "n": count
        }
    if code == NO_SERVICE_PLACES:
        need = names.need(p.get("need"))
        if tie:
            return gettext(
                "%(tie)s, where the family has relatives, has no service places for the need “%(need)s”."
            ) % {
                "tie": tie,
                "need": need,
            }
        return gettext("No municipality has service places for the need “%(need)s”.") % {"need": need}
    if code in (USED_UP, TOO_LITTLE):
        where = _list(_as_list(p.get("municipalities")), names, others=bool(p.get("others")))
        limit = p.get("limit")
        need = names.need(p.get("need"))
        if code == USED_UP:
            if limit == PERSONS:
                return gettext("Other cases have taken the reception number in %(where)s.") % {"where": where}
            if limit == LARGE_DWELLINGS:
                return gettext("Other cases have taken the large dwellings in %(where)s.") % {"where": where}
            return gettext(
                "Other cases have taken the service places for the need “%(need)s” in %(where)s."
            ) % {
                "need": need,
                "where": where,
            }
        if limit == PERSONS:
            return gettext("The reception number is too small for this family in %(where)s.") % {
                "where": where
            }
        if limit == LARGE_DWELLINGS:
            return gettext("There is no large dwelling in %(where)s.") % {"where": where}
        return gettext("There are too few service places for the need “%(need)s” in %(where)s.") % {
            "need": need,
            "where": where,
        }
    if code == TIE:
        return gettext("The case is tied to %(tie)s (relatives there).") % {
            "tie": names.municipality(p.get("municipality"))
        }
    if code == NO_RECEPTION:
        return gettext("%(municipality)s has no reception number for %(year)s.") % {
            "municipality": names.municipality(p.get("municipality")),
            "year": p.get("year"),
        }
    if code == OVER_LIMIT:
        values = {"n": p.get("needed"), "cap": p.get("capacity")}
        if p.get("limit") == PERSONS:
            return gettext("Reception number: %(n)s persons for %(cap)s places.") % values
        if p.get("limit") == LARGE_DWELLINGS:
            return gettext("Large dwellings: %(n)s families of 6 or more for %(cap)s dwellings.") % values
        return gettext("Service places for the need “%(need)s”: %(n)s needed for %(cap)s places.") % {
            **values,
            "need": names.need(p.get("need")),
        }
    return gettext("A limit of the placement stops it.")


def stored_text(value: object, names: Names) -> str:
    """A stored reason or warning in the page's language. A warning stored as text by a move made
    before codes was already worded in its writer's language: it is shown as it is."""
    reason = reason_from_stored(value)
    if reason is not None:
        return reason_text(reason, names)
    return str(value) if isinstance(value, str) else gettext("A limit of the placement stops it.")


def stored_reasons(values: Iterable[object]) -> list[Reason]:
    return [r for r in (reason_from_stored(v) for v in values) if r is not None]


def binding_text(family: str, names: Names) -> str:
    """A limit a placed case reached there (``Proposal.binding``: ``capacity_persons``,
    ``large_dwellings``, ``need_slots:CODE``)."""
    if family.startswith(f"{NEED_SLOTS}:"):
        return gettext("service places for the need “%(need)s”") % {
            "need": names.need(family.split(":", 1)[1])
        }
    if family == "capacity_persons":
        return gettext("reception number")
    if family == LARGE_DWELLINGS:
        return gettext("large dwellings")
    return gettext("another limit")


# --- A run in plain words ------------------------------------------------------------------------
STEP_LABELS = {
    RunStep.LP: _("Working out how good a placement can be"),
    RunStep.FINAL: _("Checking that no placement is better"),
}


def step_label(step: str, fallback: str) -> str:
    """A run's current step for people (the solver's stages named by what they do)."""
    label = STEP_LABELS.get(RunStep(step)) if step in RunStep.values else None
    return str(label) if label is not None else fallback


@dataclass(frozen=True)
class Quality:
    """How good a run's placement is, from the solver's numbers.

    ``objective`` is the total score less a penalty per unplaced case, larger than any change of
    scores, so a placement with one more case is worth at least 1 more; ``bound`` is a proven upper
    bound on it. Hence when ``bound < objective + 1`` no placement places more cases, and among
    those placing as many, none scores more than ``score + bound - objective``. With priorities
    (``optimizer.solver``, "Priority") "more cases" reads lexicographically: no placement places
    more emergency cases, nor as many and more urgent ones, nor as many of both and more normal
    ones; the run page says so when a case has a priority other than normal."""

    more_cases_possible: bool  # the bound does not rule out a placement with more cases
    best: bool  # proven best possible
    share: float | None  # the score as a share of the best possible (0–1), when known

    @property
    def percent(self) -> str:
        """The share as a percentage rounded down to one decimal ("at least")."""
        return "" if self.share is None else f"{math.floor(self.share * 1000) / 10:.1f}"


def quality(*, objective: float | None, bound: float | None, score: float) -> Quality | None:
    if objective is None or bound is None:
        return None
    room = max(bound - objective, 0.0)
    if room >= 1.0 - 1e-9:
        return Quality(more_cases_possible=True, best=False, share=None)
    best = room <= 1e-6 * max(1.0, abs(score))
    share = 1.0 if best else (score / (score + room) if score > 0 else None)
    return Quality(more_cases_possible=False, best=best, share=share)


# --- Problems in an imported file -----------------------------------------------------------------
# ``optimizer.files.REASONS`` in the reader's language (the English is the same).
INPUT_REASONS = {
    "not_utf8": _("not UTF-8"),
    "nul_byte": _("a NUL byte: not a text file"),
    "not_csv": _("not valid CSV: %(error)s"),
    "empty_file": _("empty; expected a header with %(columns)s"),
    "no_column": _("no such column in the header"),
    "cell_count": _("%(cells)s cells but the header has %(header)s"),
    "empty": _("empty"),
    "not_whole_number": _("'%(cell)s' is not a whole number"),
    "negative": _("%(value)s is negative"),
    "below_minimum": _("%(value)s is below %(minimum)s"),
    "too_large": _("%(value)s is too large (at most %(maximum)s)"),
    "not_code_number": _("'%(part)s' is not CODE=number (like SM=3;DS=1)"),
    "unknown_need": _("unknown need code '%(code)s' (known: %(known)s)"),
    "code_twice": _("code '%(code)s' is given twice"),
    "empty_code": _("'%(cell)s' has an empty code (like %(example)s)"),
    "given_twice": _("'%(code)s' is given twice (first on line %(first)s)"),
    "duplicate_case": _("duplicate case '%(case)s' (first on line %(first)s)"),
    "unknown_municipality": _("unknown municipality code '%(code)s'"),
    "unknown_case": _("unknown case '%(case)s'"),
    "not_a_number": _("'%(cell)s' is not a number"),
    "not_finite": _("'%(cell)s' is not a finite number"),
    "pair_twice": _("pair (%(case)s, %(code)s) is given twice (first on line %(first)s)"),
    "cannot_read": _("cannot read: %(error)s"),
    "too_many_lines": _("%(lines)s lines; at most %(maximum)s are read"),
    "no_persons": _("no persons in the file"),
    "no_municipalities": _("no municipalities in the file"),
    "bad_reference": _("'%(reference)s': use at most 40 letters, digits, '.', '_' or '-'"),
    "family_too_large": _("case '%(reference)s' has more than %(maximum)s persons"),
    "implausible_age": _("%(age)s is not a plausible age"),
    "not_a_sex": _("'%(cell)s' is not one of F, M, X"),
    "not_a_priority": _("'%(cell)s' is not one of %(allowed)s"),
    "unknown_need_in_taxonomy": _("unknown need code '%(code)s' in the current taxonomy"),
    "not_a_date": _("'%(cell)s' is not a date like 2027-03-15"),
    "differs": _("'%(value)s' differs from line %(first)s of the same case ('%(current)s')"),
    "too_long": _("longer than %(maximum)s characters"),
    "case_exists": _("case '%(case)s' already exists"),
}
QUOTED = 80  # characters of a cell quoted back


def input_reason_text(exc: InputError) -> str:
    """What is wrong, in the page's language (a quoted cell cut to ``QUOTED`` characters)."""
    template = INPUT_REASONS.get(exc.code)
    if template is None:
        return exc.reason
    params = {k: (v if len(str(v)) <= QUOTED else str(v)[: QUOTED - 1] + "…") for k, v in exc.params.items()}
    return str(template) % params


def input_error_text(exc: InputError) -> str:
    """Where and what is wrong in an imported file, in the page's language."""
    where = {"file": exc.path, "line": exc.line, "field": exc.field, "reason": input_reason_text(exc)}
    if exc.field in ("file", "row"):  # the file or a row as a whole, not one of its columns
        return gettext("%(file)s:%(line)s: %(reason)s") % where
    return gettext("%(file)s:%(line)s: %(field)s: %(reason)s") % where
