"""Volunteering for the benchmark (issue 7): a year of service hours for N volunteers written in bulk,
the rankings computed by hand in SQL (the baseline of "read: volunteer ranking" and "read: yearly
recognition"), and the accounts, sign-ups and requests of the check-in burst.

Like the appeals, service hours arrive one at a time in the product (sign-up, check-in, check-out,
confirmation: a few queries and an audit entry each); the harness writes a year of them in bulk with
`bulk_create` of the product's own models, one audit entry for the load. The burst itself goes
through the product's real path: `POST /api/check-in` with each volunteer's own bearer token and the
activity's signed QR token, handled by `services.attendance_scan`.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

# Volunteers with a year of hours, per scale: the "100,000 volunteers at district scale".
VOLUNTEERS = {"tiny": 200, "small": 1_000, "community": 5_000, "street": 10_000, "district": 100_000}
ACTIVITIES_PER_COMMUNITY = 30  # 6 in the year before, 24 in the year of the list
YEAR = 2026  # the plan's year (appeals run to 2026-10-31)
BURST = 1_000  # volunteers checking in to one large event
# CI's --quick run keeps the burst short (each check-in is a serialised write with its audit entry:
# ~90 ms on a loaded 2-core machine); a run without --quick sends the 1,000.
BURST_QUICK = 300
BATCH = 5_000


@dataclass
class HoursLoaded:
    volunteers: int = 0
    activities: int = 0
    entries: int = 0
    confirmed: int = 0
    seconds: float = 0.0
    notes: dict[str, Any] = field(default_factory=dict)


def load_hours(scale: str, seed: int) -> HoursLoaded:
    """N residents become volunteers of their community; each community holds 30 finished activities
    (6 in the year before, 24 in this one); each volunteer served at 1–12 of them (one in twenty, a
    backbone, at up to 30), 1–8 hours each, 90% of the entries confirmed. Deterministic per seed."""
    import time as clock

    from django.db import connection, transaction
    from django.utils import timezone

    from shequ.core.audit import audit_log
    from shequ.core.models import Area, AuditAction
    from shequ.volunteering.models import Activity, ServiceHours, SignUp, Volunteer

    started = clock.perf_counter()
    wanted = VOLUNTEERS[scale]
    rng = random.Random(f"{seed}:volunteering")  # nosec B311 - test data, not secrets
    tz = timezone.get_current_timezone()
    communities = dict(Area.objects.filter(kind="community").values_list("path", "id"))
    with connection.cursor() as c:
        c.execute("SELECT COUNT(*) FROM registry_resident")
        total = c.fetchone()[0]
    step = max(1, total // wanted)
    loaded = HoursLoaded()
    activities: dict[int, list[tuple[int, date]]] = {}
    with transaction.atomic():
        for _path, community_id in sorted(communities.items()):
            rows = []
            for n in range(ACTIVITIES_PER_COMMUNITY):
                day = (
                    date(YEAR - 1, 7, 1) + timedelta(days=30 * n)
                    if n < 6
                    else date(YEAR, 1, 6) + timedelta(days=12 * (n - 6))
                )
                start = datetime.combine(day, time(9, 0), tz)
                rows.append(
                    Activity(
                        area_id=community_id,
                        title=f"志愿服务第{n + 1}场",
                        kind="volunteer_service",
                        organiser_kind="social_worker",
                        starts_at=start,
                        ends_at=start + timedelta(hours=8),
                        capacity=2000,
                        cancel_deadline=start - timedelta(hours=2),
                        eligibility="registered",
                        status="finished",
                        published_at=start - timedelta(days=7),
                        finished_at=start + timedelta(hours=9),
                    )
                )
            made = Activity.objects.bulk_create(rows)
            activities[community_id] = [(a.pk, a.starts_at.astimezone(tz).date()) for a in made]
            loaded.activities += len(made)
    batch: list[tuple[int, str, int]] = []

    def flush(people: list[tuple[int, str, int]]) -> None:
        with transaction.atomic():
            volunteers = Volunteer.objects.bulk_create(
                [
                    Volunteer(
                        area_id=community,
                        resident_id=resident,
                        name=name,
                        verified_at=datetime(YEAR - 1, 6, 1, tzinfo=tz) if rng.random() < 0.95 else None,
                    )
                    for resident, name, community in people
                ]
            )
            signups, hours = [], []
            for v in volunteers:
                pool = activities[v.area_id]
                backbone = rng.random() < 0.05
                served = rng.sample(pool, rng.randint(20, len(pool)) if backbone else rng.randint(1, 12))
                for activity_id, day in served:
                    minutes = rng.choice(range(60, 481, 30))
                    confirmed = rng.random() < 0.9
                    signups.append(
                        SignUp(
                            activity_id=activity_id,
                            volunteer_id=v.pk,
                            status="confirmed",
                            created_at=datetime.combine(day - timedelta(days=3), time(20, 0), tz),
                        )
                    )
                    hours.append((v.pk, activity_id, day, minutes, confirmed))
            made = SignUp.objects.bulk_create(signups, batch_size=2000)
            ServiceHours.objects.bulk_create(
                [
                    ServiceHours(
                        signup_id=s.pk,
                        volunteer_id=volunteer_id,
                        activity_id=activity_id,
                        served_on=day,
                        computed_minutes=minutes,
                        minutes=minutes,
                        status="confirmed" if confirmed else "pending",
                        confirmed_at=datetime.combine(day, time(18, 0), tz) if confirmed else None,
                    )
                    for s, (volunteer_id, activity_id, day, minutes, confirmed) in zip(
                        made, hours, strict=True
                    )
                ],
                batch_size=2000,
            )
            loaded.volunteers += len(volunteers)
            loaded.entries += len(hours)
            loaded.confirmed += sum(1 for h in hours if h[4])

    with connection.cursor() as c:
        c.execute(
            "SELECT r.id, r.name, a.path FROM registry_resident r JOIN core_area a ON a.id = r.area_id"
            " ORDER BY r.id"
        )
        n = 0
        while loaded.volunteers + len(batch) < wanted:
            rows = c.fetchmany(BATCH)
            if not rows:
                break
            for resident_id, name, path in rows:
                n += 1
                if n % step == 0 and loaded.volunteers + len(batch) < wanted:
                    batch.append((resident_id, name, communities[path[:12]]))
            if len(batch) >= BATCH:
                flush(batch)
                batch = []
    if batch:
        flush(batch)
    audit_log(
        action=AuditAction.IMPORT,
        object_repr="benchmark service hours",
        changes={"volunteers": [0, loaded.volunteers], "service_hours": [0, loaded.entries]},
    )
    loaded.seconds = clock.perf_counter() - started
    return loaded


# --- the rankings, by hand ---------------------------------------------------------------------------


def ranking_by_hand(path: str, start: date, end: date, limit: int) -> list[dict[str, Any]]:
    """volunteering.selectors.ranking for a viewer whose scope is everything under `path`."""
    from django.db import connection

    with connection.cursor() as c:
        c.execute(
            "SELECT v.id, v.name, a.name, SUM(h.minutes), COUNT(*)"
            " FROM volunteering_servicehours h"
            " JOIN volunteering_volunteer v ON v.id = h.volunteer_id"
            " JOIN core_area a ON a.id = v.area_id"
            " WHERE a.path >= %s AND a.path < %s AND h.status = 'confirmed'"
            " AND h.served_on >= %s AND h.served_on <= %s"
            " GROUP BY v.id, v.name, a.name ORDER BY SUM(h.minutes) DESC, v.id LIMIT %s",
            [path, path + ":", start, end, limit],
        )
        rows = c.fetchall()
    return [
        {
            "rank": i,
            "volunteer_id": pk,
            "name": name,
            "area": area,
            "minutes": int(minutes),
            "hours": round(int(minutes) / 60, 1),
            "activities": int(n),
        }
        for i, (pk, name, area, minutes, n) in enumerate(rows, start=1)
    ]


def recognition_by_hand(path: str, year: int) -> tuple[list[tuple[Any, ...]], dict[int, int]]:
    """volunteering.selectors.recognition (the whole list) for a viewer of everything under `path`:
    (rank, id, name, area, minutes in the year, entries in the year, minutes up to its end, stars)."""
    from django.db import connection

    stars_at = [h * 60 for h in (100, 300, 600, 1000, 1500)]  # China's volunteer star ratings
    start, end = date(year, 1, 1), date(year, 12, 31)
    with connection.cursor() as c:
        c.execute(
            "SELECT v.id, v.name, a.name,"
            " SUM(CASE WHEN h.served_on >= %s THEN h.minutes ELSE 0 END) AS year_minutes,"
            " SUM(CASE WHEN h.served_on >= %s THEN 1 ELSE 0 END), SUM(h.minutes)"
            " FROM volunteering_servicehours h"
            " JOIN volunteering_volunteer v ON v.id = h.volunteer_id"
            " JOIN core_area a ON a.id = v.area_id"
            " WHERE a.path >= %s AND a.path < %s AND h.status = 'confirmed' AND h.served_on <= %s"
            " GROUP BY v.id, v.name, a.name"
            " HAVING SUM(CASE WHEN h.served_on >= %s THEN h.minutes ELSE 0 END) > 0"
            " ORDER BY year_minutes DESC, v.id",
            [start, start, path, path + ":", end, start],
        )
        rows = c.fetchall()
    honours = []
    counts = dict.fromkeys(range(1, 6), 0)
    for rank, (pk, name, area, minutes, entries, total) in enumerate(rows, start=1):
        level = sum(1 for m in stars_at if int(total) >= m)
        if level:
            counts[level] += 1
        honours.append((rank, pk, name, area, int(minutes), int(entries), int(total), level))
    return honours, counts


def recognition_of(listing: Any) -> tuple[list[tuple[Any, ...]], dict[int, int]]:
    """The product's Recognition in the compared shape."""
    honours = [
        (h.rank, h.volunteer_id, h.name, h.area, h.minutes, h.activities, h.total_minutes, h.stars)
        for h in listing.honours
    ]
    return honours, dict(listing.star_counts)


