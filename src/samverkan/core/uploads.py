"""An upload handler that stops an upload as soon as it passes a size limit.

Django's own limits cover form fields, not files: without this, a 2 GB upload is written to a
temporary file before any validator sees it. Install it first, before the request's body is read
(so in a view that is csrf_exempt with the CSRF check applied inside, as Django's documentation
on modifying upload handlers describes). A body whose declared Content-Length is already over the
limit should be refused by the view without reading it at all.
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadhandler import FileUploadHandler, StopUpload


class SizeLimitUploadHandler(FileUploadHandler):
    def __init__(self, request: Any, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.exceeded = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.exceeded = True
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None
