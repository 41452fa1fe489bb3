"""What reports adds to the menu: the monthly and yearly reports, for those who may make them; on
the home page, last month's report of the community (made or still to make)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.extensions import HomeItem, HomeList, HomeRow, NavEntry, anywhere, home_item, nav_entry

nav_entry(
    NavEntry(
        "reports", _("Reports"), "reports:list", anywhere("report", "create"), order=110, section="records"
    )
)


def _month_report(user: Any) -> HomeList | None:
    """The month just ended is the one to report on: its report, if the user made one, else a link to
    make it."""
    from shequ.reports import selectors
    from shequ.reports.models import ReportKind

    if not anywhere("report", "create")(user):
        return None
    first = timezone.localdate().replace(day=1)
    year, month = (first.year, first.month - 1) if first.month > 1 else (first.year - 1, 12)
    job = selectors.jobs_for(user).filter(kind=ReportKind.MONTHLY, year=year, month=month).first()
    label = str(_("Report of %(year)d-%(month)02d")) % {"year": year, "month": month}
    note = str(_("not made yet")) if job is None else f"{job.area.name} · {job.get_status_display()}"
    return HomeList(rows=[HomeRow(label=label, url=reverse("reports:list"), note=note)], total=0)


home_item(HomeItem("month_report", _("The month's report"), _month_report, order=50))
