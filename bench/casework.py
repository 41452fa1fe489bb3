"""Casework for the benchmark (issue 20): open cases for N social workers across the district's
communities, each worker supervised (1:8), with plans, overdue tasks and signed supervision sessions;
and the caseloads computed by hand in SQL (the baseline of "read: caseloads").

Cases arrive one at a time in the product (open, accept, assess, plan: a few queries and an audit
entry each); the harness writes them in bulk with `bulk_create` of the product's own models, one
audit entry for the load, as the other bench modules do.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

# Open cases and social workers per scale: the "20,000 open cases and 400 workers".
CASES = {"tiny": 400, "small": 4_000, "community": 8_000, "street": 10_000, "district": 20_000}
WORKERS = {"tiny": 16, "small": 80, "community": 160, "street": 200, "district": 400}
PER_SUPERVISOR = 8
TODAY = date(2026, 11, 20)
BATCH = 5_000
RISKS = ("high", "medium", "low", "")
STAGES = ("intake", "assessment", "plan", "intervention", "evaluation")


@dataclass
class CasesLoaded:
    cases: int = 0
    workers: int = 0
    supervisors: int = 0
    tasks: int = 0
    sessions: int = 0
    seconds: float = 0.0
    notes: dict[str, Any] = field(default_factory=dict)


def load_cases(scale: str, seed: int) -> CasesLoaded:
    """N social workers spread over the communities, one supervisor (a street social worker) per 8;
    the open cases of residents of each worker's community at every open stage and risk; an approved
    plan with two tasks for those in intervention or evaluation (a third overdue); a signed session of
    1–2 hours this month for two workers in three. Deterministic per seed."""
    import time as clock

    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    from shequ.casework.models import Case, Plan, PlanTask, SupervisionLink, SupervisionSession
    from shequ.core.audit import audit_log
    from shequ.core.models import Area, AuditAction, RoleAssignment, User

    started = clock.perf_counter()
    rng = random.Random(f"{seed}:casework")  # nosec B311 - test data, not secrets
    n_cases, n_workers = CASES[scale], WORKERS[scale]
    communities = list(Area.objects.filter(kind="community").order_by("path").values_list("id", "path"))
    streets = dict(Area.objects.filter(kind="street").values_list("path", "id"))
    password = make_password(None)  # unusable: these accounts are never signed in
    loaded = CasesLoaded(workers=n_workers)
    now = timezone.now()
    with transaction.atomic():
        users = User.objects.bulk_create(
            [User(username=f"bench_sw_{i}", password=password) for i in range(n_workers)]
            + [
                User(username=f"bench_sup_{i}", password=password)
                for i in range(-(-n_workers // PER_SUPERVISOR))
            ]
        )
        workers, supervisors = users[:n_workers], users[n_workers:]
        loaded.supervisors = len(supervisors)
        home = {w.pk: communities[i % len(communities)] for i, w in enumerate(workers)}
        roles = [RoleAssignment(user=w, role="social_worker", area_id=home[w.pk][0]) for w in workers]
        links = []
        for i, w in enumerate(workers):
            sup = supervisors[i // PER_SUPERVISOR]
            community_id, path = home[w.pk]
            street_id = streets[path[:8]]
            if i % PER_SUPERVISOR == 0:
                roles.append(RoleAssignment(user=sup, role="social_worker", area_id=street_id))
            links.append(SupervisionLink(area_id=community_id, area_path=path, supervisor=sup, worker=w))
        RoleAssignment.objects.bulk_create(roles)
        SupervisionLink.objects.bulk_create(links)
        # Each worker's clients: residents of their community, taken in order.
        per_worker = n_cases // n_workers
        rows: list[Case] = []
        for w in workers:
            community_id, path = home[w.pk]
            with connection.cursor() as c:
                c.execute(
                    "SELECT r.id, r.household_id, r.area_id, a.path FROM registry_resident r"
                    " JOIN core_area a ON a.id = r.area_id WHERE a.path >= %s AND a.path < %s"
                    " ORDER BY r.id LIMIT %s OFFSET %s",
                    [path, path + ":", per_worker, (w.pk % 7) * per_worker],
                )
                clients = c.fetchall()
            for resident_id, household_id, area_id, area_path in clients:
                rows.append(
                    Case(
                        area_id=area_id,
                        area_path=area_path,
                        resident_id=resident_id,
                        household_id=household_id,
                        source="walk_in",
                        problem="基准个案",
                        owner=w,
                        stage=rng.choice(STAGES),
                        risk=rng.choice(RISKS),
                        opened_on=TODAY - timedelta(days=rng.randrange(1, 300)),
                    )
                )
        cases = Case.objects.bulk_create(rows, batch_size=BATCH)
        loaded.cases = len(cases)
        working = [c for c in cases if c.stage in ("intervention", "evaluation")]
        plans = Plan.objects.bulk_create(
            [
                Plan(case=c, submitted_by_id=c.owner_id, approved_by_id=c.owner_id, approved_at=now)
                for c in working
            ],
            batch_size=BATCH,
        )
        tasks = []
        for n, plan in enumerate(plans):
            tasks.append(PlanTask(plan=plan, text="跟进", due_on=TODAY + timedelta(days=7)))
            late = n % 3 == 0
            tasks.append(PlanTask(plan=plan, text="申请", due_on=TODAY - timedelta(days=3 if late else -3)))
        PlanTask.objects.bulk_create(tasks, batch_size=BATCH)
        loaded.tasks = len(tasks)
        sessions = [
            SupervisionSession(
                link=link,
                area_path=link.area_path,
                supervisor=link.supervisor,
                worker=link.worker,
                held_on=TODAY.replace(day=5),
                hours=Decimal(rng.choice(("1", "1.5", "2"))),
                topics="个案研讨",
                supervisor_signed_at=now,
                worker_signed_at=now,
            )
            for i, link in enumerate(links)
            if i % 3
        ]
        SupervisionSession.objects.bulk_create(sessions)
        loaded.sessions = len(sessions)
        audit_log(
            action=AuditAction.IMPORT, object_repr="benchmark cases", changes={"cases": [0, len(cases)]}
        )
    loaded.seconds = clock.perf_counter() - started
    return loaded


def caseloads_by_hand(district_path: str, today: date) -> list[tuple[Any, ...]]:
    """What casework.selectors.caseloads_for answers a district administrator, in one SQL statement:
    per supervision link of the district, the worker's open cases by risk, overdue tasks (and how many
    were escalated) and this month's signed hours."""
    from django.db import connection

    start = today.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1)
    sql = """
    WITH c AS (
        SELECT owner_id, COUNT(*) AS n,
               SUM(CASE WHEN risk = 'high' THEN 1 ELSE 0 END) AS high,
               SUM(CASE WHEN risk = 'medium' THEN 1 ELSE 0 END) AS medium,
               SUM(CASE WHEN risk = 'low' THEN 1 ELSE 0 END) AS low,
               SUM(CASE WHEN risk = '' THEN 1 ELSE 0 END) AS unassessed
        FROM casework_case WHERE area_path >= %(p)s AND area_path < %(q)s AND stage <> 'closed'
        GROUP BY owner_id),
    t AS (
        SELECT k.owner_id, COUNT(*) AS n, SUM(CASE WHEN t.escalated_at IS NULL THEN 0 ELSE 1 END) AS esc
        FROM casework_plantask t JOIN casework_plan p ON p.id = t.plan_id
        JOIN casework_case k ON k.id = p.case_id
        WHERE k.area_path >= %(p)s AND k.area_path < %(q)s AND k.stage <> 'closed'
          AND p.approved_at IS NOT NULL AND t.done_on IS NULL AND t.due_on < %(today)s
        GROUP BY k.owner_id),
    h AS (
        SELECT worker_id, SUM(hours) AS h FROM casework_supervisionsession
        WHERE held_on >= %(start)s AND held_on < %(end)s
          AND supervisor_signed_at IS NOT NULL AND worker_signed_at IS NOT NULL
        GROUP BY worker_id)
    SELECT l.id, COALESCE(c.n, 0), COALESCE(c.high, 0), COALESCE(c.medium, 0), COALESCE(c.low, 0),
           COALESCE(c.unassessed, 0), COALESCE(t.n, 0), COALESCE(t.esc, 0), COALESCE(h.h, 0)
    FROM casework_supervisionlink l
    LEFT JOIN c ON c.owner_id = l.worker_id LEFT JOIN t ON t.owner_id = l.worker_id
    LEFT JOIN h ON h.worker_id = l.worker_id
    WHERE l.area_path >= %(p)s AND l.area_path < %(q)s
    ORDER BY l.area_path, l.id
    """
    params: dict[str, str | date] = {
        "p": district_path,
        "q": district_path + ":",
        "today": today,
        "start": start,
        "end": end,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(r[0], *(int(x) for x in r[1:8]), Decimal(str(r[8]))) for r in cursor.fetchall()]
