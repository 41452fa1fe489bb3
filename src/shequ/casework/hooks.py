"""What casework adds: the menu entry, the retention of closed cases' notes, the area's headline of
open cases, and what blocks deleting an area."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from shequ.casework.models import Case, CaseNote, Group, Stage
from shequ.core import access
from shequ.core.extensions import (
    AreaBlocker,
    Headline,
    NavEntry,
    RetentionKind,
    Stat,
    anywhere,
    area_blocker,
    headline,
    nav_entry,
    retention_kind,
)
from shequ.core.models import subtree_q

nav_entry(NavEntry("casework", _("Cases"), "casework:list", anywhere("case"), order=85, section="work"))


def _closed_case_notes(cutoff: datetime, dry_run: bool) -> int:
    """The notes of cases closed before the cutoff: the case itself (its stages, dates, risk and
    closure reason) stays countable for the figures."""
    qs = CaseNote.objects.filter(case__stage=Stage.CLOSED, case__closed_on__lt=cutoff.date())
    if dry_run:
        return qs.count()
    deleted, _by_model = qs.delete()
    return deleted


retention_kind(
    RetentionKind("case_notes", 365 * 10, _closed_case_notes, _("the notes of a case closed long ago"))
)


def _open_cases(user: Any, area: Any) -> list[Stat]:
    """Open cases under the area, for those who may see cases at all (one count, scoped)."""
    if not access.paths_for(user, "case", "view"):
        return []
    qs = access.scope(user, "case").filter(subtree_q(area.path, "area_path")).exclude(stage=Stage.CLOSED)
    return [Stat("open_cases", _("Open cases"), qs.count())]


headline(Headline("casework", _open_cases, order=60))

area_blocker(
    AreaBlocker(
        "casework",
        lambda area: Case.objects.filter(area=area).exists(),
        _("Cases are kept for this place: it cannot be deleted."),
        code="area_has_cases",
    )
)

nav_entry(
    NavEntry("casework_groups", _("Groups"), "casework:groups", anywhere("group"), order=86, section="work")
)

area_blocker(
    AreaBlocker(
        "casework_groups",
        lambda area: Group.objects.filter(area=area).exists(),
        _("Groups are kept for this place: it cannot be deleted."),
        code="area_has_groups",
    )
)
