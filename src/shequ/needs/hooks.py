"""What needs adds to the menu: home visits and needs for those who serve face to face; surveys for
those who work in the area, and for a resident the surveys of their home. On the home page: the
visit button and who waits for a visit this month. And what it holds on a person, for their own data
and `shequ person export`: the visits to them and the needs they raised."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from shequ.core.extensions import (
    HomeAction,
    HomeItem,
    HomeList,
    HomeRow,
    NavEntry,
    PersonalData,
    anywhere,
    home_action,
    home_item,
    nav_entry,
    personal_data,
)


def _surveys(user: Any) -> bool:
    from shequ.registry.selectors import resident_on_account

    return anywhere("survey")(user) or resident_on_account(user, living_here=True) is not None


nav_entry(
    NavEntry("visits", _("Home visits"), "needs:visit_new", anywhere("visit", "create"), order=70, tab=30)
)
nav_entry(NavEntry("needs", _("Needs"), "needs:need_list", anywhere("need"), order=80))
nav_entry(NavEntry("surveys", _("Surveys"), "needs:survey_list", _surveys, order=90, tab=60))


def _visit_url(user: Any) -> str | None:
    return reverse("needs:visit_new") if anywhere("visit", "create")(user) else None


home_action(HomeAction("visit", _("Home visit"), _visit_url, order=20))


def _unvisited(user: Any) -> HomeList | None:
    from shequ.needs import selectors

    if not anywhere("visit", "create")(user):
        return None
    found, total = selectors.unvisited_this_month(user)
    rows = []
    for resident in found:
        tags = [str(_("Living alone"))] if resident.living_alone else []
        if getattr(resident, "chronic_illness", None) is not None:
            tags.append(str(_("Chronically ill")))
        last = getattr(resident, "last_visit", None)
        seen = (
            str(_("last visit %(day)s")) % {"day": formats.date_format(last, "SHORT_DATE_FORMAT")}
            if last
            else str(_("never visited"))
        )
        rows.append(
            HomeRow(
                label=selectors.shown_name(resident),
                url=reverse("needs:visit_new") + f"?resident={resident.pk}",
                note=" · ".join([resident.area.name, *tags, seen]),
            )
        )
    return HomeList(rows=rows, total=total, more_url=reverse("needs:visit_new"))


home_item(
    HomeItem(
        "unvisited",
        _("Not visited this month: living alone or chronically ill"),
        _unvisited,
        order=30,
        empty=_("Everyone living alone or chronically ill has been visited this month."),
    )
)


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
