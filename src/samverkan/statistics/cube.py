"""A statistical table as a dense cube: named dimensions with coded categories, and one value per
combination of categories (the PC-Axis / JSON-stat model). Pure: NumPy, no Django.

Values are float64 in C order over the dimensions as listed; a missing value is NaN, and the
symbol the source used for it ("..", ".", "...", ":") is kept in ``status`` under the cell's flat
index. A true zero (PC-Axis "-") is 0.0 with no status.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

# Roles a dimension can play; "" is an ordinary classifying dimension (sex, ground, ...).
TIME = "time"
GEO = "geo"
CONTENTS = "contents"
ROLES = ("", TIME, GEO, CONTENTS)


class CubeError(ValueError):
    """The parts given do not make a consistent cube."""


# Texts in languages other than Swedish, English and Arabic: (language code, text) pairs in the
# order the source lists its languages (its main language first).
OtherTexts = tuple[tuple[str, str], ...]

# The languages with a field of their own (label_sv, label_en, label_ar; title_*).
OWN_LANGUAGES = ("sv", "en", "ar")


def language_code(text: str | None) -> str:
    """A language code as stored: lower case, "-" between its parts ("sv", "en", "fi", "pt-br")."""
    return (text or "").strip().lower().replace("_", "-")


def _base(code: str) -> str:
    return code.split("-", 1)[0]


def texts_by_language(sv: str, en: str, ar: str = "", others: OtherTexts = ()) -> dict[str, str]:
    """Every text given, by language code: Swedish, English, Arabic, then the others in order."""
    texts = {"sv": sv, "en": en, "ar": ar}
    for code, text in others:
        texts.setdefault(code, text)
    return {code: text for code, text in texts.items() if text}


def split_languages(
    texts: Mapping[str, str], prefix: str = "label", others: str = "labels"
) -> dict[str, object]:
    """Field values for texts by language: ``{prefix}_sv``/``_en``/``_ar`` for those three
    languages (by their base code: "en-GB" is English), the rest as ``others`` pairs in the
    order given. Empty texts are left out."""
    fields: dict[str, object] = {f"{prefix}_{code}": "" for code in OWN_LANGUAGES}
    rest: list[tuple[str, str]] = []
    for raw, text in texts.items():
        code = language_code(raw)
        if not text:
            continue
        own = _base(code)
        if own in OWN_LANGUAGES and not fields[f"{prefix}_{own}"]:
            fields[f"{prefix}_{own}"] = text
        elif own not in OWN_LANGUAGES and code not in dict(rest):
            rest.append((code, text))
    fields[others] = tuple(rest)
    return fields


def in_language(
    language: str, sv: str, en: str, ar: str = "", others: OtherTexts = (), main: str = ""
) -> str:
    """The text in ``language`` where there is one, else the Swedish, else the one in the
    source's main language ``main``, else the first there is (the other languages in the
    source's order, whose main language comes first, then English, then Arabic). Empty when
    none is given."""
    wanted = language_code(language)
    texts = texts_by_language(sv, en, ar, others)
    if not texts:
        return ""
    for code in (wanted, _base(wanted), "sv", language_code(main), _base(language_code(main))):
        if code and texts.get(code):
            return texts[code]
    for _code, text in others:
        if text:
            return text
    return en or ar


class _Texts:
    """What labelled parts share: their texts by language."""

    def _texts(self) -> tuple[str, str, str, OtherTexts]:  # pragma: no cover - overridden
        raise NotImplementedError

    def texts(self) -> dict[str, str]:
        """Every text this part has, by language code (Swedish, English, Arabic, then the others)."""
        return texts_by_language(*self._texts())

    def in_language(self, language: str, main: str = "") -> str:
        """The text for a reader of ``language`` (see :func:`in_language`); "" when there is none."""
        return in_language(language, *self._texts(), main=main)


@dataclass(frozen=True)
class Category(_Texts):
    code: str
    label_sv: str = ""
    label_en: str = ""
    label_ar: str = ""
    # The label in every other language the source carries: (language code, text).
    labels: OtherTexts = ()

    def _texts(self) -> tuple[str, str, str, OtherTexts]:
        return self.label_sv, self.label_en, self.label_ar, self.labels

    def label(self, language: str = "sv", main: str = "") -> str:
        """The label for a reader of ``language``: that language, else Swedish, else the
        source's main language, else any; the code when there is no label at all."""
        return self.in_language(language, main) or self.code


