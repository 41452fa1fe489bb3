"""Photo links in API answers work for a bearer-token client (no redirect to /login/), within the
caller's areas; the photo's kind is in the schema; a body that is not JSON answers {code, message}."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from conftest import token_client
from shequ.api import api
from shequ.appeals.tests.conftest import People
from shequ.appeals.tests.test_photos import jpeg_with_gps, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def photographed(report: Any, settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    return report(photos=[upload(jpeg_with_gps())])


def test_a_token_client_follows_the_photo_link_of_an_appeal(photographed: Any, people: People) -> None:
    client = token_client(people.community_staff)
    photo = client.get(f"/api/appeals/{photographed.pk}").json()["photos"][0]
    assert photo["kind"] == "report"
    r = client.get(photo["url"])
    assert r.status_code == 200, r.content[:200]
    assert r["Content-Type"] == "image/jpeg"
    assert b"".join(r.streaming_content)[:2] == b"\xff\xd8"  # type: ignore[attr-defined]


def test_a_photo_of_another_areas_appeal_is_not_found(photographed: Any, people: People) -> None:
    url = (
        token_client(people.community_staff).get(f"/api/appeals/{photographed.pk}").json()["photos"][0]["url"]
    )
    assert token_client(people.other_community_staff).get(url).status_code == 404
    assert Client().get(url).status_code == 401


def test_the_photo_kind_is_in_the_schema() -> None:
    schema = api.get_openapi_schema()["components"]["schemas"]["AppealPhotoOut"]
    assert schema["properties"]["kind"]["enum"] == ["report", "result"]
    assert "kind" in schema["required"]


@pytest.mark.parametrize("body", ["{bad json", '{"area_id": 1,', "\u5783\u573e"])
def test_a_body_that_is_not_json_answers_the_documented_error_in_chinese(people: People, body: str) -> None:
    r = token_client(people.resident).post("/api/appeals", body, content_type="application/json")
    assert r.status_code == 400
    assert r.json()["code"] == "invalid_json"
    assert r.json()["message"] == "请求内容不是有效的 JSON。"
    assert "detail" not in r.json()
