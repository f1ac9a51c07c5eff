"""Shared by the pool and quota services: what one uploaded file may cost."""

from __future__ import annotations

from django.conf import settings

from samverkan.core.errors import ValidationError
from samverkan.core.limits import MB, UploadLimits, UploadRefused, check_bytes, check_lines

# What one uploaded file may cost (docs/architecture.md, "Upload limits"): 20 MB, and lines
# counted on the bytes before the CSV reader builds a row object per line. A people.csv may have
# PANELS_MAX_POOL people plus a header and some blank lines; a quota file a few thousand rows.
UPLOAD_MAX_BYTES = 20 * MB


QUOTA_MAX_LINES = 10_000


def pool_upload_limits() -> UploadLimits:
    return UploadLimits(max_bytes=UPLOAD_MAX_BYTES, max_lines=settings.PANELS_MAX_POOL + 1000)


QUOTA_LIMITS = UploadLimits(max_bytes=UPLOAD_MAX_BYTES, max_lines=QUOTA_MAX_LINES)


def _check_upload(data: bytes, limits: UploadLimits, field: str) -> None:
    try:
        check_bytes(len(data), limits)
        check_lines(data, limits)
    except UploadRefused as exc:
        raise ValidationError({field: [str(exc)]}) from None
