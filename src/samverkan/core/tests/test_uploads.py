"""The upload size limit stops a streamed upload (one without a declared length) at the limit."""

from __future__ import annotations

import pytest
from django.core.files.uploadhandler import StopUpload
from django.test import RequestFactory

from samverkan.core.uploads import SizeLimitUploadHandler


def test_a_streamed_upload_is_stopped_once_it_passes_the_limit():
    handler = SizeLimitUploadHandler(RequestFactory().post("/"), limit=10)
    assert handler.receive_data_chunk(b"x" * 6, 0) == b"x" * 6
    with pytest.raises(StopUpload) as exc:
        handler.receive_data_chunk(b"x" * 6, 6)
    assert handler.exceeded and exc.value.connection_reset
