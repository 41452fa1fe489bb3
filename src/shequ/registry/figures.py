"""What the registry gives the figures (core.figures): the populations the rates divide by — residents
able to take part, households, the area's units, people aged 60+ living alone — the two groups whose
figures count them (service, coverage), and the lists of residents, households and units behind a
number. The figures themselves belong to the apps whose records they count (volunteering, needs)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.core import access
from shequ.core.figures import Ctx, FigureGroup, RowList, Side, every, figure_group, row_list
from shequ.registry.models import Household, Organisation, OrganisationKind, Resident, ResidentStatus
from shequ.registry.selectors import MINOR_AGE, masked_id_number, years_ago

# 辖区单位: the units of the area that the unit rates count. Party and youth-league branches are the
# community's own organisations, social organisations its service providers: neither is counted.
UNIT_KINDS = (OrganisationKind.UNIT, OrganisationKind.PROPERTY_COMPANY)
ELDERLY_AGE = 60

figure_group(FigureGroup("service", gettext_lazy("Service"), order=100))
figure_group(FigureGroup("coverage", gettext_lazy("Coverage of special groups"), order=400))


# --- the populations, each under the area's subtree -----------------------------------------------


def _residents(ctx: Ctx) -> QuerySet[Resident]:
    return ctx.records(Resident, "area__path")


def _living(ctx: Ctx) -> Q:
    """Living here during the period — living here now (or erased on request, still living here
    anonymised), or moved out / died on or after the period's first day — and born by its last day."""
    gone = [ResidentStatus.MOVED_OUT, ResidentStatus.DECEASED]
    return Q(birth_date__lte=ctx.period.end) & (
        Q(status__in=[ResidentStatus.ACTIVE, ResidentStatus.ERASED])
        | Q(status__in=gone, left_on__gte=ctx.period.start)
    )


# Residents able to take part: registered under the area and living there during the period.
residents_living = Side(_residents, _living, "area__path")
households = every(lambda ctx: ctx.records(Household, "area__path"), "area__path")
units = every(lambda ctx: ctx.records(Organisation, "area__path").filter(kind__in=UNIT_KINDS), "area__path")
# Residents living during the period, living alone, aged 60 or over on its last day.
elderly_alone = Side(
    _residents,
    lambda ctx: _living(ctx) & Q(living_alone=True, birth_date__lte=years_ago(ELDERLY_AGE, ctx.period.end)),
    "area__path",
)


# --- the lists behind a number --------------------------------------------------------------------


def minor_q(ctx: Ctx, field: str) -> Q:
    """Rows about a child under 14 that the viewer's roles do not serve."""
    child = Q(**{f"{field}birth_date__gt": years_ago(MINOR_AGE)})
    paths = access.paths_for(ctx.viewer, "resident", "view_minor")
    if paths:
        child &= ~access.path_q(f"{field}area__path", paths)
    return child


def child_name(resident: Any, name: str) -> str:
    """A person's name in a list, or "a child under 14" when they are one."""
    if resident is not None and resident.birth_date > years_ago(MINOR_AGE):
        return _("A child under 14")
    return name


def _resident_cells(ctx: Ctx, row: Any) -> tuple[list[str], str | None]:
    return (
        [row.name, masked_id_number(row), row.area.name, row.get_status_display()],
        f"/residents/{row.pk}/",
    )


def _household_cells(ctx: Ctx, row: Any) -> tuple[list[str], str | None]:
    head = row.head
    if (
        head is not None
        and head.birth_date > years_ago(MINOR_AGE)
        and not access.can(ctx.viewer, "resident", "view_minor", path=row.area.path)
    ):
        head = None
    return [row.address, head.name if head else "—", row.area.name], None


row_list(
    RowList(
        "resident",
        "resident",
        "area__path",
        (gettext_lazy("Name"), gettext_lazy("ID number"), gettext_lazy("Building"), gettext_lazy("Status")),
        _resident_cells,
        prepare=lambda ctx, qs: (
            qs.exclude(minor_q(ctx, ""))
            .exclude(status=ResidentStatus.ERASED)
            .select_related("area")
            .order_by("area__path", "id")
        ),
        names_people=True,
    )
)
row_list(
    RowList(
        "household",
        "household",
        "area__path",
        (gettext_lazy("Address"), gettext_lazy("Head"), gettext_lazy("Building")),
        _household_cells,
        prepare=lambda ctx, qs: qs.select_related("area", "head").order_by("area__path", "room", "id"),
        names_people=True,
    )
)
row_list(
    RowList(
        "unit",
        "organisation",
        "area__path",
        (gettext_lazy("Unit"), gettext_lazy("Kind"), gettext_lazy("Area")),
        lambda ctx, row: ([row.name, row.get_kind_display(), row.area.name], None),
        prepare=lambda ctx, qs: qs.select_related("area").order_by("area__path", "name", "id"),
    )
)
