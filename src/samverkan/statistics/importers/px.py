"""PC-Axis (.px) files, as written by PC-Axis, PxWeb and SCB's PxWebApi 2, read into a Cube.

What is read
    The charset declaration (CHARSET, CODEPAGE, a UTF-8 byte-order mark), LANGUAGE and
    LANGUAGES, TABLEID/MATRIX, TITLE (or DESCRIPTION, or CONTENTS), SOURCE, UNITS,
    LAST-UPDATED, NOTE/NOTEX, STUB, HEADING, VALUES, CODES, VARIABLECODE, TIMEVAL,
    VARIABLE-TYPE, MAP, CONTVARIABLE, ELIMINATION, KEYS and DATA, with the ``[lang]`` variants of
    every other language. Other keywords are parsed and ignored.

Decisions
    * Charset: CODEPAGE wins; else CHARSET="ANSI" means Windows-1252; else (no declaration)
      the file must be UTF-8. "iso-8859-1" is read as Windows-1252, its superset for printable
      text (as browsers do). A file that does not decode under its charset is refused with the
      line where decoding failed: we never guess another charset.
    * Dimensions: STUB variables then HEADING variables; DATA is in that C order (the last
      HEADING variable varies fastest). A dimension's code is VARIABLECODE, else its name in
      the main language; a category's code is CODES, else its VALUES text.
    * Labels: every language the file carries is kept. Swedish, English and Arabic texts fill
      label_sv, label_en and label_ar (title_*); any other language goes to ``labels``
      (``titles``) in the file's order, main language first, so label_en only ever holds
      English. The main language (LANGUAGE) is kept as ``TableMeta.language``; without
      LANGUAGE it is the first of LANGUAGES that has no ``[lang]`` keywords, else unknown (its
      texts fill label_en, as they always did). Variables of another language are matched by
      position in STUB[lang]/HEADING[lang], their categories by position in VALUES[lang].
    * Roles: TIMEVAL or VARIABLE-TYPE="T" makes "time", CONTVARIABLE "contents",
      VARIABLE-TYPE="G" or MAP "geo". ELIMINATION("var")="value" names the total category.
    * Cells: numbers with "." decimals; ".", "..", ... "......" and ":" (quoted or not) are
      missing, kept as the cell's status; "-" is a true zero. Anything else is refused.
      Delimiters in DATA are spaces, tabs or commas (the PX spec allows them mixed); DATA ends
      at the first ";".
    * KEYS (rows listed by key, PX specification "Files with KEYS"): with
      KEYS("var")=VALUES or CODES for every STUB variable, each DATA line is one row: the key of
      each STUB variable in quotation marks (its VALUES text or its code), separated by commas,
      then the row's values. Rows may come in any order. A row the file does not give is all
      zeros (0.0, no status): the specification leaves out rows of only zeros, and PxWeb
      (PCAxis.Core's PXFileParser.ParseKeysData) fills them with zeros. Refused with the line: a
      key that is not one of its variable's VALUES/CODES, a row given twice, a row of the wrong
      length, more rows than the table has, a row without its keys, KEYS on a HEADING variable or
      on only some of the STUB variables. The rows left out count as absent cells
      (``limits.max_absent_cells``), checked from the number of lines before the table's array
      is allocated and again from the rows read.
    * Lenient where the data leaves no doubt (``read_px`` gives a warning for each): DATA that
      ends at the end of the file without ";" holding exactly the table's values (SCB's own
      example files), and ";" ending every row when the rows hold exactly the table's values
      (INE); any other count is refused with its line. A quoted text running over a line
      break is read as PxWeb reads it (PCAxis.Core's PXFileParser keeps the break) when the
      statement then ends well formed; a stray quotation mark is refused at its line.
    * Lenient about what only describes (as PxWeb, which reads SCB's ``error/continue`` files
      with a warning): a keyword of ``_DESCRIBING_KEYWORDS`` (CONTACT, NOTE, VALUENOTE, SOURCE,
      MAP, ...) that cannot be read is skipped with a warning when its end is unambiguous (the
      first line ending in ";" before a line that starts a keyword); one of those, or
      ELIMINATION, about a variable not in STUB/HEADING is ignored with a warning. A CODES
      statement that cannot be read is left out the same way (warning ``codes_skipped``) when
      its end is unambiguous and VALUES of its variable was read: CODES is optional, and the
      categories then take their VALUES texts as codes. Other keywords that decide the table
      stay refused.

Why not pyaxis (0.4.3, source read in .venv/lib/python3.11/site-packages/pyaxis): ``pyaxis.parse(uri,
encoding)`` needs the caller to supply the encoding and never looks at CHARSET/CODEPAGE; it reads
the whole file into one string and splits it on "DATA=" (a note that mentions "DATA=" makes it
fail with "too many values to unpack"); it builds a long pandas DataFrame of every combination
from ``itertools.product`` with the DATA column left as strings; it labels that frame with the
VALUES texts and drops CODES (its ``get_codes`` is never called); a wrong number of values only
surfaces as a pandas "Length of values ... does not match" error without a line; and it imports
``requests`` at module level to read URLs. Here the charset comes from the file, DATA is streamed
line by line into one float64 array, codes are kept and every inconsistency is refused with its
line. On a 1,000,000-cell file this reader allocates ~15 MB where pyaxis allocates ~240 MB.
pyaxis stays a test oracle only.
"""

from __future__ import annotations

import codecs
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

import numpy as np

from samverkan.statistics.cube import (
    CONTENTS,
    GEO,
    TIME,
    Category,
    Cube,
    Dimension,
    TableMeta,
    language_code,
    split_languages,
)
from samverkan.statistics.importers._common import (
    DEFAULT_LIMITS,
    MISSING_SYMBOLS,
    NIL_SYMBOL,
    UTF8_BOM,
    ImportLimits,
    ParseWarning,
    check_absent,
    check_size,
    decode,
    describe_cell,
    label_fields,
    label_slot,
    read_cell,
)
from samverkan.statistics.importers.errors import ImportRefused

