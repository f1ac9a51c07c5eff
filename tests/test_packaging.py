"""The declared dependencies (pyproject.toml) and the tested lock (requirements/dev.txt) agree.

`pip install .` installs what pyproject.toml declares; `make setup` installs the lock. A package
declared but not locked would be untested; a locked version outside the declared range would mean
the suite tests a combination that `pip install .` never gives.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent


def _declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        names.extend(extra)
    return [Requirement(name) for name in names]


def _locked() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (ROOT / "requirements" / "dev.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"requirements/dev.txt: {line!r} is not pinned with =="
            pins[canonicalize_name(name)] = version
    return pins


def test_the_console_scripts_depend_on_declared_packages():
    declared = {canonicalize_name(r.name) for r in _declared()}
    # The two command lines run the optimizer and the lottery: numpy and HiGHS.
    assert {"numpy", "highspy", "django"} <= declared


def test_every_declared_package_is_locked_within_its_range():
    locked = _locked()
    problems = []
    for requirement in _declared():
        name = canonicalize_name(requirement.name)
        if name not in locked:
            problems.append(f"{requirement} is declared but not pinned in requirements/dev.txt")
        elif not requirement.specifier.contains(locked[name], prereleases=True):
            problems.append(f"{requirement} is declared but {name}=={locked[name]} is pinned")
    assert not problems, "\n".join(problems)