@dataclass(frozen=True)
class Dimension(_Texts):
    code: str
    label_sv: str = ""
    label_en: str = ""
    categories: tuple[Category, ...] = ()
    role: str = ""
    # The category that already holds the total over this dimension (PC-Axis ELIMINATION,
    # e.g. SCB's "1+2" for both sexes); "" when the total must be summed.
    total: str = ""
    label_ar: str = ""
    # The name in every other language the source carries: (language code, text).
    labels: OtherTexts = ()

    def _texts(self) -> tuple[str, str, str, OtherTexts]:
        return self.label_sv, self.label_en, self.label_ar, self.labels

    def label(self, language: str = "sv", main: str = "") -> str:
        """The name for a reader of ``language`` (as :meth:`Category.label`)."""
        return self.in_language(language, main) or self.code

    def languages(self) -> set[str]:
        """Every language the dimension or one of its categories has a text in."""
        found = set(self.texts())
        for category in self.categories:
            found.update(category.texts())
        return found

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.categories)

    def position(self, code: str) -> int:
        for i, category in enumerate(self.categories):
            if category.code == code:
                return i
        raise KeyError(code)


@dataclass(frozen=True)
class TableMeta(_Texts):
    """What a source says about its table. Empty strings where the source is silent."""

    table_id: str = ""
    title_sv: str = ""
    title_en: str = ""
    source: str = ""
    unit: str = ""
    licence: str = ""
    updated: str = ""
    notes: str = ""
    title_ar: str = ""
    # What the figures are (PC-Axis CONTENTS, e.g. "Population", "Employment rate, %") and, for
    # a table with a contents dimension, the unit of each of its categories (UNITS("content")):
    # both are read by ``measure_kind`` to tell whether the figures may be added up.
    contents: str = ""
    content_units: tuple[tuple[str, str], ...] = ()
    # The title in every other language the source carries, and the source's main language
    # (PC-Axis LANGUAGE), which labels fall back to after Swedish.
    titles: OtherTexts = ()
    language: str = ""

    def _texts(self) -> tuple[str, str, str, OtherTexts]:
        return self.title_sv, self.title_en, self.title_ar, self.titles

    def title(self, language: str = "sv") -> str:
        return self.in_language(language, self.language) or self.table_id


