"""The one photo rule (core/photos.py) that appeals and activities both use: what is refused, what is
kept of an accepted photo, and the form field that takes several at once."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from shequ.core import photos
from shequ.core.errors import DomainError


def _image(fmt: str, size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, (10, 120, 200))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (23.0, 6.0, 36.0)}  # GPSInfo, where the phone stood
    image.save(out, format=fmt, **({"exif": exif} if fmt == "JPEG" else {}))
    return out.getvalue()


def _upload(data: bytes, name: str = "p.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"%PDF-1.4", "photo_unreadable"),
        (_image("GIF"), "photo_type"),
        (b"\xff\xd8" + b"0" * (photos.MAX_UPLOAD_BYTES + 1), "photo_too_large"),
    ],
)
def test_what_is_no_accepted_photo_is_refused_on_the_photos_field(data: bytes, code: str) -> None:
    with pytest.raises(DomainError) as refused:
        photos.clean_photo(_upload(data))
    assert refused.value.code == code
    assert refused.value.fields == {"photos": code}


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_an_accepted_photo_is_stored_as_a_jpeg_without_metadata(fmt: str) -> None:
    clean = photos.clean_photo(_upload(_image(fmt)))
    stored = Image.open(io.BytesIO(clean.content.read()))
    assert stored.format == "JPEG"
    assert not stored.getexif()
    assert (clean.width, clean.height) == (40, 30)


def test_more_photos_than_allowed_are_refused_together() -> None:
    with pytest.raises(DomainError) as refused:
        photos.clean_photos([_upload(_image("JPEG")) for _ in range(photos.MAX_PHOTOS + 1)])
    assert refused.value.code == "photo_count"


def test_the_form_field_takes_none_one_or_several_files() -> None:
    field = photos.MultipleFileField(required=False)
    one, two = _upload(_image("JPEG"), "a.jpg"), _upload(_image("PNG"), "b.png")
    assert field.clean(None) == []
    assert field.clean(one) == [one]
    assert field.clean([one, two]) == [one, two]
    assert field.widget.attrs["accept"] == "image/jpeg,image/png,image/webp"
