"""Appeals for the benchmark: the generator's plans written in bulk, and the appeal figures computed
by hand in SQL (the baseline of "read: appeal figures").

The product has no bulk path for appeals (they arrive one at a time through `appeal_report` and the
closed loop's services, a few queries and an audit entry per step), so the harness writes the
planned rows in bulk — `bulk_create` of the product's own models for accounts, appeals and
evaluations, one `executemany` for the steps — with one audit entry for the load, as a migration or
an import from an older system would. The rows are what the services would have written:
tests/test_bench.py replays the plans through the services and the deadline job and compares every
column. Notifications and per-step audit entries, which neither the queue nor the figures read,
are not written.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from bench.generator import AppealRow, District

BATCH = 2000  # appeals per transaction (with their steps and evaluations: ~10,000 rows)
SYSTEM_NAME = "系统"  # appeals.services._actor_name(None): what a step by the scheduled job is signed
MONTHS = 12


@dataclass
class Loaded:
    appeals: int = 0
    steps: int = 0
    evaluations: int = 0
    accounts: int = 0
    ids: dict[int, int] = field(default_factory=dict)  # generator id -> database id


def load_accounts(district: District, area_ids: dict[int, int]) -> dict[str, tuple[int, str]]:
    """The staff who act on the appeals (a grid worker per grid, community staff per community, an
    official per street, a district administrator), holding their role on their area. They never
    sign in (unusable passwords): they are the actors and handlers the history names.
    Returns username -> (user id, display name)."""
    from django.contrib.auth.hashers import make_password

    from shequ.core.models import RoleAssignment, User

    rows = list(district.accounts())
    users = User.objects.bulk_create(
        [User(username=a.username, display_name=a.display_name, password=make_password(None)) for a in rows]
    )
    RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(user_id=u.pk, role=a.role, area_id=area_ids[a.area_id])
            for a, u in zip(rows, users, strict=True)
        ]
    )
    return {u.username: (u.pk, u.display_name) for u in users}


def load_appeals(district: District, area_ids: dict[int, int], users: dict[str, tuple[int, str]]) -> Loaded:
    """Every planned appeal with its steps and evaluation, BATCH appeals per transaction."""
    from django.conf import settings
    from django.db import connection, transaction
    from django.utils import translation
    from django.utils.translation import gettext

    from shequ.appeals.models import Appeal, AppealStep, Category, Evaluation
    from shequ.core.audit import audit_log
    from shequ.core.models import AuditAction

    categories = dict(Category.objects.values_list("code", "pk"))
    columns = ["appeal_id", "at", "actor_id", "actor_name", "action", "from_stage", "to_stage"]
    columns += ["from_level", "to_level", "note", "stage_seconds"]
    table = AppealStep._meta.db_table
    names, marks = ", ".join(columns), ", ".join(["%s"] * len(columns))
    insert_step = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # nosec B608 # our table and columns
    copy_step = f"COPY {table} ({names}) FROM STDIN"
    at_field = AppealStep._meta.get_field("at")

    def adapt(value: Any) -> Any:
        return at_field.get_db_prep_save(value, connection)

    with translation.override(settings.LANGUAGE_CODE):
        # The note the deadline job writes on the escalations it makes (appeal_deadline_missed).
        job_note = gettext("The deadline of this stage passed.")
    loaded = Loaded(accounts=len(users))
    ids = loaded.ids  # merged appeals point at earlier ones

    def user_id(username: str) -> int | None:
        return users[username][0] if username else None

    def appeal(r: AppealRow) -> Appeal:
        return Appeal(
            area_id=area_ids[r.area_id],
            area_path=r.area_path,
            category_id=categories[r.category],
            title=r.title,
            description=r.description,
            channel=r.channel,
            priority=r.priority,
            reporter_id=user_id(r.reporter),
            contact_name=r.contact_name,
            contact_withheld=r.contact_withheld,
            stage=r.stage,
            level=r.level,
            handling_area_id=area_ids[r.handling_area_id],
            handling_path=r.handling_path,
            handler_kind="person" if r.handler else "",
            handler_user_id=user_id(r.handler),
            result=r.result,
            rejection_reason=r.rejection_reason,
            merged_into_id=ids[r.merged_into_id] if r.merged_into_id is not None else None,
            stage_started_at=r.stage_started_at,
            deadline_at=r.deadline_at,
            warn_at=r.warn_at,
            overdue_noticed_at=r.overdue_noticed_at,
            was_overdue=r.was_overdue,
            reported_at=r.reported_at,
            accepted_at=r.accepted_at,
            handled_at=r.handled_at,
            closed_at=r.closed_at,
            version=r.version,
        )

    def flush(batch: list[AppealRow]) -> None:
        with transaction.atomic():
            # A duplicate is merged into an earlier appeal: those go in first, so their ids are known.
            for group in (
                [r for r in batch if r.merged_into_id is None],
                [r for r in batch if r.merged_into_id is not None],
            ):
                for r, row in zip(group, Appeal.objects.bulk_create([appeal(r) for r in group]), strict=True):
                    ids[r.id] = row.pk
            # Steps are 8 in 10 of the rows: one executemany (SQLite) or COPY (PostgreSQL) of plain
            # values (every column is text or a number but `at`, converted as the field itself
            # converts it) instead of bulk_create compiling each value, most of the load's time.
            steps = [
                (
                    ids[r.id],
                    adapt(s.at),
                    user_id(s.actor),
                    users[s.actor][1] if s.actor else SYSTEM_NAME,
                    s.action,
                    s.from_stage,
                    s.to_stage,
                    s.from_level,
                    s.to_level,
                    job_note if s.action == "escalate" and not s.actor else s.note,
                    s.stage_seconds,
                )
                for r in batch
                for s in r.steps
            ]
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    with cursor.cursor.copy(copy_step) as copy:
                        for step in steps:
                            copy.write_row(step)
                else:
                    cursor.executemany(insert_step, steps)
            evaluations = [
                Evaluation(
                    appeal_id=ids[r.id],
                    score=r.score,
                    comment=r.comment,
                    by_id=user_id(r.evaluated_by),
                    on_behalf=r.evaluated_by != r.reporter,
                    at=r.evaluated_at,
                )
                for r in batch
                if r.score is not None and r.evaluated_at is not None
            ]
            Evaluation.objects.bulk_create(evaluations)
        loaded.appeals += len(batch)
        loaded.steps += len(steps)
        loaded.evaluations += len(evaluations)

    for batch in _batches(district.appeals(), BATCH):
        flush(batch)
    audit_log(
        action=AuditAction.IMPORT,
        object_repr="benchmark appeals",
        changes={"appeals": [0, loaded.appeals], "steps": [0, loaded.steps]},
    )
    return loaded


def _batches(rows: Iterator[AppealRow], size: int) -> Iterator[list[AppealRow]]:
    batch: list[AppealRow] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


# --- the figures, by hand ----------------------------------------------------------------------------
# Both sides are brought to one shape, compared whole: a list of rows (key, the eight counts, the four
# rates) for the total and per child area, category and month, and (stage, stays, mean hours).

COUNTS = (
    "counted",
    "responded",
    "accepted",
    "resolved",
    "evaluated",
    "satisfied",
    "closed",
    "closed_on_time",
)


def _tenths(numerator: int, denominator: int) -> Decimal | None:
    """numerator / denominator to one decimal, half up, in integers (no float, no Decimal division)."""
    if not denominator:
        return None
    return Decimal((2 * 10 * numerator + denominator) // (2 * denominator)).scaleb(-1)


def _rates(c: Counter[str]) -> tuple[Decimal | None, ...]:
    return (
        _tenths(100 * c["responded"], c["counted"]),
        _tenths(100 * c["resolved"], c["accepted"]),
        _tenths(100 * c["satisfied"], c["evaluated"]),
        _tenths(100 * c["closed_on_time"], c["closed"]),
    )


def _shaped(key: Any, c: Counter[str]) -> tuple[Any, ...]:
    return (key, *(c[name] for name in COUNTS), *_rates(c))


def figures_of(figures: Any) -> dict[str, Any]:
    """The product's `appeals.metrics.Figures` in the compared shape."""

    def row(r: Any, key: Any) -> tuple[Any, ...]:
        rates = (r.response_rate, r.resolution_rate, r.satisfaction_rate, r.on_time_rate)
        return (key, *(getattr(r, name) for name in COUNTS), *rates)

    return {
        "total": row(figures.total, None),
        "by_child": [row(r, r.key) for r in figures.by_child],
        "by_category": [row(r, r.key) for r in figures.by_category],
        "by_month": [row(r, r.key) for r in figures.by_month],
        "stage_times": [(s.stage, s.stays, s.mean_hours) for s in figures.stage_times],
    }


