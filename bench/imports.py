"""The residents' import (issue 17) against its baseline: openpyxl's read-only parse of the same file
and the same bulk insert without validation (households by building and room, residents sealed and
bulk-created), in a transaction rolled back so the product then imports the same people."""

from __future__ import annotations

import io
import time
from datetime import date, timedelta
from typing import Any

from openpyxl import Workbook, load_workbook

from bench.results import Result, current_mib, peak_mib, reset_peak

REGION = "650102"  # a region the generator never uses: the imported people are new to the registry
NAMES = "张王李赵刘陈杨黄周吴"
GIVEN = "伟芳娜敏静丽强磊军洋"


def _file(buildings: list[tuple[str, str]], rows: int) -> bytes:
    """An import file as an office fills in the template: `rows` people, three to a household."""
    from shequ.core.idnumber import make_id_number
    from shequ.registry.importing import COLUMNS

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("居民")
    sheet.append([c.header for c in COLUMNS])
    for i in range(rows):
        grid, building = buildings[(i // 3) % len(buildings)]
        gender = "M" if i % 2 else "F"
        born = date(1950, 1, 1) + timedelta(days=i // 400)
        values = {
            "name": NAMES[i % 10] + GIVEN[(i // 10) % 10] + GIVEN[(i // 100) % 10],
            "id_number": make_id_number(REGION, born, i % 400, gender),
            "grid": grid,
            "building": building,
            "room": f"导入{i // 3}",
            "relation": "户主" if i % 3 == 0 else "子女",
        }
        sheet.append([values.get(c.key, "") for c in COLUMNS])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _baseline(content: bytes, area_of: dict[tuple[str, str], Any]) -> int:
    """Parse with openpyxl (read-only) and insert without validation, as the commit inserts."""
    from django.db import transaction

    from shequ.registry.importing import COLUMNS
    from shequ.registry.models import Household, Resident
    from shequ.registry.services import seal_personal_data

    fields = [c.key for c in COLUMNS]
    written = 0
    with transaction.atomic():
        sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
        batch: list[dict[str, Any]] = []

        def flush() -> None:
            households: dict[tuple[int, str], Household] = {}
            for row in batch:
                key = (row["area"].pk, row["room"])
                households.setdefault(key, Household(area=row["area"], room=row["room"], address=row["room"]))
            Household.objects.bulk_create(list(households.values()))
            people = []
            for row in batch:
                sealed = seal_personal_data(id_number=row["id_number"], phone="")
                people.append(
                    Resident(
                        area=row["area"],
                        household=households[(row["area"].pk, row["room"])],
                        name=row["name"],
                        relation=row["relation"],
                        **sealed.__dict__,
                    )
                )
            Resident.objects.bulk_create(people)
            batch.clear()

        for values in sheet.iter_rows(min_row=2, values_only=True):
            row = dict(zip(fields, ("" if v is None else str(v) for v in values), strict=False))
            row["area"] = area_of[(row["grid"], row["building"])]
            batch.append(row)
            written += 1
            if len(batch) == 1000:
                flush()
        if batch:
            flush()
        transaction.set_rollback(True)
    return written


def import_scenario(*, backend: str, label: str, user: Any, area: Any, rows: int) -> list[Result]:
    """`registry.importing.validate` (the check) then `commit`, as `shequ import-residents` runs
    them, against the baseline above; both read the same generated file."""
    from shequ.core import access
    from shequ.core.models import Area, AuditEntry
    from shequ.registry import importing

    buildings = Area.objects.filter(path__startswith=area.path, kind="building").select_related("parent")
    area_of = {(b.parent.name if b.parent else "", b.name): b for b in buildings.order_by("path")[:200]}
    content = _file(list(area_of), rows)
    access.forget_roles(user)
    started = time.perf_counter()
    written = _baseline(content, area_of)
    baseline_seconds = time.perf_counter() - started
    audits = AuditEntry.objects.count()
    reset_peak()
    held = current_mib()
    started = time.perf_counter()
    job = importing.validate(user=user, area=area, data=io.BytesIO(content), filename="bench.xlsx")
    checked = time.perf_counter() - started
    created = importing.commit(user=user, job=job)
    both = time.perf_counter() - started
    peak = peak_mib()
    notes = {
        "file_kib": round(len(content) / 1024),
        "memory_growth_mib": round(peak - held, 1),
        "audit_entries": AuditEntry.objects.count() - audits,
        "check_seconds": round(checked, 2),
    }
    results = []
    for name, seconds in (("check", checked), ("check + commit", both)):
        results.append(
            Result(
                scenario=f"import: residents .xlsx · {name} · {label}",
                backend=backend,
                size=rows,
                size_unit="rows",
                seconds=seconds,
                rate=rows / seconds,
                rate_unit="rows/s",
                baseline="openpyxl read-only + bulk insert",
                baseline_rate=written / baseline_seconds,
                target_ratio=0.25,
                peak_mib=peak,
                notes=notes,
            )
        )
    problems = []
    if job.error_rows:
        problems.append(f"{job.error_rows} rows refused: {importing.problems_of(job)[:3]}")
    if created != rows or written != rows:
        problems.append(f"the product created {created}, the baseline wrote {written}, of {rows} rows")
    results[-1].error = "; ".join(problems)
    return results
