"""One disclosure rule for every published count about people (issue #16): everything that shows
counts from person data goes through ``samverkan.statistics.disclosure``, and nothing outside that
package decides by itself which counts are small.

Two halves:

(a) **Every endpoint that renders counts from person data calls the package.** Each is requested
    as a user who may see it, with the package's entry points (``publish``, ``protect``,
    ``protect_release`` and the functions of ``disclosure.shared``, as far as they exist) wrapped by
    spies wherever a module of the platform holds them (``from ... import protect`` binds the name
    in the importing module, so the spy replaces it there too). Where a page shows a release that
    was protected when it was made (the panels report, the resettlement dashboard), the step that
    makes the release is watched with the request; that the page shows only the release is then
    the app's own tests' business. The endpoints: a person-level dataset's page (with its chart), CSV, API
    observations (JSON and CSV) and composition; the panels public report; the resettlement
    follow-up dashboard; the meeting-place overview and a session's plan page (participants'
    answers).

(b) **No small-cell logic outside the package.** The syntax tree of every module under
    ``src/samverkan`` (tests, migrations and ``statistics/disclosure/`` itself left out) is searched
    for comparisons that order something against a disclosure threshold: ``settings.*_MIN_CELL``,
    ``settings.*DISCLOSURE_THRESHOLD``, a name or attribute called ``threshold``, ``minimum``,
    ``min_cell`` (or ending so), or a name assigned from one of them; and for the primary-suppression
    idiom ``0 < n < m`` whatever ``m`` is called. Comparing a threshold with a literal (validating
    the setting itself) is not small-cell logic. ``NOT_DISCLOSURE`` lists the few comparisons that
    match but are about something else, each with its reason. Reading a disclosure setting at all is
    allowed only where the value is passed on to the package or shown as text (``PASSES_ON``).
"""

from __future__ import annotations

import ast
import datetime as dt
import importlib
import inspect
import pkgutil
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any
from unittest import mock

import numpy as np
import pytest
from django.test import Client
from django.urls import reverse

import samverkan
from samverkan.accounts.actors import actor_for_user
from samverkan.accounts.tests.factories import member, organisation
from samverkan.accounts.tests.helpers import verified_login

PACKAGE = "samverkan.statistics.disclosure"
SRC = Path(samverkan.__file__).resolve().parent  # src/samverkan

IN_FLUX: tuple[str, ...] = ()
"""Code being rewritten: its allowances may go stale meanwhile (empty when nothing is)."""


# === (a) Every endpoint calls the package ===========================================================
def entry_points() -> dict[str, Callable[..., Any]]:
    """The package's entry points that exist now, by name."""
    package = importlib.import_module(PACKAGE)
    found: dict[str, Callable[..., Any]] = {}
    for name in ("publish", "protect", "protect_release"):
        function = getattr(package, name, None)
        if callable(function):
            found[name] = function
    if "protect_release" not in found:  # defined in .release before the package exports it
        try:
            release = importlib.import_module(f"{PACKAGE}.release")
        except ModuleNotFoundError:
            release = None
        if callable(getattr(release, "protect_release", None)):
            found["protect_release"] = release.protect_release  # type: ignore[union-attr]
    try:
        shared = importlib.import_module(f"{PACKAGE}.shared")
    except ModuleNotFoundError:
        return found
    for name, function in inspect.getmembers(shared, inspect.isfunction):
        if not name.startswith("_") and function.__module__ == shared.__name__:
            found[f"shared.{name}"] = function
    return found


def _platform_modules() -> Iterator[ModuleType]:
    """The loaded modules that may hold an entry point under some name: everything of the platform
    except the package's own internals (its ``__init__`` and ``shared`` are where callers look)."""
    for name, module in list(sys.modules.items()):
        if module is None or not (name == "samverkan" or name.startswith("samverkan.")):
            continue
        if name.startswith(f"{PACKAGE}.") and name != f"{PACKAGE}.shared":
            continue
        yield module