@dataclass(frozen=True)
class Cube:
    dimensions: tuple[Dimension, ...]
    values: np.ndarray
    status: Mapping[int, str] = field(default_factory=dict)
    meta: TableMeta = field(default_factory=TableMeta)

    def __post_init__(self) -> None:
        if not self.dimensions:
            raise CubeError("A table needs at least one dimension.")
        codes = [d.code for d in self.dimensions]
        if len(set(codes)) != len(codes):
            raise CubeError(f"Dimension codes repeat: {codes}.")
        for dim in self.dimensions:
            if not dim.categories:
                raise CubeError(f"Dimension “{dim.code}” has no categories.")
            if len(set(dim.codes)) != len(dim.codes):
                raise CubeError(f"Dimension “{dim.code}” lists a category code twice.")
            if dim.role not in ROLES:
                raise CubeError(f"Dimension “{dim.code}” has an unknown role “{dim.role}”.")
            if dim.total and dim.total not in dim.codes:
                raise CubeError(
                    f"Dimension “{dim.code}” names a total category “{dim.total}” it does not have."
                )
        shape = tuple(len(d.categories) for d in self.dimensions)
        values = np.asarray(self.values, dtype=np.float64)
        if values.shape != shape:
            if values.size != int(np.prod(shape)):
                raise CubeError(f"{values.size} values for a table of {int(np.prod(shape))} cells.")
            values = values.reshape(shape)
        object.__setattr__(self, "values", values)
        for index in self.status:
            if not 0 <= index < values.size:
                raise CubeError(f"A status refers to cell {index}, outside the table.")

    # --- shape ----------------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(len(d.categories) for d in self.dimensions)

    @property
    def size(self) -> int:
        return int(self.values.size)

    def dimension(self, code: str) -> Dimension:
        for dim in self.dimensions:
            if dim.code == code:
                return dim
        raise KeyError(code)

    def axis(self, code: str) -> int:
        for i, dim in enumerate(self.dimensions):
            if dim.code == code:
                return i
        raise KeyError(code)

    # --- identity -------------------------------------------------------------------------
    def content_sha256(self) -> str:
        """A digest of everything the table says: the same table version gives the same digest,
        whatever file format it arrived in."""
        digest = hashlib.sha256()
        header: dict[str, object] = {
            "dimensions": [
                [
                    d.code,
                    d.label_sv,
                    d.label_en,
                    d.role,
                    d.total,
                    [[c.code, c.label_sv, c.label_en] for c in d.categories],
                ]
                for d in self.dimensions
            ],
            "status": sorted((int(k), v) for k, v in self.status.items()),
            "meta": [
                self.meta.table_id,
                self.meta.title_sv,
                self.meta.title_en,
                self.meta.source,
                self.meta.unit,
                self.meta.licence,
                self.meta.updated,
                self.meta.notes,
            ],
        }
        measure = [self.meta.contents, [list(pair) for pair in self.meta.content_units]]
        if any(measure):
            # Only when there is any: a table without them keeps the digest it always had.
            header["measure"] = measure
        arabic = self._arabic_labels()
        if arabic:
            # Only when there are any: a table without Arabic keeps the digest it always had.
            header["ar"] = arabic
        others = self._other_labels()
        if others:
            # Likewise: a table with no language but Swedish, English and Arabic keeps its digest.
            header["languages"] = others
        digest.update(json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode())
        values = np.ascontiguousarray(self.values, dtype="<f8").copy()
        values[np.isnan(values)] = np.nan  # one NaN bit pattern
        digest.update(values.tobytes())
        return digest.hexdigest()

    def _arabic_labels(self) -> list[object]:
        labels = [
            [d.code, d.label_ar, [c.label_ar for c in d.categories]]
            for d in self.dimensions
            if d.label_ar or any(c.label_ar for c in d.categories)
        ]
        return [*labels, self.meta.title_ar] if labels or self.meta.title_ar else []

    def _other_labels(self) -> list[object]:
        labels = [
            [d.code, [list(p) for p in d.labels], [[list(p) for p in c.labels] for c in d.categories]]
            for d in self.dimensions
            if d.labels or any(c.labels for c in d.categories)
        ]
        titles = [list(p) for p in self.meta.titles]
        if not labels and not titles:
            return []
        return [*labels, titles, self.meta.language]

    # --- slicing and totals ---------------------------------------------------------------
    def select(self, filters: Mapping[str, Sequence[str]]) -> Cube:
        """The cells whose category is listed, per filtered dimension, in the order listed.
        Unknown dimensions or codes raise KeyError naming them."""
        positions: list[list[int]] = []
        dimensions: list[Dimension] = []
        for dim in self.dimensions:
            wanted = filters.get(dim.code)
            if wanted is None:
                positions.append(list(range(len(dim.categories))))
                dimensions.append(dim)
                continue
            idx = [dim.position(code) for code in wanted]
            positions.append(idx)
            total = dim.total if dim.total in wanted else ""
            dimensions.append(replace(dim, categories=tuple(dim.categories[i] for i in idx), total=total))
        unknown = set(filters) - {d.code for d in self.dimensions}
        if unknown:
            raise KeyError(sorted(unknown)[0])
        values = self.values[np.ix_(*positions)]
        status: dict[int, str] = {}
        if self.status:
            flat = np.ravel_multi_index(np.ix_(*positions), self.shape).ravel()
            for new_index, old_index in enumerate(flat.tolist()):
                symbol = self.status.get(old_index)
                if symbol is not None:
                    status[new_index] = symbol
        return Cube(tuple(dimensions), values, status, self.meta)

    def total(self, keep: Sequence[str]) -> Cube:
        """Totals over every dimension not in ``keep`` (kept in the order given). A dimension
        with a total category contributes that category, and so does a dimension with a single
        category; any other is summed — unless its figures may not be added up (``NotAdditive``:
        see ``summable``). A sum that includes a missing cell is missing: it is not known."""
        if not keep:
            raise CubeError("Keep at least one dimension.")
        axes_keep = [self.axis(code) for code in keep]
        if axes_keep == list(range(len(self.dimensions))):
            return self
        values = self.values
        sum_axes: list[int] = []
        for axis, dim in enumerate(self.dimensions):
            if axis in axes_keep:
                continue
            if dim.total or len(dim.categories) == 1:
                # Keep the axis (length 1) so the later axis numbers stay valid.
                values = np.take(values, [dim.position(dim.total or dim.codes[0])], axis=axis)
            else:
                why = self.summable(dim.code)
                if why:
                    raise NotAdditive(dim.code, why)
            sum_axes.append(axis)
        summed = values.sum(axis=tuple(sum_axes)) if sum_axes else values
        remaining = [i for i in range(len(self.dimensions)) if i not in sum_axes]
        summed = np.transpose(summed, [remaining.index(a) for a in axes_keep])
        return Cube(tuple(self.dimensions[a] for a in axes_keep), summed, {}, self.meta)

    @property
    def measure(self) -> str:
        """Why the table's figures may not be added up, as a code ("percent", "rate", ...), or ""
        for counts and amounts, which may."""
        return _cube_measure(self)

    def summable(self, code: str) -> str:
        """ "" when the figures may be summed over the dimension ``code``; else why not, as a
        code: ``MEASURES`` for a dimension of measures (a contents dimension, or one of two or
        more categories of which one names a measure that does not add up, such as PxWeb's
        "$$SORT" with "Number" and "Per cent"), else the table's ``measure``."""
        if _of_measures(self.dimension(code)):
            return MEASURES
        return self.measure

    def without_totals(self) -> Cube:
        """The table with every total category removed (the interior cells only)."""
        filters = {d.code: [c for c in d.codes if c != d.total] for d in self.dimensions if d.total}
        if not filters:
            return self
        trimmed = self.select(filters)
        return Cube(
            tuple(replace(d, total="") for d in trimmed.dimensions), trimmed.values, trimmed.status, self.meta
        )

    # --- rows -----------------------------------------------------------------------------
    def rows(self) -> Iterator[tuple[tuple[str, ...], float | None, str | None]]:
        """(category codes, value or None, status symbol or None) per cell, in C order."""
        codes = [d.codes for d in self.dimensions]
        flat = self.values.ravel()
        for index, combo in enumerate(np.ndindex(*self.shape)):
            value = float(flat[index])
            yield (
                tuple(codes[a][i] for a, i in enumerate(combo)),
                None if np.isnan(value) else value,
                self.status.get(index),
            )


