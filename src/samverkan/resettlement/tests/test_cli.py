"""samverkan-placement on files: the documented formats, the report, and bad input refused with
file, line and field, writing nothing."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from samverkan.resettlement.cli import main

MUNICIPALITIES = """code,name,capacity_persons,large_dwellings,need_slots
0180,Fiktiva Stockholm,10,1,SM=2;DS=1
2380,Fiktiva Östersund,6,0,
"""
CASES = """case_id,size,needs,tie_municipality
K1,6,,
K2,2,SM,
K3,3,,2380
K4,2,DS;SM,
"""
SCORES = """case_id,municipality_code,score
K2,2380,0.9
K2,0180,0.4
K3,2380,0.7
K4,0180,0.5
K1,0180,0.8
"""


def _files(
    tmp_path: Path, municipalities: str = MUNICIPALITIES, cases: str = CASES, scores: str | None = SCORES
):
    (tmp_path / "M.csv").write_text(municipalities, encoding="utf-8")
    (tmp_path / "C.csv").write_text(cases, encoding="utf-8")
    args = [
        "solve",
        "--municipalities",
        str(tmp_path / "M.csv"),
        "--cases",
        str(tmp_path / "C.csv"),
        "--out",
        str(tmp_path / "placement.csv"),
        "--report",
        str(tmp_path / "report.json"),
    ]
    if scores is not None:
        (tmp_path / "S.csv").write_text(scores, encoding="utf-8")
        args += ["--scores", str(tmp_path / "S.csv")]
    return args


def test_solve_writes_the_placement_and_the_report(tmp_path, capsys):
    assert main(_files(tmp_path)) == 0
    rows = list(csv.DictReader((tmp_path / "placement.csv").open(encoding="utf-8")))
    placed = {r["case_id"]: r["municipality_code"] for r in rows}
    # K2 needs SM: only 0180 has SM slots, whatever its score at 2380.
    assert placed == {"K1": "0180", "K2": "0180", "K3": "2380", "K4": "0180"}
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    for key in (
        "objective",
        "lp_bound",
        "gap",
        "placed_cases",
        "unplaced_cases",
        "seconds",
        "solver",
        "input_sha256",
    ):
        assert key in report
    assert report["placed_cases"] == 4 and report["unplaced_cases"] == 0
    assert report["objective"] == pytest.approx(0.8 + 0.4 + 0.7 + 0.5)
    assert report["solver"].startswith("HiGHS") and len(report["input_sha256"]) == 64
    assert "4 of 4 cases placed" in capsys.readouterr().out


def test_without_scores_the_built_in_score_places_everyone_it_can(tmp_path):
    assert main(_files(tmp_path, scores=None)) == 0
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report["placed_cases"] == 4 and report["scores"].startswith("built-in")


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        (
            "M",
            "2380,Fiktiva Östersund,6",
            "2380,Fiktiva Östersund,-6",
            "M.csv:3: capacity_persons: -6 is negative",
        ),
        ("M", "SM=2;DS=1", "SM=2;XX=1", "M.csv:2: need_slots: unknown need code 'XX'"),
        ("M", "SM=2;DS=1", "SM2;DS=1", "M.csv:2: need_slots: 'SM2' is not CODE=number"),
        ("C", "K3,3,,2380", "K3,3,,9999", "C.csv:4: tie_municipality: unknown municipality code '9999'"),
        ("C", "K4,2,DS;SM,", "K1,2,DS;SM,", "C.csv:5: case_id: duplicate case 'K1' (first on line 2)"),
        ("C", "K4,2,DS;SM,", "K4,2,DS;;SM,", "C.csv:5: needs: 'DS;;SM' has an empty code"),
        ("C", "K4,2,DS;SM,", "K4,2,DS;QQ,", "C.csv:5: needs: unknown need code 'QQ'"),
        ("C", "K2,2,SM,", "K2,two,SM,", "C.csv:3: size: 'two' is not a whole number"),
        ("S", "K3,2380,0.7", "K9,2380,0.7", "S.csv:4: case_id: unknown case 'K9'"),
        ("S", "K3,2380,0.7", "K3,0000,0.7", "S.csv:4: municipality_code: unknown municipality code '0000'"),
        ("S", "K3,2380,0.7", "K3,2380,hög", "S.csv:4: score: 'hög' is not a number"),
        ("M", "code,name", "kod,name", "M.csv:1: code: no such column in the header"),
    ],
)
def test_bad_input_names_file_line_and_field_and_writes_nothing(tmp_path, capsys, file, old, new, expected):
    texts = {"M": MUNICIPALITIES, "C": CASES, "S": SCORES}
    assert old in texts[file]
    texts[file] = texts[file].replace(old, new, 1)
    args = _files(tmp_path, texts["M"], texts["C"], texts["S"])
    assert main(args) == 2
    err = capsys.readouterr().err
    assert str(tmp_path / f"{file}.csv") + expected.removeprefix(f"{file}.csv") in err
    assert not (tmp_path / "placement.csv").exists() and not (tmp_path / "report.json").exists()


def test_a_failed_run_leaves_earlier_output_untouched(tmp_path):
    (tmp_path / "placement.csv").write_text("earlier\n", encoding="utf-8")
    args = _files(tmp_path, cases=CASES.replace("K2,2,SM,", "K2,2,SM,oops"))
    assert main(args) == 2
    assert (tmp_path / "placement.csv").read_text(encoding="utf-8") == "earlier\n"
