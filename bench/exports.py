"""The residents' export (issue 17) against its baseline: openpyxl in write-only mode writing the same
rows. The baseline's rows are worked out before the clock starts, by hand-written SQL and the same
masks (the layer below the export); both files are then read back and must be equal cell for cell."""

from __future__ import annotations

import io
import time
from typing import Any

from openpyxl import Workbook, load_workbook

from bench.results import Result, current_mib, peak_mib, reset_peak

GENDERS = {"M": "男", "F": "女"}


def _rows_by_hand(area: Any, adults_born_by: Any) -> list[list[Any]]:
    """The export's rows for a street official: active adults under `area`, in the list's order,
    numbers masked as every screen masks them; groups from the age and `living_alone` (the bench
    writes no special-group records)."""
    from django.db import connection

    from shequ.core.crypto import decrypt
    from shequ.core.idnumber import mask_id_number, mask_phone
    from shequ.registry.models import PoliticalStatus
    from shequ.registry.sealed import ID_CONTEXT, PHONE_CONTEXT

    politics = {str(k): str(v) for k, v in PoliticalStatus.choices}
    from shequ.registry.models import SPECIAL_GROUPS

    aged, alone = str(SPECIAL_GROUPS["aged_60"]), str(SPECIAL_GROUPS["living_alone"])
    from datetime import date

    today = date.today()
    with connection.cursor() as c:
        c.execute(
            "SELECT r.name, r.gender, r.birth_date, r.id_number_encrypted, r.phone_encrypted, g.name, a.name,"
            " h.address, r.relation, r.political_status, r.living_alone"
            " FROM registry_resident r JOIN core_area a ON a.id = r.area_id"
            " LEFT JOIN core_area g ON g.id = a.parent_id"
            " LEFT JOIN registry_household h ON h.id = r.household_id"
            " WHERE a.path >= %s AND a.path < %s AND r.status = 'active' AND r.birth_date <= %s"
            " ORDER BY a.path, r.household_id, r.id",
            [area.path, area.path + ":", adults_born_by],
        )
        rows = []
        for name, gender, born, id_enc, phone_enc, grid, building, address, relation, politic, lone in c:
            born = born if isinstance(born, date) else date.fromisoformat(born)
            age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
            tags = [t for t, on in ((aged, age >= 60), (alone, bool(lone))) if on]
            phone = mask_phone(decrypt(phone_enc, context=PHONE_CONTEXT)) if phone_enc else ""
            rows.append(
                [
                    name,
                    GENDERS.get(gender, gender),
                    born.isoformat(),
                    mask_id_number(decrypt(id_enc, context=ID_CONTEXT)),
                    phone,
                    grid or "",
                    building,
                    address or "",
                    relation,
                    politics.get(politic, politic),
                    "、".join(tags),
                ]
            )
    return rows


def _write_baseline(headers: list[str], rows: list[list[Any]]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="居民")
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _cells(content: bytes) -> list[tuple[Any, ...]]:
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [tuple("" if v is None else v for v in row) for row in sheet.iter_rows(values_only=True)]


def export_scenario(*, backend: str, label: str, official: Any, area: Any, adults_born_by: Any) -> Result:
    """`registry.services.residents_export` (masked, audited, formula-safe) of every resident the
    official sees under `area`, against the same rows written by openpyxl in write-only mode."""
    from django.test.utils import override_settings

    from shequ.core import access
    from shequ.core.models import AuditEntry
    from shequ.registry import selectors, services
    from shequ.registry.exports import EXPORT_HEADERS

    rows = _rows_by_hand(area, adults_born_by)  # not timed: the baseline's input
    access.forget_roles(official)
    audits = AuditEntry.objects.count()
    reset_peak()
    held = current_mib()
    started = time.perf_counter()
    # The bulk-export grant is a count and a lookup before the rows; the harness lifts the limit
    # rather than approving a grant for its throwaway account.
    with override_settings(BULK_EXPORT_ROWS=10**9):
        content = services.residents_export(
            by=official,
            residents=selectors.residents_for(official, area=area),
            area_path=area.path,
            filters="",
        )
    product_seconds = time.perf_counter() - started
    product_peak = peak_mib()
    started = time.perf_counter()
    baseline = _write_baseline(EXPORT_HEADERS, rows)
    baseline_seconds = time.perf_counter() - started
    result = Result(
        scenario=f"export: residents .xlsx · {label}",
        backend=backend,
        size=len(rows),
        size_unit="residents",
        seconds=product_seconds,
        rate=len(rows) / product_seconds,
        rate_unit="rows/s",
        baseline="openpyxl write-only, same rows",
        baseline_rate=len(rows) / baseline_seconds,
        target_ratio=0.25,
        peak_mib=product_peak,
        notes={
            # Peak resident memory over what the process held before the export: the rows stream
            # (iterator, write-only workbook); what grows is the finished file, held as bytes.
            "memory_growth_mib": round(product_peak - held, 1),
            "file_kib": round(len(content) / 1024),
            "audit_entries": AuditEntry.objects.count() - audits,
        },
    )
    problems = []
    if result.notes["audit_entries"] != 1:
        problems.append(f"the export wrote {result.notes['audit_entries']} audit entries, not 1")
    product_cells, baseline_cells = _cells(content), _cells(baseline)
    if product_cells != baseline_cells:
        differ = (
            next(
                (i, p, b)
                for i, (p, b) in enumerate(zip(product_cells, baseline_cells, strict=False))
                if p != b
            )
            if len(product_cells) == len(baseline_cells)
            else (len(product_cells), len(baseline_cells), "rows")
        )
        problems.append(f"the export's cells differ from the baseline's: {differ}")
    result.error = "; ".join(problems)
    return result
