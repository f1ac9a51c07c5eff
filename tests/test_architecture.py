"""Rules of docs/architecture.md that the code keeps by construction, checked on the source.

Each rule here once held by habit only and was broken in places; the tests keep it from coming
back. The runtime rules (``audit.record`` refuses to run outside a transaction, the middleware
answers domain errors) have their own tests; these catch the shape of the code.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "samverkan"

# Django's own password views save the new password, so they record it in the same transaction
# (see the module's docstring); nothing else at the edge writes the log.
AUDIT_WRITERS_AT_THE_EDGE = {"accounts/password_views.py"}


def _edge_modules() -> list[Path]:
    """Pages and API modules: the layer that must only call services and selectors."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        if path.name in ("views.py", "api.py") or path.name.endswith(("_views.py", "_api.py")):
            found.append(path)
    return found


def _calls(tree: ast.AST, module: str, names: set[str]) -> list[int]:
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in names
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == module
    ]


def test_the_edge_modules_exist():
    names = {p.relative_to(SRC).as_posix() for p in _edge_modules()}
    assert {"resettlement/views.py", "panels/views.py", "meetingplace/api.py"} <= names


def test_pages_and_the_api_do_not_write_the_audit_log():
    """Writes and their audit events belong to services, reads of personal data are logged by the
    selectors that return them: a view that logs is a second place to forget it."""
    offenders = []
    for path in _edge_modules():
        name = path.relative_to(SRC).as_posix()
        if name in AUDIT_WRITERS_AT_THE_EDGE:
            continue
        for line in _calls(ast.parse(path.read_text()), "audit", {"record", "record_read"}):
            offenders.append(f"{name}:{line}")
    assert not offenders, f"audit events written by views or the API: {offenders}"


# What the middleware answers for each domain error; a handler giving the same answer by hand is
# redundant. (Mapping PermissionDenied to 404 on purpose, where even knowing the object exists
# must not leak, is a different answer and allowed.)
MIDDLEWARE_ANSWERS = {
    "NotFound": "Http404",
    "PermissionDenied": "DjangoPermissionDenied",
    "RateLimited": "429",
}


def _translates_by_hand(handler: ast.ExceptHandler) -> bool:
    caught = handler.type
    if not isinstance(caught, ast.Name) or caught.id not in MIDDLEWARE_ANSWERS or len(handler.body) != 1:
        return False
    statement = handler.body[0]
    return isinstance(statement, ast.Raise | ast.Return) and MIDDLEWARE_ANSWERS[caught.id] in ast.unparse(
        statement
    )


def test_pages_do_not_translate_domain_errors_by_hand():
    """``core.middleware`` answers NotFound (404), PermissionDenied (403) and RateLimited (429)
    for every page, the same way; a hand-written translation is a place to get it wrong."""
    offenders = []
    for path in _edge_modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ExceptHandler) and _translates_by_hand(node):
                offenders.append(f"{path.relative_to(SRC).as_posix()}:{node.lineno}")
    assert not offenders, f"domain errors translated by hand: {offenders}"


def test_pages_and_the_api_read_through_selectors():
    """A read in a view skips the selector's scoping and its read log."""
    found = {}
    for path in _edge_modules():
        tree = ast.parse(path.read_text())
        reads = [
            node.lineno
            for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and node.attr == "objects"
        ]
        if reads:
            found[path.relative_to(SRC).as_posix()] = len(reads)
    assert not found, f"model managers used directly by views or the API (read through selectors): {found}"
