"""Upload validation: real images only, bounded size, metadata (GPS) stripped by re-encoding."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from shequ.appeals import photos
from shequ.appeals.models import Photo
from shequ.appeals.tests.conftest import People
from shequ.appeals.text import anonymise, similarity
from shequ.core.errors import DomainError


def jpeg_with_gps(size: tuple[int, int] = (64, 48)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = {1: "N", 2: (23.0, 6.0, 36.0), 3: "E", 4: (113.0, 6.0, 0.0)}
    exif[0x8825] = gps  # GPSInfo
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_a_photo_loses_its_location_and_camera_metadata() -> None:
    raw = jpeg_with_gps()
    assert Image.open(io.BytesIO(raw)).getexif().get(0x8825)  # the original carries GPS
    clean = photos.clean_photo(upload(raw))
    stored = Image.open(io.BytesIO(clean.content.read()))
    assert stored.format == "JPEG"
    assert not stored.getexif()
    assert b"PhoneMaker" not in clean.content.file.getvalue()  # type: ignore[attr-defined]
    assert (clean.width, clean.height) == (64, 48)


def test_a_large_photo_is_scaled_down() -> None:
    clean = photos.clean_photo(upload(jpeg_with_gps((4000, 1000))))
    assert (clean.width, clean.height) == (photos.MAX_SIDE, 512)


def test_png_is_accepted_and_stored_as_jpeg() -> None:
    out = io.BytesIO()
    Image.new("RGBA", (10, 10)).save(out, format="PNG")
    assert photos.clean_photo(upload(out.getvalue(), "a.png", "image/png")).content.name.endswith(".jpg")


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"%PDF-1.4 not an image", "photo_unreadable"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "photo_unreadable"),
        (jpeg_with_gps()[:200], "photo_unreadable"),  # truncated
    ],
    ids=["pdf", "svg", "truncated"],
)
def test_what_is_not_an_image_is_refused(data: bytes, code: str) -> None:
    with pytest.raises(DomainError) as exc:
        photos.clean_photo(upload(data))
    assert exc.value.code == code


def test_gif_is_refused() -> None:
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, format="GIF")
    with pytest.raises(DomainError) as exc:
        photos.clean_photo(upload(out.getvalue(), "a.gif", "image/gif"))
    assert exc.value.code == "photo_type"


def test_a_file_over_10_mb_is_refused_before_decoding() -> None:
    big = upload(b"\xff\xd8" + b"0" * (photos.MAX_UPLOAD_BYTES + 10))
    with pytest.raises(DomainError) as exc:
        photos.clean_photo(big)
    assert exc.value.code == "photo_too_large"


def test_at_most_six_photos_at_a_time() -> None:
    with pytest.raises(DomainError) as exc:
        photos.clean_photos([upload(jpeg_with_gps()) for _ in range(photos.MAX_PHOTOS + 1)])
    assert exc.value.code == "photo_count"


@pytest.mark.django_db
def test_photos_of_a_report_are_stored_with_the_appeal(
    report: Any, people: People, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    appeal = report(photos=[upload(jpeg_with_gps())])
    photo = Photo.objects.get(appeal=appeal)
    assert photo.kind == Photo.Kind.REPORT
    assert photo.uploaded_by == people.resident
    with photo.image.open("rb") as f:
        assert not Image.open(f).getexif()


@pytest.mark.django_db
def test_a_bad_photo_refuses_the_whole_report(report: Any) -> None:
    from shequ.appeals.models import Appeal

    with pytest.raises(DomainError):
        report(photos=[upload(b"not an image")])
    assert not Appeal.objects.exists()


def test_similarity_of_chinese_texts() -> None:
    assert similarity("楼下路面有个大坑", "楼下路面有个大坑") == 1.0
    assert similarity("楼下路面有个大坑", "路面大坑") > similarity("楼下路面有个大坑", "路灯坏了")
    assert similarity("", "路灯") == 0.0


def test_anonymise_removes_names_phones_ids_and_rooms() -> None:
    text = "张伟反映：3栋502室漏水，李阿姨电话0757-86001234，手机13912345678，证件440605198005170012。"
    out = anonymise(text, names=["张伟"])
    for secret in ("张伟", "502", "李阿姨", "86001234", "13912345678", "440605198005170012"):
        assert secret not in out, (secret, out)
    assert "漏水" in out