# --- totals and additivity ------------------------------------------------------------------------
#
# Decided here once, for every view of a table (pages, charts, CSV, the API, panel quotas): which
# category of a dimension already holds its total (never sum over a dimension that has one: the
# total is counted twice) and whether the figures may be added up at all (percentages, rates,
# averages, medians, indices and shares may not; nor may different measures of a contents
# dimension).

PERCENT = "percent"
RATE = "rate"
AVERAGE = "average"
MEDIAN = "median"
INDEX = "index"
SHARE = "share"
MEASURES = "measures"  # a contents dimension: its categories are different measures
"""Why figures may not be added up, as codes (the pages name them in the reader's language)."""

_NON_ADDITIVE: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        PERCENT,
        re.compile(r"%|‰|\bper ?cent|\bprocent|\bprosent|\bpercentage|\bpromille|\bper mill", re.IGNORECASE),
    ),
    (
        RATE,
        re.compile(
            r"\brates?\b|\bratio\b|kvot\b|\bper (?:1|10|100)[  .,]?000\b|\bper 100\b"
            r"|\bper (?:tusen|thousand|hundred|capita)\b|\bper 1 ?000 (?:inv|inh)",
            re.IGNORECASE,
        ),
    ),
    (
        AVERAGE,
        re.compile(
            r"\baverage\b|\bmean\b|\bmedel|genomsnitt|\bkeskiarvo|gjennomsnitt"
            r"|\bper (?:person|invånare|inhabitant|household|hushåll|capita)\b",
            re.IGNORECASE,
        ),
    ),
    (MEDIAN, re.compile(r"median", re.IGNORECASE)),
    (INDEX, re.compile(r"index|indeks|\b(?:19|20)\d\d ?= ?100\b", re.IGNORECASE)),
    (SHARE, re.compile(r"\bshares?\b|\bandel(?:ar|en)?\b|\bosuus|\bproportion\b", re.IGNORECASE)),
)


