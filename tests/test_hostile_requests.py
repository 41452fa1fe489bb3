"""Hostile requests get a clear 4xx, never a 500 with a traceback: a body over the size limit, a broken
image as a photo, DEBUG on (the demo) or off (production)."""

from __future__ import annotations

import io
import json
import struct
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from conftest import Tree, login_client, make_user
from shequ.appeals import photos
from shequ.appeals.models import Appeal
from shequ.core.errors import DomainError
from shequ.core.roles import Role


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), (10, 120, 30)).save(out, format="PNG")
    return out.getvalue()


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), (10, 120, 30)).save(out, format="JPEG")
    return out.getvalue()


PNG = _png()
BROKEN_FILES = {
    # The IDAT chunk overwritten: Pillow raises SyntaxError ("broken PNG file"), which escaped as a 500.
    "png_bad_idat": ("a.png", PNG[:41] + b"\xff" * 20 + PNG[61:]),
    "png_truncated": ("a.png", PNG[: len(PNG) // 2]),
    "png_huge_chunk": ("a.png", PNG[:33] + struct.pack(">I", 0x7FFFFFFF) + b"IDAT" + b"x" * 10),
    "jpeg_truncated": ("a.jpg", _jpeg()[:300]),
    "text_named_png": ("a.png", b"this is not a picture at all\n" * 10),
}


@pytest.mark.parametrize("name", BROKEN_FILES)
def test_a_broken_image_is_refused_as_unreadable_naming_the_field(name: str) -> None:
    filename, data = BROKEN_FILES[name]
    with pytest.raises(DomainError) as refused:
        photos.clean_photo(SimpleUploadedFile(filename, data, content_type="image/png"))
    assert refused.value.code == "photo_unreadable"
    assert refused.value.field == "photos"


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [False, True], ids=["production", "demo"])
def test_a_broken_png_on_the_report_form_is_a_400_on_the_photo_field(
    tree: Tree, settings: Any, tmp_path: Any, debug: bool
) -> None:
    settings.DEBUG = debug
    settings.MEDIA_ROOT = tmp_path
    resident = make_user(Role.RESIDENT, tree.building, "jumin")
    filename, data = BROKEN_FILES["png_bad_idat"]
    response = login_client(resident).post(
        "/appeals/new/",
        {
            "area": tree.building.pk,
            "category": "environment",
            "description": "楼道里堆满杂物，有消防隐患",
            "priority": "normal",
            "channel": "resident",
            "photos": [SimpleUploadedFile(filename, data, content_type="image/png")],
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Traceback" not in page
    assert "楼道里堆满杂物" in page
    assert "不是可读取的图片" in page
    assert not Appeal.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [False, True], ids=["production", "demo"])
def test_a_json_body_over_the_limit_is_a_413_not_a_500(tree: Tree, settings: Any, debug: bool) -> None:
    settings.DEBUG = debug
    staff = make_user(Role.COMMUNITY_STAFF, tree.community, "shequ")
    big = json.dumps({"area_id": tree.building.pk, "category": "environment", "description": "x" * 3_000_000})
    client = login_client(staff)
    client.raise_request_exception = False
    response = client.post("/api/appeals", big, content_type="application/json")
    assert response.status_code == 413
    body = response.json()
    assert body["code"] == "request_too_large"
    assert body["message"]
    assert "field" in body
    assert not Appeal.objects.exists()
    # The token endpoint reads its body before anyone is signed in.
    anonymous = login_client(staff).__class__(raise_request_exception=False)
    big_login = json.dumps({"username": "x" * 3_000_000, "password": "y"})
    answer = anonymous.post("/api/auth/token", big_login, content_type="application/json")
    assert answer.status_code == 413
    assert answer.json()["code"] == "request_too_large"


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [False, True], ids=["production", "demo"])
def test_a_form_over_the_limit_is_a_clear_413_page(tree: Tree, settings: Any, debug: bool) -> None:
    settings.DEBUG = debug
    resident = make_user(Role.RESIDENT, tree.building, "jumin")
    client = login_client(resident)
    client.raise_request_exception = False
    response = client.post(
        "/appeals/new/",
        {"area": tree.building.pk, "category": "environment", "description": "x" * 3_000_000},
    )
    assert response.status_code == 413
    page = response.content.decode()
    assert "Traceback" not in page
    assert "RequestDataTooBig" not in page
    assert not Appeal.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/appeals"),
        ("post", "/api/areas"),
        ("patch", "/api/areas/{area}"),
        ("post", "/api/auth/token"),
    ],
)
@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "text/html"])
def test_the_api_refuses_json_sent_as_another_type(
    tree: Tree, method: str, path: str, content_type: str
) -> None:
    """Issue 13, finding 10: JSON sent as text/plain (what a cross-site form sends without a preflight)
    was read as JSON. Every write now answers 415 and changes nothing."""
    staff = make_user(Role.DISTRICT_ADMIN, tree.district, "quadmin")
    body = json.dumps(
        {"parent_id": tree.street.pk, "name": "新社区", "area_id": tree.building.pk, "version": 1}
    )
    client = login_client(staff)
    before = (tree.street.children.count(), Appeal.objects.count())
    response = getattr(client, method)(path.format(area=tree.community.pk), body, content_type=content_type)
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    assert (tree.street.children.count(), Appeal.objects.count()) == before


@pytest.mark.django_db
def test_an_api_write_without_a_body_needs_no_content_type(tree: Tree) -> None:
    staff = make_user(Role.COMMUNITY_STAFF, tree.community, "shequ")
    response = login_client(staff).delete("/api/auth/token")
    assert response.status_code == 400
    assert response.json()["code"] == "token_required"