@pytest.fixture(scope="module", autouse=True)
def _every_platform_module_loaded() -> None:
    """Import the platform's modules before spying, so that none binds an entry point later, out of
    the spies' sight (views import some modules only when first called)."""
    for info in pkgutil.walk_packages([str(SRC)], prefix="samverkan."):
        if ".tests" in info.name or ".migrations" in info.name:
            continue
        try:
            importlib.import_module(info.name)
        except Exception:  # noqa: S112 - a module that cannot load shows up in the requests
            continue


@contextmanager
def spying() -> Iterator[dict[str, mock.Mock]]:
    """Spies (``Mock(wraps=...)``, so everything still works) on every entry point, patched in every
    platform module that holds it, whatever the name it is bound to there."""
    functions = entry_points()
    spies = {name: mock.Mock(wraps=function, name=name) for name, function in functions.items()}
    by_identity = {id(function): spies[name] for name, function in functions.items()}
    with ExitStack() as stack:
        for module in _platform_modules():
            for attribute, value in list(vars(module).items()):
                spy = by_identity.get(id(value))
                if spy is not None:
                    stack.enter_context(mock.patch.object(module, attribute, spy))
        yield spies


def assert_through_the_rule(*steps: Callable[[], Any]) -> list[Any]:
    """Run ``steps`` (the last one a request) under the spies; the request must succeed and an entry
    point must have been called."""
    with spying() as spies:
        results = [step() for step in steps]
    response = results[-1]
    assert response.status_code == 200, response
    called = sorted(name for name, spy in spies.items() if spy.called)
    assert called, (
        "counts about people were rendered without samverkan.statistics.disclosure "
        f"(none of {sorted(spies)} was called)"
    )
    return results


def test_the_spies_replace_the_entry_points_where_the_platform_holds_them():
    from samverkan.meetingplace import selectors as meetingplace_selectors
    from samverkan.statistics import disclosure

    assert {"publish", "protect"} <= set(entry_points())
    with spying() as spies:
        assert disclosure.protect is spies["protect"]
        meetingplace_selectors.evaluation_figures([(3, 3)] * 6, threshold=5)
    assert spies["protect"].call_count == 2 and spies["publish"].called
    assert disclosure.protect is not spies["protect"]


# --- statistics: a person-level dataset --------------------------------------------------------------
@pytest.fixture
def person_level_dataset(db):
    from samverkan.statistics.cube import Cube
    from samverkan.statistics.tests.factories import dim, store

    owner = organisation()
    values = np.array([[30, 2, 40], [25, 35, 45], [50, 60, 70]])
    table = Cube((dim("region", ["A", "B", "C"]), dim("ground", ["P", "F", "W"])), values)
    outcome = store(table, slug="persons-test", person_level=True, is_public=False, owner_id=owner.pk)
    return outcome.dataset


API = "/api/v1/statistics/datasets"
STATISTICS_ENDPOINTS: dict[str, Callable[[str], str]] = {
    "page with chart": lambda slug: reverse("statistics:dataset_detail", args=[slug]),
    "csv": lambda slug: reverse("statistics:dataset_csv", args=[slug]),
    "api observations": lambda slug: f"{API}/{slug}/observations",
    "api observations csv": lambda slug: f"{API}/{slug}/observations?format=csv",
    "api composition": lambda slug: f"{API}/{slug}/composition?dimensions=ground",
}


@pytest.mark.parametrize("endpoint", list(STATISTICS_ENDPOINTS))
def test_a_person_level_dataset_is_published_through_the_rule(client: Client, person_level_dataset, endpoint):
    client.force_login(member("reader", person_level_dataset.owner))
    url = STATISTICS_ENDPOINTS[endpoint](person_level_dataset.slug)
    assert_through_the_rule(lambda: client.get(url))


