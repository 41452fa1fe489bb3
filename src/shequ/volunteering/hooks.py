"""What volunteering adds to the menu: activities for everyone, the volunteers for those who keep them.
On the home page: an organiser's activities of today and tomorrow with their check-in, and the
activities a resident or volunteer can still join."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.extensions import (
    HomeItem,
    HomeList,
    HomeRow,
    NavEntry,
    anywhere,
    held_any_role,
    home_item,
    nav_entry,
)

# Everyone sees activities; volunteers also their own record (volunteering/selectors).
nav_entry(NavEntry("activities", _("Activities"), "volunteering:list", held_any_role, order=50, tab=20))
nav_entry(NavEntry("volunteers", _("Volunteers"), "volunteering:volunteers", anywhere("volunteer"), order=60))


def _when(activity: Any) -> str:
    return formats.date_format(timezone.localtime(activity.starts_at), "SHORT_DATETIME_FORMAT")


def _today_and_tomorrow(user: Any) -> HomeList | None:
    from shequ.volunteering import selectors

    if not anywhere("activity", "manage")(user):
        return None
    found, total = selectors.activities_on_days(user, days=2)
    rows = [
        HomeRow(
            label=a.title,
            url=reverse("volunteering:detail", args=[a.pk]),
            note=" · ".join([_when(a), a.area.name]),
            link_label=_("Check-in"),
            link_url=reverse("volunteering:attendance", args=[a.pk]),
        )
        for a in found
    ]
    return HomeList(rows=rows, total=total, more_url=reverse("volunteering:list"))


# Those who join activities rather than run them.
JOINERS = frozenset({"resident", "volunteer", "building_head"})


def _to_join(user: Any) -> HomeList | None:
    from shequ.core import access
    from shequ.volunteering import selectors

    roles = {h.role.value for h in access.held_roles(user)}
    if not roles or not roles <= JOINERS or anywhere("activity", "manage")(user):
        return None
    found, total = selectors.activities_to_join(user)
    rows = [
        HomeRow(
            label=a.title,
            url=reverse("volunteering:detail", args=[a.pk]),
            note=" · ".join([_when(a), a.area.name]),
        )
        for a in found
    ]
    return HomeList(rows=rows, total=total, more_url=reverse("volunteering:list") + "?when=upcoming")


home_item(
    HomeItem(
        "activities_soon",
        _("Activities today and tomorrow"),
        _today_and_tomorrow,
        order=25,  # a social worker's day: before the visits
        empty=_("No activity today or tomorrow."),
    )
)
home_item(
    HomeItem(
        "activities_to_join", _("Activities to join"), _to_join, order=40, empty=_("No activity open now.")
    )
)
