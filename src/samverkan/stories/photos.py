"""Story photos: decoded, turned upright, scaled down and re-encoded as JPEG, which drops every
piece of metadata the camera or phone wrote (EXIF with GPS position and device, XMP, IPTC, ICC
comments). Pure: bytes in, bytes out.

Limits: the size as uploaded (STORIES_PHOTO_MAX_BYTES, checked by the form) and ``MAX_PIXELS``,
read from the image's header before a pixel is decoded. Pillow's own decompression-bomb limit
(``Image.MAX_IMAGE_PIXELS``) is set to the same number here, explicitly, instead of Pillow's default
of about 89 million, so that no other code path in this process decodes a larger image either."""

from __future__ import annotations

import io

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_SIDE = 1600
MAX_PIXELS = 40_000_000  # refuse decompression bombs before decoding
FORMATS = ("JPEG", "PNG", "WEBP")
# Pillow warns above MAX_IMAGE_PIXELS and refuses above twice it; clean_photo refuses above it.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


class PhotoError(ValueError):
    pass


def clean_photo(data: bytes) -> bytes:
    """A metadata-free JPEG of at most MAX_SIDE pixels a side, or PhotoError."""
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in FORMATS:
                raise PhotoError("format")
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise PhotoError("size")
            probe.load()
            image = ImageOps.exif_transpose(probe) or probe
            image = image.convert("RGB")
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        if isinstance(exc, PhotoError):
            raise
        raise PhotoError("unreadable") from exc
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    # A fresh image holds only pixels: nothing of the original's info dict is carried over.
    clean = Image.new("RGB", image.size)
    clean.paste(image)
    out = io.BytesIO()
    clean.save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue()
