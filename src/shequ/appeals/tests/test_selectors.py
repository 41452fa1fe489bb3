"""Who sees which appeals: the queue per role and level, escalated appeals at the street, nothing of
another community or street, a resident's own appeals; duplicates suggested on report."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from conftest import Tree, make_user
from shequ.appeals import selectors, services
from shequ.appeals.models import Appeal, Channel, Stage
from shequ.appeals.tests.conftest import People, category
from shequ.core.errors import NotFound
from shequ.core.roles import Role

pytestmark = pytest.mark.django_db


def _ids(qs: Any) -> set[int]:
    return {a.pk for a in qs}


def _escalate_to_street(appeal: Any, people: People) -> Any:
    appeal = services.appeal_escalate(
        appeal=appeal, by=people.grid_worker, version=appeal.version, reason="上报"
    )
    return services.appeal_escalate(
        appeal=appeal, by=people.community_staff, version=appeal.version, reason="上报"
    )


def test_a_street_official_sees_the_escalated_appeals_of_its_communities_in_its_queue(
    report: Any, people: People, tree: Tree
) -> None:
    escalated = _escalate_to_street(report(), people)
    staying = report(description="垃圾桶满了没人清理")
    lixi_resident = make_user(Role.RESIDENT, tree.other_building, "lixijumin")
    lixi = report(by=lixi_resident, area=tree.other_building)
    lixi_staff = people.other_community_staff
    lixi_staff_escalated = services.appeal_escalate(
        appeal=services.appeal_escalate(
            appeal=lixi,
            by=make_user(Role.GRID_WORKER, tree.other_building.parent, "lixiwangge"),
            version=lixi.version,
            reason="上报",
        ),
        by=lixi_staff,
        version=lixi.version + 1,
        reason="上报",
    )
    waiting = _ids(selectors.appeals_for(people.street_official, waiting=True))
    assert waiting == {escalated.pk, lixi_staff_escalated.pk}
    assert staying.pk not in waiting
    # The whole street's appeals are visible to it for oversight, but the queue shows what waits.
    assert _ids(selectors.appeals_for(people.street_official)) == {escalated.pk, staying.pk, lixi.pk}
    # And its history came along.
    steps = [s.action for s in selectors.steps_of(escalated)]
    assert steps == ["report", "escalate", "escalate"]


def test_another_street_sees_nothing_of_this_street(report: Any, people: People) -> None:
    _escalate_to_street(report(), people)
    assert not selectors.appeals_for(people.far_street_official).exists()
    assert not selectors.appeals_for(people.far_street_official, waiting=True).exists()
    appeal = report()
    with pytest.raises(NotFound):
        selectors.appeal_for(people.far_street_official, appeal.pk)


def test_community_a_sees_nothing_of_community_b(report: Any, people: People, tree: Tree) -> None:
    lixi_resident = make_user(Role.RESIDENT, tree.other_building, "lixijumin")
    lixi = report(by=lixi_resident, area=tree.other_building)
    mine = report()
    assert _ids(selectors.appeals_for(people.community_staff)) == {mine.pk}
    assert _ids(selectors.appeals_for(people.other_community_staff)) == {lixi.pk}
    with pytest.raises(NotFound):
        selectors.appeal_for(people.community_staff, lixi.pk)


def test_queues_follow_the_level_answering(report: Any, people: People) -> None:
    estate = report()
    community = report(code="policy_question", description="低保怎么申请")
    assert _ids(selectors.appeals_for(people.grid_worker, waiting=True)) == {estate.pk}
    assert _ids(selectors.appeals_for(people.community_staff, waiting=True)) == {community.pk}
    # Dispatched to a person: it waits for that person, not for the level.
    estate = services.appeal_accept(appeal=estate, by=people.grid_worker, version=estate.version)
    estate = services.appeal_dispatch(
        appeal=estate, by=people.grid_worker, version=estate.version, to_user=people.building_head
    )
    assert _ids(selectors.appeals_for(people.building_head, waiting=True)) == {estate.pk}
    assert estate.pk not in _ids(selectors.appeals_for(people.grid_worker, waiting=True))


def test_a_resident_sees_only_their_own_appeals(report: Any, people: People) -> None:
    mine = report()
    theirs = report(by=people.neighbour)
    assert _ids(selectors.appeals_reported_by(people.resident)) == {mine.pk}
    assert not selectors.appeals_for(people.resident).exists()  # no queue for residents
    assert selectors.appeal_for(people.resident, mine.pk) == mine
    with pytest.raises(NotFound):
        selectors.appeal_for(people.resident, theirs.pk)


def test_the_queue_filters_and_sorts_by_deadline(report: Any, people: People) -> None:
    normal = report()
    urgent = report(priority="urgent", description="水管爆裂")
    parking = report(code="parking", description="车位被占")
    staff = people.community_staff
    assert [a.pk for a in selectors.appeals_for(staff)][:1] == [urgent.pk]  # nearest deadline first
    assert _ids(selectors.appeals_for(staff, category="parking")) == {parking.pk}
    assert _ids(selectors.appeals_for(staff, stage=Stage.REPORTED)) == {normal.pk, urgent.pk, parking.pk}
    assert not selectors.appeals_for(staff, level="street").exists()
    from datetime import timedelta

    later = urgent.deadline_at + timedelta(minutes=1)
    assert _ids(selectors.appeals_for(staff, overdue=True, now=later)) == {urgent.pk}


def test_duplicates_are_suggested_for_the_same_place_category_and_text(
    report: Any, people: People, tree: Tree
) -> None:
    pothole = report(description="3座楼下路面有个大坑，晚上容易摔倒")
    report(code="parking", description="3座楼下路面有个大坑，晚上容易摔倒")  # other category
    report(description="小区门口的路灯坏了")  # other text
    found = selectors.similar_appeals(
        area=tree.building, category=category(), text="楼下路面大坑，有老人摔倒了"
    )
    assert [s.appeal.pk for s in found] == [pothole.pk]
    assert 0 < found[0].score <= 1
    # Another community, same words: not a duplicate.
    assert not selectors.similar_appeals(area=tree.other_building, category=category(), text="楼下路面大坑")


def test_a_nearby_point_finds_a_duplicate_across_the_grid_border(
    report: Any, people: People, tree: Tree
) -> None:
    lixi_resident = make_user(Role.RESIDENT, tree.other_building, "lixijumin")
    near = report(
        by=lixi_resident,
        area=tree.other_building,
        latitude="23.100000",
        longitude="113.100000",
        description="路口井盖缺失很危险",
    )
    found = selectors.similar_appeals(
        area=tree.building,
        category=category(),
        text="路口的井盖不见了，很危险",
        latitude=Decimal("23.101000"),
        longitude=Decimal("113.100500"),
    )
    assert [s.appeal.pk for s in found] == [near.pk]


def test_closed_appeals_are_not_suggested(report: Any, people: People, tree: Tree) -> None:
    old = report()
    services.appeal_reject(appeal=old, by=people.grid_worker, version=old.version, reason="重复")
    assert not selectors.similar_appeals(area=tree.building, category=category(), text=old.description)


def test_the_public_board_holds_only_published_appeals_of_the_community(
    report: Any, people: People, tree: Tree
) -> None:
    from shequ.appeals.models import Appeal

    published = report(by=people.community_staff, channel=Channel.PATROL)
    unpublished = report()
    for a in (published, unpublished):
        Appeal.objects.filter(pk=a.pk).update(stage=Stage.CLOSED)
    services.appeal_publish(
        appeal=Appeal.objects.get(pk=published.pk), by=people.community_staff, version=published.version
    )
    assert _ids(selectors.public_board(tree.community)) == {published.pk}
    assert not selectors.public_board(tree.other_community).exists()


def test_open_appeals_by_grid(report: Any, people: People, tree: Tree) -> None:
    report()
    report(description="又一个")
    rows = selectors.open_by_grid(people.community_staff, tree.community)
    assert [(g, n) for g, n, _late in rows] == [(tree.grid, 2)]


def _dispatched(n: int, report: Any, people: People) -> None:
    for i in range(n):
        appeal = report(description=f"路灯不亮 第{i}处")
        appeal = services.appeal_accept(appeal=appeal, by=people.grid_worker, version=appeal.version)
        services.appeal_dispatch(
            appeal=appeal, by=people.grid_worker, version=appeal.version, to_user=people.grid_worker
        )


def test_the_queue_page_and_api_cost_the_same_queries_for_2_or_12_dispatched_appeals(
    report: Any, people: People
) -> None:
    """Each row shows its handler: read with the page, not one query per row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from conftest import login_client, token_client

    def cost(n: int) -> tuple[int, int]:
        Appeal.objects.all().delete()
        _dispatched(n, report, people)
        page, api = login_client(people.community_staff), token_client(people.community_staff)
        with CaptureQueriesContext(connection) as on_page:
            assert page.get("/appeals/").status_code == 200
        with CaptureQueriesContext(connection) as on_api:
            assert api.get("/api/appeals").status_code == 200
        return len(on_page), len(on_api)

    assert cost(2) == cost(12)
