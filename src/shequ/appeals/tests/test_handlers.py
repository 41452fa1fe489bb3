"""Who an appeal can be sent to, and who checks the work (issue 15): a volunteer team is a handler
beside people and units; a volunteer of the community that contains the building can be sent the
appeal and works on it; the one who did the work does not verify it, and a reporter does not accept
or reject their own report. Page and API alike."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import Tree, login_client, make_user, token_client
from shequ.appeals import services
from shequ.appeals.models import Appeal, HandlerKind, Stage
from shequ.appeals.tests.conftest import People, fresh
from shequ.appeals.workflow import available
from shequ.core.roles import Role
from shequ.volunteering.models import Team, TeamKind, TeamLevel, Volunteer

pytestmark = pytest.mark.django_db


def _accepted(report: Any, people: People) -> Appeal:
    return services.appeal_accept(appeal=report(), by=people.community_staff, version=1)


def _team(area: Any, name: str = "红马甲巡逻队") -> Team:
    return Team.objects.create(area=area, name=name, level=TeamLevel.COMMUNITY, kind=TeamKind.PATROL)


def _api(client: Any, appeal: Appeal, action: str, **body: Any) -> Any:
    data = {"version": fresh(appeal).version, **body}
    return client.post(f"/api/appeals/{appeal.pk}/{action}", data, content_type="application/json")


def test_the_dispatch_list_offers_the_volunteer_teams_of_the_community(
    report: Any, people: People, tree: Tree
) -> None:
    team, far = _team(tree.community), _team(tree.far_community, "升平志愿队")
    appeal = _accepted(report, people)
    page = login_client(people.community_staff).get(f"/appeals/{appeal.pk}/").content.decode()
    assert f'value="team:{team.pk}"' in page
    assert f'value="team:{far.pk}"' not in page


@pytest.mark.parametrize("channel", ["page", "api"])
def test_a_volunteer_team_is_chosen_as_handler(report: Any, people: People, tree: Tree, channel: str) -> None:
    team = _team(tree.community)
    appeal = _accepted(report, people)
    if channel == "page":
        r = login_client(people.community_staff).post(
            f"/appeals/{appeal.pk}/dispatch/", {"version": appeal.version, "to": f"team:{team.pk}"}
        )
        assert r.status_code == 302
    else:
        r = _api(token_client(people.community_staff), appeal, "dispatch", team_id=team.pk)
        assert r.status_code == 200, r.content
        assert r.json()["handler"] == team.name
    after = fresh(appeal)
    assert after.handler_team == team
    assert after.handler_kind == HandlerKind.TEAM
    assert after.stage == Stage.DISPATCHED


def test_a_team_of_another_district_answers_as_a_missing_one(report: Any, people: People, tree: Tree) -> None:
    far = _team(tree.far_community, "升平志愿队")
    appeal = _accepted(report, people)
    r = _api(token_client(people.community_staff), appeal, "dispatch", team_id=far.pk)
    assert r.status_code == 404
    assert "升平" not in r.content.decode()
    assert fresh(appeal).handler_team is None


def test_a_team_of_a_sibling_community_is_refused(report: Any, people: People, tree: Tree) -> None:
    sibling = _team(tree.other_community, "沥西志愿队")
    appeal = _accepted(report, people)
    r = _api(token_client(people.street_official), appeal, "dispatch", team_id=sibling.pk)
    assert r.status_code == 400
    assert r.json()["code"] == "handler_outside"


def test_a_member_of_the_team_works_on_it(report: Any, people: People, tree: Tree) -> None:
    team = _team(tree.community)
    member = Volunteer.objects.create(
        area=tree.community, name="队员", phone_encrypted="x", user=people.volunteer
    )
    team.members.add(member)
    appeal = _accepted(report, people)
    services.appeal_dispatch(
        appeal=appeal, by=people.community_staff, version=fresh(appeal).version, to_team=team
    )
    client = token_client(people.volunteer)
    assert client.get(f"/api/appeals/{appeal.pk}").status_code == 200
    assert _api(client, appeal, "start").status_code == 200
    assert _api(client, appeal, "handle", result="路灯修好了").status_code == 200
    assert fresh(appeal).stage == Stage.HANDLED


@pytest.mark.parametrize("channel", ["page", "api"])
def test_a_volunteer_of_the_community_is_sent_the_appeal_and_works_on_it(
    report: Any, people: People, tree: Tree, channel: str
) -> None:
    appeal = _accepted(report, people)
    volunteer = people.volunteer  # the volunteer role sits on 平地社区, which contains the building
    if channel == "page":
        page = login_client(people.community_staff).get(f"/appeals/{appeal.pk}/").content.decode()
        assert f'value="user:{volunteer.pk}"' in page
        r = login_client(people.community_staff).post(
            f"/appeals/{appeal.pk}/dispatch/", {"version": appeal.version, "to": f"user:{volunteer.pk}"}
        )
        assert r.status_code == 302
    else:
        r = _api(token_client(people.community_staff), appeal, "dispatch", user_id=volunteer.pk)
        assert r.status_code == 200, r.content
    assert fresh(appeal).handler_user == volunteer
    assert "start" in available(volunteer, fresh(appeal))
    assert _api(token_client(volunteer), appeal, "start").status_code == 200
    assert _api(token_client(volunteer), appeal, "handle", result="清理完毕").status_code == 200
    assert fresh(appeal).stage == Stage.HANDLED


def test_a_volunteer_of_another_community_is_refused(report: Any, people: People, tree: Tree) -> None:
    elsewhere = make_user(Role.VOLUNTEER, tree.other_community, "lixi_zy")
    appeal = _accepted(report, people)
    r = _api(token_client(people.street_official), appeal, "dispatch", user_id=elsewhere.pk)
    assert r.status_code == 400
    assert r.json()["code"] == "handler_outside"


def test_a_volunteer_sees_no_appeal_that_is_not_theirs(report: Any, people: People) -> None:
    appeal = _accepted(report, people)
    assert token_client(people.volunteer).get(f"/api/appeals/{appeal.pk}").status_code == 404


@pytest.mark.parametrize("channel", ["page", "api"])
def test_who_reported_the_result_does_not_verify_it(report: Any, people: People, channel: str) -> None:
    appeal = _accepted(report, people)
    appeal = services.appeal_dispatch(
        appeal=appeal, by=people.community_staff, version=appeal.version, to_user=people.grid_worker
    )
    appeal = services.appeal_start(appeal=appeal, by=people.grid_worker, version=appeal.version)
    appeal = services.appeal_handle(
        appeal=appeal, by=people.grid_worker, version=appeal.version, result="修好了"
    )
    assert "verify" not in available(people.grid_worker, appeal)
    if channel == "page":
        r = login_client(people.grid_worker).post(
            f"/appeals/{appeal.pk}/verify/", {"version": appeal.version}
        )
        assert r.status_code == 403
    else:
        r = _api(token_client(people.grid_worker), appeal, "verify")
        assert r.status_code == 403
        assert r.json()["code"] == "own_work"
    assert "verify" in available(people.building_head, fresh(appeal))  # another verifier checks it
    assert "verify" in available(people.resident, fresh(appeal))  # and so does the reporter


@pytest.mark.parametrize("action", ["accept", "reject"])
def test_a_reporter_does_not_accept_or_reject_their_own_report(
    report: Any, people: People, action: str
) -> None:
    own = report(by=people.grid_worker, channel="patrol")
    assert action not in available(people.grid_worker, own)
    body = {"reason": "不是问题"} if action == "reject" else {}
    r = _api(token_client(people.grid_worker), own, action, **body)
    assert r.status_code == 403
    assert r.json()["code"] == "own_report"
    assert action in available(people.community_staff, own)  # someone else of the level does


def test_staff_accept_a_call_they_recorded_for_a_caller(report: Any, people: People) -> None:
    call = report(by=people.community_staff, channel="hotline", contact_name="黄先生")
    assert "accept" in available(people.community_staff, call)  # the caller's report, not theirs
