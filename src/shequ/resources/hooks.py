"""What the resource register adds to the menu."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shequ.core.extensions import NavEntry, anywhere, nav_entry

nav_entry(
    NavEntry(
        "resources",
        _("Resource register"),
        "resources:list",
        anywhere("resource"),
        order=30,
        section="records",
    )
)
