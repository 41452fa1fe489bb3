"""The benchmark's generator makes data the product itself accepts, and the same data every time."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from bench import generator
from bench.generator import BENCH_TODAY, District, age_on
from bench.loadgen import LOOPBACK, load
from bench.results import Result, table
from shequ.core import services
from shequ.core.idnumber import birth_date_of, gender_of, id_number_problem, phone_problem
from shequ.core.models import PATH_STEP, Area
from shequ.registry.models import Resident
from shequ.registry.services import seal_personal_data


def test_generator_paths_step_like_the_area_tree() -> None:
    assert generator.PATH_STEP == PATH_STEP


def test_the_same_seed_gives_the_same_district_and_another_seed_another() -> None:
    assert District("tiny").digest() == District("tiny").digest()
    assert District("tiny").digest() != District("tiny", seed=7).digest()


def test_people_have_valid_unique_id_numbers_and_phones() -> None:
    people = [m for h in District("tiny").households() for m in h.members]
    assert len(people) > 200
    assert len({p.id_number for p in people}) == len(people)
    phones = [p.phone for p in people if p.phone]
    assert len(set(phones)) == len(phones)
    for p in people:
        assert id_number_problem(p.id_number, today=BENCH_TODAY) is None
        assert birth_date_of(p.id_number) == p.birth_date
        assert gender_of(p.id_number) == p.gender
        assert (p.phone == "") == (age_on(p.birth_date) < 16)
        assert not p.phone or phone_problem(p.phone) is None


def test_small_scale_has_the_districts_shares() -> None:
    district = District("small")
    households = people = aged = 0
    for h in district.households():
        households += 1
        people += len(h.members)
        aged += sum(age_on(m.birth_date) >= 60 for m in h.members)
    assert 18_000 <= people <= 22_000
    assert 2.8 <= people / households <= 3.3
    assert 0.17 <= aged / people <= 0.21


def test_scales_have_the_shape_the_issue_asks_for() -> None:
    d = generator.SCALES["district"]
    assert (d.streets, d.streets * d.communities_per_street) == (10, 100)
    assert d.streets * d.communities_per_street * d.grids_per_community == 2_000
    assert d.buildings == 20_000
    assert d.households == 330_000


def test_the_product_accepts_the_whole_tiny_district(db: None) -> None:
    # area_create validates codes (shape, parent prefix, uniqueness) and assigns the paths itself.
    district = District("tiny")
    parents: dict[int, Area] = {}
    ids: dict[int, int] = {}
    for a in district.areas():
        area = services.area_create(
            by=None,
            parent=parents.get(a.parent_id) if a.parent_id else None,
            name=a.name,
            code=a.code,
            address=a.address,
            latitude=a.latitude,
            longitude=a.longitude,
        )
        assert area.path == a.path
        assert area.kind == a.kind
        parents[a.id] = area
        ids[a.id] = area.pk
    kinds = Counter(Area.objects.values_list("kind", flat=True))
    assert kinds == Counter(a.kind for a in district.areas())

    residents = [
        Resident(
            area_id=ids[h.building_id],
            name=m.name,
            relation=m.relation,
            political_status=m.political_status,
            **seal_personal_data(id_number=m.id_number, phone=m.phone, today=BENCH_TODAY).__dict__,
        )
        for h in district.households()
        for m in h.members
    ]
    Resident.objects.bulk_create(residents)
    assert Resident.objects.count() == len(residents)


def test_the_product_imports_the_whole_tiny_district_in_one_call_with_the_planned_paths(db: None) -> None:
    # What the benchmark's area-tree scenario times: the bulk path with area_create's rules.
    district = District("tiny")
    rows = [
        services.AreaRow(key=a.id, parent=a.parent_id, name=a.name, code=a.code, address=a.address)
        for a in district.areas()
    ]
    ids = services.areas_import(by=None, parent=None, rows=rows)
    stored = dict(Area.objects.values_list("pk", "path"))
    assert all(stored[ids[a.id]] == a.path for a in district.areas())


# --- the load generator: a wrong answer or an empty window fails the scenario, never a slow one ----


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the load generator expects

    def do_GET(self) -> None:
        if self.path == "/slow":
            time.sleep(0.6)
        status = 500 if self.path == "/bad" else 200
        body = b"ok" if status == 200 else b"boom"
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def port() -> Iterator[int]:
    server = ThreadingHTTPServer((LOOPBACK, 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


def test_a_load_of_right_answers_is_a_measurement(port: int) -> None:
    measured = load(port, lambda n: "/ok", headers={}, clients=2, seconds=0.3, warmup=0.05)
    assert measured.problem() == ""
    assert measured.requests > 0
    assert measured.rate > 0
    assert measured.errors == 0


def test_a_wrong_answer_fails_the_load_even_during_warm_up(port: int) -> None:
    # Each client's first request (n = 1000 * client + 1) goes wrong; all later ones are right.
    measured = load(
        port, lambda n: "/bad" if n % 1000 == 1 else "/ok", headers={}, clients=2, seconds=0.2, warmup=0.3
    )
    assert measured.errors == 2
    assert "2 of" in measured.problem()
    assert "HTTP 500" in measured.problem()


def test_a_window_in_which_no_request_finished_fails_the_load_rather_than_reading_zero(port: int) -> None:
    measured = load(port, lambda n: "/slow", headers={}, clients=2, seconds=0.2, warmup=0.05)
    assert measured.requests == 0
    assert measured.answered == 2
    assert "nothing was measured" in measured.problem()


def test_a_failed_scenario_is_printed_as_an_error_with_its_reason() -> None:
    failed = Result(scenario="http: /api/residents", backend="postgres", error="http: nothing was measured")
    text = table([failed])
    assert "ERROR" in text
    assert "nothing was measured" in text
    assert not failed.meets_target


# --- appeals (issue 6): valid by the product's rules, and figures that agree with metrics.py -------


def test_the_appeal_generator_repeats_the_products_constants() -> None:
    from django.conf import settings

    from shequ.appeals import models as appeal_models
    from shequ.appeals import services as appeal_services

    assert tuple(appeal_models.LEVEL_ORDER) == generator.LEVELS
    assert tuple(appeal_models.OPEN_STAGES) == generator.OPEN_STAGES
    assert tuple(appeal_models.DEADLINE_STAGES) == generator.DEADLINE_STAGES
    assert tuple(appeal_services.ESCALATABLE) == generator.ESCALATABLE
    assert generator.WARN_FRACTION == appeal_services.WARN_FRACTION
    # Every action the plans take leads where the product's transition does (reopen is never planned).
    transitions = {a: t for a, (_sources, t) in appeal_services.TRANSITIONS.items()}
    assert generator.TARGET_STAGE.items() <= transitions.items()
    assert {appeal_models.LEVEL_AREA_KIND[level] for level in generator.LEVELS} == set(generator.ROLE_OF_KIND)
    assert str(generator.SHANGHAI) == settings.TIME_ZONE


def test_the_appeal_taxonomy_is_the_one_the_migration_seeds(db: None) -> None:
    from shequ.appeals.models import Category, StageDeadline

    categories, hours = generator.taxonomy()
    assert [(c.code, c.name, c.default_level) for c in Category.objects.order_by("order")] == categories
    stored = StageDeadline.objects.values_list("category__code", "priority", "stage", "hours")
    assert {(code, p, s): h for code, p, s, h in stored} == hours
    assert set(generator.CATEGORY_WEIGHTS) == {code for code, _name, _level in categories}


def test_appeals_are_the_same_every_time_and_spread_like_a_districts_year() -> None:
    assert [repr(a) for a in District("tiny").appeals()] == [repr(a) for a in District("tiny").appeals()]
    appeals = list(District("small").appeals())
    assert 3_600 <= len(appeals) <= 4_400  # ~200,000 at district scale: 50 times the buildings
    stages = Counter(a.stage for a in appeals)
    assert set(stages) == set(generator.TARGET_STAGE.values()) | {"reported"}
    assert 0.03 <= sum(stages[s] for s in generator.OPEN_STAGES) / len(appeals) <= 0.15
    assert set(Counter(a.level for a in appeals)) == set(generator.LEVELS)
    assert len(Counter(a.category for a in appeals)) == len(generator.CATEGORY_WEIGHTS)
    assert len({(a.reported_at.year, a.reported_at.month) for a in appeals}) == 12
    assert all(generator.APPEALS_SINCE <= s.at <= generator.APPEALS_NOW for a in appeals for s in a.steps)
    assert 0.3 <= sum(a.score is not None for a in appeals) / len(appeals) <= 0.7
    places = Counter(len(a.area_path) for a in appeals)  # buildings, grids and communities
    assert len(places) == 3
    assert places.most_common(1)[0][0] == 20


def _load_tiny_appeals() -> tuple[District, dict[int, int], dict[str, tuple[int, str]], Any]:
    from bench.appeals import load_accounts, load_appeals

    district = District("tiny")
    rows = [
        services.AreaRow(key=a.id, parent=a.parent_id, name=a.name, code=a.code, address=a.address)
        for a in district.areas()
    ]
    area_ids = services.areas_import(by=None, parent=None, rows=rows)
    users = load_accounts(district, area_ids)
    return district, area_ids, users, load_appeals(district, area_ids, users)


def _fields(obj: Any, *leave_out: str) -> dict[str, Any]:
    """Every stored column of a row (editable or not), less the ones named."""
    skip = {"id", "created_at", "updated_at", *leave_out}
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if f.attname not in skip}


def _snapshot(ids: dict[int, int]) -> dict[int, Any]:
    """Every column of each appeal, its steps and its evaluation, keyed by the generator's id."""
    from shequ.appeals.models import Appeal

    back = {pk: gid for gid, pk in ids.items()}
    out = {}
    for appeal in Appeal.objects.prefetch_related("steps").select_related("evaluation"):
        fields = _fields(appeal)
        fields["merged_into_id"] = back.get(fields["merged_into_id"])
        steps = [_fields(s, "appeal_id") for s in sorted(appeal.steps.all(), key=_step_order)]
        evaluation = getattr(appeal, "evaluation", None)
        out[back[appeal.pk]] = (fields, steps, _fields(evaluation, "appeal_id") if evaluation else None)
    return out


