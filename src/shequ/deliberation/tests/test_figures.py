"""Deliberation's figures (deliberation/figures.py, docs/metrics.md) on a small hand-built November
2026 in 平地社区, every number worked out by hand in the comments: meetings held, topics decided,
decisions taken, decisions implemented on time — the month's bounds and the deadline's day in
Asia/Shanghai."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from conftest import Actors, Tree, build_tree, fresh_tree, module_transaction
from shequ.core.figures import Ctx, Period
from shequ.core.models import Area, User
from shequ.deliberation.models import Decision, Meeting, Topic
from shequ.metrics.drill import drill_for
from shequ.metrics.selectors import area_figures

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
NOV = Period.month(2026, 11)
D = Decimal
KEYS = ["meetings_held", "topics_decided", "decisions_taken", "decisions_on_time"]


def at(m: int, d: int, hh: int = 19, mm: int = 0) -> datetime:
    return datetime(2026, m, d, hh, mm, tzinfo=SH)


@dataclass
class World:
    tree: Tree
    staff: User
    street: User
    evaluator: User


def _meeting(area: Area, title: str, starts: datetime, status: str = "closed") -> Meeting:
    return Meeting.objects.create(
        area=area,
        kind="joint",
        title=title,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        chair="王书记",
        recorder="李干事",
        status=status,
    )


def _decision(meeting: Meeting, topic: Topic | None, **kw: Any) -> Decision:
    valid = kw.pop("valid", True)
    return Decision.objects.create(
        meeting=meeting,
        topic=topic,
        method="hands",
        text=kw.pop("text", "决定"),
        responsible="物业",
        valid=valid,
        invalid_reason="" if valid else "不足法定人数",
        **kw,
    )


def _build() -> World:
    tree = build_tree()
    actors = Actors(tree)
    c = tree.community
    # M1 (11-05, held): T1 with D1 (due 11-20, done 11-18: on time) and D2 (due 11-30, done at 00:30 on
    # 12-01 Shanghai — 16:30 UTC on 11-30 — a day late); T2 with D3 (no quorum: not valid); T3 undecided.
    m1 = _meeting(c, "停车位改造联席会", at(11, 5))
    t1, t2, _t3 = (Topic.objects.create(meeting=m1, position=i, title=f"议题{i}") for i in (1, 2, 3))
    _decision(m1, t1, deadline=date(2026, 11, 20), status="done", done_at=at(11, 18, 10))
    _decision(m1, t1, deadline=date(2026, 11, 30), status="done", done_at=at(12, 1, 0, 30))
    _decision(m1, t2, valid=False)
    # M2 (23:30 on 11-30 Shanghai, 15:30 UTC: November's, held): T4 with D4, due in December.
    m2 = _meeting(c, "居民议事会", at(11, 30, 23, 30))
    t4 = Topic.objects.create(meeting=m2, title="加装电梯")
    _decision(m2, t4, deadline=date(2026, 12, 15))
    # M3 cancelled, M5 still in session, M4 at 00:10 on 12-01 (December's): none was held in November.
    Topic.objects.create(meeting=_meeting(c, "取消的会", at(11, 12), status="cancelled"), title="议题")
    _meeting(c, "进行中的会", at(11, 28), status="in_session")
    _meeting(c, "十二月的会", at(12, 1, 0, 10))
    # M6 (October, held): D6 due 11-10, done at 15:00 that day — due in November and on time.
    m6 = _meeting(c, "十月的会", at(10, 10))
    _decision(m6, None, deadline=date(2026, 11, 10), status="done", done_at=at(11, 10, 15))
    # M7 in 沥西社区 (held 11-06): D7 due 11-15, not done.
    m7 = _meeting(tree.other_community, "沥西议事会", at(11, 6))
    _decision(m7, Topic.objects.create(meeting=m7, title="沥西议题"), deadline=date(2026, 11, 15))
    return World(tree, actors.community_staff, actors.street_official, actors.evaluator)


@pytest.fixture(scope="module")
def built(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    with module_transaction(django_db_blocker):
        with django_db_blocker.unblock():
            world = _build()
        yield world


@pytest.fixture
def world(db: Any, built: World) -> World:
    return World(fresh_tree(built.tree), built.staff, built.street, built.evaluator)


def _table(viewer: User, area: Area, period: Period) -> dict[str, tuple[Any, Any, Any]]:
    return {f.key: (f.numerator, f.denominator, f.value) for f in area_figures(viewer, area, period, KEYS)}


# By hand, 平地社区 in November 2026:
# meetings held: M1, M2 = 2 (M3 cancelled, M5 in session, M4 December's, M6 October's, M7 沥西's)
# topics decided: T1 (D1, D2), T4 (D4) = 2 (T2's only decision is not valid, T3 has none)
# decisions taken: D1, D2, D4 = 3 (D3 not valid)
# on time: due in November D1 (11-20), D2 (11-30), D6 (11-10) = 3; done by the deadline's day D1, D6
#   = 2 → 66.7% (D2 was done after midnight Shanghai time)
EXPECTED: dict[str, tuple[Any, Any, Any]] = {
    "meetings_held": (2, None, D(2)),
    "topics_decided": (2, None, D(2)),
    "decisions_taken": (3, None, D(3)),
    "decisions_on_time": (2, 3, D("66.7")),
}


def test_every_deliberation_figure_of_the_community_matches_the_hand_computation(world: World) -> None:
    assert _table(world.staff, world.tree.community, NOV) == EXPECTED


def test_the_street_adds_its_other_community(world: World) -> None:
    # 沥西 adds M7 (1 meeting, T7 decided, D7 taken, D7 due and not done): 3, 3, 4, 2 of 4 = 50.0%
    assert _table(world.street, world.tree.street, NOV) == {
        "meetings_held": (3, None, D(3)),
        "topics_decided": (3, None, D(3)),
        "decisions_taken": (4, None, D(4)),
        "decisions_on_time": (2, 4, D("50.0")),
    }


def test_december_holds_the_meeting_after_midnight(world: World) -> None:
    # M4 (00:10 on 12-01) is December's; D4 is due in December and not done: 0 of 1.
    dec = _table(world.staff, world.tree.community, Period.month(2026, 12))
    assert dec["meetings_held"] == (1, None, D(1))
    assert dec["decisions_on_time"] == (0, 1, D("0.0"))


def test_the_evaluator_gets_the_same_numbers(world: World) -> None:
    assert _table(world.evaluator, world.tree.community, NOV) == EXPECTED


@pytest.mark.parametrize("key", KEYS)
def test_the_lists_behind_the_numbers_hold_the_rows_counted(world: World, key: str) -> None:
    found = drill_for(Ctx(world.staff, world.tree.community, NOV), key, "numerator")
    assert found.rows.count() == EXPECTED[key][0]
