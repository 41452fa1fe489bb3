"""The appeal loop's rule table: every rule beside the role refuses on the page and through the API
with its own code and status, and hides its button; the reporter's grant; input the table refuses
(a version or a number that is not one) is a 400 naming the field, never a 500; reading writes
nothing (notifications are read by a POST)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from conftest import Tree, login_client, token_client
from shequ.appeals import services
from shequ.appeals.models import Appeal, Notification, Stage
from shequ.appeals.tests.conftest import People, fresh
from shequ.appeals.tests.matrix_probes import SETUPS
from shequ.appeals.workflow import APPEAL, available

pytestmark = pytest.mark.django_db


def test_every_action_of_the_table_is_probed_and_has_a_service() -> None:
    assert set(SETUPS) == set(APPEAL.actions)
    assert set(services.ACTS) == set(APPEAL.actions)


# guard name -> (set up: the appeal and who tries, the action, its body; the answer's status and code)
Case = Callable[[People, Tree, Any], tuple[Appeal, Any, str, dict]]


def _at(appeal: Appeal, **fields: Any) -> Appeal:
    Appeal.objects.filter(pk=appeal.pk).update(**fields)
    return fresh(appeal)


def _street_level(p: People, t: Tree, report: Any) -> tuple[Appeal, Any, str, dict]:
    a = _at(report(), level="street", handling_area=t.street, handling_path=t.street.path)
    return a, p.grid_worker, "accept", {}


def _someone_elses(p: People, t: Tree, report: Any) -> tuple[Appeal, Any, str, dict]:
    return _at(report(), stage=Stage.DISPATCHED, handler_user=p.grid_worker), p.building_head, "start", {}


def _residents_own(p: People, t: Tree, report: Any) -> tuple[Appeal, Any, str, dict]:
    return _at(report(), stage=Stage.CLOSED), p.community_staff, "evaluate", {"score": 5}


def _at_the_top(p: People, t: Tree, report: Any) -> tuple[Appeal, Any, str, dict]:
    a = _at(report(), level="district", handling_area=t.district, handling_path=t.district.path)
    return a, p.district_admin, "escalate", {"reason": "再往上"}


def _still_open(p: People, t: Tree, report: Any) -> tuple[Appeal, Any, str, dict]:
    return _at(report(), stage=Stage.ACCEPTED), p.community_staff, "publish", {}


def _published(p: People, t: Tree, report: Any) -> tuple[Appeal, Any, str, dict]:
    a = _at(report(), stage=Stage.CLOSED, published_at=timezone.now())
    return a, p.community_staff, "publish", {}


def _not_published(p: People, t: Tree, report: Any) -> tuple[Appeal, Any, str, dict]:
    return _at(report(), stage=Stage.CLOSED), p.community_staff, "unpublish", {}


def _marked(p: People, t: Tree, report: Any) -> tuple[Appeal, Any, str, dict]:
    return _at(report(), for_deliberation=True), p.community_staff, "mark_for_meeting", {}


def _not_marked(p: People, t: Tree, report: Any) -> tuple[Appeal, Any, str, dict]:
    return report(), p.community_staff, "unmark_for_meeting", {}


def _own_report(p: People, t: Tree, report: Any) -> tuple[Appeal, Any, str, dict]:
    return report(by=p.grid_worker, channel="patrol"), p.grid_worker, "accept", {}


def _own_work(p: People, t: Tree, report: Any) -> tuple[Appeal, Any, str, dict]:
    return _at(report(), stage=Stage.HANDLED, handler_user=p.grid_worker), p.grid_worker, "verify", {}


GUARD_CASES: dict[str, tuple[Case, int, str]] = {
    "not_own_report": (_own_report, 403, "own_report"),
    "not_own_work": (_own_work, 403, "own_work"),
    "at_answering_level": (_street_level, 403, "forbidden"),
    "handler_or_answering_level": (_someone_elses, 403, "forbidden"),
    "reporter_or_call_back": (_residents_own, 403, "forbidden"),
    "below_top_level": (_at_the_top, 400, "top_level"),
    "finished": (_still_open, 400, "publish_not_closed"),
    "not_published": (_published, 409, "already_published"),
    "published": (_not_published, 409, "not_published"),
    "not_marked": (_marked, 409, "already_marked"),
    "marked": (_not_marked, 409, "not_marked"),
}


def test_every_guard_of_the_table_has_a_refusal_case() -> None:
    guards = {g.name for a in APPEAL.actions.values() for g in a.guards}
    assert guards == set(GUARD_CASES)


@pytest.mark.parametrize("channel", ["page", "api"])
@pytest.mark.parametrize("guard", list(GUARD_CASES))
def test_a_guard_refuses_with_its_code_and_hides_its_button(
    guard: str, channel: str, people: People, tree: Tree, report: Any
) -> None:
    case, status, code = GUARD_CASES[guard]
    appeal, actor, action, body = case(people, tree, report)
    assert action not in available(actor, appeal)
    data = {"version": appeal.version, **body}
    if channel == "page":
        r = login_client(actor).post(f"/appeals/{appeal.pk}/{action}/", data)
        assert r.status_code == status
        assert 'data-testid="action-error"' in r.content.decode()
    else:
        r = token_client(actor).post(
            f"/api/appeals/{appeal.pk}/{action}", data, content_type="application/json"
        )
        assert r.status_code == status
        assert r.json()["code"] == code
    assert fresh(appeal).version == appeal.version  # nothing was written


@pytest.mark.parametrize("channel", ["page", "api"])
def test_the_reporter_verifies_whatever_their_role_and_a_neighbour_finds_nothing(
    channel: str, people: People, report: Any
) -> None:
    appeal = _at(report(), stage=Stage.HANDLED)
    assert "verify" in available(people.resident, appeal)
    assert "verify" not in available(people.neighbour, appeal)

    def act(user: Any) -> Any:
        data = {"version": appeal.version}
        if channel == "page":
            return login_client(user).post(f"/appeals/{appeal.pk}/verify/", data)
        return token_client(user).post(
            f"/api/appeals/{appeal.pk}/verify", data, content_type="application/json"
        )

    assert act(people.neighbour).status_code == 404
    assert act(people.resident).status_code == (302 if channel == "page" else 200)
    assert fresh(appeal).stage == Stage.VERIFIED


# What a user types that the table refuses: (action, stage, body) -> the field it names.
BAD_INPUT = [
    ("accept", Stage.REPORTED, {"version": "abc"}, "version"),
    ("accept", Stage.REPORTED, {"version": "9" * 40}, "version"),
    ("merge", Stage.REPORTED, {"into_id": "#abc"}, "into_id"),
    ("evaluate", Stage.CLOSED, {"score": "9"}, "score"),
    ("reject", Stage.REPORTED, {"reason": ""}, "reason"),
]


@pytest.mark.parametrize("channel", ["page", "api"])
@pytest.mark.parametrize(("action", "stage", "body", "field"), BAD_INPUT, ids=lambda v: str(v)[:12])
def test_input_the_table_refuses_is_a_400_naming_the_field(
    action: str, stage: str, body: dict, field: str, channel: str, people: People, report: Any
) -> None:
    appeal = _at(report(by=people.community_staff, channel="hotline", contact_name="陈伯"), stage=stage)
    data = {"version": appeal.version, **body}
    if channel == "page":
        r = login_client(people.community_staff).post(f"/appeals/{appeal.pk}/{action}/", data)
        assert r.status_code == 400
        assert 'data-testid="action-error"' in r.content.decode()
    else:
        r = token_client(people.community_staff).post(
            f"/api/appeals/{appeal.pk}/{action}", data, content_type="application/json"
        )
        assert r.status_code == 400
        assert r.json()["field"] == field
    assert fresh(appeal).version == appeal.version


def test_a_page_dispatch_to_a_garbled_handler_is_a_400_and_keeps_the_note(
    people: People, report: Any
) -> None:
    appeal = _at(report(), stage=Stage.ACCEPTED)
    r = login_client(people.grid_worker).post(
        f"/appeals/{appeal.pk}/dispatch/", {"version": appeal.version, "to": "user:x", "note": "尽快处理"}
    )
    assert r.status_code == 400
    assert "尽快处理" in r.content.decode()


def test_reading_an_appeal_writes_nothing_and_opening_its_notification_reads_it(
    people: People, report: Any
) -> None:
    appeal = report()
    services.appeal_accept(appeal=appeal, by=people.grid_worker, version=appeal.version)
    unread = Notification.objects.filter(user=people.resident, read_at__isnull=True)
    notice = unread.get(appeal=appeal)
    client = login_client(people.resident)
    assert 'data-testid="unread">1<' in client.get("/appeals/").content.decode()
    assert client.get(f"/appeals/{appeal.pk}/").status_code == 200
    assert unread.count() == 1  # a GET changes nothing
    assert login_client(people.neighbour).post(f"/appeals/notifications/{notice.pk}/open/").status_code == 404
    assert client.get(f"/appeals/notifications/{notice.pk}/open/").status_code == 405
    r = client.post(f"/appeals/notifications/{notice.pk}/open/")
    assert r.status_code == 302
    assert r.url == f"/appeals/{appeal.pk}/"
    assert unread.count() == 0
    assert 'data-testid="unread"' not in client.get("/appeals/").content.decode()


def test_the_api_marks_notifications_read_by_a_post(people: People, report: Any) -> None:
    appeal = report()
    services.appeal_accept(appeal=appeal, by=people.grid_worker, version=appeal.version)
    client: Client = token_client(people.resident)
    assert client.get("/api/appeals/notifications").json()["items"][0]["read"] is False
    r = client.post(
        "/api/appeals/notifications/read", {"appeal_id": appeal.pk}, content_type="application/json"
    )
    assert r.status_code == 200
    assert r.json()["read"] == 1
    assert client.get("/api/appeals/notifications").json()["items"][0]["read"] is True


def test_an_unknown_category_is_refused_the_same_way_by_the_api_and_the_resolver(
    people: People, tree: Tree
) -> None:
    r = token_client(people.resident).post(
        "/api/appeals",
        {"area_id": tree.building.pk, "category": "no_such", "description": "楼道灯不亮"},
        content_type="application/json",
    )
    assert r.status_code == 400
    assert (r.json()["code"], r.json()["field"]) == ("category_invalid", "category")
    r = login_client(people.resident).get(
        "/appeals/similar/", {"area": "abc", "category": "x", "description": "楼道灯不亮了"}
    )
    assert r.status_code == 400  # a garbled area is refused, not a 500


def test_district_administrators_set_a_stage_deadline_others_read_the_table(
    people: People, report: Any
) -> None:
    from shequ.appeals.models import StageDeadline

    body = {"category": "parking", "priority": "urgent", "stage": "handled", "hours": "7"}
    staff = login_client(people.community_staff)
    page = staff.get("/appeals/deadlines/").content.decode()
    assert 'data-testid="deadlines"' in page
    assert 'data-testid="deadline-form"' not in page
    assert staff.post("/appeals/deadlines/", body).status_code == 403
    api = token_client(people.community_staff)
    assert api.put("/api/appeals/deadlines", body, content_type="application/json").status_code == 403
    admin = login_client(people.district_admin)
    assert 'data-testid="deadlines-link"' in admin.get("/appeals/").content.decode()
    r = admin.post("/appeals/deadlines/", {**body, "hours": "abc"})
    assert r.status_code == 400
    r = token_client(people.district_admin).put(
        "/api/appeals/deadlines", {**body, "hours": "abc"}, content_type="application/json"
    )
    assert (r.status_code, r.json()["field"]) == (400, "hours")
    urgent_handled = StageDeadline.objects.filter(
        category__code="parking", priority="urgent", stage="handled"
    )
    assert not urgent_handled.filter(hours=7).exists()  # nothing refused was written
    assert admin.post("/appeals/deadlines/", body).status_code == 302
    assert urgent_handled.get().hours == 7
    rows = api.get("/api/appeals/deadlines").json()
    assert {
        "category": "parking",
        "priority": "urgent",
        "stage": "handled",
        "hours": 7,
        "set_for_category": True,
    } in rows
