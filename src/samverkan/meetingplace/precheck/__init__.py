"""Pre-check of partner material before an agency reviewer reads it (pure: no Django).

The text is split into statements; each statement in a *risk topic* (benefits and allowances,
expulsion and return, the right to work, family reunification, health care: where the ethics
council saw unfounded expectations raised) is flagged, and the closest statements of the agency's
fact base are retrieved to put beside it. Retrieval is lexical (TF-IDF over stemmed words and
character trigrams, so inflected Swedish and compound words still meet); a sentence-embedding
model can be passed in as ``embed`` and is then combined with it. The reviewer decides; the
pre-check only points.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

RISK_TOPICS = ("benefits", "expulsion_return", "right_to_work", "family_reunification", "health_care")

# Word stems that place a statement in a risk topic (Swedish, English, Arabic). Matched at the start
# of a word after normalisation, so "bidrag" also catches "bidragen", "etableringsbidrag" is caught
# by the compound rule below.
TOPIC_STEMS: dict[str, tuple[str, ...]] = {
    "benefits": (
        "bidrag",
        "ersättning",
        "dagersättning",
        "särskilt bidrag",
        "ekonomiskt stöd",
        "försörjningsstöd",
        "pengar",
        "kronor",
        "allowance",
        "benefit",
        "money",
        "financial support",
        "grant",
        "welfare",
        "مساعد",
        "إعان",
        "بدل",
        "مال",
    ),
    "expulsion_return": (
        "utvis",
        "avvis",
        "återvänd",
        "verkställ",
        "avslag",
        "gömd",
        "håll dig undan",
        "undan",
        "stanna i sverige",
        "resa hem",
        "hemresa",
        "stanna kvar",
        "preskri",
        "deport",
        "expel",
        "expuls",
        "return",
        "removal",
        "rejected",
        "hide",
        "stay in sweden",
        "ترحيل",
        "طرد",
        "عود",
        "رفض",
        "اختب",
    ),
    "right_to_work": (
        "arbeta",
        "arbetstillstånd",
        "at-und",
        "atund",
        "jobb",
        "praktik",
        "anställ",
        "lön",
        "work",
        "job",
        "employ",
        "internship",
        "salary",
        "wage",
        "عمل",
        "تصريح",
        "توظيف",
        "راتب",
        "تدريب",
    ),
    "family_reunification": (
        "familjeåterförening",
        "anhörig",
        "familj",
        "make",
        "maka",
        "barn till",
        "återförena",
        "family reunification",
        "reunif",
        "relative",
        "spouse",
        "family member",
        "لم الشمل",
        "أسر",
        "عائل",
        "زوج",
    ),
    "health_care": (
        "vård",
        "sjuk",
        "läkare",
        "hälsoundersökning",
        "tandvård",
        "vaccin",
        "mediciner",
        "akut",
        "health",
        "doctor",
        "medical",
        "hospital",
        "dental",
        "care",
        "clinic",
        "صح",
        "طبيب",
        "مستشف",
        "علاج",
        "أسنان",
    ),
}

SENTENCE_END = re.compile(r"(?<=[.!?؟])\s+|\n+")
TOKEN = re.compile(r"\w+", re.UNICODE)
STEM_LENGTH = 7  # crude, language-independent stemming: the first letters of a word
STOP = frozenset(
    [
        "och",
        "att",
        "det",
        "som",
        "en",
        "ett",
        "är",
        "på",
        "för",
        "med",
        "har",
        "till",
        "av",
        "den",
        "de",
        "om",
        "inte",
        "kan",
        "ska",
        "du",
        "ni",
        "vi",
        "man",
        "eller",
        "så",
        "the",
        "a",
        "an",
        "and",
        "or",
        "to",
        "of",
        "in",
        "on",
        "for",
        "is",
        "are",
        "be",
        "can",
        "you",
        "your",
        "we",
        "they",
        "it",
        "this",
        "that",
        "with",
        "as",
        "at",
        "by",
        "not",
        "في",
        "من",
        "على",
        "أن",
        "إلى",
        "عن",
        "مع",
        "هذا",
        "هذه",
    ]
)


@dataclass(frozen=True)
class Fact:
    key: str
    topic: str
    text_sv: str
    text_en: str
    legal_reference: str = ""


@dataclass(frozen=True)
class Match:
    key: str
    score: float


@dataclass(frozen=True)
class Finding:
    index: int
    statement: str
    topic: str | None
    matches: tuple[Match, ...] = field(default_factory=tuple)

    @property
    def flagged(self) -> bool:
        return self.topic in RISK_TOPICS


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    # Arabic: drop tatweel and short vowels; unify alef forms
    text = re.sub("[\u0640\u064b-\u065f]", "", text)
    return re.sub("[إأآ]", "ا", text)


def split_statements(text: str, limit: int = 5000) -> list[str]:
    parts = (" ".join(p.split()) for p in SENTENCE_END.split(text))
    return [p for p in parts if len(p) >= 3][:limit]


def detect_topic(statement: str) -> str | None:
    """The risk topic with the most stem hits, or None."""
    text = normalise(statement)
    words = TOKEN.findall(text)
    best, best_hits = None, 0
    for topic, stems in TOPIC_STEMS.items():
        hits = 0
        for stem in stems:
            stem_n = normalise(stem)
            if " " in stem_n or "-" in stem_n:
                hits += text.count(stem_n)
            else:
                # a word that starts with the stem, or a Swedish compound that contains a long one
                hits += sum(1 for w in words if w.startswith(stem_n) or (len(stem_n) >= 6 and stem_n in w))
        if hits > best_hits:
            best, best_hits = topic, hits
    return best


def _features(text: str) -> Counter[str]:
    words = [w for w in TOKEN.findall(normalise(text)) if w not in STOP and len(w) > 1]
    features: Counter[str] = Counter(w[:STEM_LENGTH] for w in words)
    for w in words:
        padded = f" {w} "
        features.update("#" + padded[i : i + 3] for i in range(len(padded) - 2))
    return features


class LexicalIndex:
    """TF-IDF cosine similarity of statements against the facts (both languages of each fact)."""

    def __init__(self, facts: Sequence[Fact]) -> None:
        self.facts = list(facts)
        docs = [_features(f"{f.text_sv} {f.text_en}") for f in self.facts]
        df: Counter[str] = Counter()
        for d in docs:
            df.update(d.keys())
        n = max(len(docs), 1)
        self.idf = {t: math.log((1 + n) / (1 + c)) + 1 for t, c in df.items()}
        self.vectors = [self._weigh(d) for d in docs]

    def _weigh(self, counts: Counter[str]) -> dict[str, float]:
        vec = {t: (1 + math.log(c)) * self.idf.get(t, 0.0) for t, c in counts.items() if t in self.idf}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        return {t: v / norm for t, v in vec.items()}

    def scores(self, statement: str) -> list[float]:
        q = self._weigh(_features(statement))
        return [sum(w * vec.get(t, 0.0) for t, w in q.items()) for vec in self.vectors]


Embedder = Callable[[Sequence[str]], Sequence[Sequence[float]]]


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    na = math.sqrt(sum(x * x for x in a)) or 1.0
    nb = math.sqrt(sum(y * y for y in b)) or 1.0
    return dot / (na * nb)


def precheck(
    text: str,
    facts: Sequence[Fact],
    *,
    k: int = 2,
    embed: Embedder | None = None,
    min_score: float = 0.05,
) -> list[Finding]:
    """Every statement of ``text`` with its risk topic (or None) and, for flagged statements, the
    ``k`` closest facts, preferring facts of the same topic."""
    statements = split_statements(text)
    index = LexicalIndex(facts)
    fact_vectors: Sequence[Sequence[float]] = ()
    statement_vectors: Sequence[Sequence[float]] = ()
    if embed is not None and facts:
        fact_vectors = embed([f"{f.text_sv} {f.text_en}" for f in facts])
        statement_vectors = embed(statements) if statements else ()
    findings = []
    for i, statement in enumerate(statements):
        topic = detect_topic(statement)
        matches: tuple[Match, ...] = ()
        if topic in RISK_TOPICS and facts:
            lexical = index.scores(statement)
            scored = []
            for j, fact in enumerate(facts):
                score = lexical[j]
                if embed is not None:
                    score = 0.3 * score + 0.7 * _cosine(statement_vectors[i], fact_vectors[j])
                if fact.topic == topic:
                    score += 0.1
                scored.append((score, fact.key))
            scored.sort(key=lambda x: (-x[0], x[1]))
            matches = tuple(Match(key, round(score, 4)) for score, key in scored[:k] if score >= min_score)
        findings.append(Finding(i, statement, topic, matches))
    return findings
