"""The report's time and memory (issue 8): the yearly report of the whole district, built by the
product's own task (shequ.reports.services.report_build) as the district administrator, as a PDF
with its charts, on whatever the run has loaded by then (residents, appeals, volunteer hours). The
same gathered figures are then written as .xlsx too, timed alone, so the run pays for the figures once.

Reported: the seconds the task took from claiming the job to the stored file, and in the notes how
they split between gathering the figures and writing the PDF, the .xlsx writer's seconds; the
process's peak resident memory during the build (VmHWM, reset before) and how much that peak grew
over the memory held before it; the files' sizes, the PDF's pages and the progress steps the
requester would have seen. A report has no hand-written baseline: what it computes are the metrics'
figures, which their own scenario compares with SQL; here the time and the memory are the result.
"""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Any

from bench.results import Result, peak_mib, reset_peak


def rss_mib() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def build_yearly(user: Any, area: Any, year: int) -> dict[str, Any]:
    """One yearly PDF report built by the task itself, then the same figures written as .xlsx."""
    from django.urls import get_resolver
    from pypdf import PdfReader

    from shequ.core import access
    from shequ.reports import services
    from shequ.reports.models import JobStatus, ReportJob
    from shequ.reports.xlsx import write_xlsx

    # A worker that has served one task has imported the URLs (the figures' links are reversed); a
    # fresh process pays ~10 s for that once, which is not the report's cost.
    get_resolver().url_patterns  # noqa: B018
    access.forget_roles(user)
    # Made directly rather than through report_request, which would also put it on the queue: the
    # build is timed here, in this process.
    job = ReportJob.objects.create(area=area, kind="yearly", year=year, format="pdf", requested_by=user)
    steps: list[int] = []
    seen: dict[str, Any] = {}
    progress, render = services._progress, services.render

    def counting(job_id: int, percent: int, message: str) -> None:
        steps.append(percent)
        progress(job_id, percent, message)

    def timed_render(content: Any, fmt: str) -> bytes:
        started = time.perf_counter()
        data = render(content, fmt)
        seen.update(content=content, write_seconds=time.perf_counter() - started)
        return data

    services._progress, services.render = counting, timed_render  # type: ignore[assignment]
    before = rss_mib()
    reset_peak()
    started = time.perf_counter()
    try:
        services.report_build(job.pk)
    finally:
        services._progress, services.render = progress, render
    seconds = time.perf_counter() - started
    peak = peak_mib()
    job.refresh_from_db()
    if job.status != JobStatus.DONE:
        raise RuntimeError(f"the yearly report failed: {job.error}")
    pdf = Path(job.file.path).read_bytes()
    started = time.perf_counter()
    xlsx = write_xlsx(seen["content"])
    xlsx_seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "peak_mib": peak,
        "growth_mib": max(peak - before, 0.0),
        "figures_seconds": seconds - seen["write_seconds"],
        "pdf_write_seconds": seen["write_seconds"],
        "xlsx_write_seconds": xlsx_seconds,
        "pdf_bytes": len(pdf),
        "pdf_pages": len(PdfReader(io.BytesIO(pdf)).pages),
        "xlsx_bytes": len(xlsx),
        "steps": len(steps),
    }


def measure(backend: str, user: Any, area: Any, year: int) -> list[Result]:
    from shequ.core.models import Area
    from shequ.registry.models import Resident

    residents = Resident.objects.filter(area__path__startswith=area.path).count()
    m = build_yearly(user, area, year)
    return [
        Result(
            scenario="report: yearly · district",
            backend=backend,
            size=residents,
            size_unit="residents",
            seconds=m["seconds"],
            rate=60 / m["seconds"] if m["seconds"] else 0.0,
            rate_unit="reports/min",
            baseline="none (time and memory are the result)",
            peak_mib=m["peak_mib"],
            notes={
                "what": "reports.services.report_build (PDF): year, 12 months, each street, targets, file",
                "year": year,
                "areas_below": Area.objects.filter(parent=area).count(),
                "figures_seconds": round(m["figures_seconds"], 2),
                "pdf_write_seconds": round(m["pdf_write_seconds"], 3),
                "xlsx_write_seconds": round(m["xlsx_write_seconds"], 3),
                "memory_growth_mib": round(m["growth_mib"], 1),
                "pdf_bytes": m["pdf_bytes"],
                "pdf_pages": m["pdf_pages"],
                "xlsx_bytes": m["xlsx_bytes"],
                "progress_steps": m["steps"],
            },
        )
    ]