# Keywords whose parenthesised argument names a variable (and so must be in STUB or HEADING).
_VARIABLE_KEYWORDS = frozenset(
    {
        "VALUES",
        "CODES",
        "TIMEVAL",
        "VARIABLECODE",
        "ELIMINATION",
        "PRESTEXT",
        "DOMAIN",
        "VARIABLE-TYPE",
        "MAP",
        "KEYS",
        "DOUBLECOLUMN",
        "NOTE",  # NOTE("variable") and NOTEX("variable"); without an argument they are table notes
        "NOTEX",
        "VALUENOTE",
        "VALUENOTEX",
        "PRECISION",
    }
)
# Keywords that only describe the table: they decide none of its shape, codes, labels, roles,
# totals, additivity or values, and PxWeb does not require them (PCAxis.Core's PXKeywords marks
# them optional; a broken one is a warning in PxWeb too). A statement of one of these that cannot
# be read (a stray quotation mark in its text) is skipped with a warning when its end is not in
# doubt (see _unambiguous_end); any other keyword that cannot be read is refused. Left out on
# purpose: SUBJECT-AREA, SUBJECT-CODE, DECIMALS (PxWeb requires them), UNITS, CONTENTS, STOCKFA,
# AGGREGALLOWED, HIERARCHY*, PARTITIONED (decide additivity or totals), DATASYMBOL* (how cells
# read), CONFIDENTIAL, COPYRIGHT, and every keyword not in the PX specification.
_DESCRIBING_KEYWORDS = frozenset(
    {
        # who, where, when
        "AXIS-VERSION",
        "CREATION-DATE",
        "LAST-UPDATED",
        "NEXT-UPDATE",
        "UPDATE-FREQUENCY",
        "FIRST-PUBLISHED",
        "PX-SERVER",
        "DIRECTORY-PATH",
        "DATABASE",
        "INFOFILE",
        "INFO",
        "LINK",
        "SURVEY",
        "META-ID",
        "OFFICIAL-STATISTICS",
        "CONTACT",
        "SOURCE",  # kept as the table's source; skipped, the platform asks for one (docs)
        # notes
        "NOTE",
        "NOTEX",
        "VALUENOTE",
        "VALUENOTEX",
        "CELLNOTE",
        "CELLNOTEX",
        "DATANOTE",
        "DATANOTECELL",
        "DATANOTESUM",
        # presentation
        "DESCRIPTIONDEFAULT",
        "DOMAIN",
        "DOUBLECOLUMN",
        "PRESTEXT",
        "PRECISION",
        "SHOWDECIMALS",
        "DEFAULT-GRAPH",
        "AUTOPEN",
        "MAP",  # its text names a map file; that MAP is there (the variable is geographic) stays
        # what the figures are, in words
        "REFPERIOD",
        "BASEPERIOD",
        "CFPRICES",
        "DAYADJ",
        "SEASADJ",
    }
)
# Keywords that may appear once only (per language and argument).
_UNIQUE_KEYWORDS = frozenset({"STUB", "HEADING", "VALUES", "CODES", "LANGUAGE", "CHARSET", "CODEPAGE"})

_HEAD = re.compile(
    r"\s*(?P<kw>[A-Za-z][A-Za-z0-9_-]*)[ \t]*(?:\[(?P<lang>[^\]\"\r\n]*)\])?[ \t]*"
    r"(?:\((?P<args>(?:[^()\"]|\"[^\"]*\")*)\))?\s*="
)
# A quoted text normally ends on its line: PX continues long texts as a new quoted string per
# line. PxWeb (PCAxis.Core's PXFileParser) also reads a quoted text that runs over a line break,
# keeping the break; so do we, when the statement is well formed read that way (_LONG_BODY).
_BODY = re.compile(r'(?:[^";]+|"[^"\n]*")*')
_LONG_BODY = re.compile(r'(?:[^";]+|"[^"]*")*')
_OUTSIDE_QUOTES_EQUALS = re.compile(r'"[^"\n]*"|(=)')
_LONG_OUTSIDE_QUOTES_EQUALS = re.compile(r'"[^"]*"|(=)')
_LONG_TOKENS = re.compile(r'"[^"]*"|[^"]+')
_QUOTED = re.compile(r'"([^"]*)"')
_ITEM_TOKENS = re.compile(r'"(?P<q>[^"]*)"|(?P<comma>,)|(?P<bare>[^\s",]+)')
_DECLARATION = re.compile(rb'(?m)^[ \t]*(CHARSET|CODEPAGE)[ \t]*=[ \t]*"([^"\r\n]*)"')
_PLAIN_LINE = re.compile(r"[0-9eE.+\-\s,]*")
_NIL_TOKENS = frozenset({NIL_SYMBOL, f'"{NIL_SYMBOL}"'})
_SYMBOL_TOKENS = frozenset({*MISSING_SYMBOLS, *(f'"{s}"' for s in MISSING_SYMBOLS)}) | _NIL_TOKENS
_PX_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})(?:\s+(\d{2}):(\d{2}))?")

_WINDOWS_1252 = ("windows-1252", "cp1252", "iso-8859-1", "iso8859-1", "latin1", "latin-1", "ansi")


@dataclass
class _Statement:
    keyword: str
    language: str
    args: tuple[str, ...]
    items: list[str]
    line: int


@dataclass
class _Header:
    statements: list[_Statement] = field(default_factory=list)
    index: dict[tuple[str, str, tuple[str, ...]], _Statement] = field(default_factory=dict)
    # What the header's readers accepted with a warning (read_px's list of warnings).
    warnings: list[ParseWarning] = field(default_factory=list)

    def add(self, statement: _Statement) -> None:
        key = (statement.keyword, statement.language, statement.args)
        earlier = self.index.get(key)
        if earlier is not None:
            if statement.keyword in _UNIQUE_KEYWORDS:
                raise ImportRefused(
                    f"{_name(statement)} is given twice (lines {earlier.line} and {statement.line}).",
                    line=statement.line,
                )
            return  # keep the first, as PC-Axis does
        self.index[key] = statement
        self.statements.append(statement)

    def get(self, keyword: str, language: str = "", *args: str) -> _Statement | None:
        return self.index.get((keyword, language, tuple(args)))

    def text(self, keyword: str, language: str = "", *args: str) -> str:
        statement = self.get(keyword, language, *args)
        return "".join(statement.items[:1]) if statement else ""


def _name(statement: _Statement) -> str:
    lang = f"[{statement.language}]" if statement.language else ""
    args = "(" + ",".join(f'"{a}"' for a in statement.args) + ")" if statement.args else ""
    return f"{statement.keyword}{lang}{args}"


