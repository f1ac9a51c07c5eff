"""Pre-check quality and speed: precision and recall of the flags on the test set, how often the
right official statement comes first, and the time for a 20-page document, beside two baselines
(flag everything; flag nothing). Run: .venv/bin/python benchmarks/meetingplace/precheck.py"""

from __future__ import annotations

import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))

from samverkan.meetingplace.precheck import precheck
from samverkan.meetingplace.precheck.cases import CASES, FACTS


def quality() -> dict[str, float]:
    tp = fp = fn = first = 0
    for case in CASES:
        finding = precheck(case.text, FACTS)[0]
        gold = case.topic is not None
        tp += finding.flagged and gold
        fp += finding.flagged and not gold
        fn += gold and not finding.flagged
        first += gold and finding.flagged and bool(finding.matches) and finding.matches[0].key == case.fact
    positives = sum(1 for c in CASES if c.topic)
    return {
        "precision": tp / max(tp + fp, 1),
        "recall": tp / max(tp + fn, 1),
        "right_fact_first": first / max(tp, 1),
        "flag_everything_precision": positives / len(CASES),
        "statements": len(CASES),
    }


def twenty_pages(repeats: int = 5) -> tuple[float, int]:
    """A 20-page document (about 500 words a page) against a fact base of 110 statements."""
    page = " ".join(c.text for c in CASES) + " "
    words_per_page = len(page.split())
    text = page * max(1, round(20 * 500 / words_per_page))
    facts = FACTS * 10
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        findings = precheck(text, facts)
        times.append(time.perf_counter() - start)
    return statistics.median(times), len(findings)


if __name__ == "__main__":
    q = quality()
    seconds, statements = twenty_pages()
    print(f"machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}")
    print(
        f"test set: {q['statements']} statements; precision {q['precision']:.2f}, "
        f"recall {q['recall']:.2f}, right fact first {q['right_fact_first']:.2f}; "
        f"flag-everything precision {q['flag_everything_precision']:.2f}"
    )
    print(f"20 pages ({statements} statements): median {seconds:.2f} s of 5 runs")