def _month_starts(today: date) -> list[date]:
    index = today.year * 12 + today.month - 1
    return [date((index - back) // 12, (index - back) % 12 + 1, 1) for back in range(MONTHS - 1, -1, -1)]


def figures_by_hand(area_id: int, today: date) -> dict[str, Any]:
    """docs/metrics.md's figures for everything under an area, in two hand-written statements: the
    counts per (child area, category, month of report in Asia/Shanghai), and the stays per stage.
    Rates and means are computed here from the counts, in integers."""
    from django.conf import settings
    from django.db import connection

    if settings.TIME_ZONE != "Asia/Shanghai":
        raise RuntimeError("figures_by_hand counts months in Asia/Shanghai (UTC+8 all year)")
    if connection.vendor == "postgresql":
        month = "to_char(a.reported_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM')"
    else:  # SQLite keeps UTC text; Shanghai has had no daylight saving since 1991
        month = "strftime('%%Y-%%m', a.reported_at, '+8 hours')"
    with connection.cursor() as c:
        c.execute("SELECT path FROM core_area WHERE id = %s", [area_id])
        (path,) = c.fetchone()
        lo, hi = path, path + ":"
        c.execute("SELECT id, path FROM core_area WHERE parent_id = %s ORDER BY path", [area_id])
        children = c.fetchall()
        width = len(children[0][1]) if children else len(path)
        c.execute('SELECT id, code FROM appeals_category ORDER BY "order", code')
        categories = c.fetchall()
        c.execute(
            f"SELECT substr(a.area_path, 1, %s), a.category_id, {month}, COUNT(*),"  # nosec B608 # {month} is our own SQL expression per engine
            " SUM(CASE WHEN a.accepted_at IS NOT NULL OR a.stage = 'rejected' THEN 1 ELSE 0 END),"
            " SUM(CASE WHEN a.accepted_at IS NOT NULL THEN 1 ELSE 0 END),"
            " SUM(CASE WHEN a.accepted_at IS NOT NULL AND a.closed_at IS NOT NULL THEN 1 ELSE 0 END),"
            " COUNT(e.id),"
            " SUM(CASE WHEN e.score >= 4 THEN 1 ELSE 0 END),"
            " SUM(CASE WHEN a.closed_at IS NOT NULL THEN 1 ELSE 0 END),"
            " SUM(CASE WHEN a.closed_at IS NOT NULL AND NOT a.was_overdue THEN 1 ELSE 0 END)"
            " FROM appeals_appeal a LEFT JOIN appeals_evaluation e ON e.appeal_id = a.id"
            " WHERE a.area_path >= %s AND a.area_path < %s AND a.stage <> 'merged'"
            " GROUP BY 1, 2, 3",
            [width, lo, hi],
        )
        cells = c.fetchall()
        c.execute(
            "SELECT s.from_stage, COUNT(*), SUM(s.stage_seconds)"
            " FROM appeals_appealstep s JOIN appeals_appeal a ON a.id = s.appeal_id"
            " WHERE a.area_path >= %s AND a.area_path < %s AND a.stage <> 'merged'"
            " AND s.stage_seconds IS NOT NULL AND s.from_stage <> ''"
            " GROUP BY s.from_stage",
            [lo, hi],
        )
        stays = {stage: (int(n), int(seconds)) for stage, n, seconds in c.fetchall()}

    total: Counter[str] = Counter()
    per_child: dict[str, Counter[str]] = {}
    per_category: dict[int, Counter[str]] = {}
    per_month: dict[str, Counter[str]] = {}
    for child, category_id, month_text, *values in cells:
        counts = dict(zip(COUNTS, (int(v) for v in values), strict=True))
        for table, key in ((per_child, child), (per_category, category_id), (per_month, month_text)):
            table.setdefault(key, Counter()).update(counts)
        total.update(counts)
    months = [(m, f"{m:%Y-%m}") for m in _month_starts(today)]
    stages = ("reported", "accepted", "dispatched", "in_progress", "handled", "verified")
    return {
        "total": _shaped(None, total),
        "by_child": [_shaped(pk, per_child[p]) for pk, p in children if p in per_child],
        "by_category": [_shaped(code, per_category[pk]) for pk, code in categories if pk in per_category],
        "by_month": [_shaped(m, per_month[text]) for m, text in months if text in per_month],
        "stage_times": [
            (s, stays[s][0], _tenths(stays[s][1], 3600 * stays[s][0])) if s in stays else (s, 0, None)
            for s in stages
        ],
    }


def differences(product: dict[str, Any], by_hand: dict[str, Any]) -> list[str]:
    """Where the two disagree, row by row (empty when they agree)."""
    found = []
    for part in product:
        if product[part] != by_hand[part]:
            found.append(f"{part}: product {product[part]!r}, hand-written {by_hand[part]!r}")
    return found
