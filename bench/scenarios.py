"""The scenarios, run on one database engine in one process (Django settings are per process).

Each scenario measures the product's own path and a baseline of the layer below in the same run:
writes against executemany/COPY, reads against a hand-written query, pages against a minimal view.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, NoReturn, cast

from bench import appeals
from bench import casework as cw
from bench import deliberation as dlb
from bench import volunteering as vol
from bench.databases import Backend, PostgresBackend, PreparedRows, SqliteBackend, tsv_line
from bench.generator import APPEALS_TODAY, BENCH_TODAY, District, HouseholdRow, PersonRow
from bench.loadgen import LOOPBACK, Request, burst, load
from bench.results import Result, peak_mib, reset_peak
from shequ.core.management.commands.serve import sized_threads, sized_workers

REPO = Path(__file__).resolve().parent.parent
BENCH_PASSWORD = "bench-Pass-2026-shequ"  # noqa: S105 - a throwaway account in a throwaway database # nosec B105
PAGE_SIZE = 50


@dataclass
class Options:
    scale: str
    seed: int
    quick: bool
    seconds: float
    clients: int
    # Only these steps (by name, e.g. ("writes", "backups")); empty: all of them.
    steps: tuple[str, ...] = ()

    @property
    def read_budget(self) -> float:
        """Seconds spent timing each read, alternating product and baseline."""
        return 0.6 if self.quick else 3.0


def log(message: str) -> None:
    print(f"  [{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def run(backend_name: str, options: Options, admin_url: str = "") -> list[Result]:
    """Everything for one engine: fresh databases, writes, reads, HTTP; always cleans up."""
    folder = Path(tempfile.mkdtemp(prefix="shequ_bench_"))
    backend: Backend | None = None
    results: list[Result] = []
    try:
        backend = SqliteBackend(folder) if backend_name == "sqlite" else PostgresBackend(folder, admin_url)
        os.environ["DATABASE_URL"] = backend.django_url()
        os.environ["SHEQU_DATA_DIR"] = str(folder)
        os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
        # As in production: DEBUG keeps every SQL statement in memory and changes what is measured.
        os.environ["SHEQU_DEBUG"] = "0"
        import django

        django.setup()
        from django.core.management import call_command

        log(f"{backend.name}: migrating a fresh database")
        call_command("migrate", verbosity=0)
        from django.db import connections

        connections.close_all()
        backend.clone_empty()
        bench = _Run(backend, options, folder)
        # Reads and pages need the loaded district: after a failed step the rest cannot run, except
        # after the appeals, whose failure leaves the residents' pages to measure (without theirs).
        for step in (
            bench.writes,
            bench.reads,
            bench.appeals,
            bench.http,
            bench.exports,
            bench.volunteering,
            bench.deliberation,
            bench.casework,
            bench.metrics,
            bench.reports,
            bench.backups,
        ):
            if options.steps and step.__name__ not in options.steps:
                continue
            started = time.perf_counter()
            try:
                results.extend(step())
                log(f"{step.__name__} took {time.perf_counter() - started:.1f}s")
            except Exception as exc:
                traceback.print_exc()
                results.append(
                    Result(scenario=step.__name__, backend=backend.name, error=f"{type(exc).__name__}: {exc}")
                )
                if step not in (
                    bench.appeals,
                    bench.http,
                    bench.exports,
                    bench.volunteering,
                    bench.deliberation,
                    bench.casework,
                ):
                    break
    finally:
        if backend is not None:
            from django.db import connections

            connections.close_all()
            backend.drop()
        shutil.rmtree(folder, ignore_errors=True)
    return results


class _Run:
    def __init__(self, backend: Backend, options: Options, folder: Path) -> None:
        self.backend = backend
        self.options = options
        self.folder = folder
        self.district = District(options.scale, options.seed)
        self.community_staff: Any = None  # signs in to the appeal queue once the appeals are loaded

    # --- 1. writes -------------------------------------------------------------------------------

    def writes(self) -> list[Result]:
        log("preparing both paths' input (generate; seal for the baseline; not timed)")
        started = time.perf_counter()
        prepared = self._prepare()
        counts = {table: rows.count for table, rows in prepared.items()}
        log(f"prepared {counts} in {time.perf_counter() - started:.1f}s")
        results = []

        reset_peak()
        started = time.perf_counter()
        raw_areas = self.backend.raw_load(prepared["core_area"])
        raw_area_seconds = time.perf_counter() - started
        started = time.perf_counter()
        raw_people = self.backend.raw_load(prepared["registry_household"])
        raw_people += self.backend.raw_load(prepared["registry_resident"])
        raw_people_seconds = time.perf_counter() - started
        raw_peak = peak_mib()
        log(f"baseline wrote {raw_areas} areas in {raw_area_seconds:.2f}s, {raw_people} people rows")
        expected_people = counts["registry_household"] + counts["registry_resident"]
        if raw_areas != counts["core_area"] or raw_people != expected_people:
            raise RuntimeError(f"baseline wrote {raw_areas} areas and {raw_people} rows, expected {counts}")

        reset_peak()
        started = time.perf_counter()
        self.area_ids = self._product_areas()
        seconds = time.perf_counter() - started
        results.append(
            Result(
                scenario="write: area tree",
                backend=self.backend.name,
                size=raw_areas,
                seconds=seconds,
                rate=raw_areas / seconds,
                baseline="executemany" if self.backend.name == "sqlite" else "COPY",
                baseline_rate=raw_areas / raw_area_seconds,
                target_ratio=0.25,
                peak_mib=peak_mib(),
                notes={
                    "path": "core.services.areas_import (area_create's rules per row, one audit entry)",
                    "raw_peak": raw_peak,
                },
            )
        )
        log(f"product wrote the area tree in {seconds:.1f}s")
        self._check_areas()

        reset_peak()
        started = time.perf_counter()
        written = self._product_people()
        seconds = time.perf_counter() - started
        if written != expected_people:
            raise RuntimeError(f"product wrote {written} people rows, expected {expected_people}")
        results.append(
            Result(
                scenario="write: households+residents",
                backend=self.backend.name,
                size=written,
                seconds=seconds,
                rate=written / seconds,
                baseline="executemany" if self.backend.name == "sqlite" else "COPY",
                baseline_rate=raw_people / raw_people_seconds,
                target_ratio=0.25,
                peak_mib=peak_mib(),
                notes={
                    "path": "seal_personal_data + bulk_create, as demo.load",
                    # What sealing alone cost when preparing the baseline: the floor of this path.
                    "sealing_seconds": round(self.sealing_seconds, 2),
                    "households": counts["registry_household"],
                    "residents": counts["registry_resident"],
                },
            )
        )
        log(f"product wrote {written} people rows in {seconds:.1f}s")
        self._after_load()
        return results

    def _prepare(self) -> dict[str, PreparedRows]:
        """Both paths' input, made before any clock starts. The baseline's rows are exactly what
        Django would insert (every concrete field, through the fields' own conversion), sealed by
        the product's own `seal_personal_data`; the product gets the same households and people as
        plain text, as an import file would hold them. Neither path pays for generating the district."""
        from django.db import connection
        from django.db.models import Field, Model

        from shequ.core.models import Area
        from shequ.registry.models import Household, Resident
        from shequ.registry.services import seal_personal_data

        def prepared(model: type[Model]) -> tuple[PreparedRows, list[Field]]:
            fields = list(model._meta.concrete_fields)
            return PreparedRows(self.backend, model._meta.db_table, [str(f.column) for f in fields]), fields

        def values(obj: Model, fields: list[Field]) -> list[object]:
            return [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]

        areas, area_fields = prepared(Area)
        for a in self.district.areas():
            area = Area(id=a.id, kind=a.kind, name=a.name, code=a.code, parent_id=a.parent_id, path=a.path)
            area.address, area.latitude, area.longitude = a.address, a.latitude, a.longitude
            areas.add(values(area, area_fields))
        areas.close()

        households, household_fields = prepared(Household)
        residents, resident_fields = prepared(Resident)
        self.sealing_seconds = 0.0
        with (self.folder / "people.tsv").open("w", encoding="utf-8") as plain:
            for h in self.district.households():
                plain.write(tsv_line(["H", h.building_id, h.room, h.address]))
                household = Household(id=h.id, area_id=h.building_id, room=h.room, address=h.address)
                households.add(values(household, household_fields))
                for m in h.members:
                    plain.write(tsv_line(["P", m.name, m.id_number, m.phone, m.relation, m.political_status]))
                    started = time.perf_counter()
                    sealed = seal_personal_data(id_number=m.id_number, phone=m.phone, today=BENCH_TODAY)
                    self.sealing_seconds += time.perf_counter() - started
                    resident = Resident(
                        id=m.id,
                        area_id=h.building_id,
                        household_id=h.id,
                        relation=m.relation,
                        name=m.name,
                        political_status=m.political_status,
                        **sealed.__dict__,
                    )
                    residents.add(values(resident, resident_fields))
        households.close()
        residents.close()
        return {"core_area": areas, "registry_household": households, "registry_resident": residents}

    def _product_areas(self) -> dict[int, int]:
        """The whole tree through core.services.areas_import, as an operator (by=None) loads a district:
        every row validated as area_create validates it, bulk-written, one audit entry."""
        from shequ.core import services

        rows = (
            services.AreaRow(
                key=a.id,
                parent=a.parent_id,
                name=a.name,
                code=a.code,
                address=a.address,
                latitude=a.latitude,
                longitude=a.longitude,
            )
            for a in self.district.areas()
        )
        return cast(dict[int, int], services.areas_import(by=None, parent=None, rows=rows))

    def _check_areas(self) -> None:
        """Not timed: the product gave every area the path the generator planned (both streams
        ascend by path, so they are compared side by side without holding either)."""
        from itertools import zip_longest

        from shequ.core.models import Area

        stored = Area.objects.order_by("path").values_list("pk", "path").iterator(chunk_size=5000)
        for a, got in zip_longest(self.district.areas(), stored):
            if a is None or got is None or got != (self.area_ids[a.id], a.path):
                raise RuntimeError(f"areas_import stored {got}, the generator planned {a}")

    def _product_people(self) -> int:
        """Households and residents as demo.load writes them, a batch of households per transaction."""
        from django.db import transaction

        from shequ.core.audit import audit_log
        from shequ.core.models import AuditAction
        from shequ.registry.models import Household, Resident
        from shequ.registry.services import seal_personal_data

        written = 0
        batch: list[Any] = []

        def flush() -> int:
            with transaction.atomic():
                rows = Household.objects.bulk_create(
                    [
                        Household(area_id=self.area_ids[h.building_id], room=h.room, address=h.address)
                        for h in batch
                    ]
                )
                residents = []
                for h, row in zip(batch, rows, strict=True):
                    for m in h.members:
                        sealed = seal_personal_data(id_number=m.id_number, phone=m.phone, today=BENCH_TODAY)
                        residents.append(
                            Resident(
                                area_id=row.area_id,
                                household=row,
                                relation=m.relation,
                                name=m.name,
                                political_status=m.political_status,
                                **sealed.__dict__,
                            )
                        )
                Resident.objects.bulk_create(residents, batch_size=500)
            return len(rows) + len(residents)

        for h in _plain_households(self.folder / "people.tsv"):
            batch.append(h)
            if len(batch) >= 1000:
                written += flush()
                batch = []
        if batch:
            written += flush()
        audit_log(action=AuditAction.IMPORT, object_repr="benchmark district", changes={"rows": [0, written]})
        return written

    def _after_load(self) -> None:
        """Accounts for the reads and pages, and fresh planner statistics as after any bulk import."""
        from django.db import connection

        from shequ.core import services
        from shequ.core.models import Area

        district = Area.objects.get(kind="district")
        street = Area.objects.filter(kind="street").order_by("path").first()
        assert street is not None
        self.admin = services.user_create(
            by=None, username="bench_district", password=BENCH_PASSWORD, role="district_admin", area=district
        )
        self.official = services.user_create(
            by=None, username="bench_street", password=BENCH_PASSWORD, role="street_official", area=street
        )
        self.district_area, self.street_area = district, street
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    # --- 2. reads --------------------------------------------------------------------------------

    def reads(self) -> list[Result]:
        results = []
        for label, area in (("street", self.street_area), ("district", self.district_area)):
            results.append(self._read_counts(label, area))
            results.append(self._read_page(label, area))
        return results

    def _timed_pair(
        self, product: Callable[[], Any], baseline: Callable[[], Any]
    ) -> tuple[float, float, Any, Any]:
        """Median seconds of each, alternating calls so both see the same caches and machine noise."""
        p_value, b_value = product(), baseline()  # warm both; their answers are compared by the caller
        p_times: list[float] = []
        b_times: list[float] = []
        deadline = time.perf_counter() + self.options.read_budget
        while len(p_times) < 5 or (time.perf_counter() < deadline and len(p_times) < 500):
            for fn, times in ((product, p_times), (baseline, b_times)):
                started = time.perf_counter()
                fn()
                times.append(time.perf_counter() - started)
        return statistics.median(p_times), statistics.median(b_times), p_value, b_value

    def _read_result(
        self, name: str, size: int, p: float, b: float, what: str, size_unit: str = "residents"
    ) -> Result:
        return Result(
            scenario=name,
            backend=self.backend.name,
            size=size,
            size_unit=size_unit,
            seconds=p,
            rate=1 / p,
            rate_unit="q/s",
            baseline="hand-written SQL",
            baseline_rate=1 / b,
            target_ratio=0.5,
            peak_mib=peak_mib(),
            notes={"what": what},
        )

    def _read_counts(self, label: str, area: Any) -> Result:
        """The headline counts of an area page: everything under it, counted."""
        from django.db import connection

        from shequ.core import access
        from shequ.core import selectors as core_selectors

        def product() -> tuple[Any, ...]:
            access.forget_roles(self.admin)  # roles are read once per request; so once per call here
            h = core_selectors.area_headline(self.admin, area)
            c = h.counts
            return (
                h.children_by_kind,
                c["households"],
                c["residents"],
                c["aged_60_plus"],
                c["party_members"],
            )

        born_before = _years_ago(60)
        lo, hi = area.path, area.path + ":"

        def baseline() -> tuple[Any, ...]:
            with connection.cursor() as c:
                c.execute(
                    "SELECT kind, COUNT(*) FROM core_area"
                    " WHERE path >= %s AND path < %s AND id <> %s GROUP BY kind",
                    [lo, hi, area.pk],
                )
                by_kind = dict(c.fetchall())
                c.execute(
                    "SELECT COUNT(*) FROM registry_household h JOIN core_area a ON a.id = h.area_id"
                    " WHERE a.path >= %s AND a.path < %s",
                    [lo, hi],
                )
                households = c.fetchone()[0]
                c.execute(
                    "SELECT COUNT(*), SUM(CASE WHEN r.birth_date <= %s THEN 1 ELSE 0 END),"
                    " SUM(CASE WHEN r.political_status = 'party_member' THEN 1 ELSE 0 END),"
                    " SUM(CASE WHEN r.political_status = 'league_member' THEN 1 ELSE 0 END)"
                    " FROM registry_resident r JOIN core_area a ON a.id = r.area_id"
                    " WHERE a.path >= %s AND a.path < %s",
                    [born_before, lo, hi],
                )
                total, aged, party, _league = c.fetchone()
                c.execute(
                    "SELECT COUNT(*) FROM registry_organisation o JOIN core_area a ON a.id = o.area_id"
                    " WHERE a.path >= %s AND a.path < %s",
                    [lo, hi],
                )
                c.fetchone()
            return (by_kind, households, total, int(aged or 0), int(party or 0))

        reset_peak()
        p, b, p_value, b_value = self._timed_pair(product, baseline)
        if p_value != b_value:
            raise RuntimeError(
                f"subtree counts differ: product {p_value}, hand-written {b_value}. If the product's rules"
                " changed, change the hand-written query in bench/scenarios.py (_read_counts) with them."
            )
        return self._read_result(
            f"read: subtree counts · {label}", p_value[2], p, b, "core.selectors.area_headline"
        )

    def _read_page(self, label: str, area: Any) -> Result:
        """The first page of residents under an area, with its total, as the list page asks for it."""
        from django.core.paginator import Paginator
        from django.db import connection

        from shequ.core import access
        from shequ.registry import selectors

        def product() -> tuple[int, list[int]]:
            access.forget_roles(self.admin)
            page = Paginator(selectors.residents_for(self.admin, area=area), PAGE_SIZE).get_page(1)
            return page.paginator.count, [r.pk for r in page.object_list]

        lo, hi = area.path, area.path + ":"
        # The list's rules for a district administrator: residents still living here, and no
        # children under 14 (their data is shown only to those who serve them, PIPL art. 28).
        rules = "r.status = 'active' AND r.birth_date <= %s"
        adults_born_by = _years_ago(14)

        def baseline() -> tuple[int, list[int]]:
            with connection.cursor() as c:
                c.execute(
                    "SELECT COUNT(*) FROM registry_resident r JOIN core_area a ON a.id = r.area_id"  # nosec B608 # {rules} is our own SQL
                    f" WHERE a.path >= %s AND a.path < %s AND {rules}",
                    [lo, hi, adults_born_by],
                )
                total = c.fetchone()[0]
                c.execute(
                    "SELECT r.id, r.name, r.gender, r.birth_date, r.id_number_encrypted, r.phone_encrypted,"  # nosec B608 # {rules} is our own SQL
                    " a.name, h.address FROM registry_resident r JOIN core_area a ON a.id = r.area_id"
                    " LEFT JOIN registry_household h ON h.id = r.household_id"
                    f" WHERE a.path >= %s AND a.path < %s AND {rules}"
                    " ORDER BY a.path, r.household_id, r.id LIMIT %s",
                    [lo, hi, adults_born_by, PAGE_SIZE],
                )
                return total, [row[0] for row in c.fetchall()]

        reset_peak()
        p, b, p_value, b_value = self._timed_pair(product, baseline)
        if p_value != b_value:
            raise RuntimeError(
                f"list pages differ: product total {p_value[0]}, hand-written {b_value[0]}. If the product's"
                " rules changed, change the hand-written query in bench/scenarios.py (_read_page) with them."
            )
        return self._read_result(
            f"read: list page 1 · {label}", p_value[0], p, b, "registry.selectors.residents_for + Paginator"
        )

    # --- 3. appeals (issue 6): the load, and the figures ----------------------------------------------

    def appeals(self) -> list[Result]:
        """~10 appeals a building, written in bulk (not timed: the product has no bulk path), then
        the appeal figures of a street and of the district against the same figures by hand."""
        from django.db import connection

        from shequ.core import services
        from shequ.core.models import Area

        reset_peak()
        started = time.perf_counter()
        users = appeals.load_accounts(self.district, self.area_ids)
        loaded = appeals.load_appeals(self.district, self.area_ids, users)
        self.appeals_loaded = time.perf_counter() - started, peak_mib(), loaded
        log(
            f"wrote {loaded.appeals} appeals, {loaded.steps} steps, {loaded.evaluations} evaluations and"
            f" {loaded.accounts} staff accounts in {self.appeals_loaded[0]:.1f}s (in bulk, not timed)"
        )
        community = Area.objects.filter(kind="community", path__startswith=self.street_area.path)
        self.community_staff = services.user_create(
            by=None,
            username="bench_community",
            password=BENCH_PASSWORD,
            role="community_staff",
            area=community.order_by("path")[0],  # the street's first community
        )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        return [
            self._read_figures("street", self.official, self.street_area),
            self._read_figures("district", self.admin, self.district_area),
        ]

    def _read_figures(self, label: str, user: Any, area: Any) -> Result:
        """The figures of docs/metrics.md for everything under an area, as the area page shows them:
        totals, by child area, category and month, and the time in each stage."""
        from shequ.appeals.metrics import figures_for
        from shequ.core import access

        def product() -> dict[str, Any]:
            access.forget_roles(user)
            return appeals.figures_of(figures_for(user, area, today=APPEALS_TODAY))

        def baseline() -> dict[str, Any]:
            return appeals.figures_by_hand(area.pk, APPEALS_TODAY)

        reset_peak()
        p, b, p_value, b_value = self._timed_pair(product, baseline)
        wrong = appeals.differences(p_value, b_value)
        if wrong:
            raise RuntimeError(
                "appeal figures differ: " + "; ".join(wrong)[:2000] + ". If docs/metrics.md changed, change"
                " the hand-written query in bench/appeals.py (figures_by_hand) with it."
            )
        seconds, load_peak, loaded = self.appeals_loaded
        r = self._read_result(
            f"read: appeal figures · {label}",
            p_value["total"][1],
            p,
            b,
            "appeals.metrics.figures_for",
            size_unit="appeals",
        )
        r.notes.update(
            loaded={"appeals": loaded.appeals, "steps": loaded.steps, "evaluations": loaded.evaluations},
            load_seconds=round(seconds, 1),
            load_peak_mib=round(load_peak),
            load_path="bench.appeals.load_appeals: bulk_create, steps by executemany (no product bulk path)",
        )
        return r

    # --- 4. HTTP ---------------------------------------------------------------------------------

    def http(self) -> list[Result]:
        from django.db import connections

        from shequ.registry.selectors import residents_for

        # What each list holds by the product's rules, asked before the server starts: the pages and
        # the API must show the same.
        in_scope = residents_for(self.official).count()
        queues = self._appeal_queues() if self.community_staff is not None else []
        connections.close_all()  # the server has the database to itself while it is measured
        server = _Server(self.folder)
        try:
            session = server.login("bench_street", BENCH_PASSWORD)
            token = server.token("bench_street", BENCH_PASSWORD)
            cookie = {"Cookie": f"sessionid={session}"}
            bearer = {"Authorization": f"Bearer {token}"}
            server.expect("/bench/minimal", cookie, lambda body: body == b"ok")
            server.expect("/residents/", cookie, lambda body: b"<table" in body and b"****" in body)
            server.expect("/api/residents", bearer, lambda body: json.loads(body).get("count") == in_scope)
            pages = max(1, min(20, in_scope // PAGE_SIZE))
            targets = [
                _Target(
                    "http: /residents/ page",
                    lambda n: f"/residents/?page={n % pages + 1}",
                    cookie,
                    in_scope,
                    "residents",
                ),
                _Target(
                    "http: /api/residents",
                    lambda n: f"/api/residents?page={n % pages + 1}",
                    bearer,
                    in_scope,
                    "residents",
                ),
            ]
            for n, queue in enumerate(queues):
                # CI's --quick run loads the queue page for the street official only (each target
                # costs its seconds on both engines); it still checks the community staff's page.
                targets += self._queue_targets(server, *queue, page=n == 0 or not self.options.quick)
            o = self.options
            log(f"HTTP: {o.clients} clients, {o.seconds:.0f}s per target ({len(targets)} and the baseline)")
            minimal = load(
                server.port, lambda n: "/bench/minimal", headers=cookie, clients=o.clients, seconds=o.seconds
            )
            measured = [
                (t, load(server.port, t.path_of, headers=t.headers, clients=o.clients, seconds=o.seconds))
                for t in targets
            ]
            # Each worker process's own peak (the master only forks them): the largest is what one
            # process needs, the sum what the server needs.
            peaks = [peak_mib(pid) for pid in server.pids()]
            server_peak = max(peaks)
        finally:
            server.stop()
        results = []
        for target, m in measured:
            r = Result(
                scenario=target.name,
                backend=self.backend.name,
                size=target.size,
                size_unit=target.size_unit,
                seconds=m.seconds,
                rate=m.rate,
                rate_unit="req/s",
                baseline="minimal view",
                baseline_rate=minimal.rate,
                target_ratio=0.5,
                target_p95_ms=100.0,
                p50_ms=m.percentile(50) * 1000,
                p95_ms=m.percentile(95) * 1000,
                baseline_p50_ms=minimal.percentile(50) * 1000,
                baseline_p95_ms=minimal.percentile(95) * 1000,
                peak_mib=server_peak,
                notes={
                    "clients": self.options.clients,
                    "requests": m.requests,
                    "baseline_requests": minimal.requests,
                    "server_processes": len(peaks),
                    "server_peak_sum_mib": round(sum(peaks)),
                    "server": f"gunicorn, {sized_workers()} workers × {sized_threads()} threads",
                },
            )
            # A wrong answer fails the run, and so does a load that measured nothing (no request
            # finished within the window); how fast the answers came never does.
            loads = (("minimal view", minimal), (target.name, m))
            r.error = "; ".join(f"{label}: {x.problem()}" for label, x in loads if x.problem())
            r.notes["answered"] = m.answered
            results.append(r)
        return results

    # --- 4b. export (issue 17): the residents' .xlsx against openpyxl writing the same rows ----------

    def exports(self) -> list[Result]:
        """The street official's export of a community (`--quick`) or of the whole street; then
        community staff imports 1,000 new people (`--quick`) or 10,000 into their community."""
        from bench.exports import export_scenario
        from shequ.core.models import Area

        area = self.street_area
        label = "street"
        if self.options.quick:
            area = Area.objects.filter(kind="community", path__startswith=area.path).order_by("path")[0]
            label = "community"
        results = [
            export_scenario(
                backend=self.backend.name,
                label=label,
                official=self.official,
                area=area,
                adults_born_by=_years_ago(14),
            )
        ]
        if self.community_staff is not None:  # imports into their community (made by the appeals step)
            from bench.imports import import_scenario
            from shequ.core import access

            community = access.held_roles(self.community_staff)[0]
            results += import_scenario(
                backend=self.backend.name,
                label="community",
                user=self.community_staff,
                area=Area.objects.get(pk=community.area_id),
                rows=1_000 if self.options.quick else 10_000,
            )
        return results

    def _appeal_queues(self) -> list[tuple[str, str, int, int]]:
        """Who signs in to the appeal queue, and what the product says their queue holds: (label,
        username, appeals in scope, the first one by deadline)."""
        from shequ.appeals.selectors import appeals_for
        from shequ.core import access

        found = []
        for label, username, user in (
            ("street official", "bench_street", self.official),
            ("community staff", "bench_community", self.community_staff),
        ):
            access.forget_roles(user)
            queue = appeals_for(user)  # the queue's default: every appeal in scope, by deadline
            first = queue.values_list("pk", flat=True).first()
            if first is None:
                raise RuntimeError(f"the {label}'s appeal queue is empty: nothing to measure")
            found.append((label, username, queue.count(), first))
        return found

    def _queue_targets(
        self, server: _Server, label: str, username: str, count: int, first: int, *, page: bool
    ) -> list[_Target]:
        """The queue page (if `page`) and its API for one user, each checked once first: the count,
        and the first appeal by deadline."""
        cookie = {"Cookie": f"sessionid={server.login(username, BENCH_PASSWORD)}"}
        bearer = {"Authorization": f"Bearer {server.token(username, BENCH_PASSWORD)}"}
        link = f'href="/appeals/{first}/"'.encode()
        server.expect(
            "/appeals/?page=1", cookie, lambda body: b'data-testid="queue"' in body and link in body
        )

        def api_page_one(body: bytes) -> bool:
            data = json.loads(body)
            return bool(data.get("count") == count and data["items"] and data["items"][0]["id"] == first)

        server.expect("/api/appeals?page=1", bearer, api_page_one)
        pages = max(1, min(20, count // PAGE_SIZE))
        api = _Target(
            f"http: /api/appeals · {label}",
            lambda n: f"/api/appeals?page={n % pages + 1}",
            bearer,
            count,
            "appeals",
        )
        if not page:
            return [api]
        queue_page = _Target(
            f"http: /appeals/ queue · {label}",
            lambda n: f"/appeals/?page={n % pages + 1}",
            cookie,
            count,
            "appeals",
        )
        return [queue_page, api]

    # --- 5b. metrics (issue 8): the district dashboard's figures against the same by hand -----------

    def metrics(self) -> list[Result]:
        """A year of service records, needs, survey answers and visits (bulk, not timed; bench/metrics.py),
        then every figure of the district dashboard for the year by metrics.selectors.area_figures
        against the same figures from hand-written SQL; the answers must be equal."""
        from django.db import connection

        from bench import metrics as metrics_bench
        from shequ.core import access
        from shequ.metrics.selectors import Period, area_figures

        reset_peak()
        loaded = metrics_bench.load(self.options.seed, self.admin)
        log(
            f"loaded {loaded.records} service records, {loaded.needs} needs,"
            f" {loaded.responses} survey answers and {loaded.visits} visits in {loaded.seconds:.1f}s"
        )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        period = Period.year(metrics_bench.YEAR)
        area = self.district_area

        def product() -> dict[str, Any]:
            access.forget_roles(self.admin)
            return metrics_bench.figures_of(area_figures(self.admin, area, period, metrics_bench.KEYS))

        def baseline() -> dict[str, Any]:
            return metrics_bench.figures_by_hand(area.path, period.start, period.end)

        p, b, p_value, b_value = self._timed_pair(product, baseline)
        wrong = metrics_bench.differences(p_value, b_value)
        if wrong:
            raise RuntimeError(
                "dashboard figures differ: "
                + "; ".join(wrong)[:2000]
                + ". If docs/metrics.md changed, change"
                " the hand-written queries in bench/metrics.py (figures_by_hand) with it."
            )
        r = self._read_result(
            "read: dashboard figures · district",
            loaded.records,
            p,
            b,
            "metrics.selectors.area_figures",
            size_unit="service records",
        )
        r.notes.update(
            figures=len(p_value),
            loaded={
                "records": loaded.records,
                "needs": loaded.needs,
                "responses": loaded.responses,
                "visits": loaded.visits,
            },
            load_seconds=round(loaded.seconds, 1),
            sample={k: str(v[2]) for k, v in list(p_value.items())[:4]},
        )
        return [r]

    # --- 6. reports (issue 8): the yearly report of the district, its time and memory --------------

    def reports(self) -> list[Result]:
        """The yearly report of the whole district as .xlsx and as PDF, built by the product's own task
        on everything loaded before (bench/reports.py)."""
        from bench import reports as report_bench

        return report_bench.measure(self.backend.name, self.admin, self.district_area, APPEALS_TODAY.year)

    def backups(self) -> list[Result]:
        """`shequ backup` / `shequ restore` of everything loaded before, against the engine's own tool,
        and on PostgreSQL a base backup and a point-in-time recovery (bench/backup.py)."""
        from bench import backup as backup_bench

        return backup_bench.measure(self.backend, self.folder)

    # --- 5. volunteering (issue 7): hours over N volunteers, and a burst of 1,000 check-ins ------------

    def volunteering(self) -> list[Result]:
        """A year of service hours for N volunteers (written in bulk, not timed), the ranking of a
        street and the yearly recognition list of the district against the same by hand; then 1,000
        volunteers check in to one event through the product's HTTP API at once."""
        from django.db import connection, connections

        reset_peak()
        loaded = vol.load_hours(self.options.scale, self.options.seed)
        log(
            f"loaded {loaded.volunteers} volunteers, {loaded.entries} entries of hours in"
            f" {loaded.activities} activities in {loaded.seconds:.1f}s"
        )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        results = [self._read_ranking(loaded), self._read_recognition(loaded)]
        prepared = vol.prepare_burst(vol.BURST_QUICK if self.options.quick else vol.BURST)
        connections.close_all()  # the server has the database to itself while it is measured
        results.append(self._check_in_burst(prepared))
        return results

    # --- 5b. deliberation (issue 18): 2,000 residents voting within a minute; the public page ----------

    def deliberation(self) -> list[Result]:
        """2,000 residents of a community cast their online vote through the API at once (against a
        raw INSERT of the same ballots); then the community's public decisions page under load
        (against the minimal view)."""
        from django.db import connections

        prepared = dlb.prepare_vote(dlb.VOTERS_QUICK if self.options.quick else dlb.VOTERS)
        raw_rate, raw_seconds = dlb.raw_insert_rate(prepared)
        connections.close_all()  # the server has the database to itself while it is measured
        o = self.options
        server = _Server(self.folder)
        try:
            reset_peak()
            m = burst(server.port, prepared.requests, clients=o.clients)
            server_peak = peak_mib(server.pid)
        finally:
            server.stop()
        rows, voters, tallied = dlb.ballots_after(prepared.vote_id)
        n = len(prepared.requests)
        vote = Result(
            scenario="http: online vote · 1 community",
            backend=self.backend.name,
            size=n,
            size_unit="votes",
            seconds=m.seconds,
            rate=m.rate,
            rate_unit="rows/s",
            baseline="raw INSERT, one commit each",
            baseline_rate=raw_rate,
            target_ratio=0.25,
            p50_ms=m.percentile(50) * 1000,
            p95_ms=m.percentile(95) * 1000,
            peak_mib=server_peak,
            notes={
                "clients": o.clients,
                "path": "POST /api/votes/{id}/cast (services.vote_cast), one bearer token per resident",
                "within_a_minute": m.seconds <= 60,
                "baseline_seconds": round(raw_seconds, 2),
                "ballots": rows,
                "server": "shequ serve (waitress, 8 threads)",
            },
        )
        problems = [f"vote: {m.problem()}"] if m.problem() else []
        if (rows, voters, tallied) != (n, n, n):
            problems.append(
                f"after {n} votes the vote has {rows} ballots of {voters} voters and tallies {tallied}:"
                " expected exactly one vote each"
            )
        vote.error = "; ".join(problems)
        posted = dlb.post_decisions(prepared)
        connections.close_all()
        server = _Server(self.folder)
        path = f"/public/{prepared.community_code}/decisions/"
        try:
            server.expect(path, {}, lambda body: body.count(b"data-decision=") == min(posted, PAGE_SIZE))
            cookie = {"Cookie": f"sessionid={server.login('bench_street', BENCH_PASSWORD)}"}
            minimal = load(
                server.port, lambda n: "/bench/minimal", headers=cookie, clients=o.clients, seconds=o.seconds
            )
            page = load(server.port, lambda n: path, headers={}, clients=o.clients, seconds=o.seconds)
        finally:
            server.stop()
        public = Result(
            scenario="http: public decisions page",
            backend=self.backend.name,
            size=posted,
            size_unit="decisions",
            seconds=page.seconds,
            rate=page.rate,
            rate_unit="req/s",
            baseline="minimal view",
            baseline_rate=minimal.rate,
            target_ratio=0.5,
            target_p95_ms=100.0,
            p50_ms=page.percentile(50) * 1000,
            p95_ms=page.percentile(95) * 1000,
            baseline_p50_ms=minimal.percentile(50) * 1000,
            baseline_p95_ms=minimal.percentile(95) * 1000,
            notes={"clients": o.clients, "requests": page.requests, "signed_in": False},
        )
        public.error = "; ".join(
            f"{label}: {x.problem()}"
            for label, x in (("minimal view", minimal), ("public page", page))
            if x.problem()
        )
        return [vote, public]

    # --- 6. casework (issue 20): 20,000 open cases of 400 supervised workers -------------------------

    def casework(self) -> list[Result]:
        """Open cases, plans, overdue tasks and signed sessions (written in bulk, not timed); the
        caseloads of every supervision link of the district, as its administrator sees them, against
        the same by hand; and one supervisor's own caseload page."""
        from django.db import connection

        reset_peak()
        loaded = cw.load_cases(self.options.scale, self.options.seed)
        log(f"loaded {loaded.cases} cases of {loaded.workers} workers in {loaded.seconds:.1f}s")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        return [self._read_caseloads(loaded)]

    def _read_caseloads(self, loaded: cw.CasesLoaded) -> Result:
        from shequ.casework import selectors
        from shequ.core import access

        user, area = self.admin, self.district_area

        def product() -> list[tuple[Any, ...]]:
            access.forget_roles(user)
            return [
                (
                    r.link_id,
                    r.open_cases,
                    r.high,
                    r.medium,
                    r.low,
                    r.unassessed,
                    r.overdue_tasks,
                    r.escalated_tasks,
                    r.hours,
                )
                for r in selectors.caseloads_for(user, today=cw.TODAY)
            ]

        def baseline() -> list[tuple[Any, ...]]:
            return cw.caseloads_by_hand(area.path, cw.TODAY)

        reset_peak()
        p, b, p_value, b_value = self._timed_pair(product, baseline)
        if p_value != b_value:
            wrong = [(x, y) for x, y in zip(p_value, b_value, strict=False) if x != y][:3]
            raise RuntimeError(
                f"caseloads differ ({len(p_value)} and {len(b_value)} rows; first differences {wrong})."
                " If the selector's rules changed, change bench/casework.py caseloads_by_hand."
            )
        r = self._read_result(
            "read: caseloads · district",
            loaded.cases,
            p,
            b,
            "casework.selectors.caseloads_for (every supervisee of the district: open cases by risk,"
            " overdue tasks, signed hours this month)",
            size_unit="open cases",
        )
        r.notes.update(loaded=loaded.__dict__ | {"notes": None})
        return r

    def _read_ranking(self, loaded: vol.HoursLoaded) -> Result:
        from shequ.core import access
        from shequ.volunteering import selectors

        start, end = date(vol.YEAR, 1, 1), date(vol.YEAR, 12, 31)
        user, area = self.official, self.street_area

        def product() -> list[dict[str, Any]]:
            access.forget_roles(user)
            return selectors.ranking(user, start=start, end=end, limit=100)

        def baseline() -> list[dict[str, Any]]:
            return vol.ranking_by_hand(area.path, start, end, 100)

        reset_peak()
        p, b, p_value, b_value = self._timed_pair(product, baseline)
        if p_value != b_value:
            wrong = [(x, y) for x, y in zip(p_value, b_value, strict=False) if x != y][:3]
            raise RuntimeError(
                f"volunteer rankings differ ({len(p_value)} and {len(b_value)} rows; first differences"
                f" {wrong}). If the selector's rules changed, change bench/volunteering.py ranking_by_hand."
            )
        street_volunteers = self._volunteers_under(area.path)
        r = self._read_result(
            "read: volunteer ranking · street",
            street_volunteers,
            p,
            b,
            "volunteering.selectors.ranking (top 100 by the year's confirmed hours)",
            size_unit="volunteers",
        )
        r.notes.update(loaded=loaded.__dict__ | {"notes": None})
        return r

    def _read_recognition(self, loaded: vol.HoursLoaded) -> Result:
        from shequ.core import access
        from shequ.volunteering import selectors

        user, area = self.admin, self.district_area

        def product() -> Any:
            access.forget_roles(user)
            return vol.recognition_of(selectors.recognition(user, year=vol.YEAR, limit=None))

        def baseline() -> Any:
            return vol.recognition_by_hand(area.path, vol.YEAR)

        reset_peak()
        p, b, p_value, b_value = self._timed_pair(product, baseline)
        if p_value != b_value:
            wrong = [(x, y) for x, y in zip(p_value[0], b_value[0], strict=False) if x != y][:3]
            raise RuntimeError(
                f"yearly recognition lists differ ({len(p_value[0])} and {len(b_value[0])} rows, stars"
                f" {p_value[1]} and {b_value[1]}; first differences {wrong}). If the selector's rules"
                " changed, change bench/volunteering.py recognition_by_hand."
            )
        r = self._read_result(
            "read: yearly recognition · district",
            loaded.volunteers,
            p,
            b,
            "volunteering.selectors.recognition (the whole list with stars)",
            size_unit="volunteers",
        )
        r.notes.update(listed=len(p_value[0]), star_counts=p_value[1], entries=loaded.entries)
        return r

    @staticmethod
    def _volunteers_under(path: str) -> int:
        from shequ.volunteering.models import Volunteer

        return Volunteer.objects.filter(area__path__startswith=path, resident__isnull=False).count()

    def _check_in_burst(self, prepared: vol.Burst) -> Result:
        """Every volunteer's phone posts the scanned code once, 16 at a time; the baseline is the same
        number of requests to the minimal view through the same server."""
        o = self.options
        server = _Server(self.folder)
        try:
            cookie = {"Cookie": f"sessionid={server.login('bench_street', BENCH_PASSWORD)}"}
            # The baseline's rate needs fewer requests to be steady: CI's --quick sends a quarter.
            baseline_n = len(prepared.requests) // 4 if o.quick else len(prepared.requests)
            minimal = burst(
                server.port, [Request("GET", "/bench/minimal", cookie)] * baseline_n, clients=o.clients
            )
            reset_peak()
            m = burst(server.port, prepared.requests, clients=o.clients)
            # Each worker process's own peak (the master only forks them): the largest is what one
            # process needs, the sum what the server needs.
            peaks = [peak_mib(pid) for pid in server.pids()]
            server_peak = max(peaks)
        finally:
            server.stop()
        rows, signups, volunteers = vol.attendance_after(prepared.activity_id)
        n = len(prepared.requests)
        r = Result(
            scenario="http: check-in burst · 1 event",
            backend=self.backend.name,
            size=n,
            size_unit="check-ins",
            seconds=m.seconds,
            rate=m.rate,
            rate_unit="req/s",
            baseline="minimal view",
            baseline_rate=minimal.rate,
            target_ratio=0.25,
            p50_ms=m.percentile(50) * 1000,
            p95_ms=m.percentile(95) * 1000,
            baseline_p50_ms=minimal.percentile(50) * 1000,
            baseline_p95_ms=minimal.percentile(95) * 1000,
            peak_mib=server_peak,
            notes={
                "clients": o.clients,
                "path": "POST /api/check-in (services.attendance_scan), one bearer token per volunteer",
                "attendance_rows": rows,
                "server": "shequ serve (waitress, 8 threads)",
            },
        )
        problems = [
            f"{label}: {x.problem()}"
            for label, x in (("minimal view", minimal), ("check-in", m))
            if x.problem()
        ]
        if (rows, signups, volunteers) != (n, n, n):
            problems.append(
                f"after {n} check-ins the activity has {rows} attendance rows for {signups} sign-ups and"
                f" {volunteers} volunteers: expected exactly {n} of each (no duplicate, no loss)"
            )
        r.error = "; ".join(problems)
        return r


@dataclass
class _Target:
    """One page or API list put under load: requests go to `path_of(n)`, n counting requests."""

    name: str
    path_of: Callable[[int], str]
    headers: dict[str, str]
    size: int
    size_unit: str


def _plain_households(path: Path) -> Iterator[HouseholdRow]:
    """The prepared import file back as households with their members (ids are not needed)."""
    household: HouseholdRow | None = None
    with path.open(encoding="utf-8") as f:
        for line in f:
            kind, *v = line.rstrip("\n").split("\t")
            if kind == "H":
                if household is not None:
                    yield household
                household = HouseholdRow(0, int(v[0]), v[1], v[2])
            elif household is not None:
                name, id_number, phone, relation, status = v
                household.members.append(PersonRow(0, name, id_number, phone, relation, _NO_DATE, "", status))
    if household is not None:
        yield household


_NO_DATE = date.min  # the product derives birth date and sex from the ID number itself


def _years_ago(years: int, today: date | None = None) -> date:
    # The same cut-off as registry.selectors (ages against the real today, not the plan's).
    today = today or date.today()
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return int(s.getsockname()[1])


class _Server:
    """`shequ serve` on a free loopback port, with the bench settings (product URLs + minimal view)."""

    def __init__(self, folder: Path) -> None:
        self.port = _free_port()
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"}
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
        shequ = Path(sys.executable).with_name("shequ")
        command = [str(shequ)] if shequ.exists() else [sys.executable, "-m", "shequ.cli"]
        self.log_path = folder / "server.log"
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments # nosec B603
            # The production configuration: gunicorn, one worker process per core, threads in each
            # (no scheduler: nothing is due in the bench's data, and it would share the cores).
            [
                *command,
                "serve",
                "--server",
                "gunicorn",
                "--no-scheduler",
                "--host",
                LOOPBACK,
                "--port",
                str(self.port),
            ],
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self.pid = self.process.pid
        deadline = time.monotonic() + 60
        while True:
            try:
                if self.request("GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"shequ serve did not start: {self.log_path.read_text()[-2000:]}")
            time.sleep(0.2)

    def pids(self) -> list[int]:
        """The server's process and its children (gunicorn's workers)."""
        found = [self.pid]
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if fields[1] == str(self.pid):
                found.append(int(stat.parent.name))
        return found

    def request(
        self, method: str, path: str, headers: dict[str, str] | None = None, body: bytes | None = None
    ) -> tuple[int, http.client.HTTPMessage, bytes]:
        conn = http.client.HTTPConnection(LOOPBACK, self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response.status, response.msg, response.read()
        finally:
            conn.close()

    @staticmethod
    def _cookie(message: http.client.HTTPMessage, name: str) -> str:
        for header in message.get_all("Set-Cookie") or []:
            if header.startswith(f"{name}="):
                return header.split(";", 1)[0].split("=", 1)[1]
        raise RuntimeError(f"no {name} cookie in the response")

    def login(self, username: str, password: str) -> str:
        """Sign in through the login page like a browser; returns the session id."""
        status, message, body = self.request("GET", "/login/")
        csrf = self._cookie(message, "csrftoken")
        found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if status != 200 or found is None:
            self.fail(f"login page answered {status} without a CSRF token")
        from urllib.parse import urlencode

        form = urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": found.group(1).decode()}
        ).encode()
        status, message, _body = self.request(
            "POST",
            "/login/",
            {"Cookie": f"csrftoken={csrf}", "Content-Type": "application/x-www-form-urlencoded"},
            form,
        )
        if status != 302:
            self.fail(f"sign-in answered {status}, expected a redirect")
        return self._cookie(message, "sessionid")

    def token(self, username: str, password: str) -> str:
        payload = json.dumps({"username": username, "password": password, "name": "bench"}).encode()
        status, _message, body = self.request(
            "POST", "/api/auth/token", {"Content-Type": "application/json"}, payload
        )
        if status != 200:
            self.fail(f"token issuing answered {status}: {body[:200]!r}")
        return str(json.loads(body)["token"])

    def expect(self, path: str, headers: dict[str, str], check: Callable[[bytes], bool]) -> None:
        """One request before the load, so a wrong page fails the run rather than being timed."""
        status, _message, body = self.request("GET", path, headers)
        if status != 200 or not check(body):
            self.fail(f"GET {path} answered {status} with an unexpected body: {body[:300]!r}")

    def fail(self, message: str) -> NoReturn:
        """A check failed: say what, with the end of the server's log (its traceback, if any)."""
        self._log.flush()
        tail = self.log_path.read_text(errors="replace")[-3000:].strip() or "(empty)"
        raise RuntimeError(f"{message}\n--- the end of the server's log ---\n{tail}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
