"""The figures volunteering's records count (core.figures, defined in docs/metrics.md): the seed's
participation and benefit rates (service records, over the registry's populations), and the
volunteering counts — hours, activities, person-times, party and poverty-help service, cultural events,
party activity days — with the lists of hours, activities and service records behind them."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.figures import (
    HOURS_OF_MINUTES,
    MONTHS,
    Ctx,
    FigureGroup,
    FigureSpec,
    RowList,
    Side,
    dated,
    figure,
    figure_group,
    in_,
    row_list,
    timed,
)
from shequ.registry.figures import child_name, households, residents_living, units
from shequ.volunteering.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    HoursStatus,
    OrganiserKind,
    RecordKind,
    ServiceHours,
    ServiceRecord,
)

PARTY_DAY = 25  # 主题党日: the 25th of each month
HARDSHIP_GROUP = "hardship"  # Activity.target_groups: households in hardship (poverty help, 扶贫帮困)

figure_group(FigureGroup("volunteering", _("Volunteering"), order=300))


def _records(ctx: Ctx) -> QuerySet[ServiceRecord]:
    return ctx.records(ServiceRecord, "area__path")


def records(kind: str, **more: Any) -> Side:
    """Service records of the period, of a kind, at activities under the area."""
    return dated(lambda ctx: _records(ctx).filter(Q(kind=kind), **more), "area__path", "served_on")


def any_record(ctx: Ctx, kind: str, field: str) -> Exists:
    """The subject (resident, household or unit) has a record of this kind in the period, at any
    activity: taking part in a street's activity is taking part too."""
    return Exists(ServiceRecord.objects.filter(ctx.dates("served_on"), kind=kind, **{field: OuterRef("pk")}))


def _finished(ctx: Ctx) -> QuerySet[Activity]:
    return ctx.records(Activity, "area__path").filter(status=ActivityStatus.FINISHED)


# Activities under the area, finished, that started in the period (Asia/Shanghai).
finished_activities = timed(_finished, "area__path", "starts_at")
confirmed_hours = dated(
    lambda ctx: ctx.records(ServiceHours, "activity__area__path").filter(status=HoursStatus.CONFIRMED),
    "activity__area__path",
    "served_on",
    HOURS_OF_MINUTES,
)
# Person-times of party volunteer service: taking part in a party activity day or in an activity
# organised by a party branch.
party_person_times = dated(
    lambda ctx: _records(ctx).filter(
        Q(activity__kind=ActivityKind.PARTY_ACTIVITY_DAY)
        | Q(activity__organiser_kind=OrganiserKind.PARTY_BRANCH),
        kind=RecordKind.PARTICIPANT,
    ),
    "area__path",
    "served_on",
)
# Person-times of poverty help: taking part in an activity for households in hardship.
poverty_person_times = records(
    RecordKind.PARTICIPANT, activity__target_groups__icontains=f'"{HARDSHIP_GROUP}"'
)
cultural_events = timed(
    lambda ctx: _finished(ctx).filter(kind=ActivityKind.COMMUNITY_ACTIVITY), "area__path", "starts_at"
)
# Party activity days held on the 25th (Asia/Shanghai), counted as the months that had one.
party_days = timed(
    lambda ctx: _finished(ctx).filter(kind=ActivityKind.PARTY_ACTIVITY_DAY, starts_at__day=PARTY_DAY),
    "area__path",
    "starts_at",
    MONTHS,
)


# --- the seed's service rates (group "service", registry's populations) ---------------------------

figure(
    FigureSpec(
        "resident_participation",
        "service",
        _("Resident participation rate"),
        "%",
        _("Residents who took part in services"),
        in_(residents_living, lambda c: any_record(c, RecordKind.PARTICIPANT, "resident")),
        "resident",
        _("Residents able to take part"),
        residents_living,
        order=10,
    )
)
figure(
    FigureSpec(
        "unit_participation",
        "service",
        _("Unit participation rate"),
        "%",
        _("Units that took part in services"),
        in_(units, lambda c: any_record(c, RecordKind.PARTICIPANT, "organisation")),
        "unit",
        _("Units in the area"),
        units,
        order=20,
    )
)
figure(
    FigureSpec(
        "resident_benefit",
        "service",
        _("Resident benefit rate"),
        "%",
        _("Households that benefited from services"),
        in_(households, lambda c: any_record(c, RecordKind.BENEFICIARY, "household")),
        "household",
        _("Households"),
        households,
        order=30,
    )
)
figure(
    FigureSpec(
        "unit_benefit",
        "service",
        _("Unit benefit rate"),
        "%",
        _("Units that benefited from services"),
        in_(units, lambda c: any_record(c, RecordKind.BENEFICIARY, "organisation")),
        "unit",
        _("Units in the area"),
        units,
        order=40,
    )
)

