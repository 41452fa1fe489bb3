"""What core itself puts in the shell: home, the area tree, grants, accounts and roles, the audit log;
and what it keeps: the staged rows of imports."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext_lazy as _

from shequ.core.extensions import NavEntry, RetentionKind, anywhere, nav_entry, retention_kind
from shequ.core.models import ImportJob, ImportRow

nav_entry(NavEntry("home", _("Home"), "core:home", lambda user: True, order=0, tab=0))
nav_entry(NavEntry("areas", _("Areas"), "core:areas", anywhere("area"), order=10, section="records"))
nav_entry(
    NavEntry(
        "grants",
        _("Sensitive-access grants"),
        "core:grants",
        anywhere("sensitive_grant"),
        order=140,
        section="admin",
    )
)
nav_entry(
    NavEntry(
        "people", _("Accounts and roles"), "core:people", anywhere("assignment"), order=160, section="admin"
    )
)
nav_entry(NavEntry("audit", _("Audit log"), "core:audit", anywhere("audit"), order=170, section="admin"))


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


retention_kind(RetentionKind("import_staging", 30, _import_staging, _("the staged rows of an import")))
