"""``samverkan-panel``: select and verify, run in-process through ``main`` and once as the installed script.

No database and no Django: the command line reads CSV files and writes result.json. Every bad
input exits 2 with ``file:line: reason`` on standard error and leaves no result file behind.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from samverkan.panels.cli import EXIT_BAD_INPUT, EXIT_INFEASIBLE, EXIT_MISMATCH, RESULT_FORMAT, main

FEATURES = """feature,value,min,max
gender,female,2,3
gender,male,2,3
age,young,1,3
age,old,2,4
"""

PEOPLE = """id,name,gender,age,street
p01,Ann,female,young,Storgatan 1
p02,Bo,male,old,Storgatan 1
p03,Cia,female,old,Lillgatan 2
p04,Dan,male,young,Lillgatan 3
p05,Eva,female,young,Ågatan 4
p06,Finn,male,old,Ågatan 5
p07,Gun,female,old,Ågatan 6
p08,Hans,male,old,Ågatan 7
p09,Ida,female,old,Ågatan 8
p10,Jan,male,young,Ågatan 9
"""

SIZE = "5"


@pytest.fixture
def files(tmp_path: Path):
    """Write the files; returns a function that (re)writes them and gives the arguments for ``select``."""

    def write(features: str | bytes = FEATURES, people: str | bytes = PEOPLE, size: str = SIZE, *extra: str):
        for name, content in (("features.csv", features), ("people.csv", people)):
            path = tmp_path / name
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        return [
            "select",
            "--people",
            str(tmp_path / "people.csv"),
            "--features",
            str(tmp_path / "features.csv"),
            "--size",
            size,
            "--id-column",
            "id",
            "--json",
            str(tmp_path / "result.json"),
            *extra,
        ]

    write.dir = tmp_path  # type: ignore[attr-defined]
    return write


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def verify_args(tmp_path: Path) -> list[str]:
    return [
        "verify",
        "--people",
        str(tmp_path / "people.csv"),
        "--features",
        str(tmp_path / "features.csv"),
        "--result",
        str(tmp_path / "result.json"),
    ]


# ---------------------------------------------------------------------------- select


def test_select_writes_the_result(files, capsys):
    code, out, err = run(files(FEATURES, PEOPLE, SIZE, "--seed", "7"), capsys)
    assert (code, err) == (0, "")
    result = json.loads((files.dir / "result.json").read_text(encoding="utf-8"))
    for key in (
        "panel",
        "probabilities",
        "min_probability",
        "algorithm",
        "seed",
        "input_sha256",
        "seconds",
        "algorithm_version",
        "panels",
        "weights",
    ):
        assert key in result
    assert result["format"] == RESULT_FORMAT
    assert (result["algorithm"], result["seed"], result["size"], result["id_column"]) == (
        "leximin",
        7,
        5,
        "id",
    )
    assert len(result["panel"]) == 5
    assert set(result["probabilities"]) == {f"p{i:02d}" for i in range(1, 11)}
    assert sum(result["probabilities"].values()) == pytest.approx(5)
    assert result["min_probability"] == pytest.approx(min(result["probabilities"].values()))
    assert sum(result["weights"]) == pytest.approx(1)
    assert sorted(result["panel"]) in [sorted(p) for p in result["panels"]]
    assert len(result["input_sha256"]) == 64
    assert "result written to" in out
    assert not [p for p in files.dir.iterdir() if p.name.endswith(".tmp")]


def test_select_is_deterministic_in_the_seed(files, capsys):
    argv = files(FEATURES, PEOPLE, SIZE, "--seed", "2026")
    assert run(argv, capsys)[0] == 0
    first = json.loads((files.dir / "result.json").read_text())
    assert run(argv, capsys)[0] == 0
    second = json.loads((files.dir / "result.json").read_text())
    for key in ("panel", "probabilities", "panels", "weights", "input_sha256"):
        assert first[key] == second[key]


def test_select_without_a_seed_records_a_random_one_and_verifies(files, capsys):
    assert run(files(), capsys)[0] == 0
    result = json.loads((files.dir / "result.json").read_text())
    assert isinstance(result["seed"], int)
    code, out, _ = run(verify_args(files.dir), capsys)
    assert code == 0, out


def test_select_with_a_text_seed(files, capsys):
    assert run(files(FEATURES, PEOPLE, SIZE, "--seed", "Lotto 3 14 15 26 35"), capsys)[0] == 0
    assert json.loads((files.dir / "result.json").read_text())["seed"] == "Lotto 3 14 15 26 35"
    assert run(verify_args(files.dir), capsys)[0] == 0


def test_select_households_draws_one_person_per_address(files, capsys):
    argv = files(FEATURES, PEOPLE, SIZE, "--household-column", "street", "--seed", "1")
    assert run(argv, capsys)[0] == 0
    result = json.loads((files.dir / "result.json").read_text())
    assert result["household_columns"] == ["street"]
    for panel in result["panels"]:
        assert not {"p01", "p02"} <= set(panel)
    assert result["probabilities"]["p01"] + result["probabilities"]["p02"] <= 1 + 1e-6
    assert run(verify_args(files.dir), capsys)[0] == 0


def test_select_legacy(files, capsys):
    assert run(files(FEATURES, PEOPLE, SIZE, "--algorithm", "legacy", "--seed", "3"), capsys)[0] == 0
    result = json.loads((files.dir / "result.json").read_text())
    assert result["algorithm"] == "legacy"
    assert sum(result["probabilities"].values()) == pytest.approx(5)
    assert run(verify_args(files.dir), capsys)[0] == 0


# ---------------------------------------------------------------------------- bad input: exit 2, no result


def bad(features: str | bytes = FEATURES, people: str | bytes = PEOPLE, size: str = SIZE):
    return (features, people, size)


CASES = {
    "unknown feature value": (
        bad(people=PEOPLE.replace("p04,Dan,male", "p04,Dan,man")),
        "people.csv:5: value 'man' of feature 'gender' is not in {dir}/features.csv (person 'p04'; "
        "allowed: female, male)",
    ),
    "missing feature column": (
        bad(people="id,gender\np1,female\n"),
        "people.csv:1: no 'age' (a feature in {dir}/features.csv) column: expected a column named 'age'",
    ),
    "missing id column": (
        bad(people=PEOPLE.replace("id,name", "nr,name")),
        "people.csv:1: no id column: expected a column named 'id'",
    ),
    "duplicate ids": (
        bad(people=PEOPLE + "p03,Cissi,female,young,Nygatan 1\n"),
        "people.csv:12: duplicate id 'p03' (first on line 4)",
    ),
    "empty id": (bad(people=PEOPLE + ",Nn,female,young,x\n"), "people.csv:12: empty id (column 'id')"),
    "min > max": (
        bad(features=FEATURES.replace("age,old,2,4", "age,old,5,4")),
        "features.csv:5: min (5) is greater than max (4) for age/old",
    ),
    "non-numeric quota": (
        bad(features=FEATURES.replace("gender,male,2,3", "gender,male,two,3")),
        "features.csv:3: min 'two' is not a whole number",
    ),
    "negative quota": (
        bad(features=FEATURES.replace("age,young,1,3", "age,young,-1,3")),
        "features.csv:4: min -1 is negative",
    ),
    "duplicate feature value": (
        bad(features=FEATURES + "Gender,Female,1,2\n"),
        "features.csv:6: duplicate value 'Female' of feature 'gender' (first on line 2)",
    ),
    "size above the maximums": (
        bad(size="7"),
        "features.csv:2: the maximums of feature 'gender' add up to 6, less than the panel size 7",
    ),
    "size below the minimums": (
        bad(size="3"),
        "features.csv:2: the minimums of feature 'gender' add up to 4, more than the panel size 3",
    ),
    "size zero": (bad(size="0"), "features.csv:1: the panel size must be at least 1, not 0"),
    "empty features file": (
        bad(features=""),
        "features.csv:1: the file is empty; expected a header row and one row per feature value",
    ),
    "empty people file": (
        bad(people=b""),
        "people.csv:1: the file is empty; expected a header row and one row per person in the pool",
    ),
    "header-only people file": (
        bad(people="id,gender,age\n"),
        "people.csv:2: no rows after the header; expected one row per person in the pool",
    ),
    "ragged people row": (
        bad(people=PEOPLE.replace("p06,Finn,male,old,Ågatan 5", "p06,Finn,male,old")),
        "people.csv:7: the row has 4 cells but the header has 5",
    ),
    "ragged features row": (
        bad(features=FEATURES.replace("age,young,1,3", "age,young,1,3,9")),
        "features.csv:4: the row has 5 cells but the header has 4",
    ),
    "wrong encoding": (
        bad(people=PEOPLE.encode("cp1252")),
        "people.csv:6: not UTF-8 (byte 0xc5); save the file as UTF-8 (CSV UTF-8)",
    ),
    "UTF-16": (
        bad(features=FEATURES.encode("utf-16")),
        "features.csv:1: the file is UTF-16; save it as UTF-8 (CSV UTF-8)",
    ),
    "pool smaller than the panel": (
        bad(
            features="feature,value,min,max\ngender,female,0,9\ngender,male,0,9\n",
            people="id,gender\na,female\nb,male\n",
            size="3",
        ),
        "people.csv:3: the pool has 2 people, fewer than the panel size 3",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_exits_2_with_file_line_reason_and_no_result(case, files, capsys):
    (features, people, size), expected = CASES[case]
    code, _, err = run(files(features, people, size, "--seed", "1"), capsys)
    assert code == EXIT_BAD_INPUT
    assert err.strip() == f"{files.dir}/{expected.format(dir=files.dir)}"
    assert not (files.dir / "result.json").exists()
    assert [p.name for p in files.dir.iterdir()] == [] or sorted(p.name for p in files.dir.iterdir()) == [
        "features.csv",
        "people.csv",
    ]


def test_bad_household_column(files, capsys):
    code, _, err = run(files(FEATURES, PEOPLE, SIZE, "--household-column", "address"), capsys)
    assert code == EXIT_BAD_INPUT
    assert (
        err.strip()
        == f"{files.dir}/people.csv:1: no household 'address' column: expected a column named 'address'"
    )
    assert not (files.dir / "result.json").exists()


def test_too_few_households(files, capsys):
    people = (
        "id,gender,age,street\na,female,young,S1\nb,male,old,S1\nc,female,old,S1\nd,male,old,S2\n"
        "e,female,old,S3\n"
    )
    features = "feature,value,min,max\ngender,female,0,9\ngender,male,0,9\nage,young,0,9\nage,old,0,9\n"
    code, _, err = run(files(features, people, "4", "--household-column", "street"), capsys)
    assert code == EXIT_BAD_INPUT
    assert err.strip() == (
        f"{files.dir}/people.csv:6: the pool has 3 households, fewer than the panel size 4 "
        "(at most one person per household can be drawn)"
    )
    assert not (files.dir / "result.json").exists()


def test_bad_input_leaves_an_earlier_result_untouched(files, capsys):
    (files.dir / "result.json").write_text("earlier")
    code, _, _ = run(files(FEATURES.replace("2,3", "x,3"), PEOPLE), capsys)
    assert code == EXIT_BAD_INPUT
    assert (files.dir / "result.json").read_text() == "earlier"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["select", "--people", "p.csv"], "the following arguments are required"),
        (
            ["select", "--people", "p", "--features", "f", "--size", "x", "--id-column", "i", "--json", "r"],
            "invalid int",
        ),
        (
            [
                "select",
                "--people",
                "p",
                "--features",
                "f",
                "--size",
                "2",
                "--id-column",
                "i",
                "--json",
                "r",
                "--seed",
                "-4",
            ],
            "-4 is negative",
        ),
        (
            [
                "select",
                "--people",
                "p",
                "--features",
                "f",
                "--size",
                "2",
                "--id-column",
                "i",
                "--json",
                "r",
                "--algorithm",
                "nash",
            ],
            "invalid choice",
        ),
        ([], "required: command"),
    ],
)
def test_usage_errors_exit_2(argv, message, capsys):
    code, _, err = run(argv, capsys)
    assert code == EXIT_BAD_INPUT
    assert message in err


def test_missing_input_file_and_result_directory(files, capsys):
    argv = files()
    (files.dir / "people.csv").unlink()
    code, _, err = run(argv, capsys)
    assert code == EXIT_BAD_INPUT
    assert err.startswith(f"{files.dir}/people.csv:0: cannot read the file")
    argv = files()
    argv[argv.index("--json") + 1] = str(files.dir / "no" / "result.json")
    code, _, err = run(argv, capsys)
    assert code == EXIT_BAD_INPUT
    assert "cannot write the result: no directory" in err


# ---------------------------------------------------------------------------- infeasible: exit 3


def test_infeasible_quotas_exit_3_with_conflicts_and_relaxation(files, capsys):
    # Five women are needed and the pool has four: the quotas add up to the size, the pool cannot meet them.
    features = "feature,value,min,max\ngender,female,5,5\ngender,male,0,0\nage,young,0,5\nage,old,0,5\n"
    people = "id,gender,age\na,female,young\nb,female,old\nc,female,old\nd,female,young\ne,male,old\n"
    people += "f,male,young\n"
    code, _, err = run(files(features, people, "5", "--seed", "1"), capsys)
    assert code == EXIT_INFEASIBLE
    assert "the quotas cannot be met:" in err
    assert "these quotas can (feature,value,min,max):" in err
    assert not (files.dir / "result.json").exists()


# ---------------------------------------------------------------------------- verify


def test_verify_passes_on_an_untouched_draw(files, capsys):
    assert run(files(FEATURES, PEOPLE, SIZE, "--seed", "11"), capsys)[0] == 0
    code, out, err = run(verify_args(files.dir), capsys)
    assert (code, err) == (0, "")
    assert out.count("ok  ") == 5
    assert out.strip().endswith("verified")


def test_verify_notices_changed_people(files, capsys):
    assert run(files(FEATURES, PEOPLE, SIZE, "--seed", "11"), capsys)[0] == 0
    (files.dir / "people.csv").write_text(PEOPLE.replace("p10,Jan,male,young", "p10,Jan,male,old"))
    code, out, _ = run(verify_args(files.dir), capsys)
    assert code == EXIT_MISMATCH
    assert "FAIL the input files are those of the draw" in out
    assert "NOT VERIFIED" in out


def test_verify_notices_a_swapped_panel(files, capsys):
    assert run(files(FEATURES, PEOPLE, SIZE, "--seed", "11"), capsys)[0] == 0
    path = files.dir / "result.json"
    result = json.loads(path.read_text())
    others = [p for p in result["probabilities"] if p not in result["panel"]]
    result["panel"] = [*result["panel"][:-1], others[0]]
    path.write_text(json.dumps(result))
    code, out, _ = run(verify_args(files.dir), capsys)
    assert code == EXIT_MISMATCH
    assert "FAIL the seed draws the recorded panel from the recorded distribution" in out
    assert "FAIL a re-run with the seed draws the same panel" in out


def test_verify_notices_a_doctored_distribution(files, capsys):
    assert run(files(FEATURES, PEOPLE, SIZE, "--seed", "11"), capsys)[0] == 0
    path = files.dir / "result.json"
    result = json.loads(path.read_text())
    result["panels"][0] = result["panels"][0][:-1]
    path.write_text(json.dumps(result))
    code, out, _ = run(verify_args(files.dir), capsys)
    assert code == EXIT_MISMATCH
    assert "FAIL every panel of the recorded distribution meets the quotas: panel 0:" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", "result.json:1: not a result file:"),
        ("[]", "result.json:1: not a result file: expected a JSON object"),
        (
            '{"panel": []}',
            "result.json:1: not a result file: 'probabilities' is missing or of the wrong type",
        ),
    ],
)
def test_verify_refuses_a_bad_result_file(content, message, files, capsys):
    files()
    (files.dir / "result.json").write_text(content)
    code, _, err = run(verify_args(files.dir), capsys)
    assert code == EXIT_BAD_INPUT
    assert err.startswith(f"{files.dir}/{message}")


# ---------------------------------------------------------------------------- the installed script


def run_script(script: Path, argv: list[str]) -> subprocess.CompletedProcess[str]:
    command = [str(script), *argv]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)  # noqa: S603


def test_console_script(files):
    script = Path(sys.executable).parent / "samverkan-panel"
    assert script.exists(), "install the project (pip install -e .) to get the samverkan-panel script"
    done = run_script(script, files(FEATURES, PEOPLE, SIZE, "--seed", "5"))
    assert done.returncode == 0, done.stderr
    assert json.loads((files.dir / "result.json").read_text())["seed"] == 5
    done = run_script(script, verify_args(files.dir))
    assert done.returncode == 0, done.stdout
    bad_argv = files(FEATURES.replace("gender,male,2,3", "gender,male,2,1"), PEOPLE, SIZE, "--seed", "5")
    (files.dir / "result.json").unlink()
    done = run_script(script, bad_argv)
    assert done.returncode == EXIT_BAD_INPUT
    assert (
        done.stderr.strip() == f"{files.dir}/features.csv:3: min (2) is greater than max (1) for gender/male"
    )
    assert not (files.dir / "result.json").exists()


def test_a_failing_lottery_exits_5_without_a_result(files, capsys, monkeypatch):
    import samverkan.panels.cli as cli

    def fail(*args, **kwargs):
        raise RuntimeError("the legacy greedy failed in all 1000 runs")

    monkeypatch.setattr(cli, "select", fail)
    code, _, err = run(files(FEATURES, PEOPLE, SIZE, "--seed", "1"), capsys)
    assert code == cli.EXIT_FAILED
    assert err.strip() == "the lottery failed: the legacy greedy failed in all 1000 runs"
    assert not (files.dir / "result.json").exists()