def measure_kind(text: str) -> str:
    """The code of the kind of figure a unit or contents text names when it may not be added up
    ("percent", "rate", ...), or "" for one that may (a count, an amount)."""
    for kind, pattern in _NON_ADDITIVE:
        if pattern.search(text):
            return kind
    return ""


class NotAdditive(CubeError):
    """Summing over ``dimension`` would add up figures that do not add up (``why``: a code)."""

    def __init__(self, dimension: str, why: str) -> None:
        super().__init__(f"The figures may not be added up over “{dimension}” ({why}).")
        self.dimension = dimension
        self.why = why


def _of_measures(dim: Dimension) -> bool:
    """Whether the dimension's categories are different measures: a contents dimension, or one
    whose categories (two or more) include one that names a measure that does not add up."""
    if len(dim.categories) < 2:
        return False
    if dim.role == CONTENTS:
        return True
    return any(measure_kind(text) for c in dim.categories for text in c.texts().values())


def _measure_texts(cube: Cube) -> list[str]:
    """The texts that say what the figures are: the table's unit and CONTENTS, and the labels and
    units of the measures still in it (a view filtered to one measure keeps only its texts)."""
    texts = [cube.meta.unit, cube.meta.contents]
    units = dict(cube.meta.content_units)
    for dim in cube.dimensions:
        if dim.role == CONTENTS or _of_measures(dim) or len(dim.categories) == 1:
            texts.extend(text for c in dim.categories for text in c.texts().values())
            texts.extend(units[code] for code in dim.codes if code in units)
    return [text for text in texts if text]


def _cube_measure(cube: Cube) -> str:
    for text in _measure_texts(cube):
        kind = measure_kind(text)
        if kind:
            return kind
    return ""


# Where the total of a dimension was found.
DECLARED = "declared"  # PC-Axis ELIMINATION, JSON-stat eliminationValueCode, a ``.total`` column
BY_CODE = "code"  # a code that says total ("T", "TOT", "1+2", ...)
BY_LABEL = "label"  # a label that says total ("Totalt", "Samtliga", "Both sexes", ...)
BY_REGION = "region"  # the country at the top of a region hierarchy ("Riket", "Sweden")
BY_DATA = "data"  # equals the sum of the other categories in every cell

