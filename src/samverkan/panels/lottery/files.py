"""The Sortition Foundation's CSV files read into a lottery :class:`Instance`.

Pure: standard library and :mod:`samverkan.panels.lottery` only; no Django, no platform code.

    read_features(path) -> FeatureTable               # features.csv: the quotas
    read_people(path, table, id_column=None, household_columns=(...)) -> PeopleTable
    read_instance(people_path, features_path, size=..., id_column=None, household_columns=(...)) -> Instance

The formats follow ``sortition-algorithms`` 0.12 (the Sortition Foundation's reference), so a pair of
files that works there works here; docs/panels-formats.md lists them and the few places where this
reader is stricter. The replication data of Flanigan et al., "Fair algorithms for selecting citizens'
assemblies" (Nature 596, 2021) is read as it is published: ``categories.csv`` names the feature
column ``category`` and the value column ``feature``, and ``respondents.csv`` has no id column, so
its people are numbered 0..n-1 in file order, as the research code numbers them
(``PeopleTable.ids_numbered``, said with the message ``ids_numbered``).

Every problem raises :class:`InputError`, whose text is ``"{path}:{line}: {reason}"`` with the
1-based physical line of the file (the header is line 1).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from samverkan.panels.lottery.messages import Message, message
from samverkan.panels.lottery.model import Instance, Quota

__all__ = [
    "DEFAULT_ID_COLUMN",
    "FEATURE_COLUMNS",
    "RESEARCH_COLUMNS",
    "FeatureRow",
    "FeatureTable",
    "InputError",
    "PeopleTable",
    "check_size",
    "parse_features",
    "parse_people",
    "parse_pool",
    "parse_shares",
    "read_features",
    "read_instance",
    "read_instance_with_pool",
    "read_people",
    "to_instance",
]

UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_HOUSEHOLD_SEPARATOR = "\x1f"  # joins the cells of several household columns into one key

# The reference accepts the current column names and the old ones (category/name).
FEATURE_COLUMNS = {"feature": ("feature", "category"), "value": ("value", "name")}
# The research layout (Flanigan et al. 2021): ``category`` is the feature, ``feature`` its value.
RESEARCH_COLUMNS = {"feature": "category", "value": "feature"}
# Without --id-column, the id is the column of this name; without one, people are numbered.
DEFAULT_ID_COLUMN = "id"
_NUMBER_COLUMNS = ("min", "max")
_FLEX_COLUMNS = ("min_flex", "max_flex")


class InputError(ValueError):
    """A problem in an input file, with the file and the line it is on.

    ``message`` says what is wrong as a code with parameters (``lottery.messages``), for the
    platform to render in the reader's language; ``reason`` is its English text and ``str(error)``
    is ``"{path}:{line}: {reason}"``; line 1 is the header row.
    """

    def __init__(self, path: str | Path, line: int, code: str, **params: object) -> None:
        self.path = str(path)
        self.line = line
        self.message: Message = message(code, **params)
        super().__init__(f"{self.path}:{line}: {self.reason}")

    @property
    def reason(self) -> str:
        return self.message.english()

    @property
    def code(self) -> str:
        return self.message.code

    @property
    def params(self) -> Mapping[str, object]:
        return self.message.params

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}"


@dataclass(frozen=True)
class FeatureRow:
    """One row of features.csv: the quota for one value of one feature."""

    feature: str
    value: str
    min: int
    max: int
    line: int
    min_flex: int | None = None
    max_flex: int | None = None


@dataclass(frozen=True)
class FeatureTable:
    """features.csv read: rows in file order, names spelt as in the file."""

    path: str
    rows: tuple[FeatureRow, ...]

    @property
    def features(self) -> dict[str, tuple[str, ...]]:
        """Feature name -> its values, in file order."""
        out: dict[str, list[str]] = {}
        for row in self.rows:
            out.setdefault(row.feature, []).append(row.value)
        return {name: tuple(values) for name, values in out.items()}

    def first_line(self, feature: str) -> int:
        """The line of the first row of ``feature``."""
        return next(row.line for row in self.rows if row.feature == feature)


@dataclass(frozen=True)
class PeopleTable:
    """people.csv read against a :class:`FeatureTable`."""

    path: str
    people: tuple[str, ...]
    features: dict[str, dict[str, str]]  # person id -> feature -> value (spelt as in features.csv)
    households: dict[str, str] | None = None  # person id -> household key
    lines: dict[str, int] = field(default_factory=dict)  # person id -> line
    last_line: int = 1
    ids_numbered: bool = False  # no id column: the ids are "0".."n-1" in file order

    @property
    def notes(self) -> tuple[Message, ...]:
        """What the reader decided for the user and must tell them (e.g. that the ids are numbers)."""
        if not self.ids_numbered:
            return ()
        return (
            message(
                "ids_numbered",
                file=self.path,
                column=DEFAULT_ID_COLUMN,
                count=len(self.people),
                first=self.people[0],
                last=self.people[-1],
            ),
        )


# --------------------------------------------------------------------------------------------------
# Reading text and rows


def _decode(path: str, data: bytes) -> str:
    """UTF-8 text of ``data`` (a leading BOM dropped); anything else refused with the line."""
    if data.startswith(_UTF16_BOMS):
        raise InputError(path, 1, "file_utf16")
    if data.startswith(UTF8_BOM):
        data = data[len(UTF8_BOM) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        byte = data[error.start : error.start + 1].hex()
        raise InputError(path, line, "file_not_utf8", byte=byte) from None
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        raise InputError(path, line, "file_nul_byte")
    return text


def _rows(path: str, text: str) -> Iterator[tuple[int, list[str]]]:
    """(first physical line, cells) of each CSV record; blank lines are skipped."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    previous = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise InputError(path, previous + 1, "file_bad_csv", detail=str(error)) from None
        start = previous + 1
        previous = reader.line_num
        if not cells:
            continue
        yield start, cells


