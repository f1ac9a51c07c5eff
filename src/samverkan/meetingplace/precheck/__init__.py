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
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

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
        "بقاء",
        "العود",
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
        "عائلت",
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
        "فحص",
        "رعاي",
        "طبيب",
        "مستشف",
        "علاج",
        "أسنان",
    ),
}

ARABIC = re.compile("[\u0600-\u06ff]")
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
            elif ARABIC.search(stem_n):
                # Arabic attaches articles, prepositions and pronouns to the word: a stem inside it
                hits += sum(1 for w in words if stem_n in w)
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


class Embedder(Protocol):
    """Sentence embeddings: ``kind`` is "query" for statements and "passage" for facts (as E5
    models expect); rows are L2-normalised vectors."""

    name: str

    def __call__(self, texts: Sequence[str], *, kind: str) -> Sequence[Sequence[float]]: ...


LEXICAL_WEAK = 0.1  # below this best lexical score the words do not meet (e.g. Arabic vs. Swedish)
EMBEDDING_WEIGHT = 0.5


def precheck(
    text: str,
    facts: Sequence[Fact],
    *,
    k: int = 2,
    embed: Embedder | None = None,
    min_score: float = 0.05,
) -> list[Finding]:
    """Every statement of ``text`` with its risk topic (or None) and, for flagged statements, the
    ``k`` closest facts, preferring facts of the same topic. Lexical similarity ranks the facts;
    where it is weak (the statement shares no words with any fact, typically another language)
    and an embedding model is given, the embeddings' similarity (scaled to 0..1 over the facts)
    is added: it carries meaning across languages."""
    statements = split_statements(text)
    index = LexicalIndex(facts)
    topics = [detect_topic(s) for s in statements]
    flagged = [i for i, t in enumerate(topics) if t in RISK_TOPICS]
    lexical = {i: index.scores(statements[i]) for i in flagged} if facts else {}
    weak = [i for i in flagged if facts and max(lexical[i], default=0.0) < LEXICAL_WEAK]
    semantic: dict[int, list[float]] = {}
    if embed is not None and weak:
        fact_vectors = embed([f"{f.text_sv} {f.text_en}" for f in facts], kind="passage")
        statement_vectors = embed([statements[i] for i in weak], kind="query")
        for i, vector in zip(weak, statement_vectors, strict=True):
            sims = [sum(a * b for a, b in zip(vector, fv, strict=True)) for fv in fact_vectors]
            low, high = min(sims), max(sims)
            semantic[i] = [(x - low) / (high - low) if high > low else 0.0 for x in sims]
    findings = []
    for i, statement in enumerate(statements):
        topic = topics[i]
        matches: tuple[Match, ...] = ()
        if i in lexical:
            scored = []
            for j, fact in enumerate(facts):
                score = lexical[i][j] + (EMBEDDING_WEIGHT * semantic[i][j] if i in semantic else 0.0)
                if fact.topic == topic:
                    score += 0.1
                scored.append((score, fact.key))
            scored.sort(key=lambda x: (-x[0], x[1]))
            matches = tuple(Match(key, round(score, 4)) for score, key in scored[:k] if score >= min_score)
        findings.append(Finding(i, statement, topic, matches))
    return findings
