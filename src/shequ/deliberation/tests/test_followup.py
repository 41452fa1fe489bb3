"""The follow-up of a decision (落实) and its co-evaluation (共评): milestones with owner, due date,
progress and photos; the scheduler's escalation of overdue ones; the appeal moving on when the
decision is done; residents rating it once. Rows are built once for the module (module_transaction)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from PIL import Image

from conftest import Tree, build_tree, login_client, make_user, module_transaction, token_client
from shequ.appeals import services as appeals
from shequ.appeals.models import Appeal, AppealStep, Category
from shequ.core.idnumber import make_id_number
from shequ.core.models import User
from shequ.core.roles import Role
from shequ.deliberation import jobs
from shequ.deliberation.actions import TABLES
from shequ.deliberation.api import router
from shequ.deliberation.models import Decision, Milestone
from shequ.deliberation.services import attendance, decisions, followup, meetings, topics
from shequ.deliberation.tests.conftest import call_meeting
from shequ.registry.models import Household, Resident
from shequ.registry.services import seal_personal_data

pytestmark = pytest.mark.django_db


@dataclass
class World:
    tree: Tree
    staff: User
    outsider: User  # staff of another community
    rater: User  # a resident of the meeting's building, with an account
    neighbour: User  # a resident of another building
    appeal: Appeal
    decision: Decision


def _resident(building: Any, n: int, user: User | None = None) -> Resident:
    sealed = seal_personal_data(
        id_number=make_id_number("440605", timezone.localdate().replace(year=1980), 900 + n, "F"),
        phone=f"1390000{n:04d}",
    )
    household = Household.objects.create(area=building, address=f"{building.name}{n}室")
    return Resident.objects.create(
        area=building, household=household, name=f"居民{n}", relation="户主", user=user, **sealed.__dict__
    )


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    with module_transaction(django_db_blocker), django_db_blocker.unblock():
        tree = build_tree()
        staff = make_user(Role.COMMUNITY_STAFF, tree.community, "luoshi_ganbu")
        rater = make_user(Role.RESIDENT, tree.building, "luoshi_jumin")
        neighbour = make_user(Role.RESIDENT, tree.other_building, "luoshi_linju")
        _resident(tree.building, 1, rater)
        _resident(tree.other_building, 2, neighbour)
        appeal = appeals.appeal_report(
            by=rater,
            area=tree.building,
            category=Category.objects.get(code="roads_facilities"),
            description="1座门前车位不够，消防通道被占",
        )
        meeting = call_meeting(staff, tree.building)
        meeting = meetings.meeting_notify(by=staff, meeting=meeting, version=meeting.version)
        meeting = meetings.meeting_open(by=staff, meeting=meeting, version=meeting.version)
        for resident in Resident.objects.filter(area=tree.building):
            attendance.attendance_record(by=staff, meeting=meeting, resident=resident)
        topic = topics.topic_add(by=staff, meeting=meeting, title="停车位改造", appeal=appeal)
        decision = decisions.decision_record(
            by=staff,
            meeting=meeting,
            text="划设12个车位，消防通道划禁停线",
            responsible="物业公司",
            topic=topic,
        )
        yield World(
            tree,
            staff,
            make_user(Role.COMMUNITY_STAFF, tree.other_community, "luoshi_waiju"),
            rater,
            neighbour,
            appeal,
            decision,
        )


def _jpeg() -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 120, 40)).save(out, format="JPEG")
    out.seek(0)
    out.name = "progress.jpg"
    return out


def _milestone(w: World, *, due_in: int = 10, title: str = "划线") -> Milestone:
    day = timezone.localdate() + timedelta(days=due_in)
    return followup.milestone_add(by=w.staff, decision=w.decision, title=title, owner="物业公司", due=day)


def test_every_action_of_every_table_has_one_api_endpoint() -> None:
    paths = set(router.path_operations)
    expected = {f"/{acts.plural}/{{int:obj_id}}/{name}" for acts in TABLES for name in acts.table.actions}
    assert expected - paths == set()


def test_every_action_of_every_table_has_a_service() -> None:
    missing = {(acts.noun, n) for acts in TABLES for n in acts.table.actions if n not in acts.services}
    assert missing == set()


def test_a_milestone_is_added_on_the_page_and_its_progress_reported_with_a_photo_through_the_api(
    world: World,
) -> None:
    w = world
    r = login_client(w.staff).post(
        f"/decisions/{w.decision.pk}/act/add_milestone/",
        {"title": "施划车位线", "owner": "物业公司", "due": "2027-01-15"},
    )
    assert r.status_code == 302
    milestone = w.decision.milestones.get(title="施划车位线")
    r = token_client(w.staff).post(
        f"/api/milestones/{milestone.pk}/progress",
        {"progress": "60", "note": "已划8个", "version": str(milestone.version), "photos": _jpeg()},
    )
    assert r.status_code == 200, r.content[:300]
    assert r.json()["progress"] == 60
    assert len(r.json()["photos"]) == 1
    page = login_client(w.staff).get(f"/meetings/{w.decision.meeting_id}/").content.decode()
    assert f'data-milestone="{milestone.pk}"' in page


def test_the_last_milestone_done_implements_the_decision_and_moves_the_appeal_on(world: World) -> None:
    w = world
    first, second = _milestone(w, title="买漆"), _milestone(w, title="划线")
    followup.milestone_progress(by=w.staff, milestone=first, progress=100, version=first.version)
    assert Decision.objects.get(pk=w.decision.pk).status == "adopted"
    followup.milestone_progress(by=w.staff, milestone=second, progress=100, version=second.version)
    assert Decision.objects.get(pk=w.decision.pk).status == "done"
    assert Appeal.objects.get(pk=w.appeal.pk).stage == "handled"
    assert AppealStep.objects.filter(appeal=w.appeal).latest("id").action == "handle"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"progress": "101"}, 400, "out_of_range"),
        ({"progress": "abc"}, 422, "invalid_input"),
        ({"progress": "50", "version": "1", "photos": "x"}, 400, "photo_unreadable"),
    ],
)
def test_progress_is_refused_on_its_field(world: World, body: dict[str, Any], status: int, code: str) -> None:
    milestone = _milestone(world)
    data = {"version": str(milestone.version), **body}
    if data.get("photos") == "x":
        data["photos"] = io.BytesIO(b"not an image")
    r = token_client(world.staff).post(f"/api/milestones/{milestone.pk}/progress", data)
    assert (r.status_code, r.json().get("code")) == (status, code)


def test_another_areas_milestone_is_not_found(world: World) -> None:
    milestone = _milestone(world)
    client = token_client(world.outsider)
    assert client.get(f"/api/milestones/{milestone.pk}").status_code == 404
    r = client.post(f"/api/milestones/{milestone.pk}/progress", {"progress": "10", "version": "1"})
    assert r.status_code == 404


def test_an_overdue_milestone_is_escalated_once(world: World) -> None:
    w = world
    late = _milestone(w, due_in=-2, title="安装车位锁")
    _milestone(w, due_in=5)  # not yet due
    assert jobs.run_overdue() == {"escalated": 1}
    assert jobs.run_overdue() == {"escalated": 0}
    assert Milestone.objects.get(pk=late.pk).escalated_at is not None
    assert "安装车位锁" in AppealStep.objects.filter(appeal=w.appeal).latest("id").note
    page = login_client(w.staff).get(f"/meetings/{w.decision.meeting_id}/").content.decode()
    assert 'data-testid="overdue"' in page


def test_residents_rate_an_implemented_decision_once(world: World) -> None:
    w = world
    rater = token_client(w.rater)
    before = rater.post(
        f"/api/decisions/{w.decision.pk}/evaluate", {"score": 4}, content_type="application/json"
    )
    assert (before.status_code, before.json()["code"]) == (400, "illegal_transition")
    done = decisions.decision_done(by=w.staff, decision=w.decision, version=w.decision.version)
    first = rater.post(
        f"/api/decisions/{w.decision.pk}/evaluate", {"score": 4}, content_type="application/json"
    )
    assert first.status_code == 200, first.content[:300]
    again = login_client(w.rater).post(f"/decisions/{w.decision.pk}/act/evaluate/", {"score": "5"})
    assert again.status_code == 409
    page = login_client(w.rater).get(f"/decisions/{w.decision.pk}/").content.decode()
    assert "4.0" in page
    decisions.decision_post(by=w.staff, decision=done, version=done.version)
    public = Client().get(f"/public/{w.tree.community.code}/decisions/").content.decode()
    assert 'data-testid="public-rating"' in public


def test_a_resident_of_another_building_cannot_rate(world: World) -> None:
    w = world
    decisions.decision_done(by=w.staff, decision=w.decision, version=w.decision.version)
    r = token_client(w.neighbour).post(
        f"/api/decisions/{w.decision.pk}/evaluate", {"score": 1}, content_type="application/json"
    )
    assert r.status_code == 404


def test_a_resident_objects_once_within_the_window_and_the_public_page_shows_it_anonymised(
    world: World,
) -> None:
    w = world
    rater = token_client(w.rater)
    url = f"/api/decisions/{w.decision.pk}/object"
    before = rater.post(url, {"text": "车位太少"}, content_type="application/json")
    assert (before.status_code, before.json()["code"]) == (400, "not_posted")
    decisions.decision_post(
        by=w.staff, decision=w.decision, version=w.decision.version, days=10, objection_days=3
    )
    first = rater.post(url, {"text": "居民1认为车位太少，电话13812345678"}, content_type="application/json")
    assert first.status_code == 200, first.content[:300]
    again = rater.post(url, {"text": "再提一次"}, content_type="application/json")
    assert (again.status_code, again.json()["code"]) == (409, "already_objected")
    public = Client().get(f"/public/{w.tree.community.code}/decisions/").content.decode()
    assert 'data-testid="objections"' in public
    assert "13812345678" not in public
    assert "居民1" not in public


def test_the_window_closed_refuses_an_objection(world: World) -> None:
    w = world
    decisions.decision_post(
        by=w.staff, decision=w.decision, version=w.decision.version, days=10, objection_days=0
    )
    Decision.objects.filter(pk=w.decision.pk).update(objection_until=timezone.localdate() - timedelta(days=1))
    r = token_client(w.rater).post(
        f"/api/decisions/{w.decision.pk}/object", {"text": "晚了"}, content_type="application/json"
    )
    assert (r.status_code, r.json()["code"]) == (409, "objection_window_closed")


def test_the_photo_of_the_paper_notice_is_public_while_the_decision_is_posted(world: World) -> None:
    w = world
    posted = decisions.decision_post(by=w.staff, decision=w.decision, version=w.decision.version, days=5)
    r = login_client(w.staff).post(f"/decisions/{posted.pk}/act/notice_photo/", {"photos": _jpeg()})
    assert r.status_code == 302
    photo = posted.posting_photos.get()
    public = Client().get(f"/public/{w.tree.community.code}/decisions/").content.decode()
    assert f"/public/notice-photos/{photo.pk}/" in public
    assert Client().get(f"/public/notice-photos/{photo.pk}/").status_code == 200
    Decision.objects.filter(pk=posted.pk).update(posted_until=timezone.localdate() - timedelta(days=1))
    assert Client().get(f"/public/notice-photos/{photo.pk}/").status_code == 404
