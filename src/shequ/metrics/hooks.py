"""What metrics adds to the menu: the dashboards, for those who work in an area and the evaluators; on
the home page a link to them (the figures live there, not on the home page)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shequ.core.extensions import HomeAction, NavEntry, anywhere, home_action, nav_entry

nav_entry(
    NavEntry(
        "metrics",
        _("Metrics"),
        "metrics:home",
        anywhere("dashboard"),
        order=100,
        tab=50,
        section="records",
        hidden_for=frozenset({"building_head"}),  # a resident volunteer: the figures are not their work
    )
)


def _dashboard_url(user: Any) -> str | None:
    from shequ.core import access

    roles = {h.role.value for h in access.held_roles(user)}
    if not anywhere("dashboard")(user) or roles <= {"building_head"}:
        return None
    return reverse("metrics:home")


home_action(
    HomeAction("dashboard", _("Figures on the dashboard"), _dashboard_url, order=90, style="secondary")
)
