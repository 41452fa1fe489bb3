"""Dispatching to a person (issue 13, finding 3): a person outside the dispatcher's areas answers
exactly as one that does not exist — no name, no organisation — through the API and the page, and
whoever may not dispatch learns nothing about the person named."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Max

from conftest import Tree, login_client, make_user, token_client
from shequ.appeals import services
from shequ.appeals.models import Appeal, AppealStep
from shequ.appeals.tests.conftest import People, fresh
from shequ.core.models import AuditEntry, User
from shequ.core.roles import Role

pytestmark = pytest.mark.django_db


def _state(appeal: Appeal) -> tuple[Any, ...]:
    a = fresh(appeal)
    return (a.version, a.handler_user_id, AppealStep.objects.count(), AuditEntry.objects.count())


def _accepted(appeal: Appeal, people: People) -> Appeal:
    return services.appeal_accept(appeal=appeal, by=people.community_staff, version=appeal.version)


def _dispatch_api(client: Any, appeal: Appeal, user_id: int) -> Any:
    return client.post(
        f"/api/appeals/{appeal.pk}/dispatch",
        {"version": fresh(appeal).version, "user_id": user_id},
        content_type="application/json",
    )


def _dispatch_page(client: Any, appeal: Appeal, user_id: int) -> Any:
    return client.post(
        f"/appeals/{appeal.pk}/dispatch/", {"version": fresh(appeal).version, "to": f"user:{user_id}"}
    )


@pytest.fixture
def outsiders(tree: Tree, people: People) -> dict[str, User]:
    far = make_user(Role.COMMUNITY_STAFF, tree.far_community, "shengping")
    for user, name in (
        (people.other_community_staff, "李西西"),
        (far, "升平平"),
        (people.district_admin, "区长官"),
    ):
        user.display_name = name
        user.save(update_fields=["display_name"])
    return {"other_community": people.other_community_staff, "far": far, "above": people.district_admin}


@pytest.mark.parametrize("target", ["other_community", "far", "above"])
def test_a_person_outside_the_dispatchers_areas_answers_as_a_missing_one(
    tree: Tree, people: People, report: Any, outsiders: dict[str, User], target: str
) -> None:
    appeal = _accepted(report(), people)
    missing = (User.objects.aggregate(m=Max("pk"))["m"] or 0) + 1000
    before = _state(appeal)
    api = token_client(people.community_staff)
    unknown, outside = _dispatch_api(api, appeal, missing), _dispatch_api(api, appeal, outsiders[target].pk)
    assert unknown.status_code == outside.status_code == 404
    assert outside.json() == unknown.json()
    assert outsiders[target].display_name not in outside.content.decode()
    page = login_client(people.community_staff)
    unknown, outside = (
        _dispatch_page(page, appeal, missing),
        _dispatch_page(page, appeal, outsiders[target].pk),
    )
    assert unknown.status_code == outside.status_code == 404
    assert outsiders[target].display_name not in outside.content.decode()
    assert _state(appeal) == before


@pytest.mark.parametrize("who", ["resident", "volunteer", "building_head"])
def test_who_may_not_dispatch_learns_nothing_of_the_person_named(
    tree: Tree, people: People, report: Any, outsiders: dict[str, User], who: str
) -> None:
    appeal = _accepted(report(by=people.resident), people)
    before = _state(appeal)
    client = token_client(getattr(people, who))
    answers = {_dispatch_api(client, appeal, outsiders[t].pk).status_code for t in outsiders}
    answers.add(_dispatch_api(client, appeal, people.grid_worker.pk).status_code)
    assert len(answers) == 1
    assert answers <= {403, 404}
    for t in outsiders:
        assert (
            outsiders[t].display_name not in _dispatch_api(client, appeal, outsiders[t].pk).content.decode()
        )
    assert _state(appeal) == before


def test_a_person_of_the_dispatchers_area_gets_the_appeal(tree: Tree, people: People, report: Any) -> None:
    appeal = _accepted(report(), people)
    r = _dispatch_api(token_client(people.community_staff), appeal, people.grid_worker.pk)
    assert r.status_code == 200, r.content
    assert fresh(appeal).handler_user == people.grid_worker
