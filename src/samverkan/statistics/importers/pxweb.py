"""Fetch a table from a PxWebApi 2 service (SCB's Statistikdatabasen by default) as JSON-stat 2.0,
with an on-disk cache so a table is downloaded once.

The request (PxAPI-2.yml in github.com/PxTools/PxApiSpecs; PxWebApi's own tests call
``/tables/TAB004/data?valueCodes[ContentsCode]=Emission&valueCodes[TIME]=2017...``)::

    GET {base_url}/tables/{id}/data?lang=sv&outputFormat=json-stat2&valueCodes[Tid]=2019,2020

``valueCodes[VARIABLE]`` takes a comma-separated list of value codes or selection
expressions (``*``, ``top(3)``, ``from(2019)``); a variable left out gets the table's default
selection. A selection too long for a URL (servers answer 404 past about 2,000 characters), or
a code containing a comma, is sent instead as ``POST .../data?lang=..&outputFormat=json-stat2``
with the body ``{"selection": [{"variableCode": "Tid", "valueCodes": ["2019", "2020"]}]}``.
Errors come back as application/problem+json (``title``, ``status``, ``detail``); 403 means
the selection exceeds the service's cell limit (SCB: 150,000 cells), 429 too many calls.

Cache: one file per (base URL, table id, language, selection), named by the SHA-256 of those
four in a canonical JSON form (variables sorted, codes in the order given). It is written to a
temporary file in the same directory and moved into place with ``os.replace``, so a crash
never leaves half a file under the final name. A cached table is returned without any network
call until ``refresh=True``.

Pure like the parsers: standard library only; the caller passes the cache directory, and tests
pass an ``opener`` that serves recorded responses.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from samverkan.statistics.cube import Cube
from samverkan.statistics.importers._common import DEFAULT_LIMITS, ImportLimits, merge_languages
from samverkan.statistics.importers.errors import ImportRefused
from samverkan.statistics.importers.jsonstat import parse_jsonstat

DEFAULT_BASE_URL = "https://statistikdatabasen.scb.se/api/v2"
DEFAULT_MAX_BYTES = 50_000_000
DEFAULT_TIMEOUT = 60.0
MAX_GET_URL = 2000
USER_AGENT = "samverkan-statistics/1.0 (PxWebApi 2 client)"

_TABLE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
_LANGUAGE = re.compile(r"[a-z]{2,3}")
_SAFE_CODE = "*()-_.~"  # "+" must be escaped: in a query it means a space


class FetchError(Exception):
    """The table could not be fetched: network, HTTP status, size or content. Nothing was cached."""

    def __init__(self, message: str, *, url: str = "", status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.url = url
        self.status = status

    def __str__(self) -> str:
        return f"{self.message} ({self.url})" if self.url else self.message


Opener = Callable[..., Any]  # urllib.request.urlopen(request, timeout=...) or a test double


def normalise_selection(selection: Mapping[str, Sequence[str]] | None) -> dict[str, list[str]]:
    """Variables sorted by code, each with its codes (stripped, in the order given)."""
    if not selection:
        return {}
    normal: dict[str, list[str]] = {}
    for variable in sorted(selection):
        codes = selection[variable]
        if isinstance(codes, str):
            raise ValueError(f"The selection for {variable!r} must be a list of codes, not one string.")
        cleaned = [str(code).strip() for code in codes]
        if not variable.strip() or not cleaned or any(not code for code in cleaned):
            raise ValueError(f"The selection for {variable!r} needs at least one non-empty value code.")
        normal[variable.strip()] = cleaned
    return normal


def _check(table_id: str, language: str, base_url: str) -> str:
    if not _TABLE_ID.fullmatch(table_id):
        raise ValueError(f"{table_id!r} is not a PxWeb table id (letters, digits, - and _).")
    if not _LANGUAGE.fullmatch(language):
        raise ValueError(f"{language!r} is not a language code such as sv or en.")
    parts = urlsplit(base_url)
    if parts.scheme not in ("https", "http") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"{base_url!r} is not an http(s) API root such as {DEFAULT_BASE_URL}.")
    return base_url.rstrip("/")


def data_url(
    table_id: str,
    selection: Mapping[str, Sequence[str]] | None,
    *,
    language: str = "sv",
    base_url: str = DEFAULT_BASE_URL,
) -> str:
    """The GET URL for the table's data in JSON-stat 2.0."""
    root = _check(table_id, language, base_url)
    query = [f"lang={quote(language)}", "outputFormat=json-stat2"]
    for variable, codes in normalise_selection(selection).items():
        value = ",".join(quote(code, safe=_SAFE_CODE) for code in codes)
        query.append(f"valueCodes[{quote(variable, safe=_SAFE_CODE)}]={value}")
    return f"{root}/tables/{quote(table_id)}/data?{'&'.join(query)}"


def _request(
    table_id: str, selection: dict[str, list[str]], language: str, root: str
) -> urllib.request.Request:
    headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
    url = data_url(table_id, selection, language=language, base_url=root)
    if len(url) <= MAX_GET_URL and not any("," in code for codes in selection.values() for code in codes):
        # The scheme is checked to be http(s) in _check.
        return urllib.request.Request(url, headers=headers, method="GET")  # noqa: S310
    body = {"selection": [{"variableCode": v, "valueCodes": codes} for v, codes in selection.items()]}
    post_url = f"{root}/tables/{quote(table_id)}/data?lang={quote(language)}&outputFormat=json-stat2"
    return urllib.request.Request(  # noqa: S310 - scheme checked in _check
        post_url,
        data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        headers={**headers, "Content-Type": "application/json"},
        method="POST",
    )


