"""The appeals panel of the area page: the area's figures (docs/metrics.md) and links to its queue
and public board. Shown to those who may see appeals there."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from shequ.appeals.metrics import figures_for
from shequ.appeals.selectors import community_of
from shequ.core import access
from shequ.core.panels import Panel, area_panel


@area_panel
def appeal_figures(user: Any, area: Any) -> Panel | None:
    paths = access.paths_for(user, "appeal", "view")
    if not any(area.path.startswith(p) or p.startswith(area.path) for p in paths):
        return None
    community = community_of(area) if area.depth >= 3 else None
    return Panel(
        title=str(_("Appeals")),
        template="appeals/_figures.html",
        context={"figures": figures_for(user, area), "area": area, "community": community},
    )