# --- charset ------------------------------------------------------------------------------------


def _declared(data: bytes) -> tuple[dict[str, str], dict[str, int]]:
    found: dict[str, str] = {}
    lines: dict[str, int] = {}
    for match in _DECLARATION.finditer(data, 0, _header_end_guess(data)):
        key = match.group(1).decode("ascii")
        if key not in found:
            found[key] = match.group(2).decode("ascii", "replace").strip()
            lines[key] = data.count(b"\n", 0, match.start()) + 1
    return found, lines


def _header_end_guess(data: bytes) -> int:
    match = re.search(rb"(?m)^[ \t]*DATA[ \t]*=", data)
    return match.start() if match else len(data)


def _encoding(data: bytes) -> tuple[str, str, str]:
    """(Python codec, what to call it, a hint for the refusal) for this file."""
    declared, lines = _declared(data)
    bom = data.startswith(UTF8_BOM)
    codepage = declared.get("CODEPAGE", "")
    charset = declared.get("CHARSET", "")
    if codepage:
        wanted = codepage.lower()
        if wanted in _WINDOWS_1252:
            codec = "cp1252"
        else:
            try:
                codec = codecs.lookup(wanted).name
            except LookupError:
                raise ImportRefused(
                    f'CODEPAGE="{codepage}" is not a character set this reader knows.', line=lines["CODEPAGE"]
                ) from None
        if bom and codec != "utf-8":
            raise ImportRefused(
                f'The file starts with a UTF-8 byte-order mark but declares CODEPAGE="{codepage}".', line=1
            )
        return codec, f'{codepage} (CODEPAGE="{codepage}")', "The file's bytes do not match its CODEPAGE."
    if bom:
        return "utf-8", "UTF-8 (byte-order mark)", ""
    if charset:
        if charset.upper() == "ANSI":
            return "cp1252", 'Windows-1252 (CHARSET="ANSI")', "The file's bytes do not match its CHARSET."
        try:
            return codecs.lookup(charset).name, f'{charset} (CHARSET="{charset}")', ""
        except LookupError:
            raise ImportRefused(
                f'CHARSET="{charset}" is not a character set this reader knows (expected "ANSI").',
                line=lines["CHARSET"],
            ) from None
    return (
        "utf-8",
        "UTF-8",
        'The file declares no CHARSET or CODEPAGE, so it must be UTF-8 (Windows files need CHARSET="ANSI").',
    )


# --- header -------------------------------------------------------------------------------------


def _items(raw: str) -> list[str]:
    """A keyword's value as a list: quoted strings on adjacent lines join into one item,
    commas separate items, bare words (YES, 0, TLIST(A1)) stay as written."""
    items: list[str] = []
    current: list[str] = []
    started = False
    for match in _ITEM_TOKENS.finditer(raw):
        if match.group("comma") is not None:
            items.append("".join(current))
            current, started = [], False
        elif match.group("q") is not None:
            current.append(match.group("q").replace("\r\n", "\n"))
            started = True
        else:
            current.append(match.group("bare"))
            started = True
    if started or items:
        items.append("".join(current))
    return items


def _glued_quote(raw: str) -> bool:
    """Whether a quoted string of ``raw`` touches other text ("BE01"01F1, "Optio"nal): the sign
    of a stray quotation mark rather than a text continued over a line break."""
    for token in _LONG_TOKENS.finditer(raw):
        if not token.group().startswith('"'):
            continue
        start, end = token.span()
        if start > 0 and not (raw[start - 1].isspace() or raw[start - 1] in ',"'):
            return True
        if end < len(raw) and not (raw[end].isspace() or raw[end] in ',"'):
            return True
    return False


def _unambiguous_end(text: str, start: int) -> int | None:
    """Where a statement that cannot be read (a stray quotation mark) ends, when that is not in
    doubt: PX statements end with ";" at the end of a line, so it runs to the first line ending
    in ";" (its own line included) unless a line that starts a keyword comes first. The offset of
    that ";", or None when a keyword line (or the end of the file) comes first."""
    pos = start
    size = len(text)
    while pos < size:
        newline = text.find("\n", pos)
        line_end = size if newline < 0 else newline
        here = text[pos:line_end]
        if pos != start and _HEAD.match(here):
            return None
        kept = here.rstrip()
        if kept.endswith(";"):
            return pos + len(kept) - 1
        pos = line_end + 1
    return None


