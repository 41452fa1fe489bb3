"""Casework's figures (casework/figures.py, docs/metrics.md) on a small hand-built November 2026 in
平地社区: every number worked out by hand in the comments, the period's end in Asia/Shanghai, the
history (not the case as it is now) deciding the stage and the risk of then, and the lists behind the
numbers closed to an evaluator."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from conftest import Actors, Tree, build_tree, fresh_tree, module_transaction
from shequ.casework.models import (
    Assessment,
    Case,
    CaseEvent,
    Group,
    GroupMember,
    GroupSession,
    SupervisionLink,
    SupervisionSession,
)
from shequ.core.errors import Forbidden
from shequ.core.figures import Ctx, Period
from shequ.core.idnumber import make_id_number
from shequ.core.models import Area, User
from shequ.metrics.drill import drill_for
from shequ.metrics.selectors import area_figures
from shequ.registry.models import Household, Resident
from shequ.registry.services import seal_personal_data

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
NOV = Period.month(2026, 11)
D = Decimal


def at(m: int, d: int, hh: int = 9, mm: int = 0, y: int = 2026) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SH)


@dataclass
class World:
    tree: Tree
    worker: User
    staff: User
    evaluator: User


def _client(building: Area, n: int) -> Resident:
    sealed = seal_personal_data(id_number=make_id_number("440605", date(1950, 1, 1), n, "F"), phone="")
    household = Household.objects.create(area=building, address=f"{building.name}{n}室")
    return Resident.objects.create(
        area=building, household=household, name=f"案主{n}", relation="户主", **sealed.__dict__
    )


def _case(
    worker: User,
    building: Area,
    n: int,
    steps: list[tuple[str, str, datetime]],
    *,
    closed_on: date | None = None,
    reason: str = "",
) -> Case:
    """A case with its history: each (from, to, when) a step; the case's stage now is the last `to`."""
    case = Case.objects.create(
        area=building,
        area_path=building.path,
        resident=_client(building, n),
        source="walk_in",
        problem="独居",
        owner=worker,
        stage=steps[-1][1],
        opened_on=steps[0][2].date(),
        closed_on=closed_on,
        closure_reason=reason,
    )
    for before, after, when in steps:
        event = CaseEvent.objects.create(
            case=case, action="step", from_stage=before, to_stage=after, by=worker
        )
        CaseEvent.objects.filter(pk=event.pk).update(at=when)  # `at` is auto_now_add
    return case


def _assess(case: Case, worker: User, risk: str, on: date) -> None:
    Assessment.objects.create(
        case=case,
        health=2,
        income=2,
        family=2,
        social_support=2,
        safety=2,
        risk=risk,
        assessed_by=worker,
        assessed_on=on,
    )
    Case.objects.filter(pk=case.pk).update(risk=risk)  # the case carries its latest assessment's risk


