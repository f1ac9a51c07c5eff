#!/usr/bin/env python3
"""Deliberate breaks of the platform's rules, one at a time: which ones does the suite catch?

Each *mutant* below names a rule, the source text that breaks it (``old`` replaced by ``new`` in a
file) and the tests that claim to guard the rule. For every mutant the script applies the break,
runs those tests, puts the file back and reports the mutant as

* ``killed``    — a test failed: the rule is guarded;
* ``SURVIVED``  — every test passed with the rule broken: the tests cannot catch what they claim;
* ``not found`` — the mutation point (``old``) is not in the file (any more): the code moved on, so
  the entry must be rewritten against the new text; nothing was run;
* ``error``     — pytest could not run the tests (collection error, no tests, interrupted).

The work happens in a **temporary copy** of the working tree (``.venv``, ``node_modules``, ``.git``
and ``var`` are left out), never in the tree itself, so people and tests working in the tree at the
same time see nothing. Every mutated file is restored in the copy in a ``finally`` and checked
byte for byte before the next mutant, and at the end the script checks that the files of the
working tree it read are unchanged. Before the mutants it runs every named test once without any
break (the *baseline*): a test that already fails there would "kill" every mutant, so such tests
are reported and the run stops.

Run on demand (it is not part of ``make test`` or CI; a full run takes a few minutes):

    .venv/bin/python scripts/mutations.py            # every mutant, on SQLite
    .venv/bin/python scripts/mutations.py --list     # names and rules only
    .venv/bin/python scripts/mutations.py packet-education-selector audit-hash-drops-occurred_at
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/samverkan_mut .venv/bin/python scripts/mutations.py

Exit status: 0 when every mutant that was found was killed, 1 when one survived or could not be
run, 2 when the baseline fails or the copy could not be made.

Adding a mutant: give it a short name, the rule in words, one or more ``Edit(path, old, new)``
(``old`` must occur exactly once in the file, so choose enough context), and the test files or
node ids (plus ``-k`` expressions if useful) that should catch it.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = ROOT / ".venv" / "bin" / "python"
LEFT_OUT = {
    ".venv",
    ".venv-bench",
    "node_modules",
    ".git",
    "var",
    ".mypy_cache",
    ".ruff_cache",
    ".hypothesis",
}


@dataclass(frozen=True)
class Edit:
    path: str  # relative to the repository
    old: str
    new: str


@dataclass(frozen=True)
class Mutant:
    name: str
    rule: str
    edits: tuple[Edit, ...]
    tests: tuple[str, ...]  # pytest arguments: files, node ids, "-k", "expr"
    notes: str = ""


RESETTLEMENT = "src/samverkan/resettlement"
PACKET_TESTS = (
    f"{RESETTLEMENT}/tests/test_services.py",
    f"{RESETTLEMENT}/tests/test_views.py",
    "-k",
    "packet",
)
OPTIMIZER_TESTS = (f"{RESETTLEMENT}/tests/test_optimizer.py",)
AUDIT_TESTS = ("src/samverkan/core/tests/test_audit.py", "tests/security/test_audit.py")
STORY_TESTS = ("src/samverkan/stories/tests/test_services.py", "src/samverkan/stories/tests/test_views.py")
LOTTERY_TESTS = ("src/samverkan/panels/tests/test_lottery.py",)


AUDIT_HASHED_LINES = {
    "occurred_at": '            occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),\n',
    "code": "            code,\n",
    "actor_user_id": "            actor_user_id,\n",
    "actor_label": "            actor_label,\n",
    "organisation_id": "            organisation_id,\n",
}
AUDIT_HASHED = "".join(AUDIT_HASHED_LINES.values())


def _audit_field(field_name: str) -> Mutant:
    return Mutant(
        name=f"audit-hash-drops-{field_name}",
        rule=f"the audit chain's hash covers {field_name}: editing it in a stored event is detected",
        edits=(
            Edit(
                "src/samverkan/core/audit.py",
                AUDIT_HASHED,
                AUDIT_HASHED.replace(AUDIT_HASHED_LINES[field_name], ""),
            ),
        ),
        tests=AUDIT_TESTS,
    )


MUTANTS: tuple[Mutant, ...] = (
    # --- need-to-know packets -----------------------------------------------------------------
    Mutant(
        name="packet-education-selector",
        rule="a packet holds no education or occupation (the selector)",
        edits=(
            Edit(
                f"{RESETTLEMENT}/selectors.py",
                "    languages: list[str]\n\n\ndef placement_taxonomy(",
                '    languages: list[str]\n    education: str = ""\n    occupation: str = ""\n'
                "\n\ndef placement_taxonomy(",
            ),
            Edit(
                f"{RESETTLEMENT}/selectors.py",
                "needs=needs, languages=p.languages\n",
                "needs=needs, languages=p.languages,\n"
                "                education=p.education, occupation=p.occupation,\n",
            ),
        ),
        tests=PACKET_TESTS,
    ),
    Mutant(
        name="packet-education-template",
        rule="a packet page shows no education or occupation (the template reads them off the case)",
        edits=(
            Edit(
                f"{RESETTLEMENT}/templates/resettlement/packet_detail.html",
                "  </tr>{% endfor %}</tbody>\n</table>\n",
                "  </tr>{% endfor %}</tbody>\n</table>\n"
                '<p class="govuk-body">{% for q in case.persons.all %}{{ q.education }} {{ q.occupation }} '
                "{% endfor %}</p>\n",
            ),
        ),
        tests=PACKET_TESTS,
    ),
    Mutant(
        name="packet-tie-template",
        rule="a packet page does not name the municipality the case is tied to",
        edits=(
            Edit(
                f"{RESETTLEMENT}/templates/resettlement/packet_detail.html",
                "  </tr>{% endfor %}</tbody>\n</table>\n",
                '  </tr>{% endfor %}</tbody>\n</table>\n<p class="govuk-body">{{ case.tie.name }}</p>\n',
            ),
        ),
        tests=PACKET_TESTS,
    ),
    # --- audit chain (each field in the hash) -------------------------------------------------
    *(_audit_field(name) for name in ("occurred_at", "actor_user_id", "actor_label", "organisation_id")),
    # --- placement optimizer ------------------------------------------------------------------
    Mutant(
        name="optimizer-no-capacity",
        rule="a placement never puts more persons in a municipality than its reception number",
        edits=(
            Edit(
                f"{RESETTLEMENT}/optimizer/solver.py",
                "upper = np.concatenate([np.ones(self.C), self.cap, self.large,",
                "upper = np.concatenate([np.ones(self.C), np.full(self.M, INF), self.large,",
            ),
        ),
        tests=OPTIMIZER_TESTS,
    ),
    Mutant(
        name="optimizer-no-large-dwellings",
        rule="a placement never gives more large families to a municipality than its large dwellings",
        edits=(
            Edit(
                f"{RESETTLEMENT}/optimizer/solver.py",
                "upper = np.concatenate([np.ones(self.C), self.cap, self.large,",
                "upper = np.concatenate([np.ones(self.C), self.cap, np.full(self.M, INF),",
            ),
        ),
        tests=OPTIMIZER_TESTS,
    ),
    Mutant(
        name="optimizer-no-service-slots",
        rule="a placement never uses more service slots of a need code than a municipality has",
        edits=(
            Edit(
                f"{RESETTLEMENT}/optimizer/solver.py",
                "self.large, self.slots.reshape(-1)])",
                "self.large, np.full(self.M * self.K, INF)])",
            ),
        ),
        tests=OPTIMIZER_TESTS,
    ),
    # --- stories: the person's link -----------------------------------------------------------
    Mutant(
        name="story-link-expiry-recheck",
        rule="a person's action through a link that expired after the page loaded is refused",
        edits=(
            Edit(
                "src/samverkan/stories/services/person.py",
                "    if story.withdrawn_at or fresh.revoked_at or fresh.expires_at <= timezone.now():\n"
                '        raise NotFound("link")\n    _not_an_editor(actor, story)\n',
                '    if story.withdrawn_at or fresh.revoked_at:\n        raise NotFound("link")\n'
                "    _not_an_editor(actor, story)\n",
            ),
        ),
        tests=STORY_TESTS,
    ),
    Mutant(
        name="story-link-expiry-recheck-withdraw",
        rule="a withdrawal through a link that expired after the page loaded is refused",
        edits=(
            Edit(
                "src/samverkan/stories/services/person.py",
                "        if story.withdrawn_at or fresh.revoked_at or fresh.expires_at <= timezone.now():\n",
                "        if story.withdrawn_at or fresh.revoked_at:\n",
            ),
        ),
        tests=STORY_TESTS,
    ),
    # --- panel lottery ------------------------------------------------------------------------
    Mutant(
        name="lottery-quota-loosened",
        rule="every panel of the lottery meets every quota (the solvers' quota rows, one seat looser)",
        edits=(
            Edit(
                "src/samverkan/panels/lottery/model.py",
                "        rows.append((q, ts))\n",
                "        rows.append((Quota(q.feature, q.value, max(q.min - 1, 0), q.max + 1), ts))\n",
            ),
        ),
        tests=LOTTERY_TESTS,
    ),
    Mutant(
        name="lottery-feasibility-check-loosened",
        rule="is_feasible_panel refuses a panel one seat outside a quota",
        edits=(
            Edit(
                "src/samverkan/panels/lottery/model.py",
                "        if not q.min <= n <= q.max:\n",
                "        if not q.min - 1 <= n <= q.max + 1:\n",
            ),
        ),
        tests=LOTTERY_TESTS,
    ),
    # --- CSV export ---------------------------------------------------------------------------
    Mutant(
        name="csv-neutralise-first-character-only",
        rule="a formula start after a separator (x;=1+1) is neutralised too, not only at the cell's start",
        edits=(
            Edit(
                "src/samverkan/core/export.py",
                "part if i % 2 else _neutralise_piece(part) for i, part in enumerate(parts)",
                "part if i else _neutralise_piece(part) for i, part in enumerate(parts)",
            ),
        ),
        tests=("src/samverkan/core/tests/test_export.py", "tests/security/test_csv_injection.py"),
        notes="written against the fix of issue #15 item 8; rewrite it if that fix changes form",
    ),
    # --- two-factor ---------------------------------------------------------------------------
    Mutant(
        name="two-factor-bearer-header-skip",
        rule="a session without its second factor cannot use the API by adding 'Authorization: Bearer x'",
        edits=(
            Edit(
                "src/samverkan/accounts/middleware.py",
                "            and authn.auth_kind(request) == authn.SESSION\n"
                "            and not user.is_verified()",
                '            and not request.headers.get("Authorization", "").startswith("Bearer ")\n'
                "            and not user.is_verified()",
            ),
        ),
        tests=(
            "src/samverkan/accounts/tests/test_api_tokens.py",
            "src/samverkan/accounts/tests/test_middleware.py",
            "tests/security/test_authentication.py",
        ),
        notes="written against the lead's rewrite of accounts/middleware.py (issue #15 item 1)",
    ),
    Mutant(
        name="token-create-without-second-factor",
        rule="a session that has not passed its second factor cannot mint an API token",
        edits=(
            Edit(
                "src/samverkan/accounts/services/tokens.py",
                '    _require_verified_session(actor, user, "api_token.create")\n',
                "",
            ),
        ),
        tests=("tests/security/test_authentication.py",),
    ),
    Mutant(
        name="wrong-token-falls-back",
        rule="a wrong token is a 401, never a fall-back to the session or to anonymous access",
        edits=(
            Edit(
                "src/samverkan/accounts/authn.py",
                "    if user is None:\n        return _unauthorized()\n",
                "    if user is None:\n"
                "        request.samverkan_auth = SESSION  # type: ignore[attr-defined]\n"
                "        return None\n",
            ),
        ),
        tests=("tests/security/test_authentication.py", "src/samverkan/accounts/tests/test_api_tokens.py"),
    ),
    # --- one shape (issue #17): rules the code enforces itself -------------------------------
    Mutant(
        name="audit-record-outside-transaction",
        rule="audit.record refuses to run outside a transaction instead of committing the event alone",
        edits=(
            Edit(
                "src/samverkan/core/audit.py",
                "    if not _in_transaction():\n        raise OutsideTransaction(",
                "    if False:\n        raise OutsideTransaction(",
            ),
        ),
        tests=("src/samverkan/core/tests/test_audit.py",),
    ),
    Mutant(
        name="capacity-slot-per-code-occurrence",
        rule="a person takes one service place per top-level code, however many of its sub-codes",
        edits=(
            Edit(
                f"{RESETTLEMENT}/optimizer/capacity.py",
                "    return {top_level(code) for code in needs}\n",
                "    return [top_level(code) for code in needs]  # type: ignore[return-value]\n",
            ),
        ),
        tests=(f"{RESETTLEMENT}/tests/test_capacity.py",),
    ),
    Mutant(
        name="run-claimed-twice",
        rule="only one worker executes a run: a running run cannot be claimed again",
        edits=(
            Edit(
                "src/samverkan/core/runs.py",
                "        run, [JobStatus.QUEUED], {",
                "        run, [JobStatus.QUEUED, JobStatus.RUNNING], {",
            ),
        ),
        tests=("src/samverkan/core/tests/test_runs.py",),
    ),
    # --- audit anchoring, uploads, mail, brakes, invitations ----------------------------------
    Mutant(
        name="audit-checkpoint-length-ignored",
        rule="a log shorter than a checkpoint (a deleted tail, the head rewound) fails verification",
        edits=(
            Edit(
                "src/samverkan/core/audit.py",
                "    if longest is not None and longest.seq > checked:\n",
                "    if False:\n",
            ),
        ),
        tests=("tests/security/test_audit.py",),
    ),
    Mutant(
        name="statistics-cell-limit-ignored",
        rule="a statistics file declaring more cells than allowed is refused before anything is allocated",
        edits=(
            Edit(
                "src/samverkan/statistics/importers/_common.py",
                "    if cells > limits.max_cells:\n",
                "    if False:\n",
            ),
        ),
        tests=("tests/security/test_upload_limits.py", "src/samverkan/statistics/tests/test_importers.py"),
    ),
    Mutant(
        name="zip-expansion-unchecked",
        rule="a ZIP-based upload that would expand past its limit is refused before it is unpacked",
        edits=(
            Edit(
                "src/samverkan/core/limits.py",
                "    if limits.max_expanded_bytes is not None and expanded > limits.max_expanded_bytes:\n",
                "    if False:\n",
            ),
        ),
        tests=("tests/security/test_upload_limits.py", "src/samverkan/core/tests/test_limits.py"),
    ),
    Mutant(
        name="mail-header-not-cleaned",
        rule="a CR/LF in user text never reaches a mail header",
        edits=(
            Edit(
                "src/samverkan/core/mail.py",
                '    text = "" if value is None else str(value)\n',
                '    return "" if value is None else str(value)\n',
            ),
        ),
        tests=("tests/security/test_mail_headers.py",),
    ),
    Mutant(
        name="brake-share-ignored",
        rule="one address holds at most its share of a session's places",
        edits=(
            Edit(
                "src/samverkan/meetingplace/brakes.py",
                "    if held >= places_per_address(session):\n",
                "    if False:\n",
            ),
        ),
        tests=("tests/security/test_brakes.py",),
    ),
    Mutant(
        name="invitation-unscoped",
        rule="an invitation is 404 for everyone but the invited organisation's administrators",
        edits=(
            Edit(
                "src/samverkan/organisations/selectors.py",
                "        .filter(pk=invitation_id, "
                "organisation_id__in=perms.invitation_organisation_ids(actor))\n",
                "        .filter(pk=invitation_id)\n",
            ),
        ),
        tests=("tests/security/test_invitations.py",),
    ),
    # --- cross-organisation access ------------------------------------------------------------
    Mutant(
        name="cross-organisation-story-get",
        rule="another organisation's story is NotFound (404) for an editor (story_get_for's scope)",
        edits=(
            Edit(
                "src/samverkan/stories/selectors.py",
                "    if story is None or not perms.can_edit_stories(actor, story.organisation_id):\n",
                "    if story is None:\n",
            ),
        ),
        tests=STORY_TESTS,
    ),
    Mutant(
        name="cross-organisation-story-list",
        rule="an editor's story list holds only their organisations' stories (story_list_for's scope)",
        edits=(
            Edit(
                "src/samverkan/stories/selectors.py",
                "        Story.objects.filter(organisation_id__in=perms.editor_organisations(actor))\n",
                "        Story.objects.all()\n",
            ),
        ),
        tests=STORY_TESTS,
    ),
    Mutant(
        name="cross-organisation-packet",
        rule="a packet is NotFound (404) for every municipality but the receiving one",
        edits=(
            Edit(
                f"{RESETTLEMENT}/selectors.py",
                "        or not perms.can_read_packet(actor, scope_for(actor), case.placed_in_id)\n",
                "",
            ),
        ),
        tests=PACKET_TESTS,
    ),
    Mutant(
        name="release-ignores-previous",
        rule="a new release is protected together with the release the audience saw before",
        edits=(
            Edit(
                "src/samverkan/statistics/disclosure/release.py",
                "    if previous is None:\n        return protect(",
                "    if True:\n        return protect(",
            ),
        ),
        tests=(
            "src/samverkan/statistics/tests/test_disclosure_release.py",
            "tests/security/test_disclosure_versions.py",
        ),
    ),
    Mutant(
        name="version-protected-alone",
        rule="a dataset's new version is protected with the version before it",
        edits=(
            Edit(
                "src/samverkan/statistics/disclosure_store.py",
                "    pattern = _protect(cube, threshold, previous=prior, published=None)\n",
                "    pattern = _protect(cube, threshold, previous=None, published=None)\n",
            ),
        ),
        tests=("tests/security/test_disclosure_versions.py",),
    ),
    Mutant(
        name="threshold-change-forgets-what-was-published",
        rule="a changed threshold re-protects with what the version already published known",
        edits=(
            Edit(
                "src/samverkan/statistics/disclosure_store.py",
                "published=~stored.extended)",
                "published=None)",
            ),
        ),
        tests=("tests/security/test_disclosure_versions.py",),
    ),
    Mutant(
        name="dataset-threshold-ignored",
        rule="a person-level dataset is protected at its own threshold",
        edits=(
            Edit(
                "src/samverkan/statistics/services.py",
                "            disclosure_store.protect_version(version, stored, dataset.threshold)\n",
                "            disclosure_store.protect_version(version, stored, 5)\n",
            ),
        ),
        tests=("tests/security/test_disclosure_versions.py",),
    ),
)


# --- machinery -----------------------------------------------------------------------------------
@dataclass
class Outcome:
    mutant: Mutant
    status: str  # killed, SURVIVED, not found, error
    detail: str = ""
    seconds: float = 0.0
    failed: list[str] = field(default_factory=list)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _ignore(directory: str, names: list[str]) -> set[str]:
    left = {n for n in names if n in LEFT_OUT or n == "__pycache__" or n.endswith(".pyc")}
    if Path(directory).resolve() == ROOT / "static":
        left |= {n for n in names if n == "vendor"}
    return left


def make_copy(into: Path) -> Path:
    copy = into / "tree"
    shutil.copytree(ROOT, copy, ignore=_ignore, symlinks=True)
    (copy / "var").mkdir(exist_ok=True)
    return copy


def _environment(copy: Path) -> dict[str, str]:
    env = dict(os.environ)
    # the copy's packages come first: the virtualenv's editable install points at the real tree
    env["PYTHONPATH"] = os.pathsep.join([str(copy / "src"), str(copy)])
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _check_imports_from_copy(copy: Path) -> None:
    out = subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
        [str(PYTHON), "-c", "import samverkan; print(samverkan.__file__)"],
        cwd=copy,
        env=_environment(copy),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not Path(out).resolve().is_relative_to(copy.resolve()):
        raise SystemExit(f"the copy imports samverkan from {out}, not from {copy}: stopping")


def _existing(copy: Path, tests: tuple[str, ...]) -> list[str]:
    """The pytest arguments, without test paths that do not exist in the copy."""
    args: list[str] = []
    skip_next = False
    for i, arg in enumerate(tests):
        if skip_next:
            skip_next = False
            continue
        if arg.startswith("-"):
            args.append(arg)
            if arg in ("-k", "-m") and i + 1 < len(tests):
                args.append(tests[i + 1])
                skip_next = True
            continue
        if (copy / arg.split("::")[0]).exists():
            args.append(arg)
    return args


def run_pytest(copy: Path, args: list[str], timeout: float, first_failure: bool = True) -> tuple[int, str]:
    stop = ["-x"] if first_failure else []
    command = [str(PYTHON), "-m", "pytest", "-q", *stop, "-p", "no:cacheprovider", "-p", "no:randomly", *args]
    try:
        result = subprocess.run(  # noqa: S603 (our own interpreter and the mutants' test paths)
            command, cwd=copy, env=_environment(copy), capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return 124, "timed out"
    return result.returncode, result.stdout + result.stderr


def _failed_tests(output: str) -> list[str]:
    return [line.split(" ", 2)[1] for line in output.splitlines() if line.startswith(("FAILED ", "ERROR "))]


def apply(copy: Path, mutant: Mutant) -> dict[Path, bytes] | str:
    """Apply the mutant's edits in the copy; the originals to restore, or why it cannot be applied."""
    texts: dict[Path, str] = {}
    for edit in mutant.edits:
        path = copy / edit.path
        if not path.exists():
            return f"{edit.path} does not exist"
        text = texts.get(path, path.read_text(encoding="utf-8"))
        found = text.count(edit.old)
        if found != 1:
            where = "is not" if found == 0 else f"occurs {found} times"
            return f"mutation point not found: the text {edit.old.strip()[:60]!r} {where} in {edit.path}"
        texts[path] = text.replace(edit.old, edit.new)
    originals = {path: path.read_bytes() for path in texts}
    try:
        for path, text in texts.items():
            path.write_text(text, encoding="utf-8")
    except BaseException:
        restore(originals)
        raise
    return originals


