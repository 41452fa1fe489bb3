"""Fixtures for reports: the task queue in immediate mode (a task runs when queued), files in a
temporary folder, and people in the roles that may or may not have reports."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from huey import MemoryHuey

from conftest import Actors
from shequ.core import queue
from shequ.core.models import User


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
def people(actors: Actors) -> People:
    return People(
        street_official=actors.street_official,
        community_staff=actors.community_staff,
        other_community_staff=actors.other_community_staff,
        far_official=actors.far_street_official,
        grid_worker=actors.grid_worker,
        resident=actors.resident,
    )