def _build() -> World:
    tree = build_tree()
    actors = Actors(tree)
    worker, supervisor = actors.social_worker, actors.other_social_worker
    b = tree.building
    # C1: intake 10-20, assessment 10-25 (high on 10-26), plan 11-05 → at November's end: plan, high.
    c1 = _case(
        worker,
        b,
        1,
        [("", "intake", at(10, 20)), ("intake", "assessment", at(10, 25)), ("assessment", "plan", at(11, 5))],
    )
    _assess(c1, worker, "high", date(2026, 10, 26))
    # C2: intake 11-02, assessment 11-04 (low that day), plan 12-02 (medium on 12-03)
    #     → at November's end: assessment, low — what it became in December does not count.
    c2 = _case(
        worker,
        b,
        2,
        [("", "intake", at(11, 2)), ("intake", "assessment", at(11, 4)), ("assessment", "plan", at(12, 2))],
    )
    _assess(c2, worker, "low", date(2026, 11, 4))
    _assess(c2, worker, "medium", date(2026, 12, 3))
    # C3: intake 11-10, nothing since → intake, not assessed.
    _case(worker, b, 3, [("", "intake", at(11, 10))])
    # C4: through every stage, intervention 09-20 → evaluation 11-20 → closed 11-25, goals met.
    _case(
        worker,
        b,
        4,
        [
            ("", "intake", at(9, 1)),
            ("intake", "assessment", at(9, 3)),
            ("assessment", "plan", at(9, 10)),
            ("plan", "intervention", at(9, 20)),
            ("intervention", "evaluation", at(11, 20)),
            ("evaluation", "closed", at(11, 25)),
        ],
        closed_on=date(2026, 11, 25),
        reason="goals_met",
    )
    # C5: intervention 08-20 → evaluation 11-05 → closed 11-15, the client withdrew.
    _case(
        worker,
        b,
        5,
        [
            ("", "intake", at(8, 1)),
            ("intake", "assessment", at(8, 5)),
            ("assessment", "plan", at(8, 10)),
            ("plan", "intervention", at(8, 20)),
            ("intervention", "evaluation", at(11, 5)),
            ("evaluation", "closed", at(11, 15)),
        ],
        closed_on=date(2026, 11, 15),
        reason="client_withdrew",
    )
    # C6: opened at 00:10 on 12-01 Shanghai (16:10 UTC on 11-30): December's, not open at November's end.
    _case(worker, b, 6, [("", "intake", at(12, 1, 0, 10))])
    # C7: in 沥西社区, the other community: not under 平地.
    _case(actors.other_social_worker, tree.other_building, 7, [("", "intake", at(11, 3))])

    # Supervision: two supervisees of 平地 linked since 10-01; the quota is 2 h a month each.
    second = User.objects.create(username="sheg_b")
    links = [
        SupervisionLink.objects.create(
            area=tree.community, area_path=tree.community.path, supervisor=supervisor, worker=w
        )
        for w in (worker, second)
    ]
    SupervisionLink.objects.filter(pk__in=[x.pk for x in links]).update(created_at=at(10, 1))
    signed = {"supervisor_signed_at": at(11, 30), "worker_signed_at": at(11, 30)}
    for link, held, hours, sign in (
        (links[0], date(2026, 11, 3), "2.0", signed),  # counted
        (links[0], date(2026, 11, 17), "1.5", signed),  # counted
        (links[1], date(2026, 11, 20), "1.0", {}),  # not signed: not counted
        (links[1], date(2026, 10, 28), "2.0", signed),  # October's
    ):
        SupervisionSession.objects.create(
            link=link,
            area_path=link.area_path,
            supervisor=supervisor,
            worker=link.worker,
            held_on=held,
            hours=D(hours),
            topics="个案讨论",
            **sign,
        )

    # Group work: a group of 平地 with three members; session 1 on 10-30 (two present), session 2 on
    # 11-06 (three present), session 3 on 11-20 (one present); a group of 沥西 meets on 11-12 (two).
    def group(area: Area, owner: User, members: int, n0: int) -> tuple[Group, list[GroupMember]]:
        g = Group.objects.create(
            area=area,
            area_path=area.path,
            name=f"{area.name}长者小组",
            aims="减少孤独",
            planned_sessions=6,
            scale="loneliness",
            owner=owner,
            stage="formation",
        )
        return g, [
            GroupMember.objects.create(group=g, resident=_client(area, n0 + i)) for i in range(members)
        ]

    def session(g: Group, number: int, held: date, present: list[GroupMember]) -> None:
        s = GroupSession.objects.create(
            group=g,
            number=number,
            held_on=held,
            topic="相识",
            record="记录",
            stage="formation",
            recorded_by=g.owner,
        )
        s.attended.set(present)

    g1, m1 = group(b, worker, 3, 20)
    session(g1, 1, date(2026, 10, 30), m1[:2])
    session(g1, 2, date(2026, 11, 6), m1)
    session(g1, 3, date(2026, 11, 20), m1[:1])
    g2, m2 = group(tree.other_building, actors.other_social_worker, 2, 30)
    session(g2, 1, date(2026, 11, 12), m2)
    return World(tree, worker, actors.community_staff, actors.evaluator)


