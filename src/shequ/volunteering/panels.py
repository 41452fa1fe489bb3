"""The volunteering panel of a resident's page: their volunteer record, or a link to register them.
Shown to those who keep volunteers there."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from shequ.core import access
from shequ.core.panels import Panel, resident_panel
from shequ.volunteering import selectors
from shequ.volunteering.models import Volunteer


@resident_panel
def volunteer_panel(user: Any, resident: Any) -> Panel | None:
    if not access.paths_for(user, "volunteer", "view"):
        return None
    volunteer = Volunteer.objects.filter(resident=resident).select_related("area").first()
    if volunteer is not None and not access.can(user, "volunteer", "view", path=volunteer.area.path):
        return None
    may_register = volunteer is None and any(
        resident.area.path.startswith(p) for p in access.paths_for(user, "volunteer", "manage")
    )
    if volunteer is None and not may_register:
        return None
    return Panel(
        title=str(_("Volunteering")),
        template="volunteering/_resident_panel.html",
        context={
            "volunteer": volunteer,
            "record": selectors.record_of(volunteer) if volunteer else None,
            "resident": resident,
        },
    )