# --- the volunteering counts ---------------------------------------------------------------------

figure(
    FigureSpec(
        "volunteer_hours",
        "volunteering",
        _("Volunteer service hours"),
        "h",
        _("Confirmed service hours"),
        confirmed_hours,
        "hours",
        order=10,
    )
)
figure(
    FigureSpec(
        "activities_finished",
        "volunteering",
        _("Activities held"),
        "",
        _("Finished activities that started in the period"),
        finished_activities,
        "activity",
        order=20,
    )
)
figure(
    FigureSpec(
        "person_times",
        "volunteering",
        _("Person-times taking part"),
        "",
        _("Participant records of the period"),
        # At activities: a meeting attended or a casework contact takes part too (the participation
        # rate counts it), but is not a person-time of an activity.
        records(RecordKind.PARTICIPANT, activity__isnull=False),
        "record",
        order=30,
    )
)
figure(
    FigureSpec(
        "party_volunteer_person_times",
        "volunteering",
        _("Party volunteer service (person-times)"),
        "",
        _("Taking part in party activity days or party-branch activities"),
        party_person_times,
        "record",
        order=40,
    )
)
figure(
    FigureSpec(
        "poverty_help_person_times",
        "volunteering",
        _("Poverty help (person-times)"),
        "",
        _("Taking part in activities for households in hardship"),
        poverty_person_times,
        "record",
        order=50,
    )
)
figure(
    FigureSpec(
        "cultural_events",
        "volunteering",
        _("Cultural events"),
        "",
        _("Finished community activities"),
        cultural_events,
        "activity",
        order=60,
    )
)
figure(
    FigureSpec(
        "party_activity_days",
        "volunteering",
        _("Party activity days on the 25th"),
        "",
        _("Months with a party activity day held on the 25th"),
        party_days,
        "activity",
        order=70,
    )
)


# --- the lists ----------------------------------------------------------------------------------


def _local(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _record_cells(ctx: Ctx, row: Any) -> tuple[list[str], str | None]:
    who = row.resident or row.volunteer or row.organisation
    name = child_name(row.resident, str(who) if who is not None else "—")
    link = f"/activities/{row.activity_id}/" if row.activity_id else None
    return [f"{row.served_on}", row.source_label, name], link


row_list(
    RowList(
        "hours",
        "activity",
        "activity__area__path",
        (_("Date"), _("Volunteer"), _("Activity"), _("Hours")),
        lambda ctx, row: (
            [f"{row.served_on}", row.volunteer.name, row.activity.title, f"{row.minutes / 60:.1f}"],
            f"/activities/{row.activity_id}/",
        ),
        prepare=lambda ctx, qs: qs.select_related("volunteer", "activity").order_by("-served_on", "-id"),
        names_people=True,
    )
)
row_list(
    RowList(
        "activity",
        "activity",
        "area__path",
        (_("Starts at"), _("Title"), _("Kind"), _("Area")),
        lambda ctx, row: (
            [_local(row.starts_at), row.title, row.get_kind_display(), row.area.name],
            f"/activities/{row.pk}/",
        ),
        prepare=lambda ctx, qs: qs.select_related("area").order_by("-starts_at", "-id"),
    )
)
row_list(
    RowList(
        "record",
        "activity",
        "area__path",
        (_("Date"), _("Service"), _("Who took part")),
        _record_cells,
        prepare=lambda ctx, qs: qs.select_related(
            "activity", "resident", "volunteer", "organisation"
        ).order_by("-served_on", "-id"),
        names_people=True,
    )
)