def _read_header(text: str, warnings: list[ParseWarning] | None = None) -> tuple[_Header, int, int]:
    """The keywords before DATA, the offset where the data starts and the line it is on. What is
    skipped (a describing keyword that cannot be read) is added to ``warnings``, as is what the
    dimensions later ignore (``header.warnings``)."""
    header = _Header(warnings=warnings if warnings is not None else [])
    # DESCRIPTION only describes when TITLE gives the title; skipped, it waits for TITLE.
    untitled: list[tuple[str, ImportRefused]] = []
    # CODES skipped, it waits for the VALUES of its variable (its categories then take those texts).
    uncoded: list[tuple[str, str, ImportRefused]] = []
    pos = 0
    line = 1
    size = len(text)
    while True:
        match = _HEAD.match(text, pos)
        line += text.count("\n", pos, match.start("kw") if match else pos)
        if match is None:
            rest = text[pos:].strip()
            if not rest:
                raise ImportRefused(
                    "The file ends without a DATA keyword: there are no values to read.", line=line
                )
            skipped = len(text[pos:]) - len(text[pos:].lstrip())
            line_here = line + text.count("\n", pos, pos + skipped)
            snippet = rest.splitlines()[0][:40]
            raise ImportRefused(
                f"Expected a PX keyword such as VALUES(...)=...; here, found “{snippet}”.", line=line_here
            )
        keyword = match.group("kw").upper()
        statement_line = line
        if keyword == "DATA":
            for titled_in, refusal in untitled:
                if header.get("TITLE", titled_in) is None:
                    raise refusal  # DESCRIPTION would be the title: it is a label, not a description
            for coded_in, variable, refusal in uncoded:
                if header.get("VALUES", coded_in, variable) is None:
                    raise refusal  # no VALUES to give the categories their codes
                later = header.get("CODES", coded_in, variable)
                if later is not None:
                    raise ImportRefused(
                        f"{_name(later)} is given twice (lines {refusal.line} and {later.line}).",
                        line=later.line,
                    )
            line += text.count("\n", match.start("kw"), match.end())
            return header, match.end(), line
        language = (match.group("lang") or "").strip().lower()
        args = tuple(_QUOTED.findall(match.group("args") or ""))
        broken: ImportRefused | None = None
        body = _BODY.match(text, match.end())
        end = body.end() if body else match.end()
        equals = _OUTSIDE_QUOTES_EQUALS
        if end < size and text[end] == '"':
            # A quotation mark not closed on its line: a text continued over a line break (as
            # PxWeb reads it) when the statement then ends well formed, else a stray quote.
            opened_at = line + text.count("\n", match.start("kw"), end)
            long_body = _LONG_BODY.match(text, match.end())
            long_end = long_body.end() if long_body else end
            long_raw = text[match.end() : long_end]
            if (
                long_end >= size
                or text[long_end] != ";"
                or _glued_quote(long_raw)
                or any(m.group(1) for m in _LONG_OUTSIDE_QUOTES_EQUALS.finditer(long_raw))
            ):
                broken = ImportRefused(
                    f"{keyword}: a quotation mark is opened here and never closed (read on over the "
                    "line break, the statement does not end well formed with “;”: a stray quotation "
                    "mark inside the text?).",
                    line=opened_at,
                )
            else:
                end = long_end
                equals = _LONG_OUTSIDE_QUOTES_EQUALS
        if broken is None and (end >= size or text[end] != ";"):
            broken = ImportRefused(
                f"{keyword} is not ended by “;” before the end of the file.", line=statement_line
            )
        raw = text[match.end() : end]
        stray = next((m for m in equals.finditer(raw) if m.group(1)), None) if broken is None else None
        if stray is not None:
            at = line + text.count("\n", match.start("kw"), match.end() + stray.start())
            broken = ImportRefused(
                f"{keyword} on line {statement_line} is not ended by “;” "
                f"before the next keyword on line {at}.",
                line=statement_line,
            )
        if broken is not None:
            # A describing keyword whose end is not in doubt is skipped; anything else is refused.
            # CODES is optional in PX: without it the categories take their VALUES texts as codes.
            skippable = (
                keyword in _DESCRIBING_KEYWORDS
                or keyword == "DESCRIPTION"
                or (keyword == "CODES" and len(args) == 1)
            )
            skip_to = _unambiguous_end(text, match.start("kw")) if skippable else None
            if skip_to is None:
                raise broken
            if keyword == "CODES":
                uncoded.append((language, args[0], broken))
                header.warnings.append(
                    ParseWarning("codes_skipped", {"variable": args[0], "line": statement_line})
                )
                line += text.count("\n", match.start("kw"), skip_to + 1)
                pos = skip_to + 1
                continue  # left out altogether: the variable has no CODES
            if keyword == "DESCRIPTION":
                untitled.append((language, broken))
            # Kept without its text: what its presence says (MAP: the variable is geographic) stays.
            statement = _Statement(keyword, language, args, [], statement_line)
            header.warnings.append(
                ParseWarning("keyword_skipped", {"keyword": _name(statement), "line": statement_line})
            )
            end = skip_to
        else:
            statement = _Statement(keyword, language, args, _items(raw), statement_line)
        header.add(statement)
        line += text.count("\n", match.start("kw"), end + 1)
        pos = end + 1


# --- building the dimensions --------------------------------------------------------------------


@dataclass
class _Variable:
    name: str  # in the main language
    values: list[str]
    codes: list[str]
    statement: _Statement
    blank_code: str = ""  # the code given to the one category whose CODES entry is empty


def _ignorable(statement: _Statement) -> bool:
    """Whether a keyword about a variable that is not in STUB/HEADING can be ignored: one that
    only describes (DOMAIN, NOTE, VALUENOTE, MAP, ...), and ELIMINATION, which cannot name the
    total of a variable the table does not have. VALUES, CODES, TIMEVAL, VARIABLECODE, KEYS and
    VARIABLE-TYPE decide the table: about an unknown variable they are refused."""
    return statement.keyword in _DESCRIBING_KEYWORDS or statement.keyword == "ELIMINATION"


def _ignore_unknown_variable(header: _Header, statement: _Statement) -> None:
    header.warnings.append(
        ParseWarning(
            "unknown_variable_ignored",
            {"keyword": _name(statement), "variable": statement.args[0], "line": statement.line},
        )
    )


def _variables(header: _Header, main: str) -> tuple[list[_Variable], list[str], list[str]]:
    stub_statement = header.get("STUB", main) or header.get("STUB")
    heading_statement = header.get("HEADING", main) or header.get("HEADING")
    stub = stub_statement.items if stub_statement else []
    heading = heading_statement.items if heading_statement else []
    if not stub and not heading:
        raise ImportRefused("The file has neither STUB nor HEADING, so it names no dimensions.")
    seen: dict[str, str] = {}
    for where, names in (("STUB", stub), ("HEADING", heading)):
        for name in names:
            if name in seen:
                statement = stub_statement if where == "STUB" else heading_statement
                raise ImportRefused(
                    f"The variable “{name}” is listed twice (in {seen[name]} and {where}).",
                    line=statement.line if statement else None,
                )
            seen[name] = where
    known = set(seen)
    for statement in header.statements:
        if (
            statement.keyword in _VARIABLE_KEYWORDS
            and statement.language in ("", main)
            and statement.args
            and statement.args[0] not in known
        ):
            if _ignorable(statement):
                _ignore_unknown_variable(header, statement)
                continue
            raise ImportRefused(
                f"{_name(statement)} refers to an unknown dimension “{statement.args[0]}”: "
                f"it is neither in STUB nor in HEADING ({', '.join(stub + heading)}).",
                line=statement.line,
            )
    variables = []
    for name in stub + heading:
        values_statement = header.get("VALUES", main, name) or header.get("VALUES", "", name)
        where = "STUB" if seen[name] == "STUB" else "HEADING"
        listed_at = (stub_statement if where == "STUB" else heading_statement) or values_statement
        if values_statement is None:
            raise ImportRefused(
                f'{where} lists the variable “{name}” but the file has no VALUES("{name}").',
                line=listed_at.line if listed_at else None,
            )
        values = values_statement.items
        if not values:
            raise ImportRefused(f'VALUES("{name}") is empty.', line=values_statement.line)
        codes_statement = header.get("CODES", main, name) or header.get("CODES", "", name)
        if codes_statement is not None:
            codes = codes_statement.items
            if len(codes) != len(values):
                raise ImportRefused(
                    f'CODES("{name}") has {len(codes)} codes but VALUES("{name}") has {len(values)} values.',
                    line=codes_statement.line,
                )
            source = codes_statement
        else:
            codes = values
            source = values_statement
        blank = ""
        if codes_statement is not None and codes.count("") == 1:
            # CODES("sex")="1","2",; — SCB's older files leave the total's code empty: the
            # category takes its VALUES text as code and is the variable's total.
            position = codes.index("")
            codes = [*codes[:position], values[position], *codes[position + 1 :]]
            blank = values[position]
        counts: dict[str, int] = {}
        for code in codes:
            counts[code] = counts.get(code, 0) + 1
        repeated = [code for code, n in counts.items() if n > 1]
        if repeated:
            raise ImportRefused(
                f"{_name(source)} lists the category code “{repeated[0]}” more than once; "
                f"every category of “{name}” needs its own code.",
                line=source.line,
            )
        variables.append(_Variable(name, values, codes, values_statement, blank))
    return variables, stub, heading


