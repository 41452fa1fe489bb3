"""The deadline job with a frozen clock: warn at 80%, escalate past the deadline, once; and the same
periodic task really running through a Redis queue with huey's consumer."""

from __future__ import annotations

import os
import time
import uuid
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from conftest import Tree
from shequ.appeals import services
from shequ.appeals.jobs import run_deadlines
from shequ.appeals.models import Appeal, AppealStep, Level, Notification, Priority, Stage, StageDeadline
from shequ.appeals.tests.conftest import People, category, fresh

pytestmark = pytest.mark.django_db
Action = AppealStep.Action
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _run_at(when: datetime) -> dict[str, int]:
    with time_machine.travel(when, tick=False):
        return run_deadlines()


def test_the_handler_is_warned_at_80_percent_and_only_once(report: Any, people: People) -> None:
    with time_machine.travel(T0, tick=False):
        appeal = report()
        appeal = services.appeal_accept(appeal=appeal, by=people.grid_worker, version=appeal.version)
        appeal = services.appeal_dispatch(
            appeal=appeal, by=people.grid_worker, version=appeal.version, to_user=people.building_head
        )
    # Dispatched, normal priority: 24 hours to start, so the warning comes at 19h12.
    assert _run_at(T0 + timedelta(hours=19)) == {"warned": 0, "escalated": 0, "overdue": 0}
    assert _run_at(T0 + timedelta(hours=19, minutes=13))["warned"] == 1
    assert _run_at(T0 + timedelta(hours=20))["warned"] == 0  # idempotent
    warned = Notification.objects.filter(action=Action.WARN)
    assert list(warned.values_list("user__username", flat=True)) == ["louzhang"]
    assert fresh(appeal).level == Level.ESTATE  # a warning does not escalate
    assert fresh(appeal).steps.filter(action=Action.WARN).count() == 1


def test_a_missed_deadline_escalates_once_and_the_next_level_gets_a_new_deadline(
    report: Any, people: People, tree: Tree
) -> None:
    with time_machine.travel(T0, tick=False):
        appeal = report()  # reported: 24 hours to accept
    assert _run_at(T0 + timedelta(hours=23, minutes=59))["escalated"] == 0
    assert _run_at(T0 + timedelta(hours=24, minutes=1))["escalated"] == 1
    appeal = fresh(appeal)
    assert (appeal.level, appeal.handling_area, appeal.stage) == (
        Level.COMMUNITY,
        tree.community,
        Stage.REPORTED,
    )
    assert appeal.was_overdue
    assert appeal.deadline_at == T0 + timedelta(hours=48, minutes=1)
    # Run again at once (a restart, a second process): nothing happens twice.
    assert _run_at(T0 + timedelta(hours=24, minutes=2)) == {"warned": 0, "escalated": 0, "overdue": 0}
    step = appeal.steps.get(action=Action.ESCALATE)
    assert step.actor is None
    assert step.actor_name == "系统"
    assert Notification.objects.filter(user=people.community_staff, action=Action.ESCALATE).exists()
    # The community misses its day too: the street answers; then the district; then it stays overdue.
    assert _run_at(T0 + timedelta(hours=49))["escalated"] == 1
    assert fresh(appeal).level == Level.STREET
    assert _run_at(T0 + timedelta(hours=74))["escalated"] == 1
    assert fresh(appeal).level == Level.DISTRICT
    assert _run_at(T0 + timedelta(hours=99)) == {"warned": 0, "escalated": 0, "overdue": 1}
    assert _run_at(T0 + timedelta(hours=200)) == {"warned": 0, "escalated": 0, "overdue": 0}
    assert fresh(appeal).overdue_noticed_at is not None


def test_an_appeal_acted_on_in_time_is_left_alone(report: Any, people: People) -> None:
    with time_machine.travel(T0, tick=False):
        appeal = report()
    with time_machine.travel(T0 + timedelta(hours=10), tick=False):
        services.appeal_accept(appeal=appeal, by=people.grid_worker, version=appeal.version)
    # The old deadline (T0+24h) has passed, but the accepted stage has its own (T0+10h+24h).
    assert _run_at(T0 + timedelta(hours=25))["escalated"] == 0
    assert not fresh(appeal).was_overdue


def test_deadlines_follow_the_category_and_priority(report: Any, people: People) -> None:
    StageDeadline.objects.filter(
        category=category("parking"), priority=Priority.URGENT, stage=Stage.REPORTED
    ).update(hours=2)
    with time_machine.travel(T0, tick=False):
        appeal = report(code="parking", priority=Priority.URGENT, description="消防通道被占用")
    assert appeal.deadline_at == T0 + timedelta(hours=2)
    assert _run_at(T0 + timedelta(hours=2, minutes=1))["escalated"] == 1


def test_handled_work_not_verified_in_time_is_marked_overdue_not_escalated(
    report: Any, people: People
) -> None:
    with time_machine.travel(T0, tick=False):
        appeal = report()
        for step in ("accept", "dispatch", "start", "handle"):
            kwargs: dict[str, Any] = {"to_user": people.grid_worker} if step == "dispatch" else {}
            if step == "handle":
                kwargs["result"] = "已修复"
            appeal = getattr(services, f"appeal_{step}")(
                appeal=appeal, by=people.grid_worker, version=appeal.version, **kwargs
            )
    assert _run_at(T0 + timedelta(hours=73)) == {"warned": 0, "escalated": 0, "overdue": 1}
    assert fresh(appeal).stage == Stage.HANDLED
    assert fresh(appeal).level == Level.ESTATE


def test_the_job_is_registered_to_run_every_minute(tmp_path: Any) -> None:
    from shequ.core import queue

    huey = queue.register_tasks(queue.build(data_dir=tmp_path))
    task = huey.appeal_deadlines  # type: ignore[attr-defined]
    assert task.s().validate_datetime(datetime(2026, 11, 2, 9, 17))
    assert "appeals.deadlines" in [t.name for t in huey._registry.periodic_tasks]


REDIS_URL = os.environ.get("SHEQU_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_or_skip() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("SHEQU_REQUIRE_REDIS") == "1":
            pytest.fail(f"Redis is not reachable at {REDIS_URL}")
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_periodic_task_runs_through_the_redis_queue(tree: Tree) -> None:
    """The scheduler of a real huey consumer finds the periodic task due, puts it on Redis, and a
    worker thread takes it from there and escalates the overdue appeal."""
    _redis_or_skip()
    from conftest import make_user
    from shequ.core import queue
    from shequ.core.roles import Role

    resident = make_user(Role.RESIDENT, tree.building, "redisjumin")
    # A flushed transactional database has lost the seeded taxonomy: make the one category needed.
    from shequ.appeals.models import Category

    cat, _created = Category.objects.get_or_create(code="roads_facilities", defaults={"name": "道路设施"})
    appeal = services.appeal_report(
        by=resident, area=tree.building, category=cat, description="路灯不亮", now=T0
    )
    huey = queue.register_tasks(queue.build(redis_url=REDIS_URL, name=f"shequ-test-{uuid.uuid4().hex[:8]}"))
    assert type(huey).__name__ == "RedisHuey"
    consumer = queue.start_embedded(huey)
    try:
        deadline = time.monotonic() + 30
        while fresh(appeal).level == Level.ESTATE and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        consumer.stop(graceful=True)
        huey.storage.flush_all()
    appeal = fresh(appeal)
    assert appeal.level == Level.COMMUNITY, "the periodic task did not run through Redis"
    assert appeal.steps.filter(action=Action.ESCALATE, actor__isnull=True).count() == 1
    assert Appeal.objects.count() == 1
