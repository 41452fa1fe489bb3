"""What deliberation adds to the product: menu entries, and what blocks deleting an area."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from shequ.core.extensions import AreaBlocker, NavEntry, anywhere, area_blocker, nav_entry

nav_entry(NavEntry("meetings", _("Meetings"), "deliberation:list", anywhere("meeting"), order=45))
nav_entry(NavEntry("proposals", _("Proposals"), "deliberation:proposals", anywhere("proposal"), order=46))


def _holds_deliberation(area: Any) -> bool:
    from shequ.deliberation.models import Meeting, Proposal

    return Meeting.objects.filter(area=area).exists() or Proposal.objects.filter(area=area).exists()


area_blocker(
    AreaBlocker(
        "deliberation.meetings",
        _holds_deliberation,
        _("Meetings or proposals of this area are on record: they stay with the area."),
    )
)