def _second_language_names(
    header: _Header, other: str, stub: list[str], heading: list[str]
) -> tuple[dict[str, str], set[str]]:
    """Main-language variable name -> its name in the other language, and the main names whose
    translation the file gives (in STUB[lang]/HEADING[lang]); the others keep their own name."""
    names: dict[str, str] = {}
    translated: set[str] = set()
    for keyword, main_names in (("STUB", stub), ("HEADING", heading)):
        statement = header.get(keyword, other)
        if statement is None:
            names.update({n: n for n in main_names})
            continue
        translated.update(main_names)
        if len(statement.items) != len(main_names):
            raise ImportRefused(
                f"{_name(statement)} lists {len(statement.items)} variables "
                f"but {keyword} lists {len(main_names)}.",
                line=statement.line,
            )
        names.update(dict(zip(main_names, statement.items, strict=True)))
    known = set(names.values())
    for statement in header.statements:
        if (
            statement.keyword in _VARIABLE_KEYWORDS
            and statement.language == other
            and statement.args
            and statement.args[0] not in known
        ):
            if _ignorable(statement):
                _ignore_unknown_variable(header, statement)
                continue
            raise ImportRefused(
                f"{_name(statement)} refers to an unknown dimension “{statement.args[0]}”: "
                f"it is neither in STUB[{other}] nor in HEADING[{other}].",
                line=statement.line,
            )
    return names, translated


def _role(header: _Header, main: str, name: str) -> str:
    variable_type = header.text("VARIABLE-TYPE", main, name) or header.text("VARIABLE-TYPE", "", name)
    if header.get("TIMEVAL", main, name) or header.get("TIMEVAL", "", name) or variable_type.upper() == "T":
        return TIME
    contents = header.text("CONTVARIABLE", main) or header.text("CONTVARIABLE")
    if contents == name:
        return CONTENTS
    if variable_type.upper() == "G" or header.get("MAP", main, name) or header.get("MAP", "", name):
        return GEO
    return ""


def _total(header: _Header, main: str, variable: _Variable) -> str:
    statement = header.get("ELIMINATION", main, variable.name) or header.get("ELIMINATION", "", variable.name)
    if statement is None or not statement.items:
        return variable.blank_code
    value = statement.items[0]
    if value.upper() in ("YES", "NO"):
        return ""
    if value in variable.values:
        return variable.codes[variable.values.index(value)]
    raise ImportRefused(
        f'{_name(statement)} names “{value}”, which is not one of VALUES("{variable.name}").',
        line=statement.line,
    )


def _other_values(header: _Header, language: str, name: str, variable: _Variable) -> list[str]:
    """VALUES[language]("name in that language"): the category labels in another language, or []
    when the file does not give them."""
    statement = header.get("VALUES", language, name) if name else None
    if statement is None:
        return []
    if len(statement.items) != len(variable.values):
        raise ImportRefused(
            f"{_name(statement)} has {len(statement.items)} values but "
            f'VALUES("{variable.name}") has {len(variable.values)}.',
            line=statement.line,
        )
    return statement.items


def _dimensions(header: _Header, main: str, others: list[str]) -> tuple[tuple[Dimension, ...], list[str]]:
    variables, stub, heading = _variables(header, main)
    slot = label_slot(main)
    translations = [(lang, *_second_language_names(header, lang, stub, heading)) for lang in others]
    dimensions = []
    for variable in variables:
        # Texts by language, the main language first and then the others in the file's order.
        names: dict[str, str] = {slot: variable.name}
        labels: list[dict[str, str]] = [{slot: text} for text in variable.values]
        for language, other_names, translated in translations:
            other_slot = label_slot(language)
            other_name = other_names.get(variable.name, "")
            for texts, text in zip(
                labels, _other_values(header, language, other_name, variable), strict=False
            ):
                texts.setdefault(other_slot, text)
            if variable.name in translated and other_name:
                names.setdefault(other_slot, other_name)
        categories = tuple(
            Category(code, **label_fields(texts)) for code, texts in zip(variable.codes, labels, strict=True)
        )
        code = header.text("VARIABLECODE", main, variable.name) or header.text(
            "VARIABLECODE", "", variable.name
        )
        dimensions.append(
            Dimension(
                code or variable.name,
                categories=categories,
                role=_role(header, main, variable.name),
                total=_total(header, main, variable),
                **label_fields(names),
            )
        )
    codes = [d.code for d in dimensions]
    if len(set(codes)) != len(codes):
        repeated = next(c for c in codes if codes.count(c) > 1)
        raise ImportRefused(f"Two variables have the same VARIABLECODE “{repeated}”.")
    return tuple(dimensions), stub


# --- metadata -----------------------------------------------------------------------------------


def _px_date(text: str) -> str:
    match = _PX_DATE.fullmatch(text.strip())
    if not match:
        return text.strip()
    year, month, day, hour, minute = match.groups()
    return f"{year}-{month}-{day}T{hour}:{minute}" if hour else f"{year}-{month}-{day}"