@pytest.fixture(scope="module")
def built(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    with module_transaction(django_db_blocker):
        with django_db_blocker.unblock():
            world = _build()
        yield world


@pytest.fixture
def world(db: Any, built: World) -> World:
    return World(fresh_tree(built.tree), built.worker, built.staff, built.evaluator)


# By hand, 平地社区 in November 2026:
# open at the month's end: C1 (plan), C2 (assessment), C3 (intake) = 3 — C4 and C5 closed, C6 December's,
#   C7 another community's; by stage: intake 1, assessment 1, plan 1, intervention 0, evaluation 0;
#   by risk then: high C1, low C2 (medium only on 12-03), not assessed C3 → 1, 0, 1, 1
# closed in November: C4 (goals met), C5 (withdrew) → 1 of 2 = 50.0%
# stays that ended in November, in days: intake C2 11-02→11-04 = 2 → 2.0; assessment C1 10-25→11-05 = 11
#   → 11.0; plan none → "—"; intervention C4 09-20→11-20 = 61, C5 08-20→11-05 = 77 → 69.0;
#   evaluation C4 11-20→11-25 = 5, C5 11-05→11-15 = 10 → 7.5
# supervision: signed hours held in November 2.0 + 1.5 = 3.5; owed 2 supervisees × 2 h × 1 month = 4
#   → 3.5 ÷ 4 = 87.5%
# group work: 平地's sessions in November 11-06 and 11-20 = 2 (10-30 is October's, 沥西's not under 平地);
#   members present at them 3 + 1 = 4
EXPECTED: dict[str, tuple[Any, Any, Any]] = {
    "cases_open": (3, None, D(3)),
    "cases_open_intake": (1, None, D(1)),
    "cases_open_assessment": (1, None, D(1)),
    "cases_open_plan": (1, None, D(1)),
    "cases_open_intervention": (0, None, D(0)),
    "cases_open_evaluation": (0, None, D(0)),
    "cases_open_high": (1, None, D(1)),
    "cases_open_medium": (0, None, D(0)),
    "cases_open_low": (1, None, D(1)),
    "cases_open_unassessed": (1, None, D(1)),
    "cases_closed_goals_met": (1, 2, D("50.0")),
    "case_days_intake": (D("2.0"), None, D("2.0")),
    "case_days_assessment": (D("11.0"), None, D("11.0")),
    "case_days_plan": (None, None, None),
    "case_days_intervention": (D("69.0"), None, D("69.0")),
    "case_days_evaluation": (D("7.5"), None, D("7.5")),
    "supervision_quota": (D("3.5"), D("4.0"), D("87.5")),
    "group_sessions": (2, None, D(2)),
    "group_attendances": (4, None, D(4)),
}


def _table(viewer: User, area: Area, period: Period) -> dict[str, tuple[Any, Any, Any]]:
    figures = area_figures(viewer, area, period, list(EXPECTED))
    return {f.key: (f.numerator, f.denominator, f.value) for f in figures}


def test_every_casework_figure_of_the_community_matches_the_hand_computation(world: World) -> None:
    assert _table(world.staff, world.tree.community, NOV) == EXPECTED


def test_a_mean_of_no_stay_is_shown_as_a_dash(world: World) -> None:
    figures = {f.key: f for f in area_figures(world.staff, world.tree.community, NOV, ["case_days_plan"])}
    assert figures["case_days_plan"].display() == "—"


def test_december_counts_what_happened_by_its_end(world: World) -> None:
    # By December's end: C1 plan (high), C2 plan (medium since 12-03), C3 intake, C6 intake = 4 open.
    dec = _table(world.staff, world.tree.community, Period.month(2026, 12))
    assert dec["cases_open"][0] == 4
    assert dec["cases_open_plan"][0] == 2
    assert dec["cases_open_medium"][0] == 1


def test_a_year_owes_twelve_months_of_supervision(world: World) -> None:
    # 2026: signed 2.0 + 1.5 + 2.0 (October) = 5.5 h; owed 2 × 2 h × 12 = 48 → 11.5%
    year = _table(world.staff, world.tree.community, Period.year(2026))
    assert year["supervision_quota"] == (D("5.5"), D("48.0"), D("11.5"))


def test_the_evaluator_sees_the_numbers_but_not_the_cases_behind_them(world: World) -> None:
    assert _table(world.evaluator, world.tree.community, NOV) == EXPECTED
    with pytest.raises(Forbidden):
        drill_for(Ctx(world.evaluator, world.tree.community, NOV), "cases_open", "numerator")


@pytest.mark.parametrize(
    "key",
    [
        "cases_open",
        "cases_open_low",
        "cases_closed_goals_met",
        "case_days_intervention",
        "supervision_quota",
        "group_sessions",
        "group_attendances",
    ],
)
def test_the_social_worker_lists_the_very_rows_counted(world: World, key: str) -> None:
    # The social worker of 平地 reads its cases and its supervision: every counted row is listed.
    found = drill_for(Ctx(world.worker, world.tree.community, NOV), key, "numerator")
    assert found.hidden == 0
