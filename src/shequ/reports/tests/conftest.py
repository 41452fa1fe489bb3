"""Fixtures for reports: the task queue in immediate mode (a task runs when queued), files in a
temporary folder, and people in the roles that may or may not have reports."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from huey import MemoryHuey

from conftest import Tree, make_user
from shequ.core import queue
from shequ.core.models import User
from shequ.core.roles import Role


@pytest.fixture
def huey(monkeypatch: pytest.MonkeyPatch) -> MemoryHuey:
    """The queue of these tests: each task runs at once, in this process (huey's immediate mode)."""
    instance = queue.register_tasks(MemoryHuey("shequ-test-reports", immediate=True, results=False))
    monkeypatch.setattr(queue, "get_huey", lambda: instance)
    return instance


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@dataclass
class People:
    street_official: User  # 大沥镇
    community_staff: User  # 平地社区
    other_community_staff: User  # 沥西社区, same street
    far_official: User  # 祖庙街道, another district
    grid_worker: User
    resident: User


@pytest.fixture
def people(tree: Tree) -> People:
    return People(
        street_official=make_user(Role.STREET_OFFICIAL, tree.street, "jiedao"),
        community_staff=make_user(Role.COMMUNITY_STAFF, tree.community, "shequ"),
        other_community_staff=make_user(Role.COMMUNITY_STAFF, tree.other_community, "lixi"),
        far_official=make_user(Role.STREET_OFFICIAL, tree.far_street, "zumiao"),
        grid_worker=make_user(Role.GRID_WORKER, tree.grid, "wangge"),
        resident=make_user(Role.RESIDENT, tree.building, "jumin"),
    )
