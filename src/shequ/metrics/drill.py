"""The rows behind a figure's numerator or denominator, as its drill-down page lists them: the same
querysets the figure counts (metrics.compute), masked like every list. The figure counts every record
under the area; the list shows only the rows the viewer may read (a role that sees figures but no
records, such as a third-party evaluator, gets no list at all). Rows a list never shows (children
under 14 to roles that do not serve them, people erased on request, rows outside the viewer's reach)
are counted in the figure and left out of the list; the page says how many."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.core import access
from shequ.core.errors import Forbidden, NotFound
from shequ.metrics.compute import SPEC_BY_KEY, Ctx, Spec
from shequ.registry.models import ResidentStatus
from shequ.registry.selectors import MINOR_AGE, masked_id_number, years_ago


@dataclass(frozen=True)
class Drill:
    spec: Spec
    side: str  # "numerator" | "denominator"
    label: str
    total: Any  # the figure's numerator or denominator
    rows: QuerySet  # what may be listed
    hidden: int  # counted but not listed
    columns: list[str]


def _minor_q(ctx: Ctx, field: str) -> Q:
    """Rows about a child under 14 that the viewer's roles do not serve."""
    child = Q(**{f"{field}birth_date__gt": years_ago(MINOR_AGE)})
    paths = access.paths_for(ctx.viewer, "resident", "view_minor")
    if paths:
        child &= ~access.path_q(f"{field}area__path", paths)
    return child


COLUMNS = {
    "resident": [
        gettext_lazy("Name"),
        gettext_lazy("ID number"),
        gettext_lazy("Building"),
        gettext_lazy("Status"),
    ],
    "household": [gettext_lazy("Address"), gettext_lazy("Head"), gettext_lazy("Building")],
    "unit": [gettext_lazy("Unit"), gettext_lazy("Kind"), gettext_lazy("Area")],
    "need": [
        gettext_lazy("Raised on"),
        gettext_lazy("Category"),
        gettext_lazy("Status"),
        gettext_lazy("Place"),
    ],
    "response": [
        gettext_lazy("Answered on"),
        gettext_lazy("Survey"),
        gettext_lazy("Respondent"),
        gettext_lazy("Score"),
    ],
    "appeal": [
        gettext_lazy("Reported at"),
        gettext_lazy("Title"),
        gettext_lazy("Stage"),
        gettext_lazy("Place"),
    ],
    "hours": [
        gettext_lazy("Date"),
        gettext_lazy("Volunteer"),
        gettext_lazy("Activity"),
        gettext_lazy("Hours"),
    ],
    "activity": [
        gettext_lazy("Starts at"),
        gettext_lazy("Title"),
        gettext_lazy("Kind"),
        gettext_lazy("Area"),
    ],
    "record": [gettext_lazy("Date"), gettext_lazy("Service"), gettext_lazy("Who took part")],
}


# Which right reads the rows of each list, and on which path field of the row.
READ_AS = {
    "resident": ("resident", "area__path"),
    "household": ("household", "area__path"),
    "unit": ("organisation", "area__path"),
    "need": ("need", "area_path"),
    "response": ("survey_response", "area_path"),
    "appeal": ("appeal", "area_path"),
    "hours": ("activity", "activity__area__path"),
    "activity": ("activity", "area__path"),
    "record": ("activity", "area__path"),
}
# Lists that name people: only for roles that may read residents' records somewhere.
NAMES_PEOPLE = {"resident", "household", "response", "hours", "record"}


def drill_for(ctx: Ctx, key: str, side: str) -> Drill:
    spec = SPEC_BY_KEY.get(key)
    if spec is None or side not in ("numerator", "denominator"):
        raise NotFound()
    make = spec.numerator if side == "numerator" else spec.denominator
    if make is None:
        raise NotFound()
    qs = make(ctx)
    total = spec.total(qs)
    listed = qs
    kind = spec.rows
    if kind == "resident":
        listed = qs.exclude(_minor_q(ctx, "")).exclude(status=ResidentStatus.ERASED).select_related("area")
        listed = listed.order_by("area__path", "id")
    elif kind == "household":
        listed = qs.select_related("area", "head").order_by("area__path", "room", "id")
    elif kind == "unit":
        listed = qs.select_related("area").order_by("area__path", "name", "id")
    elif kind == "need":
        listed = qs.select_related("area").order_by("-raised_on", "-id")
    elif kind == "response":
        listed = qs.select_related("survey", "resident", "organisation").order_by("-answered_on", "-id")
    elif kind == "appeal":
        listed = qs.select_related("area").order_by("-reported_at", "-id")
    elif kind == "hours":
        listed = qs.select_related("volunteer", "activity").order_by("-served_on", "-id")
    elif kind == "activity":
        listed = qs.select_related("area").order_by("-starts_at", "-id")
    elif kind == "record":
        listed = qs.select_related("activity", "resident", "volunteer", "organisation").order_by(
            "-served_on", "-id"
        )
    resource, field = READ_AS[kind]
    paths = access.paths_for(ctx.viewer, resource, "view")
    if not paths or (kind in NAMES_PEOPLE and not access.paths_for(ctx.viewer, "resident", "view")):
        raise Forbidden(_("Your role sees the figures, not the records behind them."))
    listed = listed.filter(access.path_q(field, paths))
    hidden = qs.count() - listed.count()
    label = spec.numerator_label if side == "numerator" else spec.denominator_label
    return Drill(spec, side, str(label), total, listed, hidden, [str(c) for c in COLUMNS[kind]])


def _local(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def cells(ctx: Ctx, kind: str, row: Any) -> tuple[list[str], str | None]:
    """The cells of one listed row, and the link to the row's own page when there is one."""
    if kind == "resident":
        return (
            [row.name, masked_id_number(row), row.area.name, row.get_status_display()],
            f"/residents/{row.pk}/",
        )
    if kind == "household":
        head = row.head
        if (
            head is not None
            and head.birth_date > years_ago(MINOR_AGE)
            and not access.can(ctx.viewer, "resident", "view_minor", path=row.area.path)
        ):
            head = None
        return [row.address, head.name if head else "—", row.area.name], None
    if kind == "unit":
        return [row.name, row.get_kind_display(), row.area.name], None
    if kind == "need":
        return [f"{row.raised_on}", row.get_category_display(), row.get_status_display(), row.area.name], None
    if kind == "response":
        who = row.resident or row.organisation
        name = str(who)
        if row.resident is not None and row.resident.birth_date > years_ago(MINOR_AGE):
            name = _("A child under 14")
        return [f"{row.answered_on}", row.survey.title, name, str(row.score)], None
    if kind == "appeal":
        return [
            _local(row.reported_at),
            row.title,
            row.get_stage_display(),
            row.area.name,
        ], f"/appeals/{row.pk}/"
    if kind == "hours":
        return (
            [f"{row.served_on}", row.volunteer.name, row.activity.title, f"{row.minutes / 60:.1f}"],
            f"/activities/{row.activity_id}/",
        )
    if kind == "activity":
        return (
            [_local(row.starts_at), row.title, row.get_kind_display(), row.area.name],
            f"/activities/{row.pk}/",
        )
    # record
    who = row.resident or row.volunteer or row.organisation
    name = str(who) if who is not None else "—"
    if row.resident is not None and row.resident.birth_date > years_ago(MINOR_AGE):
        name = _("A child under 14")
    link = f"/activities/{row.activity_id}/" if row.activity_id else None
    return [f"{row.served_on}", row.source_label, name], link
