"""What deliberation adds to the menu."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shequ.core.extensions import NavEntry, anywhere, nav_entry

nav_entry(NavEntry("meetings", _("Meetings"), "deliberation:list", anywhere("meeting"), order=45))
nav_entry(NavEntry("proposals", _("Proposals"), "deliberation:proposals", anywhere("proposal"), order=46))
