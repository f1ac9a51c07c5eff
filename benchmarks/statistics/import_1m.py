"""Importing a 1,000,000-observation PC-Axis table, against reading the same file with the bare
reader library (pyaxis, the maintained PC-Axis reader on PyPI).

Run:  .venv/bin/python benchmarks/statistics/import_1m.py [--runs 3]
      DATABASE_URL=postgres://postgres@127.0.0.1:5432/samverkan \
        .venv/bin/python benchmarks/statistics/import_1m.py

Writes a synthetic UTF-8 PX file of 250 regions × 2 sexes × 20 age groups × 100 years (one
million cells, with some ".." missing values; the figures are random, not statistics), then
measures, each in a fresh process so that peak memory is that job's alone:

* ``pyaxis``: ``pyaxis.parse(file, encoding="utf-8")`` — the bare read into a pandas DataFrame;
* ``parse``: Samverkan's own reader into a cube (``importers.parse``);
* ``import``: the whole import a user runs (``manage.py import_statistics``'s service): read,
  parse, check, store the version in the database, audit, in one transaction.

Time is wall-clock for the job itself (imports of the libraries excluded), in runs without
tracemalloc. Memory, from separate runs: the job's peak of allocations traced by tracemalloc
(NumPy and pandas report theirs to it), and the whole process's peak resident set size
(libraries included). Medians of the runs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHAPE = {"region": 250, "sex": 2, "age": 20, "year": 100}


def write_px(path: Path, seed: int = 7) -> int:
    import numpy as np

    rng = np.random.default_rng(seed)
    regions = [f"R{i:03d}" for i in range(SHAPE["region"])]
    ages = [f"{5 * i}-{5 * i + 4}" for i in range(SHAPE["age"])]
    years = [str(1925 + i) for i in range(SHAPE["year"])]

    def values(items: list[str]) -> str:
        return ",".join(f'"{v}"' for v in items)

    cells = int(np.prod(list(SHAPE.values())))
    data = rng.integers(0, 5000, size=cells).astype(str)
    data[rng.random(cells) < 0.01] = '".."'
    header = (
        'CHARSET="ANSI";\nAXIS-VERSION="2013";\nCODEPAGE="utf-8";\nLANGUAGE="sv";\n'
        'MATRIX="BENCH1M";\nTABLEID="BENCH1M";\nTITLE="Syntetisk tabell (inte statistik)";\n'
        'CONTENTS="Syntetiska värden";\nUNITS="antal";\nSOURCE="Samverkan benchmark (synthetic)";\n'
        'STUB="region","kön","ålder";\nHEADING="år";\n'
        f'VALUES("region")={values(regions)};\nCODES("region")={values(regions)};\n'
        'VALUES("kön")="män","kvinnor";\nCODES("kön")="1","2";\n'
        f'VALUES("ålder")={values(ages)};\nCODES("ålder")={values(ages)};\n'
        f'VALUES("år")={values(years)};\nTIMEVAL("år")=TLIST(A1),{values(years)};\n'
        "DATA=\n"
    )
    width = SHAPE["year"]
    with path.open("w", encoding="utf-8") as handle:
        handle.write(header)
        for start in range(0, cells, width):
            handle.write(" ".join(data[start : start + width]) + "\n")
        handle.write(";\n")
    return cells


CHILD = r"""
import json, os, resource, sys, time, tracemalloc
job, path, traced = sys.argv[1], sys.argv[2], sys.argv[3] == "traced"
def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
def start_job():
    if traced:
        tracemalloc.start()
    return time.perf_counter()
if job == "pyaxis":
    from pyaxis import pyaxis
    start = start_job()
    frame = pyaxis.parse(path, encoding="utf-8")["DATA"]
    seconds = time.perf_counter() - start
    cells = len(frame)
elif job == "parse":
    from samverkan.statistics import importers
    start = start_job()
    cube = importers.parse(open(path, "rb").read(), "px", filename=path)
    seconds = time.perf_counter() - start
    cells = cube.size
else:
    import django
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    django.setup()
    from django.db import connection
    from samverkan.core.actor import Actor
    from samverkan.statistics.services import DatasetFields, statistics_import
    connection.settings_dict["NAME"] = os.environ["BENCH_DB_NAME"]
    start = start_job()
    outcome = statistics_import(
        actor=Actor.system(), data=open(path, "rb").read(), format="px", filename=path,
        dataset_slug=os.environ["BENCH_SLUG"], fields=DatasetFields(),
    )
    seconds = time.perf_counter() - start
    cells = outcome.version.cell_count
job_peak = tracemalloc.get_traced_memory()[1] / 2**20 if traced else 0.0
print(json.dumps({"seconds": seconds, "peak_mb": rss_mb(), "job_mb": job_peak, "cells": cells}))
"""


def run_child(job: str, path: Path, env: dict[str, str], traced: bool) -> dict[str, float]:
    result = subprocess.run(  # noqa: S603 - this interpreter running the script's own code
        [sys.executable, "-c", CHILD, job, str(path), "traced" if traced else "timed"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"{job} failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    db_name = str(connection.settings_dict["NAME"])
    vendor = connection.vendor
    connection.close()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "bench_1m.px"
            cells = write_px(path)
            size_mb = path.stat().st_size / 1e6
            env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'src'}", "BENCH_DB_NAME": db_name}
            results: dict[str, list[dict[str, float]]] = {"pyaxis": [], "parse": [], "import": []}
            memory: dict[str, list[dict[str, float]]] = {job: [] for job in results}
            for run in range(args.runs):
                for job in results:
                    # Timed without tracemalloc (it slows every allocation), then once traced.
                    timed = run_child(job, path, {**env, "BENCH_SLUG": f"bench-{run}"}, traced=False)
                    traced = run_child(job, path, {**env, "BENCH_SLUG": f"bench-traced-{run}"}, traced=True)
                    for result in (timed, traced):
                        if result["cells"] != cells:
                            raise SystemExit(f"{job} read {result['cells']} cells, expected {cells}")
                    results[job].append(timed)
                    memory[job].append(traced)
    finally:
        connection.creation.destroy_test_db(test_db, verbosity=0)

    def median(job: str, key: str) -> float:
        source = memory if key == "job_mb" else results
        return statistics.median(r[key] for r in source[job])

    print(f"{cells:,} cells, {size_mb:.1f} MB PX file, {vendor}, median of {args.runs} runs")
    print(f"{'job':8} {'seconds':>8} {'job peak MB':>12} {'process peak RSS MB':>20}")
    for job in results:
        seconds, job_mb, peak_mb = (median(job, key) for key in ("seconds", "job_mb", "peak_mb"))
        print(f"{job:8} {seconds:8.2f} {job_mb:12.0f} {peak_mb:20.0f}")
    base_t, base_m = median("pyaxis", "seconds"), median("pyaxis", "job_mb")
    print(
        f"import / pyaxis: time {median('import', 'seconds') / base_t:.2f}x, "
        f"job peak memory {median('import', 'job_mb') / base_m:.2f}x; "
        f"parse / pyaxis: time {median('parse', 'seconds') / base_t:.2f}x, "
        f"memory {median('parse', 'job_mb') / base_m:.2f}x"
    )
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")


if __name__ == "__main__":
    main()
