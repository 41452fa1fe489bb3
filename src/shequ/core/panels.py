"""Panels on a resident's page: each domain area adds its own (appeals, activities, service records…)
without the registry knowing about it. A panel returns None when it has nothing for this user."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Panel:
    title: str
    template: str
    context: dict[str, Any]


PanelFn = Callable[[Any, Any], Panel | None]
_resident_panels: list[PanelFn] = []


def resident_panel(fn: PanelFn) -> PanelFn:
    """Register a panel for the resident page: fn(user, resident) -> Panel | None."""
    _resident_panels.append(fn)
    return fn


def resident_panels(user: Any, resident: Any) -> list[Panel]:
    return [p for p in (fn(user, resident) for fn in _resident_panels) if p is not None]
