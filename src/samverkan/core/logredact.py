"""Keep secrets that travel in URLs (personal links, registration codes) out of the logs.

Django logs the path of every 4xx/5xx answer (``django.request``) and the development server logs
every request (``django.server``). ``RedactSecrets`` rewrites each path segment that settings
``LOG_REDACT_PATTERNS`` marks as secret: a pattern's first group is kept, what follows it up to the
next ``/`` is replaced by ``[redacted]``.
"""

from __future__ import annotations

import logging
import re
from functools import cache

from django.conf import settings


@cache
def _patterns(sources: tuple[str, ...]) -> list[re.Pattern[str]]:
    return [re.compile(source + r"[^/\s?#\"]+") for source in sources]


def redact(text: str) -> str:
    for pattern in _patterns(tuple(getattr(settings, "LOG_REDACT_PATTERNS", ()))):
        text = pattern.sub(lambda m: m.group(1) + "[redacted]", text)
    return text


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: redact(v) if isinstance(v, str) else v for k, v in record.args.items()}
        return True