def _step_order(step: Any) -> tuple[Any, int]:
    return step.at, step.pk


def test_the_services_replaying_the_generated_appeals_write_exactly_the_bulk_rows(db: None) -> None:
    # The benchmark writes appeals with bulk_create. Here every plan is replayed in time order through
    # the product's own services — each step by the account the plan names, so access and transition
    # rules are checked — and the deadline job runs at each minute the plan says it acted (and once
    # more at the end, to catch a deadline the plan missed). Both must leave the very same rows.
    from datetime import datetime

    from shequ.appeals import jobs
    from shequ.appeals import services as appeal_services
    from shequ.appeals.models import Appeal, AppealStep, Category
    from shequ.core.models import User

    district, area_ids, _users, loaded = _load_tiny_appeals()
    plans = list(district.appeals())
    assert loaded.appeals == len(plans) > 80
    for appeal in Appeal.objects.all():
        appeal.full_clean()  # fields, choices and the database's check constraints
    bulk = _snapshot(loaded.ids)
    Appeal.objects.filter(stage="merged").delete()
    Appeal.objects.all().delete()

    accounts = {u.username: u for u in User.objects.filter(username__startswith="bench_")}
    categories = {c.code: c for c in Category.objects.all()}
    replayed: dict[int, int] = {}
    events: list[tuple[datetime, int, Any, Any]] = []
    for plan in plans:
        for n, step in enumerate(plan.steps):
            if step.actor or step.action in ("report", "merge"):
                events.append((step.at, 0, plan, step))
            elif n == 0 or step.at != plan.steps[n - 1].at:
                events.append((step.at, 1, None, None))  # the job's run in that minute
    events.sort(key=lambda e: (e[0], e[1], e[2].id if e[2] else 0))

    def by(username: str) -> Any:
        return accounts[username] if username else None

    for at, _kind, plan, step in events:
        if plan is None:
            jobs.run_deadlines(now=at)
            continue
        if step.action == "report":
            appeal = appeal_services.appeal_report(
                by=by(step.actor),
                area=Area.objects.get(pk=area_ids[plan.area_id]),
                category=categories[plan.category],
                description=plan.description,
                channel=plan.channel,
                priority=plan.priority,
                contact_name=plan.contact_name,
                contact_withheld=plan.contact_withheld,
                now=at,
            )
            replayed[plan.id] = appeal.pk
            continue
        appeal = Appeal.objects.select_related("category", "area").get(pk=replayed[plan.id])
        common = {"appeal": appeal, "by": by(step.actor), "version": appeal.version, "now": at}
        action = step.action
        if action in ("reject", "rework", "escalate"):
            common["reason"] = step.note
        elif action == "merge":
            common.update(into=Appeal.objects.get(pk=replayed[plan.merged_into_id]), note=step.note)
        elif action == "dispatch":
            # The plan's handler: the grid's worker in the estate, the community's staff above it.
            kind, path = (
                ("grid", appeal.handling_path)
                if step.to_level == "estate"
                else ("community", appeal.area_path[:12])
            )
            common["to_user"] = accounts[f"bench_{kind}_{path}"]
        elif action == "handle":
            common["result"] = step.note
        elif action == "evaluate":
            common.update(score=plan.score, comment=plan.comment)
        getattr(appeal_services, f"appeal_{action}")(**common)
    jobs.run_deadlines(now=generator.APPEALS_NOW)

    assert AppealStep.objects.count() == loaded.steps
    assert _snapshot(replayed) == bulk