def restore(originals: dict[Path, bytes]) -> None:
    for path, data in originals.items():
        path.write_bytes(data)
        if path.read_bytes() != data:
            raise SystemExit(f"could not restore {path}: stopping")


def run_mutant(copy: Path, mutant: Mutant, timeout: float) -> Outcome:
    started = time.monotonic()
    args = _existing(copy, mutant.tests)
    if not [a for a in args if not a.startswith("-")]:
        return Outcome(mutant, "error", "none of its tests exist")
    applied = apply(copy, mutant)
    if isinstance(applied, str):
        return Outcome(mutant, "not found", applied)
    try:
        code, output = run_pytest(copy, args, timeout)
    finally:
        restore(applied)
    seconds = time.monotonic() - started
    if code == 1:
        return Outcome(mutant, "killed", "", seconds, _failed_tests(output))
    if code == 0:
        return Outcome(mutant, "SURVIVED", "every named test passed with the rule broken", seconds)
    tail = "\n".join(output.strip().splitlines()[-5:])
    return Outcome(mutant, "error", f"pytest exit {code}: {tail}", seconds)


def baseline(copy: Path, mutants: list[Mutant], timeout: float) -> tuple[int, str]:
    """Every named test file, whole (a superset of the mutants' ``-k`` selections), unmutated."""
    files: list[str] = []
    for m in mutants:
        for arg in _existing(copy, m.tests):
            if not arg.startswith("-") and arg not in files and not _after_flag(m.tests, arg):
                files.append(arg)
    return run_pytest(copy, files, timeout * 3, first_failure=False)


