"""Residents attending without an account (issue 15): staff record a walk-in or a youth without an
account as attending, and sign up the members of a 1+1+5 group; each is a resident who took part
(a participant's service record, which the participation rate counts). Page and API alike."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from conftest import Tree, login_client, token_client
from shequ.core.models import AuditEntry
from shequ.registry.models import Resident
from shequ.volunteering import selectors, services, youth
from shequ.volunteering.models import Attendee, RecordKind, ServiceRecord
from shequ.volunteering.tests.conftest import END, NOW, START, People

pytestmark = pytest.mark.django_db


def _finish(activity: Any, people: People) -> Any:
    return services.activity_finish(
        by=people.worker, activity=activity, version=activity.version, now=END + timedelta(hours=1)
    )


def _participants(activity: Any) -> set[int]:
    rows = ServiceRecord.objects.filter(activity=activity, kind=RecordKind.PARTICIPANT)
    return set(rows.values_list("resident_id", flat=True))


@pytest.mark.parametrize("channel", ["page", "api"])
def test_a_walk_in_is_recorded_as_attending_and_takes_part(
    make_activity: Any, people: People, tree: Tree, resident_factory: Any, channel: str
) -> None:
    activity = make_activity()
    walk_in = resident_factory(tree.building, name="路过的王阿姨")
    if channel == "page":
        page = login_client(people.worker)
        found = page.get(f"/activities/{activity.pk}/attendees/", {"q": "路过"}).content.decode()
        assert f'data-testid="add-{walk_in.pk}"' in found
        r = page.post(f"/activities/{activity.pk}/attendees/", {"resident": walk_in.pk})
        assert r.status_code == 302
    else:
        r = token_client(people.worker).post(
            f"/api/activities/{activity.pk}/attendees",
            {"attendee_ids": [walk_in.pk]},
            content_type="application/json",
        )
        assert r.status_code == 200, r.content
        assert r.json()["added"] == 1
        assert [a["name"] for a in r.json()["attendees"]] == ["路过的王阿姨"]
    assert AuditEntry.objects.filter(object_id=str(activity.pk), changes__attendees=[0, 1]).exists()
    finished = _finish(activity, people)
    assert _participants(finished) == {walk_in.pk}
    assert selectors.counts_of(finished).resident_participants == 1


def test_a_resident_added_after_the_end_takes_part_at_once_and_removing_takes_it_back(
    make_activity: Any, people: People, tree: Tree, resident_factory: Any
) -> None:
    finished = _finish(make_activity(), people)
    youth_without_account = resident_factory(tree.building, name="小明", born=date(2015, 4, 1))
    services.attendee_add(by=people.worker, activity=finished, residents=[youth_without_account])
    assert _participants(finished) == {youth_without_account.pk}
    shown = selectors.attendees_of(finished)
    assert shown[0]["name"] != "小明"  # a child's name is masked on the list
    services.attendee_remove(by=people.worker, activity=finished, resident=youth_without_account)
    assert _participants(finished) == set()


def test_a_volunteer_who_checked_in_and_is_also_recorded_counts_once(
    make_activity: Any, people: People, volunteer_factory: Any
) -> None:
    activity = make_activity()
    volunteer = volunteer_factory()
    signup = services.signup_create(by=volunteer.user, activity=activity, now=NOW)
    services.attendance_check_in(by=people.worker, signup=signup, at=START, now=START + timedelta(minutes=5))
    services.attendee_add(by=people.worker, activity=activity, residents=[volunteer.resident])
    finished = _finish(activity, people)
    assert ServiceRecord.objects.filter(activity=finished, resident=volunteer.resident).count() == 1


def test_the_members_of_a_1_1_5_group_are_signed_up(
    make_activity: Any, people: People, tree: Tree, resident_factory: Any
) -> None:
    def person(name: str, status: str, born: date = date(2005, 3, 1)) -> Resident:
        resident = resident_factory(tree.building, name=name, born=born)
        Resident.objects.filter(pk=resident.pk).update(political_status=status)
        return Resident.objects.get(pk=resident.pk)

    group = youth.youth_group_create(
        by=people.worker,
        area=tree.community,
        name="平地青年先锋组",
        formed_on=date(2026, 7, 10),
        party_member=person("党员甲", "party_member", date(1975, 1, 1)),
        activist=person("积极分子乙", "activist", date(1998, 1, 1)),
        backbones=[person(f"团员{i}", "league_member") for i in range(5)],
    )
    activity = make_activity()
    page = login_client(people.worker)
    assert (
        f'data-testid="group-{group.pk}"'
        in page.get(f"/activities/{activity.pk}/attendees/").content.decode()
    )
    assert page.post(f"/activities/{activity.pk}/attendees/", {"group": group.pk}).status_code == 302
    assert Attendee.objects.filter(activity=activity, youth_group=group).count() == 7
    again = token_client(people.worker).post(f"/api/activities/{activity.pk}/attendees/groups/{group.pk}")
    assert again.status_code == 200
    assert again.json()["added"] == 0  # each member once
    assert len(_participants(_finish(activity, people))) == 7


@pytest.mark.parametrize("who", ["other_worker", "far_admin"])
def test_another_areas_worker_records_no_one(
    make_activity: Any, people: People, tree: Tree, resident_factory: Any, who: str
) -> None:
    activity = make_activity()
    walk_in = resident_factory(tree.building, name="路人")
    r = token_client(getattr(people, who)).post(
        f"/api/activities/{activity.pk}/attendees",
        {"attendee_ids": [walk_in.pk]},
        content_type="application/json",
    )
    assert r.status_code in (403, 404)
    page = login_client(getattr(people, who)).post(
        f"/activities/{activity.pk}/attendees/", {"resident": walk_in.pk}
    )
    assert page.status_code in (403, 404)
    assert not Attendee.objects.exists()


def test_a_resident_of_another_district_answers_as_a_missing_one(
    make_activity: Any, people: People, tree: Tree, resident_factory: Any
) -> None:
    activity = make_activity()
    far = resident_factory(tree.far_building, name="远方居民")
    client = token_client(people.worker)
    outside = client.post(
        f"/api/activities/{activity.pk}/attendees",
        {"attendee_ids": [far.pk]},
        content_type="application/json",
    )
    missing = client.post(
        f"/api/activities/{activity.pk}/attendees",
        {"attendee_ids": [987654321]},
        content_type="application/json",
    )
    assert outside.status_code == missing.status_code == 404
    assert outside.json() == missing.json()
    assert not Attendee.objects.exists()


def test_a_draft_activity_takes_no_attendance(
    make_activity: Any, people: People, tree: Tree, resident_factory: Any
) -> None:
    activity = make_activity(publish=False)
    r = login_client(people.worker).post(
        f"/activities/{activity.pk}/attendees/", {"resident": resident_factory(tree.building).pk}
    )
    assert r.status_code == 400
    assert 'data-testid="attendee-error"' in r.content.decode()
