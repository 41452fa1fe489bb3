"""Retention: what has outlived its kind's retention is anonymised by the nightly job, counts stay
right, every run is audited, and the audit log is never kept under 180 days (issue 9)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from conftest import Tree, make_user
from shequ.core.crypto import encrypt
from shequ.core.models import AuditAction, AuditEntry, ImportJob, ImportRow
from shequ.core.retention import run_retention
from shequ.core.roles import Role
from shequ.registry.models import CorrectionRequest, Resident, ResidentStatus, Veteran
from shequ.registry.rights import CORRECTION_CONTEXT

pytestmark = pytest.mark.django_db
NOW = datetime(2030, 6, 1, 3, 17, tzinfo=ZoneInfo("Asia/Shanghai"))


def _left(resident: Resident, on: date, status: str = ResidentStatus.MOVED_OUT) -> Resident:
    Resident.objects.filter(pk=resident.pk).update(status=status, left_on=on)
    resident.refresh_from_db()
    return resident


@pytest.fixture
def old_records(tree: Tree, resident_factory: Any) -> dict[str, Any]:
    from shequ.appeals import services as appeal_services
    from shequ.appeals.models import Appeal, Category

    long_gone = _left(resident_factory(tree.building, name="赵久远", phone="13911112222"), date(2026, 1, 1))
    Veteran.objects.create(resident=long_gone, served_from=1980, served_to=1984)
    died = _left(resident_factory(tree.building, name="钱已故"), date(2025, 5, 1), ResidentStatus.DECEASED)
    recent = _left(resident_factory(tree.building, name="孙刚走"), date(2029, 12, 1))
    living = resident_factory(tree.building, name="李在住")
    reporter = make_user(Role.RESIDENT, tree.building, username="jumin")
    appeals = []
    for closed in (NOW - timedelta(days=400), NOW - timedelta(days=30)):
        appeal = appeal_services.appeal_report(
            by=reporter,
            area=tree.building,
            category=Category.objects.get(code="roads_facilities"),
            description="路面塌陷积水",
            contact_name="王女士",
            contact_phone="13787654321",
        )
        Appeal.objects.filter(pk=appeal.pk).update(stage="closed", closed_at=closed)
        appeals.append(appeal)
    job = ImportJob.objects.create(kind="residents", area=tree.community, filename="居民.xlsx")
    ImportJob.objects.filter(pk=job.pk).update(created_at=NOW - timedelta(days=45))
    ImportRow.objects.create(job=job, number=2, raw_encrypted=encrypt("张三,1101…", context="import"))
    correction = CorrectionRequest.objects.create(
        resident=living,
        field="phone",
        details_encrypted=encrypt("新号 13700001111", context=CORRECTION_CONTEXT),
        status="corrected",
        resolved_at=NOW - timedelta(days=500),
    )
    return {
        "long_gone": long_gone,
        "died": died,
        "recent": recent,
        "living": living,
        "appeals": appeals,
        "job": job,
        "correction": correction,
    }


def test_the_nightly_run_anonymises_what_has_expired_and_keeps_counts(old_records: dict[str, Any]) -> None:
    from shequ.appeals.models import Appeal

    with time_machine.travel(NOW, tick=False):
        outcomes = {o.kind: o.count for o in run_retention()}
    # Every app's kinds run; those with nothing expired in this fixture (e.g. casework's) count 0.
    assert {kind: n for kind, n in outcomes.items() if n} == {
        "appeal_contact": 1,
        "moved_out_resident": 2,
        "import_staging": 1,
        "correction_request": 1,
    }
    gone = Resident.objects.get(pk=old_records["long_gone"].pk)
    assert gone.name == "已匿名"
    assert gone.phone_encrypted == ""
    assert gone.id_last4 == ""
    assert gone.status == ResidentStatus.MOVED_OUT
    assert gone.left_on == date(2026, 1, 1)  # still counted
    assert gone.area_id == old_records["long_gone"].area_id
    assert gone.birth_date.year == 1980
    assert not Veteran.objects.filter(resident=gone).exists()
    assert Resident.objects.get(pk=old_records["died"].pk).status == ResidentStatus.DECEASED
    assert Resident.objects.get(pk=old_records["recent"].pk).name == "孙刚走"  # within its 3 years
    assert Resident.objects.get(pk=old_records["living"].pk).name == "李在住"
    old_appeal, new_appeal = (Appeal.objects.get(pk=a.pk) for a in old_records["appeals"])
    assert old_appeal.contact_name == ""
    assert old_appeal.contact_phone_encrypted == ""
    assert old_appeal.stage == "closed"
    assert old_appeal.area_path  # the appeal itself stays countable
    assert new_appeal.contact_name == "王女士"
    assert not ImportRow.objects.exists()
    assert ImportJob.objects.filter(pk=old_records["job"].pk).exists()
    assert CorrectionRequest.objects.get(pk=old_records["correction"].pk).details_encrypted == ""
    per_resident = AuditEntry.objects.filter(action=AuditAction.ANONYMISE, object_type="registry.resident")
    per_kind = AuditEntry.objects.filter(action=AuditAction.ANONYMISE, object_type="")
    assert per_resident.count() == 2
    assert per_kind.count() == 4
    assert "赵久远" not in str(list(per_resident.values_list("object_repr", "changes")))


def test_a_second_run_changes_nothing_and_a_dry_run_only_counts(old_records: dict[str, Any]) -> None:
    with time_machine.travel(NOW, tick=False):
        dry = {o.kind: o.count for o in run_retention(dry_run=True)}
        assert Resident.objects.get(pk=old_records["long_gone"].pk).name == "赵久远"
        assert dry["moved_out_resident"] == 2
        run_retention()
        before = AuditEntry.objects.count()
        assert all(o.count == 0 for o in run_retention())
        assert AuditEntry.objects.count() == before


def test_retention_days_are_configurable(old_records: dict[str, Any], settings: Any) -> None:
    settings.RETENTION = dict(settings.RETENTION, moved_out_resident=30)
    with time_machine.travel(NOW, tick=False):
        assert {o.kind: o.count for o in run_retention()}["moved_out_resident"] == 3


def test_the_command_reports_and_never_deletes_audit_entries(old_records: dict[str, Any]) -> None:
    with time_machine.travel(NOW - timedelta(days=400), tick=False):
        make_user(Role.RESIDENT, old_records["living"].area, username="old_entry")
    entries = AuditEntry.objects.count()
    out = io.StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("retention", stdout=out)
    text = out.getvalue()
    assert "moved_out_resident" in text
    assert "audit:" in text
    assert AuditEntry.objects.count() > entries  # only added to: the run's own entries


def test_the_nightly_job_is_scheduled_on_the_task_queue(tmp_path: Path) -> None:
    from shequ.core import queue

    huey = queue.register_tasks(queue.build(data_dir=tmp_path, name="retention-test"))
    assert "core.retention" in [t.name for t in huey._registry.periodic_tasks]


@pytest.mark.parametrize(("days", "starts"), [("179", False), ("180", True), ("3650", True)])
def test_an_audit_retention_under_180_days_refuses_to_start(days: str, starts: bool, tmp_path: Path) -> None:
    env = dict(os.environ, SHEQU_AUDIT_RETENTION_DAYS=days, DJANGO_SETTINGS_MODULE="shequ.settings")
    env["SHEQU_DATA_DIR"] = str(tmp_path)
    r = subprocess.run(  # nosec B603 # our own interpreter, fixed arguments
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (r.returncode == 0) == starts, r.stderr[-500:]
    if not starts:
        assert "SHEQU_AUDIT_RETENTION_DAYS" in r.stderr
        assert "180" in r.stderr
