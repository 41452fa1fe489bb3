"""How a place is named in a picker: by its parent and itself ("第1网格 › 布匹市场1座"), never by
indentation dots that a phone's native select shows as "· · 布匹市场1座"."""

from __future__ import annotations

from collections.abc import Iterable

from shequ.core.models import PATH_STEP, Area

SEPARATOR = " › "


def place_choices(areas: Iterable[Area], *, levels: int = 2) -> list[tuple[int, str]]:
    """(pk, label) for areas ordered by path; a label names the area after its nearest ancestors in
    the same list (at most `levels` names), so a building says which grid it is in."""
    areas = list(areas)
    names = {a.path: a.name for a in areas}
    out = []
    for a in areas:
        chain = [
            names[a.path[:n]] for n in range(PATH_STEP, len(a.path) + 1, PATH_STEP) if a.path[:n] in names
        ]
        out.append((a.pk, SEPARATOR.join(chain[-levels:])))
    return out
