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


# Panels on an area's page (e.g. the appeal figures), registered the same way: fn(user, area).
_area_panels: list[PanelFn] = []


def area_panel(fn: PanelFn) -> PanelFn:
    """Register a panel for the area page: fn(user, area) -> Panel | None."""
    _area_panels.append(fn)
    return fn


def area_panels(user: Any, area: Any) -> list[Panel]:
    return [p for p in (fn(user, area) for fn in _area_panels) if p is not None]
