"""Volunteering services: registration, teams, venue bookings, sign-up with capacity and waiting list,
check-in rules, hours and their corrections, points, finishing with service records."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from conftest import Tree, make_user
from shequ.core.crypto import decrypt
from shequ.core.errors import Conflict, DomainError, NotFound
from shequ.core.models import AuditEntry
from shequ.core.roles import Role
from shequ.registry.models import Organisation
from shequ.volunteering import selectors, services
from shequ.volunteering.models import (
    ActivityStatus,
    HoursCorrection,
    HoursStatus,
    PointEntry,
    RecordKind,
    ServiceRecord,
    SignUpStatus,
)
from shequ.volunteering.tests.conftest import END, NOW, START, People, fresh

pytestmark = pytest.mark.django_db


def _code(exc: pytest.ExceptionInfo[DomainError]) -> str:
    return exc.value.code


# --- volunteers and teams -------------------------------------------------------------------------


def test_a_resident_is_registered_as_a_volunteer_and_verified_with_an_audit_entry(
    tree: Tree, people: People, resident_factory: Any
) -> None:
    person = resident_factory(tree.building, name="黄志明")
    volunteer = services.volunteer_register(
        by=people.worker, area=tree.community, resident=person, skills=["急救", "急救", "剪发"]
    )
    assert volunteer.name == "黄志明"
    assert volunteer.skills == ["急救", "剪发"]
    assert not volunteer.is_verified
    services.volunteer_verify(by=people.worker, volunteer=volunteer)
    assert fresh(volunteer).is_verified
    assert (
        AuditEntry.objects.filter(object_type="volunteering.volunteer", object_id=str(volunteer.pk)).count()
        == 2
    )


def test_an_outsider_needs_a_valid_mobile_and_a_valid_id_number_which_are_stored_encrypted(
    tree: Tree, people: People
) -> None:
    with pytest.raises(DomainError) as exc:
        services.volunteer_register(by=people.worker, area=tree.community, name="陈外来", phone="12345")
    assert _code(exc) == "phone_format"
    with pytest.raises(DomainError) as exc:
        services.volunteer_register(by=people.worker, area=tree.community, name="陈外来")
    assert exc.value.fields == {"phone": "required"}
    with pytest.raises(DomainError) as exc:
        services.volunteer_register(
            by=people.worker,
            area=tree.community,
            name="陈外来",
            phone="13800138000",
            id_number="110105194912310021",
        )
    assert _code(exc) == "id_number_checksum"
    volunteer = services.volunteer_register(
        by=people.worker,
        area=tree.community,
        name="陈外来",
        phone="13800138000",
        id_number="11010519491231002X",
    )
    assert "13800138000" not in volunteer.phone_encrypted
    assert decrypt(volunteer.phone_encrypted, context=services.PHONE_CONTEXT) == "13800138000"
    assert volunteer.id_last4 == "002X"


def test_a_resident_cannot_be_registered_twice_nor_by_a_worker_of_another_community(
    tree: Tree, people: People, resident_factory: Any
) -> None:
    person = resident_factory(tree.building)
    services.volunteer_register(by=people.worker, area=tree.community, resident=person)
    with pytest.raises(Conflict):
        services.volunteer_register(by=people.worker, area=tree.community, resident=person)
    with pytest.raises(NotFound):
        services.volunteer_register(
            by=people.other_worker, area=tree.community, name="某", phone="13800138000"
        )
    with pytest.raises(NotFound):  # a resident of 平地 seen from 沥西
        services.volunteer_register(by=people.other_worker, area=tree.other_community, resident=person)


def test_a_grid_worker_may_not_register_volunteers(tree: Tree, people: People) -> None:
    with pytest.raises(DomainError) as exc:
        services.volunteer_register(
            by=people.grid_worker, area=tree.community, name="某", phone="13800138000"
        )
    assert exc.value.status in (403, 404)


def test_an_account_is_linked_only_if_it_lives_or_volunteers_in_the_area(
    tree: Tree, people: People, resident_factory: Any
) -> None:
    far = make_user(Role.VOLUNTEER, tree.far_community, "far_zy")
    with pytest.raises(DomainError) as exc:  # another community's account: as if there were none
        services.volunteer_register(
            by=people.worker, area=tree.community, resident=resident_factory(tree.building), user=far
        )
    assert _code(exc) == "account_unknown"
    with pytest.raises(DomainError) as exc:  # an account of the area, but no volunteer or resident of it
        services.volunteer_register(
            by=people.worker,
            area=tree.community,
            resident=resident_factory(tree.building),
            user=people.grid_worker,
        )
    assert _code(exc) == "account_area"


def test_teams_sit_at_their_level_and_a_social_organisation_team_names_its_organisation(
    tree: Tree, people: People, volunteer_factory: Any
) -> None:
    with pytest.raises(DomainError) as exc:
        services.team_create(
            by=people.worker, area=tree.community, name="巡逻队", kind="patrol", level="street"
        )
    assert _code(exc) == "level_area"
    with pytest.raises(DomainError) as exc:
        services.team_create(
            by=people.worker, area=tree.community, name="社工站队", kind="other", level="social_organisation"
        )
    assert _code(exc) == "organisation_required"
    leader = volunteer_factory("队长")
    team = services.team_create(
        by=people.worker,
        area=tree.community,
        name="平地巡逻队",
        kind="patrol",
        level="community",
        leader=leader,
    )
    member = volunteer_factory("队员")
    services.team_add_member(by=people.worker, team=team, volunteer=member)
    assert set(team.members.all()) == {leader, member}
    outsider = volunteer_factory("沥西人", area=tree.other_community)
    with pytest.raises(NotFound):  # 平地's worker cannot see 沥西's volunteers
        services.team_add_member(by=people.worker, team=team, volunteer=outsider)


# --- venues ---------------------------------------------------------------------------------------


def test_a_venue_cannot_be_double_booked_but_back_to_back_and_after_a_cancellation_it_can(
    venue: Any, make_activity: Any, people: People
) -> None:
    first = make_activity(venue=venue)
    with pytest.raises(Conflict) as exc:
        make_activity(venue=venue, starts_at=START + timedelta(hours=2), ends_at=END + timedelta(hours=2))
    assert _code(exc) == "venue_booked"
    assert "党群服务中心活动室" in str(exc.value.message)
    make_activity(venue=venue, starts_at=END, ends_at=END + timedelta(hours=1))  # back to back
    services.activity_cancel(
        by=people.worker, activity=first, version=fresh(first).version, reason="下雨", now=NOW
    )
    make_activity(venue=venue, starts_at=START, ends_at=START + timedelta(hours=1))


def test_an_activity_may_not_have_more_places_than_its_venue_holds(venue: Any, make_activity: Any) -> None:
    with pytest.raises(DomainError) as exc:
        make_activity(venue=venue, capacity=41)
    assert _code(exc) == "venue_capacity"


def test_an_activity_is_refused_in_the_past_with_end_before_start_or_by_another_community(
    tree: Tree, people: People, make_activity: Any
) -> None:
    with pytest.raises(DomainError) as exc:
        make_activity(starts_at=NOW - timedelta(hours=1), ends_at=NOW + timedelta(hours=1))
    assert _code(exc) == "starts_past"
    with pytest.raises(DomainError) as exc:
        make_activity(ends_at=START)
    assert _code(exc) == "times_order"
    with pytest.raises(NotFound):
        make_activity(by=people.other_worker)


def test_a_party_branch_activity_names_a_party_branch_of_the_area(tree: Tree, make_activity: Any) -> None:
    unit = Organisation.objects.create(area=tree.community, kind="unit", name="平地小学")
    with pytest.raises(DomainError) as exc:
        make_activity(organiser_kind="party_branch", organisation=unit)
    assert _code(exc) == "organisation_required"
    branch = Organisation.objects.create(area=tree.community, kind="party_branch", name="平地社区党支部")
    assert make_activity(organiser_kind="party_branch", organisation=branch, kind="party_activity_day").pk


# --- sign-up --------------------------------------------------------------------------------------


def test_places_fill_then_the_waiting_list_and_a_freed_place_goes_to_the_first_waiting(
    make_activity: Any, volunteer_factory: Any
) -> None:
    activity = make_activity(capacity=2)
    vs = [volunteer_factory() for _ in range(4)]
    signups = [
        services.signup_create(by=v.user, activity=activity, now=NOW + timedelta(minutes=i))
        for i, v in enumerate(vs)
    ]
    assert [s.status for s in signups] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert selectors.waitlist_position(signups[3]) == 2
    services.signup_cancel(by=vs[0].user, signup=signups[0], now=NOW + timedelta(hours=1))
    assert fresh(signups[2]).status == SignUpStatus.CONFIRMED  # the first on the list
    assert fresh(signups[3]).status == SignUpStatus.WAITLISTED
    assert selectors.waitlist_position(fresh(signups[3])) == 1
    # A waiting person who leaves frees no place.
    services.signup_cancel(by=vs[3].user, signup=signups[3], now=NOW + timedelta(hours=1))
    assert fresh(signups[1]).status == SignUpStatus.CONFIRMED


def test_signing_up_twice_is_refused_but_signing_up_again_after_cancelling_is_not(
    make_activity: Any, volunteer_factory: Any
) -> None:
    activity = make_activity()
    v = volunteer_factory()
    first = services.signup_create(by=v.user, activity=activity, now=NOW)
    with pytest.raises(Conflict) as exc:
        services.signup_create(by=v.user, activity=activity, now=NOW)
    assert _code(exc) == "already_signed_up"
    services.signup_cancel(by=v.user, signup=first, now=NOW)
    assert services.signup_create(by=v.user, activity=activity, now=NOW).status == "confirmed"


def test_a_volunteer_cannot_cancel_after_the_deadline_but_the_organiser_can(
    make_activity: Any, volunteer_factory: Any, people: People
) -> None:
    activity = make_activity()
    assert activity.cancel_deadline == START - timedelta(hours=2)
    v = volunteer_factory()
    signup = services.signup_create(by=v.user, activity=activity, now=NOW)
    late = START - timedelta(hours=1)
    with pytest.raises(DomainError) as exc:
        services.signup_cancel(by=v.user, signup=signup, now=late)
    assert _code(exc) == "cancel_deadline"
    assert fresh(signup).status == "confirmed"
    services.signup_cancel(by=people.worker, signup=signup, now=late)
    assert fresh(signup).status == "cancelled"


def test_who_may_sign_up_is_enforced(make_activity: Any, volunteer_factory: Any) -> None:
    unverified = volunteer_factory(verified=False)
    with pytest.raises(DomainError) as exc:
        services.signup_create(by=unverified.user, activity=make_activity(), now=NOW)
    assert _code(exc) == "not_verified"
    practice = make_activity(kind="youth_social_practice", eligibility="league_members", title="暑期社会实践")
    with pytest.raises(DomainError) as exc:
        services.signup_create(by=volunteer_factory().user, activity=practice, now=NOW)
    assert _code(exc) == "not_league_member"
    league = volunteer_factory(political_status="league_member")
    assert services.signup_create(by=league.user, activity=practice, now=NOW).status == "confirmed"


def test_drafts_and_started_activities_take_no_sign_ups_and_strangers_get_not_found(
    tree: Tree, make_activity: Any, volunteer_factory: Any
) -> None:
    v = volunteer_factory()
    with pytest.raises(NotFound):  # a draft is not visible to volunteers
        services.signup_create(by=v.user, activity=make_activity(publish=False), now=NOW)
    activity = make_activity()
    with pytest.raises(DomainError) as exc:
        services.signup_create(by=v.user, activity=activity, now=START)
    assert _code(exc) == "started"
    far = volunteer_factory(area=tree.other_community)
    with pytest.raises(NotFound):
        services.signup_create(by=far.user, activity=activity, now=NOW)
    nobody = make_user(Role.RESIDENT, tree.building, "jumin")
    with pytest.raises(DomainError) as exc:
        services.signup_create(by=nobody, activity=activity, now=NOW)
    assert _code(exc) == "not_volunteer"


def test_shifts_have_their_own_places(make_activity: Any, volunteer_factory: Any) -> None:
    shifts = [
        services.ShiftPlan("上午班", START, START + timedelta(hours=1), 1),
        services.ShiftPlan("下午班", START + timedelta(hours=1), END, 1),
    ]
    activity = make_activity(shifts=shifts)
    assert activity.capacity == 2
    morning, afternoon = activity.shifts.all()
    a, b, c = volunteer_factory(), volunteer_factory(), volunteer_factory()
    with pytest.raises(DomainError):
        services.signup_create(by=a.user, activity=activity, now=NOW)
    assert services.signup_create(by=a.user, activity=activity, shift=morning, now=NOW).status == "confirmed"
    assert services.signup_create(by=b.user, activity=activity, shift=morning, now=NOW).status == "waitlisted"
    assert (
        services.signup_create(by=c.user, activity=activity, shift=afternoon, now=NOW).status == "confirmed"
    )


# --- check-in -------------------------------------------------------------------------------------


@pytest.fixture
def signed_up(make_activity: Any, volunteer_factory: Any) -> Any:
    activity = make_activity()
    v = volunteer_factory()
    signup = services.signup_create(by=v.user, activity=activity, now=NOW)
    return activity, v, signup


def test_scanning_checks_in_then_out_and_hours_count_only_within_the_activity(signed_up: Any) -> None:
    activity, v, _signup = signed_up
    token = services.qr_token(activity)
    first = services.attendance_scan(by=v.user, token=token, now=START - timedelta(minutes=20))
    assert first.action == "checked_in"
    second = services.attendance_scan(by=v.user, token=token, now=END + timedelta(minutes=30))
    assert second.action == "checked_out"
    assert second.hours is not None
    assert second.hours.minutes == 180  # 09:00–12:00, not 08:40–12:30
    assert second.hours.status == HoursStatus.PENDING


def test_scans_outside_the_window_repeated_or_by_strangers_get_a_clear_answer(
    signed_up: Any, volunteer_factory: Any, make_activity: Any
) -> None:
    activity, v, _signup = signed_up
    token = services.qr_token(activity)
    with pytest.raises(DomainError) as exc:
        services.attendance_scan(by=v.user, token=token, now=START - timedelta(minutes=31))
    assert _code(exc) == "too_early"
    assert "30" in str(exc.value.message)
    with pytest.raises(DomainError) as exc:
        services.attendance_scan(by=v.user, token=token, now=END + timedelta(minutes=1))
    assert _code(exc) == "too_late"
    stranger = volunteer_factory()
    with pytest.raises(DomainError) as exc:
        services.attendance_scan(by=stranger.user, token=token, now=START)
    assert _code(exc) == "not_signed_up"
    assert activity.title in str(exc.value.message)
    services.attendance_scan(by=v.user, token=token, now=START)
    with pytest.raises(DomainError) as exc:
        services.attendance_scan(by=v.user, token=token, now=START + timedelta(minutes=2))
    assert exc.value.status == 409
    assert _code(exc) == "already_checked_in"
    services.attendance_scan(by=v.user, token=token, now=START + timedelta(hours=1))
    with pytest.raises(DomainError) as exc:
        services.attendance_scan(by=v.user, token=token, now=START + timedelta(hours=2))
    assert _code(exc) == "already_checked_out"


def test_the_waiting_list_cannot_check_in(make_activity: Any, volunteer_factory: Any) -> None:
    activity = make_activity(capacity=1)
    services.signup_create(by=volunteer_factory().user, activity=activity, now=NOW)
    waiting = volunteer_factory()
    services.signup_create(by=waiting.user, activity=activity, now=NOW)
    with pytest.raises(DomainError) as exc:
        services.attendance_scan(by=waiting.user, token=services.qr_token(activity), now=START)
    assert _code(exc) == "waitlisted"


def test_forged_and_expired_codes_are_refused(signed_up: Any, settings: Any) -> None:
    import time_machine

    activity, v, _signup = signed_up
    with pytest.raises(DomainError) as exc:
        services.attendance_scan(by=v.user, token="not-a-token", now=START)
    assert _code(exc) == "qr_invalid"
    with time_machine.travel(NOW, tick=False):
        token = services.qr_token(activity)
    with time_machine.travel(NOW + timedelta(minutes=16), tick=False), pytest.raises(DomainError) as exc:
        services.attendance_scan(by=v.user, token=token, now=START)
    assert _code(exc) == "qr_expired"


def test_the_organiser_checks_people_in_and_out_from_the_list(signed_up: Any, people: People) -> None:
    _activity, _v, signup = signed_up
    services.attendance_check_in(by=people.worker, signup=signup, at=START + timedelta(minutes=15), now=END)
    with pytest.raises(DomainError) as exc:
        services.attendance_check_in(by=people.worker, signup=signup, now=END)
    assert _code(exc) == "already_checked_in"
    hours = services.attendance_check_out(by=people.worker, signup=signup, now=END)
    assert hours.minutes == 165
    with pytest.raises(NotFound):
        services.attendance_check_in(by=people.other_worker, signup=signup, now=END)


# --- hours and points -----------------------------------------------------------------------------


@pytest.fixture
def served(signed_up: Any, people: People) -> Any:
    activity, v, signup = signed_up
    services.attendance_check_in(by=people.worker, signup=signup, at=START, now=END)
    hours = services.attendance_check_out(by=people.worker, signup=signup, now=END)
    return activity, v, hours


def test_confirmed_hours_earn_the_configured_points(served: Any, people: People, settings: Any) -> None:
    settings.VOLUNTEER_POINTS_PER_HOUR = 10
    _activity, v, hours = served
    services.hours_confirm(by=people.worker, hours=hours, now=END)
    assert fresh(hours).status == "confirmed"
    assert services.points_balance(v) == 30
    services.hours_confirm(by=people.worker, hours=hours, now=END)  # a second click changes nothing
    assert services.points_balance(v) == 30


def test_a_correction_records_who_when_why_and_moves_the_points(served: Any, people: People) -> None:
    _activity, v, hours = served
    services.hours_confirm(by=people.worker, hours=hours, now=END)
    hours = fresh(hours)
    with pytest.raises(DomainError) as exc:
        services.hours_correct(by=people.worker, hours=hours, version=hours.version, minutes=120, reason=" ")
    assert exc.value.fields == {"reason": "required"}
    corrected = services.hours_correct(
        by=people.worker, hours=hours, version=hours.version, minutes=120, reason="提前一小时离开", now=END
    )
    assert corrected.minutes == 120
    assert corrected.computed_minutes == 180
    correction = HoursCorrection.objects.get(hours=hours)
    assert (correction.minutes_before, correction.minutes_after, correction.reason) == (
        180,
        120,
        "提前一小时离开",
    )
    assert correction.by == people.worker
    assert services.points_balance(v) == 20
    assert list(PointEntry.objects.filter(volunteer=v).values_list("points", flat=True).order_by("id")) == [
        30,
        -10,
    ]
    with pytest.raises(Conflict):  # a stale form
        services.hours_correct(
            by=people.worker, hours=hours, version=hours.version, minutes=60, reason="再改"
        )
    with pytest.raises(NotFound):
        services.hours_correct(by=people.other_worker, hours=hours, version=2, minutes=60, reason="越权")


def test_redemptions_spend_points_but_never_below_zero(served: Any, people: People) -> None:
    _activity, v, hours = served
    services.hours_confirm(by=people.worker, hours=hours, now=END)
    with pytest.raises(DomainError) as exc:
        services.points_redeem(by=people.worker, volunteer=v, item="大米", points=31)
    assert _code(exc) == "points_short"
    services.points_redeem(by=people.worker, volunteer=v, item="大米", points=25)
    assert services.points_balance(v) == 5


# --- finishing ------------------------------------------------------------------------------------


def test_finishing_checks_out_the_rest_and_writes_exact_service_records(
    tree: Tree, people: People, make_activity: Any, volunteer_factory: Any, resident_factory: Any
) -> None:
    activity = make_activity(capacity=5)
    a, b, absent = volunteer_factory(), volunteer_factory(), volunteer_factory()
    outsider = services.volunteer_register(
        by=people.worker, area=tree.community, name="外来志愿者", phone="13900139000", verify=True
    )
    signups = [services.signup_create(by=x.user, activity=activity, now=NOW) for x in (a, b, absent)]
    outsider_signup = services.signup_create(by=people.worker, activity=activity, volunteer=outsider, now=NOW)
    token = services.qr_token(activity)
    services.attendance_scan(by=a.user, token=token, now=START)
    services.attendance_scan(by=a.user, token=token, now=START + timedelta(hours=2))
    services.attendance_scan(by=b.user, token=token, now=START + timedelta(minutes=30))  # never checks out
    services.attendance_check_in(by=people.worker, signup=outsider_signup, at=START, now=START)
    elder = resident_factory(tree.building, name="李婆婆")
    school = Organisation.objects.create(area=tree.community, kind="unit", name="平地小学")
    activity = services.activity_finish(
        by=people.worker,
        activity=activity,
        version=fresh(activity).version,
        beneficiary_households=[elder.household],
        participant_organisations=[school],
        now=END + timedelta(hours=1),
    )
    assert activity.status == ActivityStatus.FINISHED
    assert fresh(signups[1]).hours.minutes == 150  # checked out at the end by finishing
    assert not hasattr(fresh(signups[2]), "hours")
    records = ServiceRecord.objects.filter(activity=activity)
    participants = records.filter(kind=RecordKind.PARTICIPANT)
    assert set(participants.exclude(resident=None).values_list("resident_id", flat=True)) == {
        a.resident_id,
        b.resident_id,
    }
    assert participants.filter(volunteer=outsider, resident=None).count() == 1
    assert list(records.filter(kind=RecordKind.BENEFICIARY).values_list("household_id", flat=True)) == [
        elder.household_id
    ]
    counts = selectors.counts_of(activity)
    assert (counts.participants, counts.resident_participants, counts.participant_units) == (3, 2, 1)
    assert (counts.beneficiary_households, counts.beneficiary_units) == (1, 0)
    with pytest.raises(DomainError):
        services.activity_finish(by=people.worker, activity=activity, version=activity.version)


def test_an_activity_cannot_be_finished_before_it_starts(make_activity: Any, people: People) -> None:
    activity = make_activity()
    with pytest.raises(DomainError) as exc:
        services.activity_finish(by=people.worker, activity=activity, version=activity.version, now=NOW)
    assert _code(exc) == "not_started"
    assert START > NOW
    assert END > START
