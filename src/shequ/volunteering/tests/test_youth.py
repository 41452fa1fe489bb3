"""Party leads youth: a 1+1+5 group is checked against the registry's political status and ages; its
meetings, problems and actions are recorded; another community's worker reaches none of it."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from conftest import Tree, login_client, token_client
from shequ.core.errors import Conflict, DomainError, NotFound
from shequ.registry.models import Resident
from shequ.volunteering import youth
from shequ.volunteering.models import GroupProblem
from shequ.volunteering.tests.conftest import People

pytestmark = pytest.mark.django_db
FORMED = date(2026, 7, 10)


@pytest.fixture
def person(tree: Tree, resident_factory: Any) -> Any:
    def _make(name: str, status: str, born: date = date(2005, 3, 1), building: Any = None) -> Resident:
        resident = resident_factory(building or tree.building, name=name, born=born)
        Resident.objects.filter(pk=resident.pk).update(political_status=status)
        resident.refresh_from_db()
        return resident

    return _make


@pytest.fixture
def members(person: Any) -> dict[str, Any]:
    return {
        "party_member": person("党员甲", "party_member", date(1975, 1, 1)),
        "activist": person("积极分子乙", "activist", date(1998, 1, 1)),
        "backbones": [person(f"团员{i}", "league_member") for i in range(5)],
    }


def test_a_group_of_one_party_member_one_activist_and_five_league_members_is_formed(
    tree: Tree, people: People, members: dict[str, Any]
) -> None:
    group = youth.youth_group_create(
        by=people.worker, area=tree.community, name="平地青年先锋组", formed_on=FORMED, **members
    )
    assert [m.name for m in youth.members_of(group)][:2] == ["党员甲", "积极分子乙"]
    assert group.backbones.count() == 5
    assert list(youth.youth_groups_for(people.worker)) == [group]
    assert list(youth.youth_groups_for(people.other_worker)) == []
    with pytest.raises(NotFound):
        youth.youth_group_for(people.other_worker, group.pk)


def test_the_composition_is_checked_against_political_status_age_and_count(
    tree: Tree, people: People, members: dict[str, Any], person: Any
) -> None:
    def form(by: Any = people.worker, **changes: Any) -> DomainError:
        with pytest.raises(DomainError) as exc:
            youth.youth_group_create(
                by=by, area=tree.community, name="组", formed_on=FORMED, **(members | changes)
            )
        return exc.value

    masses = person("群众丙", "masses")
    error = form(activist=masses)
    assert error.code == "political_status"
    assert "群众丙" in str(error.message)
    assert form(party_member=members["activist"], activist=members["party_member"]).code == "political_status"
    assert form(backbones=members["backbones"][:4]).code == "backbones_count"
    assert form(backbones=[*members["backbones"][:4], members["backbones"][0]]).code == "duplicate_member"
    too_old = person("老团员", "league_member", date(1990, 1, 1))
    assert form(backbones=[*members["backbones"][:4], too_old]).code == "league_age"
    elsewhere = person("沥西团员", "league_member", building=tree.other_building)
    assert form(backbones=[*members["backbones"][:4], elsewhere]).code == "not_found"  # not even visible
    assert form(people.street, backbones=[*members["backbones"][:4], elsewhere]).code == "member_area"
    with pytest.raises(NotFound):  # 沥西's worker cannot see 平地's residents
        youth.youth_group_create(
            by=people.other_worker, area=tree.other_community, name="组", formed_on=FORMED, **members
        )


def test_meetings_problems_and_actions_close_the_loop(
    tree: Tree, people: People, members: dict[str, Any]
) -> None:
    group = youth.youth_group_create(
        by=people.worker, area=tree.community, name="先锋组", formed_on=FORMED, **members
    )
    meeting = youth.meeting_record(
        by=people.worker,
        group=group,
        held_on=date(2026, 7, 15),
        topic="暑期社区走访",
        attendees=youth.members_of(group)[:4],
    )
    assert meeting.attendees.count() == 4
    problem = youth.problem_record(
        by=people.worker,
        group=group,
        description="布匹市场路灯不亮",
        found_on=date(2026, 7, 15),
        meeting=meeting,
    )
    with pytest.raises(DomainError):
        youth.action_record(by=people.worker, problem=problem, description="报修", done_on=date(2026, 7, 1))
    youth.action_record(
        by=people.worker, problem=problem, description="向社区报修", done_on=date(2026, 7, 16)
    )
    assert GroupProblem.objects.get(pk=problem.pk).status == "acting"
    youth.action_record(
        by=people.worker,
        problem=problem,
        description="路灯修复，回访居民",
        done_on=date(2026, 7, 20),
        solved=True,
    )
    problem.refresh_from_db()
    assert (problem.status, problem.solved_on) == ("solved", date(2026, 7, 20))
    with pytest.raises(Conflict):
        youth.action_record(by=people.worker, problem=problem, description="再次", done_on=date(2026, 7, 21))
    with pytest.raises(NotFound):
        youth.problem_record(
            by=people.other_worker, group=group, description="越权", found_on=date(2026, 7, 15)
        )


def test_the_pages_and_the_api_form_a_group_and_record_its_work(
    tree: Tree, people: People, members: dict[str, Any]
) -> None:
    client = login_client(people.worker)
    page = client.get("/youth-groups/")
    assert page.status_code == 200
    assert "党员甲" in page.content.decode()
    r = client.post(
        "/youth-groups/",
        {
            "area": tree.community.pk,
            "name": "青年先锋组",
            "party_member": members["party_member"].pk,
            "activist": members["activist"].pk,
            "backbones": [b.pk for b in members["backbones"][:4]],
            "formed_on": "2026-07-10",
        },
    )
    assert r.status_code == 400  # four backbones are not five
    body = {
        "area_id": tree.community.pk,
        "name": "青年先锋组",
        "party_member_id": members["party_member"].pk,
        "activist_id": members["activist"].pk,
        "backbone_ids": [b.pk for b in members["backbones"]],
        "formed_on": "2026-07-10",
    }
    r = token_client(people.worker).post("/api/youth-groups", body, content_type="application/json")
    assert r.status_code == 201, r.content
    group_id = r.json()["id"]
    r = client.post(
        f"/youth-groups/{group_id}/", {"form": "problem", "found_on": "2026-07-15", "description": "井盖松动"}
    )
    assert r.status_code == 302
    problem_id = token_client(people.worker).get(f"/api/youth-groups/{group_id}").json()["problems"][0]["id"]
    r = token_client(people.worker).post(
        f"/api/youth-groups/{group_id}/problems/{problem_id}/actions",
        {"done_on": "2026-07-16", "description": "联系物业加固", "solved": True},
        content_type="application/json",
    )
    assert r.status_code == 201
    assert r.json()["status"] == "solved"
    assert login_client(people.other_worker).get(f"/youth-groups/{group_id}/").status_code == 404
    assert token_client(people.grid_worker).get(f"/api/youth-groups/{group_id}").status_code == 404