def _table(path: str, data: bytes, what: Message) -> tuple[int, list[str], list[tuple[int, list[str]]]]:
    """Header line, header (stripped) and data rows (stripped; blank rows dropped, ragged rows refused)."""
    text = _decode(path, data)
    if not text.strip():
        raise InputError(path, 1, "file_empty", expected=what)
    records = list(_rows(path, text))
    header_line, header = records[0]
    header = [cell.strip() for cell in header]
    width = len(header)
    rows: list[tuple[int, list[str]]] = []
    for line, cells in records[1:]:
        stripped = [cell.strip() for cell in cells]
        if not any(stripped):
            continue
        if len(stripped) > width and not any(stripped[width:]):
            stripped = stripped[:width]  # trailing empty cells, as spreadsheets write them
        if len(stripped) != width:
            raise InputError(path, line, "file_ragged_row", cells=len(stripped), width=width)
        rows.append((line, stripped))
    if not rows:
        raise InputError(path, header_line + 1, "file_no_rows", expected=what)
    return header_line, header, rows


def _column(
    path: str, line: int, header: Sequence[str], names: Sequence[str], label: Message, required: bool = True
) -> int:
    """Index of the one column named (case-insensitively) one of ``names``; ``line`` is the header's."""
    wanted = {name.lower() for name in names}
    found = [index for index, cell in enumerate(header) if cell.lower() in wanted]
    if len(found) > 1:
        raise InputError(path, line, "column_duplicate", column=label, found=[header[i] for i in found])
    if not found:
        if not required:
            return -1
        raise InputError(path, line, "column_missing", column=label, names=list(names))
    return found[0]


def _feature_value_columns(path: str, line: int, header: Sequence[str]) -> tuple[int, int]:
    """The feature and value columns of a quota file: ``feature,value`` (or the old ``category,name``),
    or the research layout ``category,feature`` when no value column exists. Any other mix, such as
    ``category,feature,value``, is refused naming the columns that could each be the feature."""
    lower = [cell.lower() for cell in header]
    has_value = any(cell in FEATURE_COLUMNS["value"] for cell in lower)
    research = RESEARCH_COLUMNS["feature"], RESEARCH_COLUMNS["value"]
    if not has_value and all(lower.count(name) == 1 for name in research):
        return lower.index(research[0]), lower.index(research[1])
    i_feature = _column(path, line, header, FEATURE_COLUMNS["feature"], _role("feature"))
    i_value = _column(path, line, header, FEATURE_COLUMNS["value"], _role("value"))
    return i_feature, i_value


