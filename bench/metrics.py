"""Service metrics for the benchmark (issue 8): the service records, needs, survey answers and home
visits of a year written in bulk, and every figure of the district dashboard computed by hand in SQL
(the baseline of "read: dashboard figures").

Runs after the appeals and volunteering steps, on what they loaded: the 2026 activities of each
community (bench/volunteering.py) get their service records — about five participant records a
resident a year (the issue's 5,000,000 for 1,000,000 residents) and a beneficiary record for a
household in four — and each community a needs log, a residents' and a units' survey, and home
visits. Like the other loads, these are `bulk_create`s of the product's own models (not timed).
"""

from __future__ import annotations

import random
import time as clock
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

YEAR = 2026
RECORDS_PER_RESIDENT = 5
BATCH = 5_000
SH = ZoneInfo("Asia/Shanghai")


@dataclass
class Loaded:
    records: int = 0
    needs: int = 0
    responses: int = 0
    visits: int = 0
    seconds: float = 0.0
    notes: dict[str, Any] = field(default_factory=dict)


def _residents() -> Iterator[tuple[int, int | None, str, str]]:
    """(resident, household, building path, community path) of everyone, in id order."""
    from django.db import connection

    with connection.cursor() as c:
        c.execute(
            "SELECT r.id, r.household_id, a.path FROM registry_resident"
            " r JOIN core_area a ON a.id = r.area_id"
            " ORDER BY r.id"
        )
        while rows := c.fetchmany(BATCH):
            for rid, hid, path in rows:
                yield rid, hid, path, path[:12]


