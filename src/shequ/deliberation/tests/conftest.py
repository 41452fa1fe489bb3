"""Fixtures for deliberation: staff of the shared tree, a venue and a meeting helper."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from conftest import Tree, make_user
from shequ.core.models import Area, User
from shequ.core.roles import Role
from shequ.deliberation.models import Meeting
from shequ.deliberation.services import meetings
from shequ.resources.models import Resource, Venue

TZ = ZoneInfo("Asia/Shanghai")
NINE = datetime(2026, 12, 14, 19, 0, tzinfo=TZ)


@pytest.fixture
def staff(tree: Tree) -> User:
    return make_user(Role.COMMUNITY_STAFF, tree.community, "shequ_ganbu")


@pytest.fixture
def venue(tree: Tree) -> Venue:
    resource = Resource.objects.create(area=tree.community, kind="material", name="党群服务中心议事厅")
    return Venue.objects.create(resource=resource, capacity=60)


def call_meeting(by: Any, area: Area, *, venue: Venue | None = None, **fields: Any) -> Meeting:
    args: dict[str, Any] = {
        "kind": "council",
        "title": "布匹市场1座停车位议事会",
        "starts_at": NINE,
        "ends_at": NINE + timedelta(hours=2),
        "chair": "陈书记",
        "recorder": "李社工",
        "place": "" if venue else "1座架空层",
    }
    args.update(fields)
    return meetings.meeting_create(by=by, area=area, venue=venue, **args)


def fresh(meeting: Meeting) -> Meeting:
    return Meeting.objects.get(pk=meeting.pk)