def _id_index(path: str, line: int, header: Sequence[str], id_column: str | None) -> int:
    """The id column's index: the one named ``id_column`` (refused if absent); when not given, the one
    named ``id``, and -1 (number the people) if there is none."""
    if id_column is not None:
        return _column(path, line, header, (id_column,), _role("id"))
    return _column(path, line, header, (DEFAULT_ID_COLUMN,), _role("id"), required=False)


# --------------------------------------------------------------------------------------------------
# features.csv


def _role(name: str) -> Message:
    """A column named by its role in the file (``min``, ``feature``, ``id``, …)."""
    return message("column_role", name=name)


def _number(path: str, line: int, column: str, cell: str) -> int:
    if cell == "":
        raise InputError(path, line, "number_missing", column=column)
    try:
        number = int(cell)
    except ValueError:
        raise InputError(path, line, "number_not_whole", column=column, cell=cell) from None
    if number < 0:
        raise InputError(path, line, "number_negative", column=column, number=number)
    return number


def parse_features(path: str | Path, data: bytes) -> FeatureTable:
    """Parse the bytes of a features.csv file (see the module docstring)."""
    name = str(path)
    top, header, rows = _table(name, data, message("expect_values"))
    i_feature, i_value = _feature_value_columns(name, top, header)
    i_min = _column(name, top, header, ("min",), _role("min"))
    i_max = _column(name, top, header, ("max",), _role("max"))
    i_min_flex = _column(name, top, header, ("min_flex",), _role("min_flex"), required=False)
    i_max_flex = _column(name, top, header, ("max_flex",), _role("max_flex"), required=False)
    if (i_min_flex < 0) != (i_max_flex < 0):
        missing = "max_flex" if i_max_flex < 0 else "min_flex"
        raise InputError(name, top, "flex_pair", missing=missing)

    canonical_feature: dict[str, str] = {}
    seen: dict[tuple[str, str], int] = {}
    out: list[FeatureRow] = []
    for line, cells in rows:
        feature, value = cells[i_feature], cells[i_value]
        if feature == "":
            raise InputError(name, line, "feature_name_empty")
        if value == "":
            raise InputError(name, line, "feature_value_empty", feature=feature)
        feature = canonical_feature.setdefault(feature.lower(), feature)
        key = (feature.lower(), value.lower())
        if key in seen:
            raise InputError(
                name, line, "feature_value_duplicate", value=value, feature=feature, first=seen[key]
            )
        seen[key] = line
        low = _number(name, line, "min", cells[i_min])
        high = _number(name, line, "max", cells[i_max])
        if low > high:
            raise InputError(
                name, line, "quota_min_above_max_row", min=low, max=high, feature=feature, value=value
            )
        min_flex = max_flex = None
        if i_min_flex >= 0:
            min_flex = _number(name, line, "min_flex", cells[i_min_flex])
            max_flex = _number(name, line, "max_flex", cells[i_max_flex])
            if min_flex > low:
                raise InputError(name, line, "flex_min_above_min", flex=min_flex, min=low)
            if max_flex < high:
                raise InputError(name, line, "flex_max_below_max", flex=max_flex, max=high)
        out.append(FeatureRow(feature, value, low, high, line, min_flex, max_flex))
    return FeatureTable(name, tuple(out))


def parse_shares(path: str | Path, data: bytes) -> dict[str, dict[str, float]]:
    """Parse a CSV of target shares, ``feature,value,share`` (a share is any non-negative number, e.g.
    a percentage or a count; each feature's shares are normalised), for :func:`quotas_from_shares`."""
    name = str(path)
    top, header, rows = _table(name, data, message("expect_values"))
    i_feature, i_value = _feature_value_columns(name, top, header)
    i_share = _column(name, top, header, ("share",), _role("share"))
    out: dict[str, dict[str, float]] = {}
    canonical: dict[str, str] = {}
    for line, cells in rows:
        feature, value, cell = cells[i_feature], cells[i_value], cells[i_share]
        if feature == "" or value == "":
            raise InputError(name, line, "share_row_empty")
        feature = canonical.setdefault(feature.lower(), feature)
        try:
            share = float(cell.replace(",", ".")) if cell.count(",") == 1 and "." not in cell else float(cell)
        except ValueError:
            raise InputError(name, line, "share_not_number", cell=cell) from None
        if not share >= 0 or share == float("inf"):
            raise InputError(name, line, "share_negative", cell=cell)
        values = out.setdefault(feature, {})
        if value in values:
            raise InputError(name, line, "share_duplicate", value=value, feature=feature)
        values[value] = share
    for feature, values in out.items():
        if sum(values.values()) <= 0:
            raise InputError(name, top, "shares_zero", feature=feature)
    return out