def _notes(header: _Header, language: str) -> str:
    paragraphs: list[str] = []
    for keyword in ("NOTEX", "NOTE"):
        statement = header.get(keyword, language)
        if statement is None:
            continue
        for text in statement.items:
            paragraphs.extend(p.replace("#", "\n").strip() for p in text.split("##") if p.strip())
    return "\n".join(paragraphs)


def _meta(header: _Header, main: str, others: list[str]) -> TableMeta:
    slot = label_slot(main)
    # Language-neutral fields prefer the Swedish text when the file has it.
    neutral = "sv" if slot != "sv" and "sv" in others else main

    def pick(keyword: str) -> str:
        return header.text(keyword, neutral) or header.text(keyword, main) or header.text(keyword)

    def title(language: str) -> str:
        for keyword in ("TITLE", "DESCRIPTION", "CONTENTS"):
            text = header.text(keyword, language)
            if text:
                return text
        return ""

    titles = {slot: title(main) or title("")}
    for language in others:
        titles.setdefault(label_slot(language), title(language))
    unit = pick("UNITS")
    if not unit:
        # UNITS("content value") per value of the contents variable: one unit if they agree.
        for language in dict.fromkeys((neutral, main, "")):
            units = {
                s.items[0]
                for s in header.statements
                if s.keyword == "UNITS" and s.args and s.items and s.language == language
            }
            if units:
                unit = units.pop() if len(units) == 1 else ""
                break
    updated = pick("LAST-UPDATED")
    if not updated:
        dates = [s.items[0] for s in header.statements if s.keyword == "LAST-UPDATED" and s.args and s.items]
        updated = max(dates) if dates else ""
    return TableMeta(
        table_id=header.text("TABLEID") or header.text("MATRIX"),
        language=main,
        **split_languages(titles, prefix="title", others="titles"),  # type: ignore[arg-type]
        source=pick("SOURCE"),
        unit=unit,
        updated=_px_date(updated) if updated else "",
        notes=_notes(header, neutral) or _notes(header, main) or _notes(header, ""),
    )


def _measure(header: _Header, main: str, meta: TableMeta, dimensions: tuple[Dimension, ...]) -> TableMeta:
    """CONTENTS and the UNITS of each category of the contents dimension (by its code), for
    ``cube.measure_kind`` to tell whether the figures may be added up."""
    contents = header.text("CONTENTS", main) or header.text("CONTENTS")
    units: list[tuple[str, str]] = []
    for dim in dimensions:
        if dim.role != CONTENTS:
            continue
        texts = {text: c.code for c in dim.categories for text in c.texts().values()}
        for statement in header.statements:
            if statement.keyword == "UNITS" and statement.args and statement.items:
                code = texts.get(statement.args[0])
                if code is not None and statement.language in ("", main) and code not in dict(units):
                    units.append((code, statement.items[0]))
    return replace(meta, contents=contents, content_units=tuple(units))


# --- data ---------------------------------------------------------------------------------------


def _lines(text: str, start: int) -> Iterator[str]:
    """The lines from ``start`` onwards, one at a time (no list of the whole block)."""
    pos = start
    size = len(text)
    while pos < size:
        end = text.find("\n", pos)
        if end < 0:
            end = size
        yield text[pos:end]
        pos = end + 1


def _convert_line(body: str, tokens: list[str]) -> np.ndarray | None:
    """The line's cells as floats (missing symbols as NaN, "-" as 0.0), or None when a cell
    needs the strict reader: not a plain number or symbol ("1_000", "nan", non-ASCII digits)."""
    try:
        if _PLAIN_LINE.fullmatch(body):
            row = np.array(tokens, dtype=np.float64)
            return row if np.isfinite(row).all() else None
    except ValueError:
        pass  # e.g. an unquoted ".." on an otherwise plain line
    marks = [i for i, token in enumerate(tokens) if token in _SYMBOL_TOKENS]
    if not marks:
        return None
    plain = list(tokens)
    for i in marks:
        plain[i] = "0"
    if not _PLAIN_LINE.fullmatch(" ".join(plain)):
        return None
    try:
        row = np.array(plain, dtype=np.float64)
    except ValueError:
        return None
    if not np.isfinite(row).all():
        return None
    for i in marks:
        row[i] = 0.0 if tokens[i] in _NIL_TOKENS else np.nan
    return row


def _convert_strictly(
    tokens: list[str], line: int, filled: int, dimensions: tuple[Dimension, ...]
) -> np.ndarray:
    row = np.empty(len(tokens), dtype=np.float64)
    for i, token in enumerate(tokens):
        cell = read_cell(token)
        if cell is None:
            raise ImportRefused(
                f"The value “{token}” is not a number or a PX symbol (.. for missing, - for zero).",
                line=line,
                cell=describe_cell(dimensions, filled + i),
            )
        row[i] = cell[0]
    return row


def _symbols(tokens: list[str], row: np.ndarray) -> dict[int, str]:
    """Missing-value symbols by position in the line (the cells that are NaN)."""
    missing = np.flatnonzero(np.isnan(row))
    return {int(i): tokens[i].strip('"') for i in missing}