_TOTAL_CODES = frozenset({"t", "tot", "total", "totalt", "totals", "samtliga", "all", "alla", "sum"})
_SUM_CODE = re.compile(r"[0-9A-Za-z]+(?:\+[0-9A-Za-z]+)+")  # SCB's "1+2": both sexes
_TOTAL_LABELS = frozenset(
    {
        "total",
        "totalt",
        "totals",
        "totalsumma",
        "summa",
        "samtliga",
        "alla",
        "all",
        "alle",
        "båda könen",
        "bägge könen",
        "kvinnor och män",
        "män och kvinnor",
        "both sexes",
        "men and women",
        "women and men",
        "all ages",
        "alla åldrar",
        "samtliga åldrar",
        "yhteensä",
        "kaikki",
        "molemmat sukupuolet",
        "i alt",
        "begge kjønn",
        "insgesamt",
        "ensemble",
        "todos",
        "todas",
        "ambos sexos",
        "total nacional",
    }
)
# "Totalt, samtliga åldrar", "Total, all ages", "Samtliga utbildningsnivåer", "Yhteensä (kaikki)".
_TOTAL_PREFIX = re.compile(r"(?:total|totalt|samtliga|yhteensä|insgesamt|i alt)\b[\s,:;(–-]", re.IGNORECASE)
_COUNTRY_LABELS = frozenset(
    {
        "riket",
        "hela riket",
        "sverige",
        "sweden",
        "whole country",
        "the whole country",
        "koko maa",
        "hele landet",
        "norge",
        "norway",
        "finland",
        "suomi",
        "danmark",
        "denmark",
    }
)
_REGION_NAMES = re.compile(
    r"region|län|kommun|county|municipal|\barea|alue|maakunta|kunta|fylke|landsdel|\bgeo", re.IGNORECASE
)


def _plain_label(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split()).strip(" .:;,").lower()


def _total_by_naming(dim: Dimension) -> tuple[str, str] | None:
    """(category code, how it was known) for the category whose code or label says it is the
    total of ``dim``; None when none does, or when two do and nothing tells them apart."""
    codes = set(dim.codes)
    candidates: list[tuple[int, int, str, str]] = []  # (strength, position, code, evidence)
    for position, category in enumerate(dim.categories):
        code = category.code.strip()
        labels = {_plain_label(text) for text in category.texts().values()}
        labels.discard("")
        if _SUM_CODE.fullmatch(code) and set(code.split("+")) <= codes:
            candidates.append((0, position, category.code, BY_CODE))
        elif code == "" or code.lower() in _TOTAL_CODES:
            candidates.append((1, position, category.code, BY_CODE))
        elif labels & _TOTAL_LABELS:
            candidates.append((2, position, category.code, BY_LABEL))
        elif any(_TOTAL_PREFIX.match(label + " ") for label in labels):
            candidates.append((3, position, category.code, BY_LABEL))
        elif (
            position == 0
            and labels & _COUNTRY_LABELS
            and (dim.role == GEO or _REGION_NAMES.search(" ".join([dim.code, *dim.texts().values()])))
        ):
            candidates.append((4, position, category.code, BY_REGION))
    if not candidates:
        return None
    candidates.sort()
    if len(candidates) > 1 and candidates[0][0] == candidates[1][0]:
        return None  # two categories say total in the same way: the name cannot decide
    _strength, _position, code, evidence = candidates[0]
    return code, evidence