def check_size(table: FeatureTable, size: int) -> None:
    """Refuse a panel size that the quotas of some feature cannot add up to."""
    if size < 1:
        raise InputError(table.path, 1, "size_below_one", size=size)
    for feature in table.features:
        rows = [row for row in table.rows if row.feature == feature]
        low, high = sum(row.min for row in rows), sum(row.max for row in rows)
        if low > size:
            raise InputError(
                table.path, rows[0].line, "minimums_above_size", feature=feature, sum=low, size=size
            )
        if high < size:
            raise InputError(
                table.path, rows[0].line, "maximums_below_size", feature=feature, sum=high, size=size
            )


def read_features(path: str | Path) -> FeatureTable:
    """Read a features.csv file."""
    return parse_features(path, _read_bytes(path))


# --------------------------------------------------------------------------------------------------
# people.csv


def parse_people(
    path: str | Path,
    data: bytes,
    table: FeatureTable,
    *,
    id_column: str | None = None,
    household_columns: Sequence[str] = (),
) -> PeopleTable:
    """Parse the bytes of a people.csv file against the features in ``table``.

    ``id_column`` names the id column; when it is None the column named ``id`` is the id, and a file
    without one has its people numbered "0", "1", … in file order (``ids_numbered``), as the
    research code (Flanigan et al. 2021) numbers the rows of its respondents.csv."""
    name = str(path)
    top, header, rows = _table(name, data, message("expect_people"))
    i_id = _id_index(name, top, header, id_column)
    feature_values = table.features
    i_features: dict[str, int] = {}
    lookup: dict[str, dict[str, str]] = {}
    for feature, values in feature_values.items():
        i_features[feature] = _column(
            name, top, header, (feature,), message("column_quota_feature", feature=feature, file=table.path)
        )
        lookup[feature] = {value.lower(): value for value in values}
    i_households = [
        _column(name, top, header, (col,), message("column_household", name=col)) for col in household_columns
    ]

    people: list[str] = []
    features: dict[str, dict[str, str]] = {}
    households: dict[str, str] = {}
    lines: dict[str, int] = {}
    for number, (line, cells) in enumerate(rows):
        person = cells[i_id] if i_id >= 0 else str(number)
        if person == "":
            raise InputError(name, line, "id_empty", column=header[i_id])
        if person in lines:
            raise InputError(name, line, "id_duplicate", person=person, first=lines[person])
        lines[person] = line
        row: dict[str, str] = {}
        for feature, index in i_features.items():
            cell = cells[index]
            if cell == "":
                raise InputError(name, line, "person_value_empty", feature=feature, person=person)
            value = lookup[feature].get(cell.lower())
            if value is None:
                raise InputError(
                    name,
                    line,
                    "person_value_unknown",
                    value=cell,
                    feature=feature,
                    file=table.path,
                    person=person,
                    allowed=list(feature_values[feature]),
                )
            row[feature] = value
        people.append(person)
        features[person] = row
        if i_households:
            address = [cells[index].lower() for index in i_households]
            # A blank address groups nobody: the person is a household of their own.
            households[person] = _HOUSEHOLD_SEPARATOR.join(address) if any(address) else f"\x00{person}"
    return PeopleTable(
        path=name,
        people=tuple(people),
        features=features,
        households=households if i_households else None,
        lines=lines,
        last_line=rows[-1][0],
        ids_numbered=i_id < 0,
    )


