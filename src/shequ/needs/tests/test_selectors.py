"""The reads of needs: every list is scoped to the viewer's areas and takes the filters other pages
link with (area, from, to, status, category, purpose)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from conftest import Tree
from shequ.core.errors import NotFound
from shequ.needs import selectors, services
from shequ.needs.models import Survey
from shequ.needs.tests.conftest import People
from shequ.registry.models import Resident

pytestmark = pytest.mark.django_db


def test_visits_and_needs_are_seen_only_in_ones_own_areas(
    people: People, elder: Resident, stranger: Resident, today: date
) -> None:
    here = services.visit_log(
        by=people.grid_worker, resident=elder, needs=[services.NeedDraft("health", "量血压")]
    )
    there = services.visit_log(by=people.other_staff, resident=stranger)
    assert list(selectors.visits_for(people.staff)) == [here]
    assert list(selectors.visits_for(people.other_staff)) == [there]
    assert set(selectors.visits_for(people.street)) == {here, there}
    assert not selectors.visits_for(people.far_admin).exists()
    assert not selectors.visits_for(people.resident).exists()
    assert not selectors.visits_for(people.evaluator).exists()
    assert selectors.needs_for(people.grid_worker).count() == 1
    assert not selectors.needs_for(people.other_staff).exists()
    with pytest.raises(NotFound):
        selectors.visit_for(people.other_staff, here.pk)
    with pytest.raises(NotFound):
        selectors.need_for(people.far_admin, here.needs.get().pk)


def test_lists_filter_by_area_dates_and_kind(
    people: People, elder: Resident, tree: Tree, today: date
) -> None:
    old = services.visit_log(
        by=people.staff, resident=elder, visited_on=today - timedelta(days=40), purpose="routine"
    )
    new = services.visit_log(by=people.grid_worker, resident=elder, purpose="care")
    assert list(selectors.visits_for(people.staff, date_from=today - timedelta(days=7))) == [new]
    assert list(selectors.visits_for(people.staff, date_to=today - timedelta(days=7))) == [old]
    assert list(selectors.visits_for(people.staff, purpose="care")) == [new]
    assert list(selectors.visits_for(people.staff, mine=True)) == [old]
    assert selectors.visits_for(people.staff, area=tree.building).count() == 2
    assert not selectors.visits_for(people.staff, area=tree.other_community).exists()
    a = services.need_raise(
        by=people.staff, resident=elder, category="health", description="a", source="walk_in"
    )
    b = services.need_raise(
        by=people.staff, resident=elder, category="housing", description="b", source="walk_in"
    )
    services.need_close(by=people.staff, need=b, version=1, status="unmet", outcome="转介街道")
    assert list(selectors.needs_for(people.staff, status="open")) == [a]
    assert list(selectors.needs_for(people.staff, status="closed")) == [b]
    assert list(selectors.needs_for(people.staff, category="health")) == [a]


def test_a_community_survey_is_seen_from_the_grid_but_not_from_another_community(
    people: People, survey: Survey
) -> None:
    assert list(selectors.surveys_for(people.grid_worker)) == [survey]
    assert list(selectors.surveys_for(people.evaluator)) == [survey]
    assert not selectors.surveys_for(people.other_staff).exists()
    assert not selectors.surveys_for(people.far_admin).exists()
    assert not selectors.surveys_for(people.resident).exists()  # a resident's own page lists it instead


def test_answers_are_scoped_to_where_the_respondent_lives(
    people: People, survey: Survey, home: Resident, stranger: Resident, tree: Tree, today: date
) -> None:
    services.response_record(by=people.resident, survey=survey, score=5)
    assert selectors.responses_for(people.grid_worker).count() == 1
    assert not selectors.responses_for(people.other_staff).exists()
    assert not selectors.responses_for(people.building_head).exists()  # neighbours' answers are not theirs
    assert not selectors.responses_for(people.evaluator).exists()
    assert selectors.responses_for(people.staff, satisfied=False).count() == 0


def test_the_summary_counts_satisfied_answers_and_shows_a_dash_on_none(
    people: People, survey: Survey, tree: Tree, resident_factory: Any
) -> None:
    empty = selectors.survey_summary(survey)
    assert (empty.responses, empty.share_satisfied, empty.percent) == (0, None, "—")
    for score in (5, 4, 2):
        person = resident_factory(tree.building, name=f"居民{score}")
        services.response_record(by=people.staff, survey=survey, score=score, resident=person)
    summary = selectors.survey_summary(survey)
    assert (summary.responses, summary.satisfied) == (3, 2)
    assert summary.percent == "66.7%"
    assert summary.by_score[2] == 1


def test_a_resident_sees_the_open_surveys_of_their_home_and_their_own_answer(
    people: People, survey: Survey, home: Resident, tree: Tree, today: date
) -> None:
    services.survey_create(
        by=people.street,
        area=tree.other_community,
        title="别的社区",
        respondents="residents",
        opens_on=today,
        closes_on=today,
    )
    items = selectors.surveys_of_home(people.resident)
    assert [i.survey for i in items] == [survey]
    assert items[0].answered is None
    services.response_record(by=people.resident, survey=survey, score=3)
    assert selectors.surveys_of_home(people.resident)[0].answered is not None
    assert selectors.surveys_of_home(people.grid_worker) == []


def test_the_pick_list_holds_only_adults_of_ones_own_grid_unvisited_first(
    people: People, elder: Resident, stranger: Resident, tree: Tree, resident_factory: Any, today: date
) -> None:
    child = resident_factory(tree.building, name="小明", born=today - timedelta(days=365 * 8))
    visited = resident_factory(tree.building, name="已走访")
    services.visit_log(by=people.grid_worker, resident=visited)
    listed = list(selectors.visit_subjects(people.grid_worker, since=today.replace(day=1)))
    assert stranger not in listed
    assert child not in listed
    assert listed[-1] == visited
    assert elder in listed
    assert listed[-1].last_visit == today
    assert not selectors.visit_subjects(people.street).exists()
