"""Report jobs: requested within one's scope, built in the background with progress, failing with a
sentence and no file, never built with more than the requester may see."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from conftest import Tree
from shequ.core.errors import DomainError, NotFound
from shequ.core.models import AuditEntry, RoleAssignment
from shequ.metrics import selectors as metrics
from shequ.reports import services
from shequ.reports.models import JobStatus, ReportJob
from shequ.reports.tests.conftest import People

pytestmark = pytest.mark.django_db
NOW = timezone.make_aware(datetime(2026, 12, 15, 10, 0))


def _request(
    by: Any, area: Any, *, kind: str = "yearly", year: int = 2026, month: int | None = None, fmt: str = "xlsx"
) -> ReportJob:
    return services.report_request(by=by, area=area, kind=kind, year=year, month=month, format=fmt, now=NOW)


def _files(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def test_a_requested_report_waits_in_the_queue_until_the_transaction_commits(
    people: People, tree: Tree, huey: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = _request(people.street_official, tree.street)
    assert job.status == JobStatus.QUEUED
    assert job.progress == 0
    assert not job.file
    assert len(callbacks) == 1
    assert AuditEntry.objects.filter(
        object_type="reports.reportjob", object_id=str(job.pk), action="create"
    ).exists()


def test_a_job_runs_from_queued_to_done_with_progress_rising_and_a_file_that_matches_the_figures(
    people: People,
    tree: Tree,
    huey: Any,
    media: Path,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    seen: list[tuple[str, int]] = []
    progress = services._progress

    def spy(job_id: int, percent: int, message: str) -> None:
        progress(job_id, percent, message)
        job = ReportJob.objects.get(pk=job_id)
        seen.append((job.status, job.progress))

    monkeypatch.setattr(services, "_progress", spy)
    with django_capture_on_commit_callbacks(execute=True):
        job = _request(people.street_official, tree.street)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert job.progress == 100
    assert job.started_at is not None
    assert job.finished_at is not None
    assert job.finished_at >= job.started_at
    assert {status for status, _p in seen} == {JobStatus.RUNNING}
    percents = [p for _s, p in seen]
    assert percents == sorted(percents)
    assert len(set(percents)) >= 10  # per month and per community
    assert job.file.name.startswith("reports/")
    assert job.size == len(job.file.read())
    # The workbook holds exactly what the metrics give the requester for the street and the year.
    expected = metrics.area_figures(people.street_official, tree.street, metrics.Period.year(2026))
    book = load_workbook(io.BytesIO(Path(job.file.path).read_bytes()))
    rows = {r[1]: r for r in book["指标"].iter_rows(min_row=8, values_only=True)}
    assert len(rows) == len(expected)
    for f in expected:
        row = rows[f.label]
        # A mean of nothing (no stay ended) has no number: "—", like a rate with nothing to divide by.
        assert row[2] == ("—" if f.numerator is None else pytest.approx(float(f.numerator)))
        assert row[3] == f.denominator
        assert row[4] == ("—" if f.value is None else pytest.approx(float(f.value)))
        assert row[5] == f.formula
    below = [r[0] for r in book["下级区域"].iter_rows(min_row=3, values_only=True)]
    assert below == [tree.community.name, tree.other_community.name]


def test_a_pdf_job_writes_a_pdf_with_the_chinese_title(
    people: People, tree: Tree, huey: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        job = _request(people.community_staff, tree.community, kind="monthly", month=11, fmt="pdf")
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    reader = PdfReader(io.BytesIO(Path(job.file.path).read_bytes()))
    text = "".join(p.extract_text() for p in reader.pages).replace(" ", "").replace("\n", "")
    assert "平地社区" in text
    assert "月报" in text
    assert "本期指标" in text
    assert len(reader.pages) >= 2


def test_a_second_run_of_the_task_does_nothing(
    people: People, tree: Tree, huey: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        job = _request(people.street_official, tree.street)
    job.refresh_from_db()
    assert services.report_build(job.pk) is None
    assert ReportJob.objects.get(pk=job.pk).file.name == job.file.name


def test_when_the_figures_fail_the_job_fails_with_a_sentence_and_leaves_no_file(
    people: People,
    tree: Tree,
    huey: Any,
    media: Path,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    calls = {"n": 0}
    real = metrics.series

    def broken(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 5:
            raise RuntimeError("connection reset while counting")
        return real(*args, **kwargs)

    monkeypatch.setattr(metrics, "series", broken)
    with django_capture_on_commit_callbacks(execute=True):
        job = _request(people.street_official, tree.street)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error.startswith("报表生成时发生意外错误")
    assert "Traceback" not in job.error
    assert "connection" not in job.error
    assert not job.file
    assert _files(media) == []
    assert 0 < job.progress < 100
    assert job.finished_at is not None


def test_when_writing_the_file_fails_after_it_was_stored_nothing_is_left_behind(
    people: People,
    tree: Tree,
    huey: Any,
    media: Path,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    def disk_full(*args: Any) -> bool:
        assert _files(media), "the file is stored before the job is marked done"
        raise OSError("disk full")

    monkeypatch.setattr(services, "_finish", disk_full)
    with django_capture_on_commit_callbacks(execute=True):
        job = _request(people.street_official, tree.street)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert not job.file
    assert _files(media) == []


def test_the_same_report_asked_again_while_it_is_made_is_the_same_job(people: People, tree: Tree) -> None:
    first = _request(people.street_official, tree.street)
    assert _request(people.street_official, tree.street).pk == first.pk
    # Another format, period or person is another report.
    assert _request(people.street_official, tree.street, fmt="pdf").pk != first.pk
    assert _request(people.street_official, tree.street, year=2025).pk != first.pk
    ReportJob.objects.filter(pk=first.pk).update(status=JobStatus.FAILED, error="x")
    assert _request(people.street_official, tree.street).pk != first.pk


def test_a_job_the_queue_lost_is_marked_failed_and_no_longer_blocks_a_new_request(
    people: People, tree: Tree
) -> None:
    lost = _request(people.street_official, tree.street)
    ReportJob.objects.filter(pk=lost.pk).update(created_at=NOW - timedelta(hours=3), status=JobStatus.RUNNING)
    again = _request(people.street_official, tree.street)
    assert again.pk != lost.pk
    lost.refresh_from_db()
    assert lost.status == JobStatus.FAILED
    assert "重新申请" in lost.error


def test_nobody_requests_a_report_of_an_area_outside_their_scope(people: People, tree: Tree) -> None:
    with pytest.raises(NotFound):
        _request(people.other_community_staff, tree.community)
    with pytest.raises(NotFound):
        _request(people.far_official, tree.street)
    with pytest.raises(NotFound):  # a community worker does not reach their street
        _request(people.community_staff, tree.street)
    for role_without_reports in (people.grid_worker, people.resident):
        with pytest.raises(NotFound):
            _request(role_without_reports, tree.grid)
    assert not ReportJob.objects.exists()


@pytest.mark.parametrize(
    ("kind", "year", "month", "fmt", "code"),
    [
        ("weekly", 2026, None, "xlsx", "kind_invalid"),
        ("monthly", 2026, None, "xlsx", "month_invalid"),
        ("monthly", 2026, 13, "xlsx", "month_invalid"),
        ("monthly", 2027, 1, "xlsx", "year_invalid"),
        ("yearly", 1999, None, "xlsx", "year_invalid"),
        ("yearly", 2026, None, "docx", "format_invalid"),
    ],
)
def test_bad_requests_are_refused_with_a_reason(
    people: People, tree: Tree, kind: str, year: int, month: int | None, fmt: str, code: str
) -> None:
    with pytest.raises(DomainError) as refused:
        _request(people.street_official, tree.street, kind=kind, year=year, month=month, fmt=fmt)
    assert refused.value.code == code
    assert refused.value.status == 400


def test_a_month_still_to_come_is_refused_and_the_current_one_allowed(people: People, tree: Tree) -> None:
    november = timezone.make_aware(datetime(2026, 11, 20, 10, 0))
    ask = {
        "by": people.street_official,
        "area": tree.street,
        "kind": "monthly",
        "year": 2026,
        "format": "pdf",
    }
    with pytest.raises(DomainError) as refused:
        services.report_request(**ask, month=12, now=november)
    assert refused.value.code == "month_future"
    assert services.report_request(**ask, month=11, now=november).month == 11


def test_reports_are_made_for_districts_streets_and_communities_only(people: People, tree: Tree) -> None:
    with pytest.raises(DomainError) as refused:
        _request(people.street_official, tree.grid)
    assert refused.value.code == "area_kind"


def test_a_report_is_built_with_the_requesters_scope_and_refused_once_they_lost_it(
    people: People,
    tree: Tree,
    huey: Any,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    viewers: list[Any] = []
    real = metrics.area_figures

    def spy(viewer: Any, *args: Any, **kwargs: Any) -> Any:
        viewers.append(viewer.pk)
        return real(viewer, *args, **kwargs)

    monkeypatch.setattr(metrics, "area_figures", spy)
    with django_capture_on_commit_callbacks(execute=True):
        _request(people.community_staff, tree.community)
    assert viewers
    assert set(viewers) == {people.community_staff.pk}

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = _request(people.community_staff, tree.community, fmt="pdf")
    RoleAssignment.objects.filter(user=people.community_staff).delete()
    for callback in callbacks:
        callback()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == "您已无权获取该区域的报表。"
    assert not job.file
