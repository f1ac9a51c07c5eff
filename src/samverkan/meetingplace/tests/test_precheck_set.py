"""The pre-check on its test set (46 statements in Swedish and English: correct, misleading and
unrelated): the flags' precision and recall, and whether the right official statement comes first.
The figures are reported in docs/benchmarks.md (benchmarks/meetingplace/precheck.py)."""

from __future__ import annotations

from samverkan.meetingplace.precheck import precheck
from samverkan.meetingplace.precheck.cases import CASES, FACTS


def test_the_test_set_mixes_languages_and_kinds():
    assert len(CASES) >= 40
    kinds = {c.kind for c in CASES}
    assert kinds == {"correct", "misleading", "unrelated"}
    swedish = sum(1 for c in CASES if any(ch in c.text for ch in "åäö"))
    assert 15 <= swedish <= len(CASES) - 15


def test_flags_have_high_precision_and_recall_and_the_right_fact_comes_first():
    tp = fp = fn = first = same_topic = 0
    for case in CASES:
        finding = precheck(case.text, FACTS)[0]
        gold = case.topic is not None
        tp += finding.flagged and gold
        fp += finding.flagged and not gold
        fn += gold and not finding.flagged
        if gold and finding.flagged:
            same_topic += finding.topic == case.topic
            first += bool(finding.matches) and finding.matches[0].key == case.fact
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    assert precision >= 0.9 and recall >= 0.9, (precision, recall)
    assert first / tp >= 0.85, first / tp
    assert same_topic / tp >= 0.9, same_topic / tp
    # every misleading claim is flagged: those are the ones that hurt
    assert all(precheck(c.text, FACTS)[0].flagged for c in CASES if c.kind == "misleading")