# --- panels: the public report -----------------------------------------------------------------------
@pytest.mark.django_db
def test_the_panels_public_report_is_protected_through_the_rule(
    client: Client, django_capture_on_commit_callbacks
):
    from samverkan.panels import services as panels
    from samverkan.panels.tests.factories import even_quotas, people_csv

    org = organisation()
    user = member("coordinator", org)
    actor = actor_for_user(user)
    pool = panels.pool_create(
        actor=actor,
        owner_id=org.pk,
        name="Fiktiv pool",
        panel_size=10,
        data=people_csv(40),
        filename="people.csv",
        id_column="id",
        feature_columns=["kön", "grund"],
    )
    panels.pool_quotas_set(actor=actor, pool=pool, rows=even_quotas(), source="hand")
    with django_capture_on_commit_callbacks(execute=True):
        run = panels.run_start(actor=actor, pool=pool, seed="1")
    run.refresh_from_db()
    verified_login(client, user)
    assert_through_the_rule(
        lambda: panels.run_publish(actor=actor, run=run),
        lambda: client.get(reverse("panels:report", args=[run.pk])),
    )


# --- resettlement: the follow-up dashboard -----------------------------------------------------------
@pytest.mark.django_db
def test_the_resettlement_dashboard_is_protected_through_the_rule(
    client: Client, django_capture_on_commit_callbacks
):
    from samverkan.resettlement import services as rs
    from samverkan.resettlement.models import Case
    from samverkan.resettlement.tests.factories import CASES_CSV, RECEPTION_CSV, YEAR, municipal, officer_user

    agency_user = officer_user()
    agent = actor_for_user(agency_user)
    rs.reception_import(actor=agent, year=YEAR, data=RECEPTION_CSV, filename="m.csv")
    rs.case_import(actor=agent, year=YEAR, data=CASES_CSV, filename="c.csv")
    with django_capture_on_commit_callbacks(execute=True):
        run = rs.run_start(actor=agent, year=YEAR, time_limit=10)
    run.refresh_from_db()
    rs.run_approve(actor=agent, run=run)
    # The families arrived a month ago: follow-up can be recorded.
    Case.objects.update(expected_arrival=dt.date.today() - dt.timedelta(days=30))
    for case in Case.objects.filter(placed_in__isnull=False):
        observed = {i: ["TR"] for i in range(1, case.persons.count() + 1)}
        rs.observation_record(actor=municipal(case.placed_in_id), case=case, observed=observed)
    verified_login(client, agency_user)
    steps = [lambda: client.get(reverse("resettlement:dashboard"))]
    release = getattr(rs, "dashboard_release", None)  # the dashboard shows releases made on a schedule
    if release is not None:
        steps.insert(0, lambda: release(actor=agent))
    assert_through_the_rule(*steps)


# --- meeting places: participants' answers -----------------------------------------------------------
@pytest.fixture
def answered_session(db):

    from django.utils import timezone

    from samverkan.meetingplace.models import Evaluation, Session
    from samverkan.meetingplace.tests.factories import session

    the_session = session()
    start = timezone.now() - dt.timedelta(days=15)  # answering has closed: the figures are shown
    Session.objects.filter(pk=the_session.pk).update(starts_at=start, ends_at=start + dt.timedelta(hours=2))
    for understood, useful in [(3, 3)] * 7 + [(1, 2)] * 2:
        Evaluation.objects.create(session=the_session, understood=understood, useful=useful)
    the_session.refresh_from_db()
    return the_session


def test_the_meeting_place_overview_shows_answers_through_the_rule(client: Client, answered_session):
    from django.utils import timezone

    org = answered_session.activity.organiser
    verified_login(client, member("coordinator", org))
    day = str(timezone.localdate(answered_session.starts_at))
    query = {"organiser": org.pk, "start": day, "end": day}
    (response,) = assert_through_the_rule(lambda: client.get(reverse("meetingplace:overview"), query))
    assert f'data-session="{answered_session.pk}"' in response.content.decode()