def test_the_hand_written_figures_agree_with_metrics_py_for_the_district_and_a_street(db: None) -> None:
    # The baseline of "read: appeal figures" must answer the same question as the product, or the
    # ratio means nothing; the scenario checks this at every run, this proves it on a tiny district.
    from bench.appeals import differences, figures_by_hand, figures_of
    from shequ.appeals.metrics import figures_for
    from shequ.appeals.models import Evaluation
    from shequ.core.models import User

    _load_tiny_appeals()
    today = generator.APPEALS_TODAY
    district = Area.objects.get(kind="district")
    street = Area.objects.filter(kind="street").order_by("path").first()
    assert street is not None
    admin = User.objects.get(username=f"bench_district_{district.path}")
    official = User.objects.get(username=f"bench_street_{street.path}")

    for user, area in ((admin, district), (official, street)):
        product = figures_of(figures_for(user, area, today=today))
        assert differences(product, figures_by_hand(area.pk, today)) == []
        total = product["total"]
        assert total[1] > 40
        assert all(rate is not None for rate in total[-4:])
        assert product["by_child"]
        assert product["by_category"]
        assert len(product["by_month"]) >= 10
        assert all(stays > 0 for _stage, stays, _mean in product["stage_times"])

    # Not a comparison of two empty answers: a changed score moves both, by the same amount.
    before = figures_by_hand(district.pk, today)["total"]
    Evaluation.objects.filter(score__gte=4).update(score=1)
    after = figures_by_hand(district.pk, today)
    assert after["total"][6] == 0 < before[6]  # nobody satisfied any more
    assert differences(figures_of(figures_for(admin, district, today=today)), after) == []


