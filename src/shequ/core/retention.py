"""Retention (issue 9; PIPL art. 19, 47): what has been kept longer than its kind's retention is
anonymised, keeping what aggregate counts need (areas, dates, statuses). Run daily by the task queue
(core/tasks.py) and by `shequ retention`; each run is audited, and a second run does nothing twice.

Kinds are registered by the apps that keep them (core/extensions.py: RetentionKind), each with its
default days; SHEQU_RETENTION_<KIND>_DAYS sets another. The audit log is never
anonymised or deleted by Shequ: settings refuse an audit retention under 180 days, and entries older
than SHEQU_AUDIT_RETENTION_DAYS are only reported here, for the operator to archive off-host
(`shequ audit export`) before the database owner prunes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from shequ.core.audit import audit_log
from shequ.core.extensions import retention_kinds
from shequ.core.models import AuditAction, AuditEntry


@dataclass(frozen=True)
class Outcome:
    kind: str
    days: int
    cutoff: datetime
    count: int  # records anonymised (or, with dry_run, that would be)


def retention_days() -> dict[str, int]:
    """Days per registered kind: SHEQU_RETENTION_<KIND>_DAYS (settings.RETENTION), else the default the
    app registered. A setting for a kind no app registers is a mistake, refused."""
    kinds = retention_kinds()
    unknown = set(settings.RETENTION) - set(kinds)
    if unknown:
        raise ValueError(f"unknown retention kinds in settings: {sorted(unknown)}")
    return {name: settings.RETENTION.get(name, kind.default_days) for name, kind in kinds.items()}


def run_retention(*, now: datetime | None = None, dry_run: bool = False) -> list[Outcome]:
    """Anonymise every kind past its retention; one audit entry per kind that changed anything."""
    now = now or timezone.now()
    kinds = retention_kinds()
    outcomes = []
    for kind, days in retention_days().items():
        cutoff = now - timedelta(days=days)
        with transaction.atomic():
            count = kinds[kind].run(cutoff, dry_run)
            if count and not dry_run:
                audit_log(
                    action=AuditAction.ANONYMISE,
                    object_repr=f"retention: {kind} ({count})",
                    changes={"kind": kind, "days": days, "cutoff": cutoff.isoformat(), "count": count},
                    actor_name="retention",
                )
        outcomes.append(Outcome(kind, days, cutoff, count))
    return outcomes


def audit_entries_past_retention(now: datetime | None = None) -> int:
    """Audit entries older than SHEQU_AUDIT_RETENTION_DAYS: reported for archiving, never deleted here."""
    now = now or timezone.now()
    return AuditEntry.objects.filter(at__lt=now - timedelta(days=settings.AUDIT_RETENTION_DAYS)).count()


def summary(outcomes: list[Outcome], now: Any = None) -> dict[str, int]:
    return {o.kind: o.count for o in outcomes} | {"audit_past_retention": audit_entries_past_retention(now)}
