"""What volunteering adds to the menu: activities for everyone, the volunteers for those who keep them."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shequ.core.extensions import NavEntry, anywhere, held_any_role, nav_entry

# Everyone sees activities; volunteers also their own record (volunteering/selectors).
nav_entry(NavEntry("activities", _("Activities"), "volunteering:list", held_any_role, order=50, tab=20))
nav_entry(NavEntry("volunteers", _("Volunteers"), "volunteering:volunteers", anywhere("volunteer"), order=60))