def test_the_hand_written_caseloads_agree_with_the_casework_selector(db: None) -> None:
    from bench import casework as cw
    from shequ.casework.selectors import caseloads_for

    district = District("tiny")
    parents: dict[int, Area] = {}
    ids: dict[int, int] = {}
    for a in district.areas():
        parent = parents.get(a.parent_id) if a.parent_id else None
        parents[a.id] = area = services.area_create(by=None, parent=parent, name=a.name, code=a.code)
        ids[a.id] = area.pk
    Resident.objects.bulk_create(
        Resident(
            area_id=ids[h.building_id],
            name=m.name,
            relation=m.relation,
            **seal_personal_data(id_number=m.id_number, phone=m.phone, today=BENCH_TODAY).__dict__,
        )
        for h in district.households()
        for m in h.members
    )
    loaded = cw.load_cases("tiny", 1)
    assert loaded.cases > 100
    assert loaded.workers == cw.WORKERS["tiny"]
    assert loaded.tasks > 0
    top = Area.objects.get(kind="district")
    admin = services.user_create(
        by=None, username="bench_admin", password="x-Bench-2026!", role="district_admin", area=top
    )
    product = [
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
        for r in caseloads_for(admin, today=cw.TODAY)
    ]
    assert product == cw.caseloads_by_hand(top.path, cw.TODAY)
    assert sum(row[6] for row in product) > 0
    assert any(row[8] > 0 for row in product)