def _read_data(
    text: str,
    start: int,
    first_line: int,
    dimensions: tuple[Dimension, ...],
    row_length: int,
    limits: ImportLimits,
    warnings: list[ParseWarning] | None = None,
) -> tuple[np.ndarray, dict[int, str]]:
    """The values of DATA, in order. DATA ends at its ";" (the last text of the file), or,
    where the data leaves no doubt, at the end of the file: without the ";" when exactly the
    table's values are there (seven files of SCB's PxWeb example database), or with ";" ending
    every row when together they hold exactly the table's values (INE's 14001.px). Each of
    those is added to ``warnings``; any other count is refused with its line."""
    expected = check_size([len(d.categories) for d in dimensions], [d.code for d in dimensions], limits)
    most = (len(text) - start) // 2 + 1  # every value takes a character and a separator
    shape = " × ".join(f"{len(d.categories)} {d.code}" for d in dimensions)
    if expected > most:
        raise ImportRefused(
            f"The table needs {expected} values ({shape}) but DATA is too short to hold more than {most}.",
            line=first_line,
        )
    warnings = warnings if warnings is not None else []
    values = np.empty(expected, dtype=np.float64)
    status: dict[int, str] = {}
    filled = 0
    line = first_line - 1
    last_data_line = first_line
    ended_at = 0  # the line of the first ";"
    filled_at_end = -1  # the values read up to the first ";"
    rows_after = 0  # lines with values after the first ";"
    semicolon_lines = 0
    ragged: tuple[int, int] | None = None
    overflow = False
    trailing: tuple[int, str] | None = None
    for raw in _lines(text, start):
        line += 1
        if filled_at_end == expected:
            # DATA was complete at its first ";": whatever follows is not data.
            if raw.strip():
                trailing = (line, raw.strip()[:40])
                break
            continue
        body, semicolon, after = raw.partition(";")
        if semicolon:
            semicolon_lines += 1
            if after.strip(" \t\r;"):
                trailing = (line, after.strip()[:40])  # a ";" inside a row is never a row's end
        tokens = body.replace(",", " ").split()
        if tokens:
            last_data_line = line
            rows_after += 1 if ended_at else 0
            if ragged is None and len(tokens) != row_length:
                ragged = (line, len(tokens))
            count = len(tokens)
            if overflow or filled + count > expected:
                overflow = True
                filled += count
            else:
                row = _convert_line(body, tokens)
                if row is None:
                    row = _convert_strictly(tokens, line, filled, dimensions)
                if status_of_row := _symbols(tokens, row):
                    status.update({filled + i: symbol for i, symbol in status_of_row.items()})
                values[filled : filled + count] = row
                filled += count
        if semicolon and not ended_at:
            ended_at, filled_at_end = line, filled
        if trailing:
            break
    if trailing is not None:
        raise ImportRefused(
            f"Text after the “;” that ends DATA: “{trailing[1]}”. DATA must be the last keyword.",
            line=trailing[0],
        )
    if not ended_at:
        if filled == expected:
            warnings.append(ParseWarning("data_not_closed", {"values": filled}))
            return values, status
        raise ImportRefused(
            f"The file ends without the “;” that closes DATA (is it cut short?). {filled} values were "
            f"read; the table needs {expected} ({shape}).",
            line=line,
        )
    if filled != expected:
        last = last_data_line if rows_after else ended_at
        message = (
            f"DATA has {filled} values but the table needs {expected} ({shape}); "
            f"the data block runs from line {first_line} to line {last}."
        )
        if rows_after:
            message += f" Its first “;” is on line {ended_at}, and {rows_after} more rows follow it."
        if ragged is not None:
            message += (
                f" Line {ragged[0]} is the first with {ragged[1]} values instead of {row_length} (one row)."
            )
        raise ImportRefused(message, line=ragged[0] if ragged else ended_at)
    if rows_after:
        warnings.append(ParseWarning("data_row_semicolons", {"rows": semicolon_lines}))
    return values, status


# --- KEYS: rows listed by key -------------------------------------------------------------------


@dataclass
class _Keys:
    """How the rows of a KEYS file are keyed: for each STUB variable (in STUB order) its name,
    what its keys are (VALUES or CODES) and the position of each key among its categories."""

    names: list[str]
    kinds: list[str]
    positions: list[dict[str, int]]
    prefix: re.Pattern[str]


def _keys(header: _Header, main: str, stub: list[str], dimensions: tuple[Dimension, ...]) -> _Keys | None:
    """KEYS("var")=VALUES or CODES for every STUB variable, or None when the file has no KEYS.
    A HEADING variable cannot be keyed (a row spans all of HEADING), and a key for only some of
    the STUB variables leaves the rows' positions unknown: both are refused with the line."""
    statements = [s for s in header.statements if s.keyword == "KEYS" and s.language in ("", main) and s.args]
    if not statements:
        return None
    given: dict[str, _Statement] = {}
    for statement in statements:
        name = statement.args[0]
        if name not in stub:
            raise ImportRefused(
                f"{_name(statement)}: only STUB variables can be keys "
                f"({', '.join(stub) or 'STUB is empty'}); "
                f"“{name}” is in HEADING.",
                line=statement.line,
            )
        kind = "".join(statement.items).strip().upper()
        if kind not in ("VALUES", "CODES"):
            raise ImportRefused(
                f"{_name(statement)} must be VALUES or CODES, not “{''.join(statement.items)[:40]}”.",
                line=statement.line,
            )
        given.setdefault(name, replace(statement, items=[kind]))
    unkeyed = [name for name in stub if name not in given]
    if unkeyed:
        raise ImportRefused(
            f"KEYS is given for {', '.join(given)} but not for the STUB variable “{unkeyed[0]}”: each row "
            "of DATA must begin with a key for every STUB variable.",
            line=statements[0].line,
        )
    positions = []
    for name, dimension in zip(stub, dimensions, strict=False):
        if given[name].items[0] == "CODES":
            keys = list(dimension.codes)
        else:
            values = header.get("VALUES", main, name) or header.get("VALUES", "", name)
            keys = values.items if values else []
        positions.append({key: i for i, key in enumerate(keys)})
    # "key","key", values: each key in quotation marks, keys separated by commas (PxWeb reads a
    # comma after the last key too; a space will do).
    quoted = r'"([^"\r\n]*)"'
    prefix = re.compile(r"[ \t]*" + r"[ \t]*,[ \t]*".join([quoted] * len(stub)) + r"(?:[ \t]*,|(?=\s)|$)")
    return _Keys(list(stub), [given[name].items[0] for name in stub], positions, prefix)


def _shape(sizes: list[int], names: list[str]) -> str:
    return " × ".join(f"{size} {name}" for size, name in zip(sizes, names, strict=True))


