"""The home page is each role's day's work (the apps' registered buttons and lists), and the menu fits a
phone: at most four tabs and "more" at the bottom, only what the role can use."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from conftest import Actors, Tree, build_tree, fresh_tree, login_client, module_transaction
from shequ.appeals import services as appeals
from shequ.appeals.models import Category
from shequ.core.context_processors import TAB_SLOTS
from shequ.core.idnumber import make_id_number
from shequ.core.models import User
from shequ.core.roles import Role
from shequ.registry.models import Household, Resident
from shequ.registry.services import seal_personal_data
from shequ.volunteering import services as volunteering

pytestmark = pytest.mark.django_db


@dataclass
class World:
    tree: Tree
    users: dict[str, User]


def _resident(building: Any, name: str, n: int, *, living_alone: bool) -> Resident:
    sealed = seal_personal_data(id_number=make_id_number("440605", date(1948, 3, 2), n, "F"), phone="")
    household = Household.objects.create(area=building, address=f"{building.name}{n}室")
    return Resident.objects.create(
        area=building,
        household=household,
        name=name,
        relation="户主",
        living_alone=living_alone,
        **sealed.__dict__,
    )


def _activity(by: User, area: Any, title: str, starts: Any) -> None:
    made = volunteering.activity_create(
        by=by,
        area=area,
        title=title,
        kind="volunteer_service",
        organiser_kind="social_worker",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        capacity=10,
    )
    volunteering.activity_publish(by=by, activity=made, version=made.version)


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    """One tree with every role, an appeal waiting to be accepted, a resident living alone nobody
    visited, and two activities of the community (today's and next week's): built once."""
    with module_transaction(django_db_blocker):
        with django_db_blocker.unblock():
            tree = build_tree()
            actors = Actors(tree)
            users = {role.value: actors.of(role) for role in Role}
            road = Category.objects.get(code="roads_facilities")
            appeals.appeal_report(
                by=users["resident"], area=tree.building, category=road, description="楼道灯坏了"
            )
            _resident(tree.building, "独居老人甲", 1, living_alone=True)
            _resident(tree.building, "普通居民乙", 2, living_alone=False)
            soon = timezone.now() + timedelta(hours=2)
            if timezone.localtime(soon).date() != timezone.localdate():
                soon = timezone.now() + timedelta(minutes=5)  # late in the evening: still today
            _activity(users["social_worker"], tree.community, "今日长者探访", soon)
            _activity(
                users["social_worker"], tree.community, "下周环保宣传", timezone.now() + timedelta(days=6)
            )
        yield World(tree, users)


@pytest.fixture
def tree(db: Any, world: World) -> Tree:
    return fresh_tree(world.tree)


def _home(world: World, role: str) -> str:
    response = login_client(world.users[role]).get("/")
    assert response.status_code == 200
    return response.content.decode()


# role -> what its home shows (data-testid) and what it must not show.
HOME_SHOWS: dict[str, tuple[set[str], set[str]]] = {
    "grid_worker": (
        {
            "home-report_event",
            "home-visit",
            "waiting-appeals_to_accept",
            "waiting-unvisited",
            "waiting-appeals_to_verify",
        },
        {"home-report_problem", "waiting-my_appeals", "waiting-activities_to_join"},
    ),
    "community_staff": (
        {
            "home-report_event",
            "waiting-appeals_to_accept",
            "waiting-appeals_to_dispatch",
            "waiting-appeals_to_close",
            "waiting-month_report",
        },
        {"home-report_problem", "waiting-my_appeals"},
    ),
    "social_worker": (
        {"home-report_event", "waiting-activities_soon"},
        {"home-report_problem", "waiting-activities_to_join"},
    ),
    "resident": (
        {"home-report_problem", "waiting-my_appeals", "waiting-activities_to_join"},
        {
            "home-report_event",
            "home-visit",
            "waiting-appeals_to_accept",
            "home-dashboard",
            "waiting-month_report",
        },
    ),
    "building_head": (
        {"home-report_event", "waiting-appeals_to_verify"},
        {"home-dashboard", "waiting-month_report"},
    ),
    "volunteer": (
        {"home-report_problem", "waiting-activities_to_join"},
        {"home-report_event", "waiting-unvisited"},
    ),
    "street_official": ({"home-dashboard"}, {"home-report_problem", "waiting-my_appeals"}),
    "evaluator": (
        {"home-dashboard"},
        {"home-report_event", "home-report_problem", "waiting-appeals_to_accept"},
    ),
    "district_admin": ({"home-report_event", "home-dashboard"}, {"home-report_problem"}),
}


@pytest.mark.parametrize("role", list(HOME_SHOWS))
def test_each_role_finds_its_days_work_on_the_home_page(world: World, tree: Tree, role: str) -> None:
    html = _home(world, role)
    shown = set(re.findall(r'data-testid="((?:home|waiting)-[a-z_]+)"', html))
    wanted, unwanted = HOME_SHOWS[role]
    assert wanted - shown == set(), f"{role} misses {wanted - shown}"
    assert shown & unwanted == set(), f"{role} sees {shown & unwanted}"


def test_the_home_page_shows_no_statistics(world: World, tree: Tree) -> None:
    assert 'data-testid="stat-residents"' not in _home(world, "community_staff")


def test_the_grid_worker_sees_who_lives_alone_and_was_not_visited_this_month(
    world: World, tree: Tree
) -> None:
    html = _home(world, "grid_worker")
    section = html[html.index('data-testid="waiting-unvisited"') :].split("</section>")[0]
    assert "独居老人甲" in section
    assert "普通居民乙" not in section


def test_the_appeal_waiting_for_acceptance_links_to_it(world: World, tree: Tree) -> None:
    html = _home(world, "grid_worker")  # an estate's appeal: the grid answers for it
    section = html[html.index('data-testid="waiting-appeals_to_accept"') :].split("</section>")[0]
    assert re.search(r'href="/appeals/\d+/"', section)


def test_the_social_worker_has_todays_activity_with_its_check_in(world: World, tree: Tree) -> None:
    html = _home(world, "social_worker")
    section = html[html.index('data-testid="waiting-activities_soon"') :].split("</section>")[0]
    assert "今日长者探访" in section
    assert re.search(r'href="/activities/\d+/attendance/"', section)


def test_next_weeks_activity_is_not_among_today_and_tomorrow(world: World, tree: Tree) -> None:
    html = _home(world, "social_worker")
    section = html[html.index('data-testid="waiting-activities_soon"') :].split("</section>")[0]
    assert "下周环保宣传" not in section


def _menu(html: str) -> list[tuple[str, bool]]:
    """The menu's entries (testid, on the phone's bar) in page order."""
    items = re.findall(
        r'<li class="section-\w+( tab tab-\d)?"><a href="[^"]+" data-testid="nav-([a-z-]+)"', html
    )
    return [(testid, bool(tab)) for tab, testid in items]


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_the_phone_bar_has_at_most_four_tabs_and_more(world: World, tree: Tree, role: str) -> None:
    html = _home(world, role)
    tabs = [key for key, on_bar in _menu(html) if on_bar]
    assert len(tabs) + 1 <= TAB_SLOTS, f"{role}: {tabs} and 更多"


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_home_is_the_first_tab_of_every_role(world: World, tree: Tree, role: str) -> None:
    tabs = [key for key, on_bar in _menu(_home(world, role)) if on_bar]
    assert tabs[:1] == ["home"]


def test_every_page_has_the_more_button(world: World, tree: Tree) -> None:
    assert 'data-testid="nav-more"' in _home(world, "resident")


# role -> menu entries it must not have (nothing it cannot use).
NOT_IN_MENU = {
    "building_head": {"residents", "metrics", "audit"},
    "resident": {"residents", "metrics", "visits", "audit", "people"},
    "volunteer": {"residents", "metrics", "audit"},
    "evaluator": {"residents", "visits", "audit"},
}


@pytest.mark.parametrize("role", list(NOT_IN_MENU))
def test_a_role_sees_only_the_menu_entries_it_can_use(world: World, tree: Tree, role: str) -> None:
    keys = {key for key, _tab in _menu(_home(world, role))}
    assert keys & NOT_IN_MENU[role] == set()


def test_the_current_page_is_marked_in_the_menu(world: World, tree: Tree) -> None:
    html = login_client(world.users["grid_worker"]).get("/appeals/").content.decode()
    assert re.search(r'data-testid="nav-appeals" aria-current="page"', html)


def _login_page() -> str:
    return Client().get("/login/").content.decode()


def test_the_sign_in_page_says_how_to_get_an_account(world: World, tree: Tree) -> None:
    assert 'data-testid="login-account"' in _login_page()


def test_the_sign_in_page_links_each_communitys_public_board(world: World, tree: Tree) -> None:
    assert f'href="/public/{tree.community.code}/appeals/"' in _login_page()
