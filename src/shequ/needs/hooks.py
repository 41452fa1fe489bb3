"""What needs adds to the menu: home visits and needs for those who serve face to face; surveys for
those who work in the area, and for a resident the surveys of their home. And what it holds on a
person, for their own data and `shequ person export`: the visits to them and the needs they raised."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from shequ.core.extensions import NavEntry, PersonalData, anywhere, nav_entry, personal_data


def _surveys(user: Any) -> bool:
    from shequ.registry.selectors import resident_on_account

    return anywhere("survey")(user) or resident_on_account(user, living_here=True) is not None


nav_entry(
    NavEntry("visits", _("Home visits"), "needs:visit_new", anywhere("visit", "create"), order=70, tab=30)
)
nav_entry(NavEntry("needs", _("Needs"), "needs:need_list", anywhere("need"), order=80))
nav_entry(NavEntry("surveys", _("Surveys"), "needs:survey_list", _surveys, order=90))


def _held_on(resident: Any) -> dict[str, Any]:
    """The visits to the person (when, why; the visitor's notes are the staff's) and their needs."""
    return {
        "visits": [
            {"visited_on": str(v.visited_on), "purpose": v.purpose}
            for v in resident.visits.order_by("visited_on", "id")
        ],
        "needs": [
            {
                "raised_on": str(n.raised_on),
                "category": n.category,
                "description": n.description,
                "status": n.status,
                "outcome": n.outcome,
            }
            for n in resident.needs.order_by("raised_on", "id")
        ],
    }


personal_data(PersonalData("needs", _held_on, order=600))
