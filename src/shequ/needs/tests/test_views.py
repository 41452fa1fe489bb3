"""The pages of needs, on a phone: logging a visit in a few taps, closing a need, surveys with their
figures, paper answers, and a resident answering for themselves."""

from __future__ import annotations

from datetime import date

import pytest

from conftest import Tree, login_client
from shequ.needs import services
from shequ.needs.models import Need, Survey, SurveyResponse, Visit
from shequ.needs.tests.conftest import People, fresh
from shequ.registry.models import Resident

pytestmark = pytest.mark.django_db


def test_a_grid_worker_picks_a_resident_and_logs_a_visit_with_a_need(
    people: People, elder: Resident, today: date
) -> None:
    client = login_client(people.grid_worker)
    pick = client.get("/visits/new/")
    assert pick.status_code == 200
    assert f"?resident={elder.pk}" in pick.content.decode()
    form = client.get(f"/visits/new/?resident={elder.pk}")
    body = form.content.decode()
    assert "黄婆婆" in body
    assert 'value="care"' in body  # prefilled: living alone → care visit
    assert "138****" in body
    assert "13800000" not in body.replace("138****", "")  # phone masked
    r = client.post(
        "/visits/new/",
        {
            "resident": elder.pk,
            "visited_on": today.isoformat(),
            "purpose": "care",
            "notes": "一切安好",
            "need_0_category": "elderly_care",
            "need_0_description": "希望送餐",
        },
    )
    assert r.status_code == 302
    visit = Visit.objects.get()
    assert visit.resident == elder
    assert visit.needs.get().description == "希望送餐"
    recent = client.get("/visits/new/").content.decode()
    assert f"/visits/{visit.pk}/" in recent


def test_a_refused_visit_keeps_what_was_typed(people: People, elder: Resident) -> None:
    client = login_client(people.grid_worker)
    r = client.post(
        "/visits/new/",
        {
            "resident": elder.pk,
            "visited_on": "2001-01-01",
            "purpose": "care",
            "notes": "记下的情况",
        },
    )
    assert r.status_code == 400
    assert "记下的情况" in r.content.decode()
    assert not Visit.objects.exists()


def test_the_pick_list_refreshes_for_a_search(people: People, elder: Resident) -> None:
    r = login_client(people.grid_worker).get("/visits/pick/", {"q": "黄婆"})
    assert r.status_code == 200
    assert "黄婆婆" in r.content.decode()


def test_a_worker_of_another_community_cannot_open_the_visit_form(people: People, elder: Resident) -> None:
    assert login_client(people.other_staff).get(f"/visits/new/?resident={elder.pk}").status_code == 404
    assert login_client(people.resident).get("/visits/new/").status_code == 403


def test_a_need_is_closed_from_its_page_and_a_stale_form_is_a_conflict(
    people: People, elder: Resident, today: date
) -> None:
    need = services.need_raise(
        by=people.grid_worker, resident=elder, category="health", description="量血压", source="visit"
    )
    client = login_client(people.worker)
    page = client.get(f"/needs/{need.pk}/").content.decode()
    assert "量血压" in page
    assert 'data-testid="close-form"' in page
    data = {"version": 1, "status": "met", "outcome": "家庭医生已上门", "closed_on": today.isoformat()}
    assert client.post(f"/needs/{need.pk}/close/", data).status_code == 302
    assert fresh(need).status == "met"
    again = login_client(people.staff).post(f"/needs/{need.pk}/close/", {**data, "status": "unmet"})
    assert again.status_code == 409
    assert "家庭医生已上门" in again.content.decode()
    assert fresh(need).status == "met"


def test_the_needs_list_filters_and_hides_other_communities(
    people: People, elder: Resident, stranger: Resident
) -> None:
    mine = services.need_raise(
        by=people.staff, resident=elder, category="health", description="本社区", source="walk_in"
    )
    services.need_raise(
        by=people.other_staff, resident=stranger, category="health", description="外社区", source="walk_in"
    )
    body = (
        login_client(people.staff).get("/needs/", {"status": "open", "category": "health"}).content.decode()
    )
    assert f"/needs/{mine.pk}/" in body
    assert "外社区" not in body
    assert login_client(people.staff).get("/needs/", {"status": "met"}).content.decode().count("/needs/") <= 2
    assert login_client(people.evaluator).get("/needs/").status_code == 403


def test_a_survey_page_shows_a_dash_before_any_answer_then_the_share(
    people: People, survey: Survey, home: Resident, today: date
) -> None:
    client = login_client(people.staff)
    assert 'data-testid="share-satisfied">—<' in client.get(f"/surveys/{survey.pk}/").content.decode()
    found = client.get(f"/surveys/{survey.pk}/", {"q": "陈美玲"}).content.decode()
    assert f'value="{home.pk}"' in found
    r = client.post(
        f"/surveys/{survey.pk}/responses/new/",
        {"respondent": home.pk, "score": 4, "answered_on": today.isoformat(), "comment": "纸质问卷"},
    )
    assert r.status_code == 302
    page = client.get(f"/surveys/{survey.pk}/").content.decode()
    assert 'data-testid="share-satisfied">100.0%<' in page
    assert "纸质问卷" in page


def test_a_resident_answers_on_their_phone_and_a_second_time_is_refused(
    people: People, survey: Survey, home: Resident
) -> None:
    client = login_client(people.resident)
    listing = client.get("/surveys/").content.decode()
    assert f"/surveys/{survey.pk}/answer/" in listing
    assert client.post(f"/surveys/{survey.pk}/answer/", {"score": 5, "comment": "好"}).status_code == 302
    again = client.post(f"/surveys/{survey.pk}/answer/", {"score": 1})
    assert again.status_code == 409
    assert "每人只能回答一次" in again.content.decode()
    assert SurveyResponse.objects.get().score == 5
    assert client.get(f"/surveys/{survey.pk}/").status_code == 404  # the staff page is not theirs


def test_a_resident_of_another_community_cannot_open_the_survey(
    people: People, survey: Survey, tree: Tree, stranger: Resident
) -> None:
    from conftest import make_user
    from shequ.core.roles import Role

    other = make_user(Role.RESIDENT, tree.other_building, "waidi")
    Resident.objects.filter(pk=stranger.pk).update(user=other)
    assert login_client(other).get(f"/surveys/{survey.pk}/answer/").status_code == 404


def test_a_social_worker_creates_a_survey_from_the_page(people: People, tree: Tree, today: date) -> None:
    r = login_client(people.worker).post(
        "/surveys/new/",
        {
            "area": tree.community.pk,
            "title": "年度满意度",
            "respondents": "units",
            "opens_on": today.isoformat(),
            "closes_on": today.isoformat(),
        },
    )
    assert r.status_code == 302
    assert Survey.objects.get().respondents == "units"
    assert login_client(people.grid_worker).get("/surveys/new/").status_code == 403


def test_the_navigation_shows_the_new_sections_by_role(people: People, home: Resident) -> None:
    worker = login_client(people.grid_worker).get("/visits/").content.decode()
    assert 'data-testid="nav-visits"' in worker
    assert 'data-testid="nav-needs"' in worker
    resident = login_client(people.resident).get("/surveys/").content.decode()
    assert 'data-testid="nav-surveys"' in resident
    assert 'data-testid="nav-visits"' not in resident
    assert Need.objects.count() == 0