def parse_pool(
    path: str | Path,
    data: bytes,
    *,
    id_column: str | None = None,
    feature_columns: Sequence[str] = (),
    household_columns: Sequence[str] = (),
) -> tuple[PeopleTable, dict[str, tuple[str, ...]]]:
    """Parse a people.csv file on its own, before any quotas exist.

    The features are ``feature_columns`` (all columns but the id and household columns when empty);
    every other column is ignored. Their values are taken from the file (first spelling wins, compared
    without case). Returns the pool and feature -> values in order of first appearance. The id column
    is found as :func:`parse_people` finds it (without one, the people are numbered).
    """
    name = str(path)
    top, header, rows = _table(name, data, message("expect_people"))
    i_id = _id_index(name, top, header, id_column)
    i_households = {
        _column(name, top, header, (col,), message("column_household", name=col)) for col in household_columns
    }
    if feature_columns:
        indices = [
            _column(name, top, header, (col,), message("column_feature", name=col)) for col in feature_columns
        ]
        clash = [header[i] for i in indices if i == i_id or i in i_households]
        if clash:
            raise InputError(name, top, "column_feature_and_key", name=clash[0])
    else:
        indices = [i for i in range(len(header)) if i != i_id and i not in i_households]
    if not indices:
        raise InputError(name, top, "no_feature_columns")
    values: dict[str, dict[str, str]] = {header[i]: {} for i in indices}
    for _line, cells in rows:
        for i in indices:
            if cells[i]:
                values[header[i]].setdefault(cells[i].lower(), cells[i])
    empty = [feature for feature, spelt in values.items() if not spelt]
    if empty:
        raise InputError(name, top, "feature_column_empty", name=empty[0])
    table = FeatureTable(
        name,
        tuple(
            FeatureRow(feature, value, 0, 0, top)
            for feature, spelt in values.items()
            for value in spelt.values()
        ),
    )
    pool = parse_people(name, data, table, id_column=id_column, household_columns=household_columns)
    return pool, table.features


def read_people(
    path: str | Path,
    table: FeatureTable,
    *,
    id_column: str | None = None,
    household_columns: Sequence[str] = (),
) -> PeopleTable:
    """Read a people.csv file against the features in ``table``."""
    return parse_people(
        path, _read_bytes(path), table, id_column=id_column, household_columns=household_columns
    )


# --------------------------------------------------------------------------------------------------
# Both files into an instance


def read_instance(
    people_path: str | Path,
    features_path: str | Path,
    *,
    size: int,
    id_column: str | None = None,
    household_columns: Sequence[str] = (),
) -> Instance:
    """Read features.csv and people.csv into a lottery :class:`Instance` for a panel of ``size``."""
    return read_instance_with_pool(
        people_path, features_path, size=size, id_column=id_column, household_columns=household_columns
    )[0]


def read_instance_with_pool(
    people_path: str | Path,
    features_path: str | Path,
    *,
    size: int,
    id_column: str | None = None,
    household_columns: Sequence[str] = (),
) -> tuple[Instance, PeopleTable]:
    """:func:`read_instance`, with the pool as read (its ``notes`` say, e.g., that the ids are numbers)."""
    table = read_features(features_path)
    check_size(table, size)
    pool = read_people(people_path, table, id_column=id_column, household_columns=household_columns)
    if len(pool.people) < size:
        raise InputError(pool.path, pool.last_line, "pool_below_size", people=len(pool.people), size=size)
    if pool.households is not None and len(set(pool.households.values())) < size:
        raise InputError(
            pool.path,
            pool.last_line,
            "households_below_size",
            households=len(set(pool.households.values())),
            size=size,
        )
    return to_instance(table, pool, size), pool


def to_instance(table: FeatureTable, pool: PeopleTable, size: int) -> Instance:
    """Build the :class:`Instance` of a read feature table and pool."""
    quotas = tuple(
        Quota(feature=row.feature, value=row.value, min=row.min, max=row.max) for row in table.rows
    )
    households: Mapping[str, str] | None = pool.households
    return Instance(
        people=pool.people,
        features=pool.features,
        quotas=quotas,
        size=size,
        households=households,
    )


def _read_bytes(path: str | Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise InputError(path, 0, "file_unreadable", detail=str(error.strerror or error)) from None
