"""Retention (issue 9; PIPL art. 19, 47): what has been kept longer than its kind's retention is
anonymised, keeping what aggregate counts need (areas, dates, statuses). Run daily by the task queue
(core/tasks.py) and by `shequ retention`; each run is audited, and a second run does nothing twice.

Kinds and their days: settings.RETENTION (SHEQU_RETENTION_<KIND>_DAYS). The audit log is never
anonymised or deleted by Shequ: settings refuse an audit retention under 180 days, and entries older
than SHEQU_AUDIT_RETENTION_DAYS are only reported here, for the operator to archive off-host
(`shequ audit export`) before the database owner prunes them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from shequ.core.audit import audit_log
from shequ.core.models import AuditAction, AuditEntry, ImportJob, ImportRow


@dataclass(frozen=True)
class Outcome:
    kind: str
    days: int
    cutoff: datetime
    count: int  # records anonymised (or, with dry_run, that would be)


def _appeal_contact(cutoff: datetime, dry_run: bool) -> int:
    """The reporter's name and phone on an appeal finished (closed, evaluated, rejected or merged)
    before the cutoff. The appeal itself, its area, category, dates and result stay countable."""
    from django.db.models import Q

    from shequ.appeals.models import Appeal, Stage

    finished = Q(stage__in=[Stage.CLOSED, Stage.EVALUATED], closed_at__lt=cutoff) | Q(
        stage__in=[Stage.REJECTED, Stage.MERGED], updated_at__lt=cutoff
    )
    qs = Appeal.objects.filter(finished).exclude(contact_name="", contact_phone_encrypted="")
    if dry_run:
        return qs.count()
    return qs.update(contact_name="", contact_phone_encrypted="")


def _moved_out_resident(cutoff: datetime, dry_run: bool) -> int:
    """A resident who moved out or died before the cutoff: anonymised one by one (each audited)."""
    from shequ.registry.models import Resident, ResidentStatus
    from shequ.registry.services import ANONYMISED_PREFIX, resident_anonymise

    qs = Resident.objects.filter(
        status__in=[ResidentStatus.MOVED_OUT, ResidentStatus.DECEASED], left_on__lt=timezone.localdate(cutoff)
    ).exclude(id_number_index__startswith=ANONYMISED_PREFIX)
    if dry_run:
        return qs.count()
    count = 0
    for resident in qs.select_related("area").iterator(chunk_size=500):
        resident_anonymise(by=None, resident=resident, reason="retention: moved_out_resident")
        count += 1
    return count


def _import_staging(cutoff: datetime, dry_run: bool) -> int:
    """The staged rows of an import (the original cells, encrypted) once the import is this old; the
    job's summary (file name, counts) stays."""
    qs = ImportRow.objects.filter(job__created_at__lt=cutoff)
    if dry_run:
        return qs.count()
    jobs = list(
        ImportJob.objects.filter(created_at__lt=cutoff, rows__isnull=False)
        .distinct()
        .values_list("pk", flat=True)
    )
    deleted, _by_model = ImportRow.objects.filter(job_id__in=jobs).delete()
    return deleted


def _correction_request(cutoff: datetime, dry_run: bool) -> int:
    """What a resident wrote in a correction request resolved before the cutoff."""
    from shequ.registry.models import CorrectionRequest

    qs = CorrectionRequest.objects.filter(resolved_at__lt=cutoff).exclude(details_encrypted="")
    if dry_run:
        return qs.count()
    return qs.update(details_encrypted="")


KINDS: dict[str, Callable[[datetime, bool], int]] = {
    "appeal_contact": _appeal_contact,
    "moved_out_resident": _moved_out_resident,
    "import_staging": _import_staging,
    "correction_request": _correction_request,
}


def run_retention(*, now: datetime | None = None, dry_run: bool = False) -> list[Outcome]:
    """Anonymise every kind past its retention; one audit entry per kind that changed anything."""
    now = now or timezone.now()
    unknown = set(settings.RETENTION) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown retention kinds in settings: {sorted(unknown)}")
    outcomes = []
    for kind, days in settings.RETENTION.items():
        cutoff = now - timedelta(days=days)
        with transaction.atomic():
            count = KINDS[kind](cutoff, dry_run)
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
