"""What appeals add: the menu entry, the home page's report button and lists of what waits, and
the retention of a reporter's contact."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from shequ.appeals.models import Appeal, Stage
from shequ.core.extensions import (
    HomeAction,
    HomeItem,
    HomeList,
    HomeRow,
    NavEntry,
    PublicPage,
    RetentionKind,
    home_action,
    home_item,
    nav_entry,
    public_page,
    retention_kind,
)


def _works_with_appeals(user: Any) -> bool:
    from shequ.core import access

    return bool(access.paths_for(user, "appeal", "view") or access.paths_for(user, "appeal", "create"))


# Everyone who lives or works in an area reports appeals (a resident sees their own); staff also
# see the queue. A third-party evaluator does neither.
nav_entry(NavEntry("appeals", _("Appeals"), "appeals:list", _works_with_appeals, order=40, tab=10))


def _appeal_contact(cutoff: datetime, dry_run: bool) -> int:
    """The reporter's name and phone on an appeal finished (closed, evaluated, rejected or merged)
    before the cutoff. The appeal itself, its area, category, dates and result stay countable."""
    finished = Q(stage__in=[Stage.CLOSED, Stage.EVALUATED], closed_at__lt=cutoff) | Q(
        stage__in=[Stage.REJECTED, Stage.MERGED], updated_at__lt=cutoff
    )
    qs = Appeal.objects.filter(finished).exclude(contact_name="", contact_phone_encrypted="")
    if dry_run:
        return qs.count()
    return qs.update(contact_name="", contact_phone_encrypted="")


retention_kind(
    RetentionKind(
        "appeal_contact", 365, _appeal_contact, _("the reporter's name and phone on a finished appeal")
    )
)


# --- the home page --------------------------------------------------------------------------------


def _reports_on_patrol(user: Any) -> bool:
    """Workers who report what they find (grid workers, building heads, social workers, staff)."""
    from shequ.appeals.services.intake import PATROL_ROLES
    from shequ.core import access

    return any(held.role in PATROL_ROLES for held in access.held_roles(user))


def _report_url(patrol: bool) -> Any:
    def url(user: Any) -> str | None:
        from shequ.core import access

        if not access.paths_for(user, "appeal", "create") or _reports_on_patrol(user) != patrol:
            return None
        return reverse("appeals:report")

    return url


home_action(HomeAction("report_event", _("Report an event"), _report_url(True), order=10))
home_action(HomeAction("report_problem", _("Report a problem"), _report_url(False), order=10))


def _appeal_row(appeal: Appeal) -> HomeRow:
    due = ""
    if appeal.deadline_at is not None:
        when = formats.date_format(timezone.localtime(appeal.deadline_at), "SHORT_DATETIME_FORMAT")
        overdue = appeal.deadline_at <= timezone.now()
        due = str(_("overdue since %(when)s") if overdue else _("due %(when)s")) % {"when": when}
    note = " · ".join(part for part in (appeal.area.name, str(appeal.category), due) if part)
    return HomeRow(
        label=f"#{appeal.pk} {appeal.title}", url=reverse("appeals:detail", args=[appeal.pk]), note=note
    )


def _waiting(stages: tuple[str, ...], permission: str) -> Any:
    def collect(user: Any) -> HomeList | None:
        from shequ.appeals import selectors
        from shequ.core import access

        if not access.paths_for(user, "appeal", permission):
            return None
        found, total = selectors.waiting_in(user, stages)
        more = reverse("appeals:list") + "?waiting=on&stage=" + (stages[0] if len(stages) == 1 else "open")
        return HomeList(rows=[_appeal_row(a) for a in found], total=total, more_url=more)

    return collect


# What waits for someone in the loop, one list per step: accepting, dispatching, handling (what was
# dispatched to me), verifying the work done, closing.
WAITING = (
    ("appeals_to_accept", _("Appeals to accept"), (Stage.REPORTED,), "triage", 10),
    ("appeals_to_dispatch", _("Appeals to dispatch"), (Stage.ACCEPTED,), "triage", 11),
    ("appeals_to_handle", _("Appeals to handle"), (Stage.DISPATCHED, Stage.IN_PROGRESS), "handle", 12),
    ("appeals_to_verify", _("Work to verify"), (Stage.HANDLED,), "verify", 13),
    ("appeals_to_close", _("Appeals to close"), (Stage.VERIFIED,), "triage", 14),
)
for key, title, stages, permission, order in WAITING:
    collect = _waiting(tuple(str(s) for s in stages), permission)
    home_item(HomeItem(key, title, collect, order=order, quiet_when_empty=True))


def _my_appeals(user: Any) -> HomeList | None:
    """A resident's own appeals (those who see the queue have it above)."""
    from shequ.appeals import selectors
    from shequ.core import access

    if access.paths_for(user, "appeal", "view") or not access.paths_for(user, "appeal", "create"):
        return None
    qs = selectors.appeals_reported_by(user)
    rows = [
        HomeRow(
            label=f"#{a.pk} {a.title}",
            url=reverse("appeals:detail", args=[a.pk]),
            note=str(a.get_stage_display()),
        )
        for a in qs[:5]
    ]
    return HomeList(rows=rows, total=qs.count(), more_url=reverse("appeals:list"))


home_item(
    HomeItem("my_appeals", _("My appeals"), _my_appeals, order=20, empty=_("You have reported nothing yet."))
)


# --- the sign-in page: each community's public board, open to everyone ------------------------------

PUBLIC_BOARD_LINKS = 60


def _board_links() -> list[tuple[str, str]]:
    from shequ.core.models import Area, AreaKind

    communities = Area.objects.filter(kind=AreaKind.COMMUNITY, code__isnull=False).order_by("path")
    return [
        (c.name, reverse("appeals:public_board", args=[c.code])) for c in communities[:PUBLIC_BOARD_LINKS]
    ]


public_page(PublicPage("public_board", _("Public notice boards of the communities"), _board_links, order=10))
