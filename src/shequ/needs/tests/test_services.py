"""The writes of needs: visits with the needs they find, closing a need, surveys and their answers —
each with its refusals (bad input, wrong role, wrong area, stale version) and its audit entry."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from conftest import Tree
from shequ.core.errors import Conflict, DomainError, Forbidden, NotFound
from shequ.core.models import AuditEntry
from shequ.needs import services
from shequ.needs.models import Need, Survey, SurveyResponse, Visit
from shequ.needs.services import NeedDraft
from shequ.needs.tests.conftest import People, fresh
from shequ.registry.models import Organisation, Resident

pytestmark = pytest.mark.django_db


def _need(people: People, resident: Resident, **kw: Any) -> Need:
    return services.need_raise(
        by=people.grid_worker,
        resident=resident,
        category=kw.pop("category", "elderly_care"),
        description=kw.pop("description", "需要助餐服务"),
        source=kw.pop("source", "walk_in"),
        **kw,
    )


# --- visits ---------------------------------------------------------------------------------------


def test_a_grid_worker_logs_a_visit_with_two_needs_in_one_step(
    people: People, elder: Resident, today: date
) -> None:
    visit = services.visit_log(
        by=people.grid_worker,
        resident=elder,
        purpose="care",
        notes="精神不错，膝盖疼",
        needs=[NeedDraft("elderly_care", "希望每天送午餐"), NeedDraft("health", "需要上门量血压")],
    )
    assert visit.area == elder.area
    assert visit.area_path == elder.area.path
    assert visit.household == elder.household  # filled in from the registry, never typed
    assert visit.visited_on == today
    assert visit.visited_by == people.grid_worker
    needs = list(visit.needs.order_by("id"))
    assert [n.category for n in needs] == ["elderly_care", "health"]
    assert all(n.source == "visit" for n in needs)
    assert all(n.status == "open" for n in needs)
    assert all(n.raised_on == today for n in needs)
    assert all(n.area_path == elder.area.path for n in needs)
    assert all(n.resident == elder for n in needs)
    audited = AuditEntry.objects.filter(object_type__in=["needs.visit", "needs.need"])
    assert audited.count() == 3
    assert all(a.area_path == elder.area.path for a in audited)


def test_a_visit_to_a_household_or_a_unit_lies_where_they_are(
    people: People, elder: Resident, unit: Organisation, tree: Tree
) -> None:
    assert elder.household is not None
    household_visit = services.visit_log(by=people.staff, household=elder.household)
    assert household_visit.area == tree.building
    assert household_visit.resident is None
    unit_visit = services.visit_log(by=people.staff, organisation=unit)
    assert unit_visit.area == tree.community
    assert unit_visit.area_path == tree.community.path


@pytest.mark.parametrize(
    "fields, code",
    [
        ({"purpose": "party"}, "purpose_invalid"),
        ({"visited_on": date(2000, 1, 1)}, "date_past"),
        ({"notes": "长" * 2001}, "too_long"),
        ({"needs": [NeedDraft("wishes", "想要")]}, "category_invalid"),
        ({"needs": [NeedDraft("health", "  ")]}, "required"),
        ({"needs": [NeedDraft("health", "x")] * 6}, "too_many"),
    ],
)
def test_a_visit_with_bad_input_is_refused_and_nothing_is_written(
    people: People, elder: Resident, fields: dict[str, Any], code: str
) -> None:
    with pytest.raises(DomainError) as caught:
        services.visit_log(by=people.grid_worker, resident=elder, **fields)
    assert caught.value.code == code
    assert not Visit.objects.exists()
    assert not Need.objects.exists()


def test_a_visit_cannot_be_dated_in_the_future(people: People, elder: Resident, today: date) -> None:
    with pytest.raises(DomainError) as caught:
        services.visit_log(by=people.grid_worker, resident=elder, visited_on=today + timedelta(days=1))
    assert caught.value.code == "date_future"


def test_a_visit_needs_someone_to_visit_and_a_living_resident(
    people: People, elder: Resident, unit: Organisation
) -> None:
    with pytest.raises(DomainError) as missing:
        services.visit_log(by=people.staff)
    assert missing.value.code == "subject_required"
    with pytest.raises(DomainError):
        services.visit_log(by=people.staff, resident=elder, organisation=unit)
    Resident.objects.filter(pk=elder.pk).update(status="deceased", left_on=date(2026, 1, 1))
    with pytest.raises(DomainError) as caught:
        services.visit_log(by=people.staff, resident=fresh(elder))
    assert caught.value.code == "resident_inactive"


def test_a_resident_and_a_household_not_theirs_are_refused(
    people: People, elder: Resident, tree: Tree, resident_factory: Any
) -> None:
    neighbour = resident_factory(tree.building, name="邻居")
    with pytest.raises(DomainError) as caught:
        services.visit_log(by=people.staff, resident=elder, household=neighbour.household)
    assert caught.value.code == "household_mismatch"


def test_roles_that_do_not_visit_are_refused(people: People, elder: Resident) -> None:
    with pytest.raises(Forbidden):
        services.visit_log(by=people.street, resident=elder)  # sees the resident, does not visit
    with pytest.raises(NotFound):
        services.visit_log(by=people.resident, resident=elder)  # may not even see the record
    with pytest.raises(NotFound):
        services.visit_log(by=people.evaluator, resident=elder)
    assert not Visit.objects.exists()


def test_workers_of_another_community_or_district_cannot_visit_here(
    people: People, elder: Resident, stranger: Resident
) -> None:
    with pytest.raises(NotFound):
        services.visit_log(by=people.other_staff, resident=elder)
    with pytest.raises(NotFound):
        services.visit_log(by=people.far_admin, resident=elder)
    with pytest.raises(NotFound):
        services.visit_log(by=people.grid_worker, resident=stranger)  # not in their grid
    assert not Visit.objects.exists()


# --- needs ----------------------------------------------------------------------------------------


def test_a_need_is_raised_and_closed_as_met(people: People, elder: Resident, today: date) -> None:
    need = _need(people, elder)
    assert need.status == "open"
    assert need.version == 1
    assert need.closed_on is None
    closed = services.need_close(
        by=people.worker, need=need, version=1, status="met", outcome="已安排长者饭堂送餐上门"
    )
    assert (closed.status, closed.closed_on, closed.closed_by, closed.version) == (
        "met",
        today,
        people.worker,
        2,
    )
    entry = AuditEntry.objects.filter(object_type="needs.need", action="update").get()
    assert entry.changes["status"] == ["open", "met"]


@pytest.mark.parametrize("status", ["unmet", "withdrawn"])
def test_a_need_can_also_close_unmet_or_withdrawn(people: People, elder: Resident, status: str) -> None:
    need = _need(people, elder)
    closed = services.need_close(by=people.staff, need=need, version=1, status=status, outcome="已转介")
    assert closed.status == status


def test_a_stale_version_is_a_conflict_and_changes_nothing(people: People, elder: Resident) -> None:
    need = _need(people, elder)
    services.need_close(by=people.staff, need=need, version=1, status="met", outcome="已办")
    with pytest.raises(Conflict):
        services.need_close(by=people.worker, need=need, version=1, status="unmet", outcome="无法办理")
    assert fresh(need).status == "met"
    assert fresh(need).closed_by == people.staff


def test_a_closed_need_cannot_be_closed_again(people: People, elder: Resident) -> None:
    need = services.need_close(
        by=people.staff, need=_need(people, elder), version=1, status="met", outcome="已办"
    )
    with pytest.raises(DomainError) as caught:
        services.need_close(by=people.staff, need=need, version=need.version, status="unmet", outcome="x")
    assert caught.value.code == "need_closed"


@pytest.mark.parametrize(
    "fields, code",
    [
        ({"status": "open"}, "status_invalid"),
        ({"outcome": " "}, "required"),
        ({"closed_on": date(2001, 1, 1)}, "date_past"),
    ],
)
def test_closing_with_bad_input_is_refused(
    people: People, elder: Resident, fields: dict[str, Any], code: str
) -> None:
    need = _need(people, elder)
    values: dict[str, Any] = {"status": "met", "outcome": "已办", **fields}
    with pytest.raises(DomainError) as caught:
        services.need_close(by=people.staff, need=need, version=1, **values)
    assert caught.value.code == code
    assert fresh(need).status == "open"


def test_a_need_closes_no_earlier_than_it_was_raised(people: People, elder: Resident, today: date) -> None:
    need = _need(people, elder, raised_on=today - timedelta(days=3))
    with pytest.raises(DomainError):
        services.need_close(
            by=people.staff,
            need=need,
            version=1,
            status="met",
            outcome="已办",
            closed_on=today - timedelta(days=4),
        )


def test_a_building_head_raises_needs_but_does_not_close_them(people: People, elder: Resident) -> None:
    need = services.need_raise(
        by=people.building_head,
        resident=elder,
        category="environment",
        description="楼道灯坏",
        source="other",
    )
    with pytest.raises(Forbidden):
        services.need_close(by=people.building_head, need=need, version=1, status="met", outcome="已修")


def test_another_community_cannot_raise_or_close_needs_here(people: People, elder: Resident) -> None:
    with pytest.raises(NotFound):
        services.need_raise(
            by=people.other_staff, resident=elder, category="health", description="x", source="walk_in"
        )
    need = _need(people, elder)
    with pytest.raises(NotFound):
        services.need_close(by=people.other_staff, need=need, version=1, status="met", outcome="x")
    assert fresh(need).status == "open"


def test_a_need_from_a_visit_must_be_about_the_same_place(
    people: People, elder: Resident, unit: Organisation
) -> None:
    visit = services.visit_log(by=people.staff, organisation=unit)
    with pytest.raises(DomainError) as caught:
        services.need_raise(
            by=people.staff, resident=elder, category="health", description="x", source="visit", visit=visit
        )
    assert caught.value.code == "visit_mismatch"


# --- surveys and answers --------------------------------------------------------------------------


def test_a_social_worker_creates_a_survey_of_the_community(survey: Survey, tree: Tree) -> None:
    assert survey.area_path == tree.community.path
    assert AuditEntry.objects.filter(object_type="needs.survey", action="create").count() == 1


def test_a_survey_with_bad_dates_or_by_a_wrong_role_or_area_is_refused(
    people: People, tree: Tree, today: date
) -> None:
    args: dict[str, Any] = {"title": "测评", "respondents": "residents", "opens_on": today}
    with pytest.raises(DomainError) as caught:
        services.survey_create(
            by=people.worker, area=tree.community, closes_on=today - timedelta(days=1), **args
        )
    assert caught.value.code == "dates_order"
    with pytest.raises(DomainError):
        services.survey_create(
            by=people.worker, area=tree.community, closes_on=today, **{**args, "respondents": "all"}
        )
    with pytest.raises(Forbidden):
        services.survey_create(by=people.grid_worker, area=tree.grid, closes_on=today, **args)
    with pytest.raises(NotFound):  # another community does not exist for them
        services.survey_create(by=people.worker, area=tree.other_community, closes_on=today, **args)
    assert not Survey.objects.exists()


def test_a_resident_answers_for_themselves_online(
    people: People, home: Resident, survey: Survey, today: date
) -> None:
    answer = services.response_record(by=people.resident, survey=survey, score=5, comment="很满意")
    assert answer.resident == home
    assert answer.area_path == home.area.path
    assert answer.recorded_by is None
    assert answer.answered_on == today
    assert answer.satisfied


def test_a_resident_answering_twice_gets_a_clear_error(
    people: People, home: Resident, survey: Survey
) -> None:
    services.response_record(by=people.resident, survey=survey, score=4)
    with pytest.raises(Conflict) as caught:
        services.response_record(by=people.resident, survey=survey, score=1)
    assert caught.value.code == "already_answered"
    assert "once" in str(caught.value.message) or "一次" in str(caught.value.message)
    assert SurveyResponse.objects.get().score == 4


def test_staff_cannot_type_in_a_second_answer_for_someone_who_answered(
    people: People, home: Resident, survey: Survey
) -> None:
    services.response_record(by=people.resident, survey=survey, score=4)
    with pytest.raises(Conflict):
        services.response_record(by=people.grid_worker, survey=survey, score=2, resident=home)


def test_an_account_without_a_linked_record_cannot_answer_online(people: People, survey: Survey) -> None:
    with pytest.raises(Forbidden) as caught:
        services.response_record(by=people.resident, survey=survey, score=5)
    assert caught.value.code == "not_a_resident"


def test_answers_are_taken_only_while_the_survey_is_open(
    people: People, home: Resident, tree: Tree, today: date
) -> None:
    closed = services.survey_create(
        by=people.worker,
        area=tree.community,
        title="去年测评",
        respondents="residents",
        opens_on=today - timedelta(days=40),
        closes_on=today - timedelta(days=10),
    )
    with pytest.raises(DomainError) as caught:
        services.response_record(by=people.resident, survey=closed, score=5)
    assert caught.value.code == "survey_closed"
    # A paper answer given while it was open is typed in later.
    paper = services.response_record(
        by=people.staff, survey=closed, score=3, resident=home, answered_on=today - timedelta(days=12)
    )
    assert paper.recorded_by == people.staff


def test_a_respondent_must_live_in_the_surveys_area(
    people: People, tree: Tree, home: Resident, today: date
) -> None:
    other = services.survey_create(
        by=people.street,
        area=tree.other_community,
        title="沥西社区测评",
        respondents="residents",
        opens_on=today,
        closes_on=today,
    )
    with pytest.raises(DomainError) as caught:
        services.response_record(by=people.resident, survey=other, score=5)
    assert caught.value.code == "respondent_area"


def test_a_unit_survey_takes_units_typed_in_by_staff(
    people: People, tree: Tree, unit: Organisation, home: Resident, today: date
) -> None:
    units = services.survey_create(
        by=people.worker,
        area=tree.community,
        title="辖区单位满意度",
        respondents="units",
        opens_on=today,
        closes_on=today,
    )
    answer = services.response_record(by=people.worker, survey=units, score=4, organisation=unit)
    assert answer.organisation == unit
    assert answer.area_path == tree.community.path
    with pytest.raises(DomainError) as caught:
        services.response_record(by=people.resident, survey=units, score=5)
    assert caught.value.code == "respondent_kind"


def test_paper_answers_need_a_recording_role_in_the_respondents_area(
    people: People, survey: Survey, home: Resident, stranger: Resident
) -> None:
    with pytest.raises(NotFound):
        services.response_record(by=people.building_head, survey=survey, score=5, resident=home)
    with pytest.raises(NotFound):
        services.response_record(by=people.grid_worker, survey=survey, score=5, resident=stranger)
    with pytest.raises(DomainError) as caught:
        services.response_record(by=people.staff, survey=survey, score=6, resident=home)
    assert caught.value.code == "score_invalid"
    assert not SurveyResponse.objects.exists()
