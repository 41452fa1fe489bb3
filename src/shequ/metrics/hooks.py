"""What metrics adds to the menu: the dashboards, for those who work in an area and the evaluators."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shequ.core.extensions import NavEntry, anywhere, nav_entry

nav_entry(
    NavEntry("metrics", _("Metrics"), "metrics:home", anywhere("dashboard"), order=100, section="records")
)