# --- the check-in burst ------------------------------------------------------------------------------


@dataclass
class Burst:
    activity_id: int
    requests: list[Any]  # loadgen.Request, one per volunteer


def prepare_burst(n: int = BURST) -> Burst:
    """One large event of the first community starting in 20 minutes (check-in opens 30 minutes before
    the start), with `n` volunteers from outside the registry (name and phone, as the product keeps
    them), each with an account of the volunteer role there, an API token and a confirmed place.
    Written in bulk: what is measured is the check-in, not the sign-up."""
    import secrets

    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from bench.loadgen import Request
    from shequ.core.crypto import blind_index, encrypt
    from shequ.core.models import ApiToken, Area, RoleAssignment, User
    from shequ.core.services import token_digest
    from shequ.volunteering import services
    from shequ.volunteering.models import SignUp, Volunteer

    community = Area.objects.filter(kind="community").order_by("path").first()
    assert community is not None
    now = timezone.now()
    activity = services.activity_create(
        by=None,
        area=community,
        title="大型志愿服务活动：签到压测",
        kind="volunteer_service",
        organiser_kind="social_worker",
        starts_at=now + timedelta(minutes=20),
        ends_at=now + timedelta(hours=4),
        capacity=n,
        eligibility="registered",
        now=now,
    )
    activity = services.activity_publish(by=None, activity=activity, version=activity.version, now=now)
    password = make_password(None)
    tokens = [f"shq_bench_{i}_{secrets.token_urlsafe(16)}" for i in range(n)]
    with transaction.atomic():
        users = User.objects.bulk_create(
            [
                User(username=f"bench_checkin_{i}", display_name=f"签到志愿者{i}", password=password)
                for i in range(n)
            ]
        )
        RoleAssignment.objects.bulk_create(
            [RoleAssignment(user_id=u.pk, role="volunteer", area_id=community.pk) for u in users]
        )
        ApiToken.objects.bulk_create(
            [
                ApiToken(
                    user_id=u.pk,
                    digest=token_digest(t),
                    name="bench",
                    expires_at=now + timedelta(hours=settings.API_TOKEN_HOURS),
                    password_stamp=u.get_session_auth_hash(),
                )
                for u, t in zip(users, tokens, strict=True)
            ]
        )
        volunteers = []
        for i, u in enumerate(users):
            phone = f"166{i:08d}"
            volunteers.append(
                Volunteer(
                    area_id=community.pk,
                    user_id=u.pk,
                    name=f"签到志愿者{i}",
                    phone_encrypted=encrypt(phone, context=services.PHONE_CONTEXT),
                    phone_index=blind_index(phone, context=services.PHONE_CONTEXT),
                    verified_at=now,
                )
            )
        volunteers = Volunteer.objects.bulk_create(volunteers)
        SignUp.objects.bulk_create(
            [
                SignUp(
                    activity_id=activity.pk,
                    volunteer_id=v.pk,
                    status="confirmed",
                    created_at=now,
                    confirmed_at=now,
                )
                for v in volunteers
            ]
        )
    qr = services.qr_token(activity)
    body = json.dumps({"token": qr}).encode()
    requests = [
        Request(
            "POST",
            "/api/check-in",
            {"Authorization": f"Bearer {t}", "Content-Type": "application/json"},
            body,
        )
        for t in tokens
    ]
    return Burst(activity.pk, requests)


def attendance_after(activity_id: int) -> tuple[int, int, int]:
    """(attendance rows, distinct sign-ups among them, distinct volunteers) of the activity."""
    from django.db import connection

    with connection.cursor() as c:
        c.execute(
            "SELECT COUNT(*), COUNT(DISTINCT t.signup_id), COUNT(DISTINCT s.volunteer_id)"
            " FROM volunteering_attendance t JOIN volunteering_signup s ON s.id = t.signup_id"
            " WHERE s.activity_id = %s",
            [activity_id],
        )
        rows, signups, volunteers = c.fetchone()
    return int(rows), int(signups), int(volunteers)
