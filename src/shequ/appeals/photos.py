"""Photo uploads: the rule lives in core/photos.py, shared with the other apps that take photos."""

from shequ.core.photos import (
    ACCEPTED_FORMATS,
    MAX_PHOTOS,
    MAX_PIXELS,
    MAX_SIDE,
    MAX_UPLOAD_BYTES,
    CleanPhoto,
    clean_photo,
    clean_photos,
)

__all__ = [
    "ACCEPTED_FORMATS",
    "MAX_PHOTOS",
    "MAX_PIXELS",
    "MAX_SIDE",
    "MAX_UPLOAD_BYTES",
    "CleanPhoto",
    "clean_photo",
    "clean_photos",
]