def test_a_sessions_plan_page_shows_answers_through_the_rule(client: Client, answered_session):
    verified_login(client, member("editor", answered_session.activity.organiser))
    assert_through_the_rule(lambda: client.get(reverse("meetingplace:plan", args=[answered_session.pk])))


# === (b) No small-cell logic outside the package ====================================================
THRESHOLD_NAME = re.compile(r"(?i)^(?:.*_)?(?:threshold|minimum|min_cells?|min_count)$")
"""Names and attributes that hold a disclosure threshold: ``threshold``, ``disclosure_threshold``,
``STATISTICS_DISCLOSURE_THRESHOLD``, ``minimum``, ``min_cell``, ``RESETTLEMENT_MIN_CELL`` ..."""

DISCLOSURE_SETTING = re.compile(r"(?:DISCLOSURE_THRESHOLD|_MIN_CELLS?)$")
"""The settings that are disclosure thresholds."""

ORDERING = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)
PASS_THROUGH_CALLS = frozenset({"int", "float", "max", "min", "abs", "round"})

NOT_DISCLOSURE: dict[tuple[str, str], str] = {
    ("statistics/forecast/methods.py", "fit"): "the observations a forecast method needs, not people",
    ("resettlement/optimizer/files.py", "whole_number"): "a file field's lower bound, not a count",
}
"""Comparisons that look like small-cell logic and are not: (module, function) → why."""

PASSES_ON: dict[tuple[str, str], str] = {
    ("statistics/models.py", "Dataset.threshold"): "a dataset's threshold, defaulting to the setting",
    ("statistics/forms.py", "StatisticsUploadForm.__init__"): "the default shown in a help text",
    ("meetingplace/selectors.py", "evaluation_figures"): "passed to disclosure.protect",
    (
        "panels/services/publishing.py",
        "_release",
    ): "passed to the report release (disclosure.protect_release)",
    ("resettlement/services/dashboard.py", "dashboard_release"): "passed to disclosure.shared.next_release",
    (
        "resettlement/selectors.py",
        "prevalence",
    ): "shown as text before the first release (“fewer than N persons followed up so far”)",
}
"""Where a disclosure setting may be read: (module, function) → what is done with it."""


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line} ({self.where}): {self.what}"


def _modules(app: str) -> list[Path]:
    root = SRC / app
    paths = [root] if root.is_file() else sorted(root.rglob("*.py"))
    return [
        p
        for p in paths
        if not {"tests", "migrations"} & set(p.relative_to(SRC).parts)
        and not p.relative_to(SRC).as_posix().startswith("statistics/disclosure/")
    ]


