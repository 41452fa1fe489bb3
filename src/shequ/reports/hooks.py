"""What reports adds to the menu: the monthly and yearly reports, for those who may make them."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shequ.core.extensions import NavEntry, anywhere, nav_entry

nav_entry(
    NavEntry(
        "reports", _("Reports"), "reports:list", anywhere("report", "create"), order=110, section="records"
    )
)