def load(seed: int, by_user: Any) -> Loaded:
    from django.db import transaction

    from shequ.core.audit import audit_log
    from shequ.core.models import Area, AuditAction
    from shequ.needs.models import Need, Survey, SurveyResponse, Visit
    from shequ.registry.models import Organisation
    from shequ.volunteering.models import Activity, ServiceRecord

    started = clock.perf_counter()
    rng = random.Random(f"{seed}:metrics")  # nosec B311 - test data, not secrets
    loaded = Loaded()
    area_of = dict(Area.objects.values_list("path", "id"))
    activities: dict[str, list[tuple[int, int, date]]] = {}
    for pk, area_id, path, starts in Activity.objects.filter(
        status="finished", starts_at__year=YEAR
    ).values_list("pk", "area_id", "area__path", "starts_at"):
        activities.setdefault(path[:12], []).append((pk, area_id, starts.astimezone(SH).date()))
    # Some of the year's activities become party activity days (on the 25th) and cultural events.
    party, cultural = [], []
    for _path, acts in sorted(activities.items()):
        for i, (pk, _a, _d) in enumerate(acts):
            if i % 6 == 1:
                party.append(pk)
            elif i % 6 == 2:
                cultural.append(pk)
    Activity.objects.filter(pk__in=party).update(kind="party_activity_day")
    Activity.objects.filter(pk__in=cultural).update(kind="community_activity", target_groups=["hardship"])
    units: dict[str, list[int]] = {}
    for pk, path in Organisation.objects.filter(kind__in=["unit", "property_company"]).values_list(
        "pk", "area__path"
    ):
        units.setdefault(path[:12], []).append(pk)
    surveys: dict[str, tuple[int, int]] = {}
    with transaction.atomic():
        for community in sorted(activities):
            cid = area_of[community]
            made = Survey.objects.bulk_create(
                [
                    Survey(
                        area_id=cid,
                        area_path=community,
                        title="居民满意度测评",
                        respondents="residents",
                        opens_on=date(YEAR, 1, 1),
                        closes_on=date(YEAR, 12, 31),
                        created_by=by_user,
                    ),
                    Survey(
                        area_id=cid,
                        area_path=community,
                        title="单位满意度测评",
                        respondents="units",
                        opens_on=date(YEAR, 1, 1),
                        closes_on=date(YEAR, 12, 31),
                        created_by=by_user,
                    ),
                ]
            )
            surveys[community] = (made[0].pk, made[1].pk)
            uid = made[1].pk
            responses = [
                SurveyResponse(
                    survey_id=uid,
                    area_id=cid,
                    area_path=community,
                    organisation_id=o,
                    score=rng.randint(1, 5),
                    answered_on=date(YEAR, rng.randint(1, 10), 15),
                )
                for o in units.get(community, [])
                if rng.random() < 0.6
            ]
            SurveyResponse.objects.bulk_create(responses)
            loaded.responses += len(responses)

    records: list[Any] = []
    needs: list[Any] = []
    responses = []
    visits: list[Any] = []
    building_ids: dict[str, int] = area_of

    def flush() -> None:
        with transaction.atomic():
            ServiceRecord.objects.bulk_create(records, batch_size=BATCH)
            Need.objects.bulk_create(needs, batch_size=BATCH)
            SurveyResponse.objects.bulk_create(responses, batch_size=BATCH)
            Visit.objects.bulk_create(visits, batch_size=BATCH)
        loaded.records += len(records)
        loaded.needs += len(needs)
        loaded.responses += len(responses)
        loaded.visits += len(visits)
        for rows in (records, needs, responses, visits):
            rows.clear()

    benefited: set[int] = set()  # a household's chance comes once (with its first member)
    for rid, hid, path, community in _residents():
        if not activities.get(community):
            continue
        acts = activities[community]
        # Participation: 0–10 activities (≈5 a year), one record each.
        n = rng.choice((0, 0, 1, 2, 3, 5, 6, 8, 10, 10))
        for pk, area_id, day in rng.sample(acts, min(n, len(acts))):
            records.append(
                ServiceRecord(
                    activity_id=pk,
                    source=f"volunteering.activity:{pk}",
                    area_id=area_id,
                    served_on=day,
                    kind="participant",
                    resident_id=rid,
                )
            )
        if hid is not None and hid not in benefited:
            benefited.add(hid)
            if rng.random() < 0.5:
                pk, area_id, day = rng.choice(acts)
                records.append(
                    ServiceRecord(
                        activity_id=pk,
                        source=f"volunteering.activity:{pk}",
                        area_id=area_id,
                        served_on=day,
                        kind="beneficiary",
                        household_id=hid,
                    )
                )
        bid = building_ids[path]
        if rng.random() < 0.05:
            status = rng.choice(("open", "met", "met", "met", "unmet", "withdrawn"))
            raised = date(YEAR, rng.randint(1, 10), rng.randint(1, 28))
            needs.append(
                Need(
                    area_id=bid,
                    area_path=path,
                    resident_id=rid,
                    category="elderly_care",
                    description="需求",
                    source="visit",
                    raised_on=raised,
                    status=status,
                    closed_on=None if status == "open" else raised + timedelta(days=10),
                    recorded_by=by_user,
                )
            )
        if rng.random() < 0.1:
            responses.append(
                SurveyResponse(
                    survey_id=surveys[community][0],
                    area_id=bid,
                    area_path=path,
                    resident_id=rid,
                    score=rng.randint(1, 5),
                    answered_on=date(YEAR, rng.randint(1, 10), 20),
                )
            )
        if rng.random() < 0.1:
            visits.append(
                Visit(
                    area_id=bid,
                    area_path=path,
                    resident_id=rid if rng.random() < 0.5 else None,
                    household_id=hid,
                    visited_on=date(YEAR, rng.randint(1, 10), rng.randint(1, 28)),
                    visited_by=by_user,
                )
                if hid is not None
                else Visit(
                    area_id=bid,
                    area_path=path,
                    resident_id=rid,
                    visited_on=date(YEAR, rng.randint(1, 10), 3),
                    visited_by=by_user,
                )
            )
        if len(records) >= BATCH:
            flush()
    flush()
    audit_log(
        action=AuditAction.IMPORT,
        actor=None,
        object_repr="bench: service records, needs, surveys, visits",
        changes={"records": loaded.records, "needs": loaded.needs},
    )
    loaded.seconds = clock.perf_counter() - started
    return loaded