def _after_flag(tests: tuple[str, ...], arg: str) -> bool:
    i = tests.index(arg)
    return i > 0 and tests[i - 1] in ("-k", "-m")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="mutants to run (default: all)")
    parser.add_argument("--list", action="store_true", help="list the mutants and exit")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per mutant's test run")
    parser.add_argument("--no-baseline", action="store_true", help="skip the unmutated run")
    parser.add_argument(
        "--tests",
        metavar="ARGS",
        help="pytest arguments, in one quoted string, to run instead of each mutant's own tests "
        "(e.g. one node id, or a file and -k EXPR)",
    )
    options = parser.parse_args(argv)
    known = {m.name: m for m in MUTANTS}
    if options.list:
        for m in MUTANTS:
            print(f"{m.name:40} {m.rule}")
        return 0
    unknown = [n for n in options.names if n not in known]
    if unknown:
        parser.error(f"unknown mutant(s): {', '.join(unknown)} (see --list)")
    chosen = [known[n] for n in options.names] if options.names else list(MUTANTS)
    if options.tests:
        chosen = [replace(m, tests=tuple(shlex.split(options.tests))) for m in chosen]
    touched = sorted({e.path for m in chosen for e in m.edits})
    before = {p: _sha(ROOT / p) for p in touched if (ROOT / p).exists()}

    with tempfile.TemporaryDirectory(prefix="samverkan-mutations-") as tmp:
        try:
            copy = make_copy(Path(tmp))
            _check_imports_from_copy(copy)
        except (OSError, subprocess.CalledProcessError) as exc:
            print(f"could not make a working copy: {exc}", file=sys.stderr)
            return 2
        in_copy = {p: _sha(copy / p) for p in touched if (copy / p).exists()}
        print(f"working copy: {copy} (the tree itself is never changed)", flush=True)
        broken: set[str] = set()  # test files that fail without any break
        if not options.no_baseline:
            code, output = baseline(copy, chosen, options.timeout)
            if code not in (0, 1):
                print(f"baseline: pytest could not run the named tests (exit {code}):", file=sys.stderr)
                print("\n".join(output.strip().splitlines()[-15:]), file=sys.stderr)
                return 2
            broken = {test.split("::")[0] for test in _failed_tests(output)}
            if broken:
                print("baseline: these test files fail WITHOUT any break; their mutants are not run:")
                for test in _failed_tests(output):
                    print(f"          {test}")
            else:
                print("baseline: every named test passes without a break", flush=True)
        outcomes = []
        for mutant in chosen:
            spoilt = sorted(broken & {a.split("::")[0] for a in mutant.tests})
            if spoilt:
                outcome = Outcome(mutant, "error", f"not run: fails without the break: {', '.join(spoilt)}")
            else:
                outcome = run_mutant(copy, mutant, options.timeout)
            outcomes.append(outcome)
            failed = f" ({outcome.failed[0]})" if outcome.failed else ""
            print(f"{outcome.status:9} {mutant.name:40} {outcome.seconds:5.0f} s{failed}", flush=True)
            if outcome.detail:
                print(f"          {outcome.detail}", flush=True)
            for path, digest in in_copy.items():  # the copy is as it was before the next mutant
                if _sha(copy / path) != digest:
                    raise SystemExit(f"{path} was not restored in the copy: stopping")

    after = {p: _sha(ROOT / p) for p in before}
    changed = [p for p in before if after[p] != before[p]]
    if changed:
        print(f"note: changed in the working tree meanwhile (by someone else): {', '.join(changed)}")
    survived = [o for o in outcomes if o.status in ("SURVIVED", "error")]
    missing = [o for o in outcomes if o.status == "not found"]
    killed = [o for o in outcomes if o.status == "killed"]
    print(
        f"\n{len(killed)} killed, {len([o for o in outcomes if o.status == 'SURVIVED'])} survived, "
        f"{len([o for o in outcomes if o.status == 'error'])} errors, {len(missing)} not found "
        f"(of {len(outcomes)})"
    )
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main())