def _read_keyed_data(
    text: str,
    start: int,
    first_line: int,
    dimensions: tuple[Dimension, ...],
    keys: _Keys,
    row_length: int,
    limits: ImportLimits,
) -> tuple[np.ndarray, dict[int, str]]:
    """The values of DATA in a KEYS file: one row per line, the keys of the STUB variables first
    (in STUB order), then the row's values. The rows may come in any order; a row the file does
    not give is all zeros, as the PX specification says (rows of only zeros are left out) and as
    PxWeb (PCAxis.Core's PXFileParser.ParseKeysData) fills them. A key that is not one of its
    variable's VALUES/CODES, a row given twice, a row of the wrong length and more rows than the
    table has are refused with their line."""
    sizes = [len(d.categories) for d in dimensions]
    names = [d.code for d in dimensions]
    expected = check_size(sizes, names, limits)
    rows = expected // row_length
    # Each given row takes a line: before anything is allocated, the file must give enough lines
    # for the rows it leaves out to stay within limits.max_absent_cells.
    lines = text.count("\n", start) + 1
    most_rows = min(rows, lines)
    if (rows - most_rows) * row_length > limits.max_absent_cells:
        raise ImportRefused(
            f"DATA has {lines:,} lines, room for at most {most_rows:,} of the table's {rows:,} rows "
            f"({_shape(sizes, names)}); the rows left out would be more than the "
            f"{limits.max_absent_cells:,} cells that may be left out.",
            line=first_line,
        )
    stub_sizes = sizes[: len(keys.names)]
    values = np.zeros(expected, dtype=np.float64)
    given_at = np.zeros(rows, dtype=np.int32)  # the line each row is given on (0: not given)
    status: dict[int, str] = {}
    given = 0
    line = first_line - 1
    ended_at = 0
    what = _shape(sizes[len(keys.names) :], names[len(keys.names) :])
    for raw in _lines(text, start):
        line += 1
        if ended_at:
            if raw.strip():
                raise ImportRefused(
                    f"Text after the “;” that ends DATA: “{raw.strip()[:40]}”. "
                    "DATA must be the last keyword.",
                    line=line,
                )
            continue
        body, semicolon, after = raw.partition(";")
        if semicolon:
            ended_at = line
            if after.strip(" \t\r;"):
                raise ImportRefused(
                    f"Text after the “;” that ends DATA: “{after.strip()[:40]}”. "
                    "DATA must be the last keyword.",
                    line=line,
                )
        if not body.strip():
            continue
        match = keys.prefix.match(body)
        if match is None:
            raise ImportRefused(
                f"A row of DATA must begin with the keys of {', '.join(keys.names)} in quotation marks, "
                f"separated by commas (KEYS); found “{body.strip()[:40]}”.",
                line=line,
            )
        position = []
        for name, kind, known, key in zip(
            keys.names, keys.kinds, keys.positions, match.groups(), strict=True
        ):
            index = known.get(key)
            if index is None:
                raise ImportRefused(
                    f'The key “{key}” is not one of {kind}("{name}") (KEYS("{name}")={kind}).', line=line
                )
            position.append(index)
        row = int(np.ravel_multi_index(position, stub_sizes)) if position else 0
        given += 1
        if given > rows:
            raise ImportRefused(f"DATA has more rows than the {rows} the table has.", line=line)
        if given_at[row]:
            where = ", ".join(f"{n}={k}" for n, k in zip(keys.names, match.groups(), strict=True))
            raise ImportRefused(
                f"The row {where} is given twice (lines {given_at[row]} and {line}).", line=line
            )
        given_at[row] = line
        rest = body[match.end() :]
        tokens = rest.replace(",", " ").split()
        if len(tokens) != row_length:
            raise ImportRefused(
                f"The row has {len(tokens)} values after its keys; each row holds {row_length} ({what}).",
                line=line,
            )
        first = row * row_length
        cells = _convert_line(rest, tokens)
        if cells is None:
            cells = _convert_strictly(tokens, line, first, dimensions)
        if status_of_row := _symbols(tokens, cells):
            status.update({first + i: symbol for i, symbol in status_of_row.items()})
        values[first : first + row_length] = cells
    if not ended_at:
        raise ImportRefused(
            f"The file ends without the “;” that closes DATA (is it cut short?). {given} rows were read.",
            line=line,
        )
    check_absent(expected, given * row_length, sizes, names, limits)
    return values, status


# --- the reader ---------------------------------------------------------------------------------


def _languages(header: _Header) -> tuple[str, list[str]]:
    """The main language (LANGUAGE) and the others the file carries: those listed in LANGUAGES
    and those of its ``[lang]`` keywords, in the order the file gives them. Without LANGUAGE the
    main language is the first of LANGUAGES that has no ``[lang]`` keywords of its own (the main
    language's keywords carry no ``[lang]``), else unknown ("")."""
    listed = header.get("LANGUAGES")
    languages = [language_code(lang) for lang in listed.items] if listed else []
    present = [s.language for s in header.statements if s.language]
    main = language_code(header.text("LANGUAGE"))
    if not main:
        main = next((lang for lang in languages if lang not in present), "")
    others = [
        lang for lang in dict.fromkeys([*languages, *map(language_code, present)]) if lang and lang != main
    ]
    if not main and label_slot(main) in map(label_slot, others):
        # No main language and the default ("en") is taken by a [lang] keyword: keep the main
        # texts as undetermined rather than under another language.
        main = "und"
    return main, others


def parse_px(data: bytes, *, limits: ImportLimits = DEFAULT_LIMITS) -> Cube:
    """Read a PC-Axis file into a Cube, or refuse it with the line that is wrong. DATA must
    hold every cell, except the rows of only zeros a KEYS file leaves out, and the declared
    cells are checked against ``limits`` before the data block is read. :func:`read_px` also
    gives the warnings."""
    return read_px(data, limits=limits)[0]


def read_px(data: bytes, *, limits: ImportLimits = DEFAULT_LIMITS) -> tuple[Cube, list[ParseWarning]]:
    """:func:`parse_px` with the warnings of what was accepted although the file bends the
    format (see :class:`~samverkan.statistics.importers._common.ParseWarning`)."""
    warnings: list[ParseWarning] = []
    codec, label, hint = _encoding(data)
    body = data[len(UTF8_BOM) :] if data.startswith(UTF8_BOM) else data
    text = decode(body, codec, label=label, hint=hint)
    header, data_start, data_line = _read_header(text, warnings)
    main, others = _languages(header)
    dimensions, stub = _dimensions(header, main, others)
    heading_dims = dimensions[len(stub) :]
    row_length = int(math.prod(len(d.categories) for d in heading_dims)) if heading_dims else 1
    keys = _keys(header, main, stub, dimensions)
    if keys is None:
        values, status = _read_data(text, data_start, data_line, dimensions, row_length, limits, warnings)
    else:
        values, status = _read_keyed_data(text, data_start, data_line, dimensions, keys, row_length, limits)
    cube = Cube(
        dimensions,
        values.reshape(tuple(len(d.categories) for d in dimensions)),
        status,
        _measure(header, main, _meta(header, main, others), dimensions),
    )
    return cube, warnings