def totals_by_data(cube: Cube) -> list[tuple[str, str]]:
    """(dimension, category) for each dimension without a declared total that has a category
    equal, in every cell, to the sum of its other categories, of which at least two hold
    something (a non-zero sum over the table). Every cell must be known.

    The two non-zero others keep an empty category (zero, like the sum of zeros) and a copy of
    the only populated category out of it: neither is a sum of parts. A coincidence (three
    categories where one happens to equal the sum of the other two in every cell) is found too:
    nothing in the figures tells it from a total."""
    interior = cube.without_totals()
    values = interior.values
    found: list[tuple[str, str]] = []
    if np.isnan(values).any():
        return found
    for axis, dim in enumerate(interior.dimensions):
        count = len(dim.categories)
        if count < 3 or cube.dimension(dim.code).total or dim.role == CONTENTS:
            continue
        rows = np.moveaxis(values, axis, 0).reshape(count, -1)
        whole = rows.sum(axis=0)
        # Category c equals the sum of the others, whole - c, in every cell: 2c == whole.
        scale = np.maximum(np.abs(whole), 1.0)
        equal = np.all(np.abs(2 * rows - whole) <= 1e-9 * scale, axis=1)
        populated = np.abs(rows).sum(axis=1) > 0
        others_populated = int(populated.sum()) - populated.astype(int)
        hits = np.flatnonzero(equal & (others_populated >= 2))
        if hits.size:
            found.append((dim.code, dim.categories[int(hits[0])].code))
    return found


def find_totals(cube: Cube) -> dict[str, tuple[str, str]]:
    """Dimension code → (its total category, how that was known: ``DECLARED``, ``BY_CODE``,
    ``BY_LABEL``, ``BY_REGION`` or ``BY_DATA``). A contents dimension has none (its categories
    are different measures, never summed)."""
    found: dict[str, tuple[str, str]] = {}
    for dim in cube.dimensions:
        if dim.total:
            found[dim.code] = (dim.total, DECLARED)
        elif dim.role != CONTENTS and len(dim.categories) > 1:
            named = _total_by_naming(dim)
            if named is not None:
                found[dim.code] = named
    if len(found) < len(cube.dimensions):
        marked = with_totals(cube, {code: code_ for code, (code_, _how) in found.items()})
        for code, category in totals_by_data(marked):
            found.setdefault(code, (category, BY_DATA))
    return found


def with_totals(cube: Cube, totals: Mapping[str, str] | None = None) -> Cube:
    """The table with each dimension's total category set (``totals``: dimension → category;
    by default every total ``find_totals`` finds)."""
    if totals is None:
        totals = {code: category for code, (category, _how) in find_totals(cube).items()}
    if all(dim.total == totals.get(dim.code, dim.total) for dim in cube.dimensions):
        return cube
    dimensions = tuple(
        dim if dim.total else replace(dim, total=totals.get(dim.code, "")) for dim in cube.dimensions
    )
    return Cube(dimensions, cube.values, cube.status, cube.meta)


def fixed_categories(cube: Cube, keep: Sequence[str], filters: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """For a view that keeps ``keep`` (the others reduced to one figure each), the one category
    to show of every other dimension whose figures may not be added up and that has no total:
    the first of those filtered (``filters``: dimension → codes), else the latest period of a
    time dimension, else the first category. A dimension with a total, with one category (or
    one filtered) or whose figures may be summed needs none."""
    chosen: dict[str, str] = {}

    def choose(dim: Dimension) -> None:
        wanted = list(filters.get(dim.code) or dim.codes)
        chosen[dim.code] = (
            wanted[0] if filters.get(dim.code) else (dim.codes[-1] if dim.role == TIME else dim.codes[0])
        )

    def reduced(dim: Dimension) -> bool:
        wanted = list(filters.get(dim.code) or dim.codes)
        return dim.code in keep or bool(dim.total) or len(wanted) == 1

    # First the measure of a dimension of measures, then — whether what is left adds up depends
    # on which measure that is — the others.
    for dim in cube.dimensions:
        if not reduced(dim) and _of_measures(dim):
            choose(dim)
    known = {d.code for d in cube.dimensions}
    narrowed = cube.select(
        {
            **{code: list(codes) for code, codes in filters.items() if code in known and codes},
            **{c: [v] for c, v in chosen.items()},
        }
    )
    if narrowed.measure:
        for dim in cube.dimensions:
            if not reduced(dim) and dim.code not in chosen:
                choose(dim)
    return chosen