class _Scanner(ast.NodeVisitor):
    """Collects the findings of one module. ``scope`` is the qualified name of the enclosing
    function or class; ``tainted`` the names a function assigns from a threshold."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.scope: list[str] = []
        self.tainted: list[set[str]] = [set()]
        self.findings: list[Finding] = []
        self.reads: list[Finding] = []

    # scopes
    def _enter(self, node: ast.AST, name: str, function: bool) -> None:
        self.scope.append(name)
        if function:  # a nested function sees the names its outer function tainted
            self.tainted.append(self.tainted[-1] | _assigned_from_thresholds(node))
        self.generic_visit(node)
        if function:
            self.tainted.pop()
        self.scope.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._enter(node, node.name, True)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._enter(node, node.name, True)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._enter(node, node.name, False)

    def visit_Module(self, node: ast.Module) -> None:
        self.tainted = [_assigned_from_thresholds(node)]
        self.generic_visit(node)

    @property
    def where(self) -> str:
        return ".".join(self.scope) or "<module>"

    def _find(self, node: ast.AST, what: str, into: list[Finding]) -> None:
        into.append(Finding(self.path, getattr(node, "lineno", 0), self.where, what))

    # what is looked for
    def visit_Compare(self, node: ast.Compare) -> None:
        operands = [node.left, *node.comparators]
        for op, left, right in zip(node.ops, operands, operands[1:], strict=False):
            if not isinstance(op, ORDERING):
                continue
            for mine, other in ((left, right), (right, left)):
                tainted = self.tainted[-1]
                if _is_threshold(mine, tainted) and not (
                    _is_constant(other) or _is_threshold(other, tainted)
                ):
                    what = f"compares {ast.unparse(other)} with {ast.unparse(mine)}"
                    self._find(node, what, self.findings)
                    break
        if (
            _is_constant(node.left, 0)
            and isinstance(node.ops[0], ast.Lt)
            and len(node.ops) > 1
            and isinstance(node.ops[1], ORDERING)
            and not _is_constant(node.comparators[1])
        ):
            self._find(node, f"the primary-suppression idiom {ast.unparse(node)}", self.findings)
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if DISCLOSURE_SETTING.search(node.attr):
            self._find(node, f"reads {ast.unparse(node)}", self.reads)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        if (
            isinstance(node.func, ast.Name)
            and node.func.id == "getattr"
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
            and DISCLOSURE_SETTING.search(node.args[1].value)
        ):
            self._find(node, f"reads {ast.unparse(node)}", self.reads)
        self.generic_visit(node)


def _is_constant(node: ast.AST, value: object = None) -> bool:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        node = node.operand
    if not isinstance(node, ast.Constant) or isinstance(node.value, str):
        return False
    return value is None or node.value == value


def _is_threshold(node: ast.AST, tainted: set[str]) -> bool:
    """Whether ``node`` evaluates to a disclosure threshold (or a simple function of one)."""
    if isinstance(node, ast.Name):
        return bool(THRESHOLD_NAME.match(node.id)) or node.id in tainted
    if isinstance(node, ast.Attribute):
        return bool(THRESHOLD_NAME.match(node.attr))
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Name) and node.func.id == "getattr" and len(node.args) >= 2:
            name = node.args[1]
            return isinstance(name, ast.Constant) and bool(THRESHOLD_NAME.match(str(name.value)))
        if isinstance(node.func, ast.Name) and node.func.id in PASS_THROUGH_CALLS:
            return any(_is_threshold(a, tainted) for a in node.args)
        return False
    if isinstance(node, ast.BinOp):
        return _is_threshold(node.left, tainted) or _is_threshold(node.right, tainted)
    if isinstance(node, ast.IfExp):
        return _is_threshold(node.body, tainted) or _is_threshold(node.orelse, tainted)
    if isinstance(node, ast.BoolOp):
        return any(_is_threshold(v, tainted) for v in node.values)
    return False


def _assigned_from_thresholds(scope: ast.AST) -> set[str]:
    """Names assigned, somewhere in ``scope`` (not in nested functions), from a threshold: ``m =
    settings.RESETTLEMENT_MIN_CELL`` makes ``m`` one. Repeated until nothing changes."""
    assignments: list[tuple[list[ast.expr], ast.expr]] = []
    stack = list(ast.iter_child_nodes(scope))
    while stack:
        node = stack.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            continue
        if isinstance(node, ast.Assign):
            assignments.append((node.targets, node.value))
        elif isinstance(node, ast.AnnAssign | ast.NamedExpr) and node.value is not None:
            assignments.append(([node.target], node.value))
        stack.extend(ast.iter_child_nodes(node))
    tainted: set[str] = set()
    changed = True
    while changed:
        changed = False
        for targets, value in assignments:
            if not _is_threshold(value, tainted):
                continue
            for target in targets:
                if isinstance(target, ast.Name) and target.id not in tainted:
                    tainted.add(target.id)
                    changed = True
    return tainted


def scan(app: str) -> tuple[list[Finding], list[Finding]]:
    """Small-cell comparisons and disclosure-setting reads in the modules of ``app``, allowances
    applied."""
    findings: list[Finding] = []
    reads: list[Finding] = []
    for path in _modules(app):
        relative = path.relative_to(SRC).as_posix()
        scanner = _Scanner(relative)
        scanner.visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
        findings += [f for f in scanner.findings if (f.path, f.where) not in NOT_DISCLOSURE]
        reads += [r for r in scanner.reads if (r.path, r.where) not in PASSES_ON]
    return findings, reads


def _apps() -> list[str]:
    return sorted(
        p.name for p in SRC.iterdir() if (p.is_dir() and (p / "__init__.py").exists()) or p.suffix == ".py"
    )


@pytest.mark.parametrize("app", _apps())
def test_no_small_cell_logic_outside_the_disclosure_package(app):
    findings, reads = scan(app)
    assert not findings, "small-cell logic outside samverkan.statistics.disclosure:\n" + "\n".join(
        map(str, findings)
    )
    assert not reads, (
        "a disclosure threshold read where PASSES_ON does not say it is passed on to the package:\n"
        + "\n".join(map(str, reads))
    )


def test_every_allowance_still_points_at_code():
    """An allowance whose function is gone or no longer matches would let a new rule in unseen."""
    seen_comparisons: set[tuple[str, str]] = set()
    seen_reads: set[tuple[str, str]] = set()
    for app in _apps():
        for path in _modules(app):
            scanner = _Scanner(path.relative_to(SRC).as_posix())
            scanner.visit(ast.parse(path.read_text(encoding="utf-8")))
            seen_comparisons |= {(f.path, f.where) for f in scanner.findings}
            seen_reads |= {(r.path, r.where) for r in scanner.reads}
    assert set(NOT_DISCLOSURE) <= seen_comparisons, set(NOT_DISCLOSURE) - seen_comparisons
    stale = {k for k in set(PASSES_ON) - seen_reads if not (IN_FLUX and k[0].startswith(IN_FLUX))}
    assert not stale, stale


SMALL_CELL_SAMPLES = {
    "a setting": "def f(n):\n    return n < settings.RESETTLEMENT_MIN_CELL\n",
    "an alias": "def f(n):\n    m = int(settings.STATISTICS_DISCLOSURE_THRESHOLD)\n    return n >= m\n",
    "a name": "def f(n, threshold):\n    return [c for c in n if c < threshold]\n",
    "an attribute": "def f(n, dataset):\n    return dataset.threshold > n\n",
    "the idiom": "def f(n, k):\n    return None if 0 < n < k else n\n",
    "getattr": "def f(n):\n    return n < getattr(settings, 'STATISTICS_DISCLOSURE_THRESHOLD')\n",
    "a numpy mask": "def f(a, minimum):\n    return np.where((a > 0) & (a < minimum), np.nan, a)\n",
}


@pytest.mark.parametrize("sample", list(SMALL_CELL_SAMPLES))
def test_the_scanner_finds_small_cell_logic(sample):
    scanner = _Scanner("sample.py")
    scanner.visit(ast.parse(SMALL_CELL_SAMPLES[sample]))
    assert scanner.findings, sample


@pytest.mark.parametrize(
    "code",
    [
        "def f(threshold):\n    if threshold < 1:\n        raise ValueError\n",
        "def f(version, threshold):\n    return version.threshold == threshold\n",
        "def f(n):\n    return protect(n, settings.STATISTICS_DISCLOSURE_THRESHOLD)\n",
        "def f(weights, r):\n    return np.minimum(weights, r) < 1.5\n",
        "def f(i, size):\n    return 0 <= i < size\n",
    ],
)
def test_the_scanner_leaves_other_comparisons_alone(code):
    scanner = _Scanner("sample.py")
    scanner.visit(ast.parse(code))
    assert not scanner.findings, scanner.findings
