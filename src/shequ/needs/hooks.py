"""What needs adds to the menu: home visits and needs for those who serve face to face; surveys for
those who work in the area, and for a resident the surveys of their home."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from shequ.core.extensions import NavEntry, anywhere, nav_entry


def _surveys(user: Any) -> bool:
    from shequ.registry.selectors import resident_on_account

    return anywhere("survey")(user) or resident_on_account(user, living_here=True) is not None


nav_entry(
    NavEntry("visits", _("Home visits"), "needs:visit_new", anywhere("visit", "create"), order=70, tab=30)
)
nav_entry(NavEntry("needs", _("Needs"), "needs:need_list", anywhere("need"), order=80))
nav_entry(NavEntry("surveys", _("Surveys"), "needs:survey_list", _surveys, order=90))