# --- the figures by hand --------------------------------------------------------------------------


def _rate(n: int, d: int) -> Decimal | None:
    if not d:
        return None
    return (Decimal(100 * n) / Decimal(d)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def figures_by_hand(path: str, start: date, end: date) -> dict[str, tuple[Any, Any, Any]]:
    """key -> (numerator, denominator, value) for everything under `path` in [start, end], as
    docs/metrics.md defines them, for a viewer who sees everything there (the district's admin)."""
    from django.db import connection

    lo, hi = path, path + ":"
    s, e = start.isoformat(), end.isoformat()
    t0: Any = datetime.combine(start, time.min, tzinfo=SH)
    t1: Any = datetime.combine(end + timedelta(days=1), time.min, tzinfo=SH)
    if connection.vendor == "sqlite":  # stored as naive UTC text: compare as such
        t0, t1 = (t.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%d %H:%M:%S") for t in (t0, t1))
    out: dict[str, tuple[Any, Any, Any]] = {}
    living = (
        "FROM registry_resident r JOIN core_area a ON a.id = r.area_id WHERE a.path >= %s AND a.path < %s"
        " AND r.birth_date <= %s AND (r.status IN ('active', 'erased')"
        " OR (r.status IN ('moved_out', 'deceased') AND r.left_on >= %s))"
    )
    took_part = (
        " AND EXISTS (SELECT 1 FROM volunteering_servicerecord x WHERE x.{col} = {alias}.id AND x.kind = %s"
        " AND x.served_on >= %s AND x.served_on <= %s)"
    )
    units = (
        "FROM registry_organisation o JOIN core_area a ON a.id = o.area_id WHERE a.path >= %s AND a.path < %s"
        " AND o.kind IN ('unit', 'property_company')"
    )
    elderly = living + " AND r.living_alone AND r.birth_date <= %s"
    try:
        sixty = end.replace(year=end.year - 60)
    except ValueError:
        sixty = end.replace(year=end.year - 60, day=28)
    visited = (
        " AND EXISTS (SELECT 1 FROM needs_visit v WHERE v.visited_on >= %s AND v.visited_on <= %s"
        " AND (v.resident_id = r.id OR v.household_id = r.household_id))"
    )
    with connection.cursor() as c:

        def one(sql: str, params: list[Any]) -> Any:
            c.execute(sql, params)
            return c.fetchone()[0] or 0

        base = [lo, hi, e, s]
        den = one("SELECT COUNT(*) " + living, base)
        num = one(
            "SELECT COUNT(*) " + living + took_part.format(col="resident_id", alias="r"),
            [*base, "participant", s, e],
        )
        out["resident_participation"] = (num, den, _rate(num, den))
        den = one("SELECT COUNT(*) " + units, [lo, hi])
        num = one(
            "SELECT COUNT(*) " + units + took_part.format(col="organisation_id", alias="o"),
            [lo, hi, "participant", s, e],
        )
        out["unit_participation"] = (num, den, _rate(num, den))
        hh = (
            "FROM registry_household h JOIN core_area a ON a.id"
            " = h.area_id WHERE a.path >= %s AND a.path < %s"
        )
        den = one("SELECT COUNT(*) " + hh, [lo, hi])
        num = one(
            "SELECT COUNT(*) " + hh + took_part.format(col="household_id", alias="h"),
            [lo, hi, "beneficiary", s, e],
        )
        out["resident_benefit"] = (num, den, _rate(num, den))
        den = out["unit_participation"][1]
        num = one(
            "SELECT COUNT(*) " + units + took_part.format(col="organisation_id", alias="o"),
            [lo, hi, "beneficiary", s, e],
        )
        out["unit_benefit"] = (num, den, _rate(num, den))
        c.execute(
            "SELECT COUNT(*), SUM(CASE WHEN status = 'met' THEN 1 ELSE 0 END) FROM needs_need"
            " WHERE area_path >= %s AND area_path < %s AND raised_on"
            " >= %s AND raised_on <= %s AND status <> 'withdrawn'",
            [lo, hi, s, e],
        )
        den, num = c.fetchone()
        out["need_satisfaction"] = (num or 0, den, _rate(num or 0, den))
        for key, who, col in (
            ("resident_satisfaction", "residents", "resident_id"),
            ("unit_satisfaction_respondents", "units", "organisation_id"),
        ):
            c.execute(
                f"SELECT COUNT(*), SUM(CASE WHEN score"
                f" >= 4 THEN 1 ELSE 0 END) FROM ("  # nosec B608 - fixed names
                f" SELECT x.score, ROW_NUMBER() OVER (PARTITION BY x.{col}"
                f" ORDER BY x.answered_on DESC, x.id DESC) AS n"
                " FROM needs_surveyresponse x JOIN needs_survey sv ON sv.id = x.survey_id"
                f" WHERE x.area_path >= %s AND x.area_path < %s AND"
                f" x.answered_on >= %s AND x.answered_on <= %s"
                f" AND sv.respondents = %s AND x.{col} IS NOT NULL) latest WHERE n = 1",
                [lo, hi, s, e, who],
            )
            den, num = c.fetchone()
            out[key] = (num or 0, den, _rate(num or 0, den))
        # The seed's unit satisfaction: the satisfied units over every unit of the area.
        num, den = out["unit_satisfaction_respondents"][0], out["unit_participation"][1]
        out["unit_satisfaction"] = (num, den, _rate(num, den))
        c.execute(
            "SELECT COUNT(*),"
            " SUM(CASE WHEN p.accepted_at IS NOT NULL OR p.stage = 'rejected' THEN 1 ELSE 0 END),"
            " SUM(CASE WHEN p.accepted_at IS NOT NULL THEN 1 ELSE 0 END),"
            " SUM(CASE WHEN p.accepted_at IS NOT NULL AND p.closed_at IS NOT NULL THEN 1 ELSE 0 END),"
            " SUM(CASE WHEN ev.id IS NOT NULL THEN 1 ELSE 0 END),"
            " SUM(CASE WHEN ev.score >= 4 THEN 1 ELSE 0 END),"
            " SUM(CASE WHEN p.closed_at IS NOT NULL THEN 1 ELSE 0 END),"
            " SUM(CASE WHEN p.closed_at IS NOT NULL AND NOT p.was_overdue THEN 1 ELSE 0 END)"
            " FROM appeals_appeal p LEFT JOIN appeals_evaluation ev ON ev.appeal_id = p.id"
            " WHERE p.area_path >= %s AND p.area_path < %s AND p.stage <> 'merged'"
            " AND p.reported_at >= %s AND p.reported_at < %s",
            [lo, hi, t0, t1],
        )
        counted, responded, accepted, resolved, evaluated, satisfied, closed, on_time = (
            v or 0 for v in c.fetchone()
        )
        out["appeal_response"] = (responded, counted, _rate(responded, counted))
        out["appeal_resolution"] = (resolved, accepted, _rate(resolved, accepted))
        out["appeal_satisfaction"] = (satisfied, evaluated, _rate(satisfied, evaluated))
        out["appeal_on_time"] = (on_time, closed, _rate(on_time, closed))
        minutes = one(
            "SELECT SUM(h.minutes) FROM volunteering_servicehours h"
            " JOIN volunteering_activity v ON v.id = h.activity_id"
            " JOIN core_area a ON a.id = v.area_id WHERE a.path"
            " >= %s AND a.path < %s AND h.status = 'confirmed'"
            " AND h.served_on >= %s AND h.served_on <= %s",
            [lo, hi, s, e],
        )
        hours = (Decimal(minutes) / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        out["volunteer_hours"] = (hours, None, hours)
        acts = (
            "FROM volunteering_activity v JOIN core_area a ON a.id"
            " = v.area_id WHERE a.path >= %s AND a.path < %s"
            " AND v.status = 'finished' AND v.starts_at >= %s AND v.starts_at < %s"
        )
        n = one("SELECT COUNT(*) " + acts, [lo, hi, t0, t1])
        out["activities_finished"] = (n, None, Decimal(n))
        recs = (
            "FROM volunteering_servicerecord x JOIN core_area a ON a.id = x.area_id"
            " JOIN volunteering_activity v ON v.id = x.activity_id"
            " WHERE a.path >= %s AND a.path < %s AND x.kind = 'participant'"
            " AND x.served_on >= %s AND x.served_on <= %s"
        )
        c.execute(
            "SELECT COUNT(*),"
            " SUM(CASE WHEN v.kind = 'party_activity_day' OR v.organiser_kind"
            " = 'party_branch' THEN 1 ELSE 0 END),"
            " SUM(CASE WHEN UPPER(CAST(v.target_groups AS TEXT)) LIKE '%%\"HARDSHIP\"%%' THEN 1 ELSE 0 END) "
            + recs,
            [lo, hi, s, e],
        )
        total, party, poverty = (v or 0 for v in c.fetchone())
        out["person_times"] = (total, None, Decimal(total))
        out["party_volunteer_person_times"] = (party, None, Decimal(party))
        out["poverty_help_person_times"] = (poverty, None, Decimal(poverty))
        n = one("SELECT COUNT(*) " + acts + " AND v.kind = 'community_activity'", [lo, hi, t0, t1])
        out["cultural_events"] = (n, None, Decimal(n))
        c.execute("SELECT v.starts_at " + acts + " AND v.kind = 'party_activity_day'", [lo, hi, t0, t1])
        months = set()
        for (starts,) in c.fetchall():
            if isinstance(starts, str):  # SQLite without converters
                starts = datetime.fromisoformat(starts)
            if starts.tzinfo is None:
                starts = starts.replace(tzinfo=ZoneInfo("UTC"))
            local = starts.astimezone(SH)
            if local.day == 25:
                months.add((local.year, local.month))
        out["party_activity_days"] = (len(months), None, Decimal(len(months)))
        eb = [lo, hi, e, s, sixty]
        den = one("SELECT COUNT(*) " + elderly, eb)
        num = one("SELECT COUNT(*) " + elderly + visited, [*eb, s, e])
        out["elderly_alone_visited"] = (num, den, _rate(num, den))
    return out


# The figures `figures_by_hand` computes: the first half's (the seven service metrics, the appeal
# rates, the volunteering counts, the coverage); the scenario times the product on these alone, so that
# the ratio compares the same work (casework's and deliberation's figures have their own fixtures).
KEYS = [
    "resident_participation",
    "unit_participation",
    "resident_benefit",
    "unit_benefit",
    "need_satisfaction",
    "resident_satisfaction",
    "unit_satisfaction",
    "unit_satisfaction_respondents",
    "appeal_response",
    "appeal_resolution",
    "appeal_satisfaction",
    "appeal_on_time",
    "volunteer_hours",
    "activities_finished",
    "person_times",
    "party_volunteer_person_times",
    "poverty_help_person_times",
    "cultural_events",
    "party_activity_days",
    "elderly_alone_visited",
]


def figures_of(figures: list[Any]) -> dict[str, tuple[Any, Any, Any]]:
    return {f.key: (f.numerator, f.denominator, f.value) for f in figures}


def differences(product: dict[str, Any], by_hand: dict[str, Any]) -> list[str]:
    return [
        f"{k}: product {product.get(k)} by hand {by_hand.get(k)}"
        # Every figure computed by hand here (a product missing one differs); the other apps' figures
        # are proved on their own hand-built fixtures (casework/, deliberation/ tests/test_figures.py).
        for k in sorted(by_hand)
        if product.get(k) != by_hand.get(k)
    ]