def cache_key(
    table_id: str, selection: Mapping[str, Sequence[str]] | None, *, language: str, base_url: str
) -> str:
    canonical = json.dumps(
        {
            "base_url": base_url.rstrip("/"),
            "table": table_id,
            "language": language,
            "selection": normalise_selection(selection),
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def cache_path(
    cache_dir: Path,
    table_id: str,
    selection: Mapping[str, Sequence[str]] | None,
    *,
    language: str = "sv",
    base_url: str = DEFAULT_BASE_URL,
) -> Path:
    key = cache_key(table_id, selection, language=language, base_url=base_url)
    return Path(cache_dir) / f"pxweb-{key}.json"


def _problem(body: bytes) -> str:
    try:
        problem = json.loads(body.decode("utf-8", "replace"))
    except ValueError:
        return body.decode("utf-8", "replace").strip()[:200]
    if isinstance(problem, Mapping):
        parts = [str(problem.get(k)) for k in ("title", "detail") if problem.get(k)]
        return ": ".join(parts)
    return ""


def _download(request: urllib.request.Request, opener: Opener, timeout: float, max_bytes: int) -> bytes:
    url = request.full_url
    try:
        with opener(request, timeout=timeout) as response:
            status = getattr(response, "status", None) or response.getcode()
            if status != 200:
                body = response.read(65536)
                detail = _problem(body)
                raise FetchError(
                    f"PxWeb answered HTTP {status}{f': {detail}' if detail else ''}.", url=url, status=status
                )
            headers = getattr(response, "headers", None)
            length = headers.get("Content-Length") if headers is not None else None
            if length is not None and length.isdigit() and int(length) > max_bytes:
                raise FetchError(
                    f"The response is {int(length)} bytes, more than the limit of {max_bytes}; "
                    "select fewer cells.",
                    url=url,
                )
            chunks: list[bytes] = []
            size = 0
            while True:
                chunk = response.read(min(1 << 20, max_bytes + 1 - size))
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError(
                        f"The response is more than the limit of {max_bytes} bytes; select fewer cells.",
                        url=url,
                    )
            return b"".join(chunks)
    except urllib.error.HTTPError as error:
        detail = _problem(error.read(65536) if error.fp is not None else b"")
        hint = {
            403: " The selection has more cells than the service allows.",
            429: " Too many requests; wait and try again.",
        }.get(error.code, "")
        raise FetchError(
            f"PxWeb answered HTTP {error.code}{f': {detail}' if detail else ''}.{hint}",
            url=url,
            status=error.code,
        ) from None
    except TimeoutError:
        raise FetchError(f"PxWeb did not answer within {timeout:g} seconds.", url=url) from None
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            raise FetchError(f"PxWeb did not answer within {timeout:g} seconds.", url=url) from None
        raise FetchError(f"PxWeb could not be reached: {error.reason}.", url=url) from None


def _check_body(body: bytes, url: str) -> None:
    try:
        document = json.loads(body)
    except ValueError:
        raise FetchError("PxWeb's answer is not JSON, so it is not a JSON-stat dataset.", url=url) from None
    if not isinstance(document, Mapping) or document.get("class") != "dataset":
        raise FetchError("PxWeb's answer is JSON but not a JSON-stat 2.0 dataset.", url=url)


def _write_atomically(path: Path, body: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".pxweb-", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(body)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def fetch_table(
    table_id: str,
    selection: Mapping[str, Sequence[str]] | None,
    *,
    language: str = "sv",
    base_url: str = DEFAULT_BASE_URL,
    cache_dir: Path,
    opener: Opener | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    timeout: float = DEFAULT_TIMEOUT,
    refresh: bool = False,
) -> bytes:
    """The table's data as JSON-stat 2.0 bytes, from the cache or else from the service.

    Raises ValueError for an id, language, URL or selection that cannot be sent, and
    FetchError when the service fails (timeout, HTTP error, oversize or non-JSON-stat answer);
    a failed fetch caches nothing and leaves an earlier cached copy as it was."""
    root = _check(table_id, language, base_url)
    normal = normalise_selection(selection)
    path = cache_path(cache_dir, table_id, normal, language=language, base_url=root)
    if not refresh and path.is_file():
        return path.read_bytes()
    request = _request(table_id, normal, language, root)
    body = _download(request, opener or urllib.request.urlopen, timeout, max_bytes)
    _check_body(body, request.full_url)
    _write_atomically(path, body)
    return body


def fetch_bilingual(
    table_id: str,
    selection: Mapping[str, Sequence[str]] | None,
    *,
    base_url: str = DEFAULT_BASE_URL,
    cache_dir: Path,
    opener: Opener | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    timeout: float = DEFAULT_TIMEOUT,
    refresh: bool = False,
    limits: ImportLimits = DEFAULT_LIMITS,
    languages: Sequence[str] = ("sv", "en"),
) -> Cube:
    """The table fetched in each of ``languages`` (Swedish and English unless told otherwise,
    e.g. ``("fi", "sv", "en")`` from Statistics Finland) and read into one cube with the labels
    of all, the first language winning where two answers label in the same language. The
    answers must be the same table (codes, values, symbols) or ImportRefused is raised."""
    if not languages:
        raise ValueError("Name at least one language.")
    cubes = []
    for language in languages:
        body = fetch_table(
            table_id,
            selection,
            language=language,
            base_url=base_url,
            cache_dir=cache_dir,
            opener=opener,
            max_bytes=max_bytes,
            timeout=timeout,
            refresh=refresh,
        )
        try:
            cubes.append(parse_jsonstat(body, language=language, limits=limits))
        except ImportRefused as refused:
            raise ImportRefused(
                f"The {language} answer for {table_id}: {refused.message}", cell=refused.cell
            ) from None
    return merge_languages(cubes[0], *cubes[1:])
