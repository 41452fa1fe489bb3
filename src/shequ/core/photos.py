"""Photo uploads, for every app that takes them (an appeal's, an activity's): only real JPEG, PNG or
WebP images of a bounded size, re-encoded as JPEG so that no EXIF block (GPS position, phone model,
time) leaves the phone that took them; and the form field that takes several at once."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

from shequ.core.errors import DomainError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_PHOTOS = 6
MAX_SIDE = 2048  # pixels kept on the longer side: enough to see a broken kerb, small to store
MAX_PIXELS = 50_000_000  # refuse decompression bombs before decoding
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}


@dataclass(frozen=True)
class CleanPhoto:
    content: ContentFile
    width: int
    height: int
    size: int


def _refuse(message: Any, code: str) -> DomainError:
    return DomainError(message, code=code, fields={"photos": code})


def clean_photo(upload: Any) -> CleanPhoto:
    """Check an uploaded file (anything with .read() and .size) and return it re-encoded as JPEG."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise _refuse(_("A photo may be at most 10 MB."), "photo_too_large")
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise _refuse(_("A photo may be at most 10 MB."), "photo_too_large")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            if fmt not in ACCEPTED_FORMATS:
                raise _refuse(_("Only JPEG, PNG or WebP photos can be uploaded."), "photo_type")
            if probe.width * probe.height > MAX_PIXELS:
                raise _refuse(_("The photo has too many pixels."), "photo_too_large")
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            # Turn the picture as the phone meant it, then drop every metadata block by re-encoding.
            upright = ImageOps.exif_transpose(image) or image
            rgb = upright.convert("RGB")
    except DomainError:
        raise
    except Exception:
        # Pillow's decoders answer hostile files with many types besides OSError (SyntaxError for a
        # broken PNG chunk, struct.error, EOFError, IndexError…): each is "not a readable image".
        raise _refuse(_("The file is not a readable image."), "photo_unreadable") from None
    rgb.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    rgb.save(out, format="JPEG", quality=85, optimize=True)
    encoded = out.getvalue()
    return CleanPhoto(
        content=ContentFile(encoded, name=f"{uuid.uuid4().hex}.jpg"),
        width=rgb.width,
        height=rgb.height,
        size=len(encoded),
    )


def clean_photos(uploads: list[Any]) -> list[CleanPhoto]:
    if len(uploads) > MAX_PHOTOS:
        raise _refuse(_("At most %(n)d photos at a time.") % {"n": MAX_PHOTOS}, "photo_count")
    return [clean_photo(u) for u in uploads]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several photos in one input; each is checked (type, size, metadata) by the service."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget",
            MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp", "capture": "environment"}),
        )
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)] if data else []
