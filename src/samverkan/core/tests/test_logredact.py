"""Secrets carried in URLs (story links, registration codes) never reach the log."""

from __future__ import annotations

import logging

from samverkan.core.logredact import RedactSecrets, redact


def test_secret_path_segments_are_redacted_and_the_rest_is_kept():
    assert redact("Not Found: /stories/p/AbC-123_x/photo.jpg") == "Not Found: /stories/p/[redacted]/photo.jpg"
    assert redact('"GET /meetingplace/r/K7M2P9QXRT/?x=1 HTTP/1.1" 200') == (
        '"GET /meetingplace/r/[redacted]/?x=1 HTTP/1.1" 200'
    )
    assert redact("/stories/en-kall-vinter/") == "/stories/en-kall-vinter/"


def test_the_filter_rewrites_the_message_and_its_arguments():
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Not Found: %s", ("/stories/p/s3cret/",), None
    )
    assert RedactSecrets().filter(record) is True
    assert record.getMessage() == "Not Found: /stories/p/[redacted]/"
    assert "s3cret" not in record.getMessage()
