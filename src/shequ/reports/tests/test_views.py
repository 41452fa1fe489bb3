"""The reports page and API: request within one's areas, follow the job (the list refreshes itself
while a report is made), download one's own report — audited — and nobody else's."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.core.files.base import ContentFile
from openpyxl import load_workbook

from conftest import Tree, login_client, token_client
from shequ.core.models import AuditEntry
from shequ.reports.models import JobStatus, ReportJob
from shequ.reports.tests.conftest import People

pytestmark = pytest.mark.django_db


def _done_job(user: Any, area: Any, *, fmt: str = "xlsx") -> ReportJob:
    job = ReportJob(
        area=area,
        kind="yearly",
        year=2025,
        format=fmt,
        requested_by=user,
        status=JobStatus.DONE,
        progress=100,
    )
    job.file.save(f"test.{fmt}", ContentFile(b"%PDF-1.4 test" if fmt == "pdf" else b"PK test"), save=False)
    job.size = job.file.size
    job.save()
    return job


def test_the_page_offers_the_areas_of_the_users_scope_only(people: People, tree: Tree) -> None:
    r = login_client(people.street_official).get("/reports/")
    assert r.status_code == 200
    body = r.content.decode()
    select = re.search(r'<select name="area".*?</select>', body, re.S)
    assert select is not None
    offered = {int(v) for v in re.findall(r'value="(\d+)"', select.group(0))}
    # Reports are for districts, streets and communities: not the grid, not the district above.
    assert offered == {tree.street.pk, tree.community.pk, tree.other_community.pk}
    assert 'data-testid="nav-reports"' in body


def test_a_role_without_reports_sees_no_form_and_no_navigation_entry(people: People) -> None:
    r = login_client(people.grid_worker).get("/reports/")
    assert r.status_code == 200
    body = r.content.decode()
    assert 'data-testid="no-report-areas"' in body
    assert 'data-testid="report-request"' not in body
    assert 'data-testid="nav-reports"' not in body


def test_requesting_from_the_page_queues_the_job_and_lists_it_with_a_polling_progress_bar(
    people: People, tree: Tree
) -> None:
    client = login_client(people.community_staff)
    r = client.post(
        "/reports/",
        {"area": tree.community.pk, "kind": "monthly", "year": 2026, "month": 10, "format": "pdf"},
    )
    assert r.status_code == 302
    job = ReportJob.objects.get()
    assert (job.area, job.kind, job.year, job.month, job.format) == (
        tree.community,
        "monthly",
        2026,
        10,
        "pdf",
    )
    assert job.requested_by == people.community_staff
    assert job.status == JobStatus.QUEUED
    rows = client.get("/reports/jobs/").content.decode()
    assert 'hx-trigger="every 2s"' in rows
    assert "<progress" in rows
    assert 'data-status="queued"' in rows
    ReportJob.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, error="报表生成时发生意外错误")
    rows = client.get("/reports/jobs/").content.decode()
    assert "hx-trigger" not in rows
    assert "报表生成时发生意外错误" in rows  # polling stops once nothing is pending


def test_a_bad_period_is_shown_on_the_form_with_what_was_typed(people: People, tree: Tree) -> None:
    r = login_client(people.community_staff).post(
        "/reports/",
        {"area": tree.community.pk, "kind": "monthly", "year": 2026, "month": "", "format": "pdf"},
    )
    assert r.status_code == 400
    assert "请选择报表的月份。" in r.content.decode()
    assert not ReportJob.objects.exists()


def test_a_request_for_another_communitys_area_is_refused_as_not_found(people: People, tree: Tree) -> None:
    r = login_client(people.other_community_staff).post(
        "/reports/", {"area": tree.community.pk, "kind": "yearly", "year": 2025, "format": "pdf"}
    )
    assert r.status_code == 404
    r = token_client(people.other_community_staff).post(
        "/api/reports",
        {"area_id": tree.community.pk, "kind": "yearly", "year": 2025, "format": "pdf"},
        content_type="application/json",
    )
    assert r.status_code == 404
    assert not ReportJob.objects.exists()


def test_the_requester_downloads_their_report_and_the_download_is_audited(people: People, tree: Tree) -> None:
    job = _done_job(people.community_staff, tree.community)
    client = login_client(people.community_staff)
    assert f'href="/reports/{job.pk}/download/"' in client.get("/reports/").content.decode()
    r = client.get(f"/reports/{job.pk}/download/")
    assert r.status_code == 200
    assert b"".join(r.streaming_content) == b"PK test"
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in r["Content-Disposition"]
    assert "filename*=utf-8''" in r["Content-Disposition"]
    entry = AuditEntry.objects.filter(
        action="export", object_type="reports.reportjob", object_id=str(job.pk)
    ).get()
    assert entry.actor_id == people.community_staff.pk
    assert entry.area_path == tree.community.path


def test_nobody_else_downloads_a_report_not_even_their_street_official(people: People, tree: Tree) -> None:
    job = _done_job(people.community_staff, tree.community)
    for other in (people.other_community_staff, people.street_official, people.far_official, people.resident):
        assert login_client(other).get(f"/reports/{job.pk}/download/").status_code == 404
        api = token_client(other)
        assert api.get(f"/api/reports/{job.pk}/download").status_code == 404
        assert api.get(f"/api/reports/{job.pk}").status_code == 404
        assert all(i["id"] != job.pk for i in api.get("/api/reports").json()["items"])
        assert f"/reports/{job.pk}/download/" not in login_client(other).get("/reports/").content.decode()
    assert not AuditEntry.objects.filter(action="export").exists()


def test_a_requester_who_lost_the_area_no_longer_downloads_it(people: People, tree: Tree) -> None:
    job = _done_job(people.community_staff, tree.community)
    people.community_staff.assignments.all().delete()
    assert login_client(people.community_staff).get(f"/reports/{job.pk}/download/").status_code == 404


def test_the_api_requests_lists_follows_and_downloads(
    people: People, tree: Tree, huey: Any, django_capture_on_commit_callbacks: Any
) -> None:
    api = token_client(people.street_official)
    body = {"area_id": tree.street.pk, "kind": "yearly", "year": 2025, "format": "xlsx"}
    with django_capture_on_commit_callbacks(execute=False):
        r = api.post("/api/reports", body, content_type="application/json")
        assert r.status_code == 201
        job = r.json()
        assert (job["status"], job["progress"], job["download_url"]) == ("queued", 0, None)
        again = api.post("/api/reports", body, content_type="application/json")
        assert again.status_code == 200
        assert again.json()["id"] == job["id"]
    from shequ.reports.services import report_build

    report_build(job["id"])
    followed = api.get(f"/api/reports/{job['id']}").json()
    assert followed["status"] == "done"
    assert followed["progress"] == 100
    assert followed["download_url"] == f"/api/reports/{job['id']}/download"
    assert [i["id"] for i in api.get("/api/reports").json()["items"]] == [job["id"]]
    r = api.get(followed["download_url"])
    assert r.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(r.streaming_content)))
    assert book["指标"]["A1"].value.startswith("大沥镇")


def test_the_api_refuses_unknown_fields_and_bad_values(people: People, tree: Tree) -> None:
    api = token_client(people.street_official)
    base = {"area_id": tree.street.pk, "kind": "yearly", "year": 2025, "format": "xlsx"}
    assert (
        api.post("/api/reports", {**base, "requested_by": 1}, content_type="application/json").status_code
        == 422
    )
    assert api.post("/api/reports", {**base, "month": 13}, content_type="application/json").status_code == 422
    r = api.post("/api/reports", {**base, "format": "docx"}, content_type="application/json")
    assert r.status_code == 400
    assert r.json()["code"] == "format_invalid"
    assert (
        api.post("/api/reports", {**base, "area_id": 999999}, content_type="application/json").status_code
        == 404
    )
