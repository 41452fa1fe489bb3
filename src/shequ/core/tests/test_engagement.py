"""Third-party evaluators see data only until their engagement's end date (issue 9)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from conftest import PASSWORD, Tree, login_client, make_user, token_client
from shequ.core import services
from shequ.core.models import AuditAction, AuditEntry, RoleAssignment
from shequ.core.roles import Role

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def test_an_evaluators_role_ends_a_year_after_it_is_granted_unless_a_date_is_given(tree: Tree) -> None:
    with time_machine.travel(at(date(2026, 3, 1)), tick=False):
        default = make_user(Role.EVALUATOR, tree.street, username="pinggu")
        given = services.user_create(
            by=None,
            username="pinggu2",
            password=PASSWORD,
            role=Role.EVALUATOR,
            area=tree.street,
            ends_on=date(2026, 6, 30),
        )
        worker = make_user(Role.GRID_WORKER, tree.grid, username="wangge")
    assert RoleAssignment.objects.get(user=default).ends_on == date(2027, 3, 1)
    assert RoleAssignment.objects.get(user=given).ends_on == date(2026, 6, 30)
    assert RoleAssignment.objects.get(user=worker).ends_on is None  # staff roles do not end by themselves


def test_an_end_date_in_the_past_is_refused(tree: Tree) -> None:
    with pytest.raises(services.DomainError) as refused:
        services.user_create(
            by=None,
            username="late",
            password=PASSWORD,
            role=Role.EVALUATOR,
            area=tree.street,
            ends_on=date(2000, 1, 1),
        )
    assert refused.value.code == "ends_on_past"


def test_after_the_engagement_ends_pages_api_and_tokens_get_no_data(tree: Tree) -> None:
    start = date(2026, 3, 1)
    with time_machine.travel(at(start), tick=False):
        evaluator = services.user_create(
            by=None,
            username="pinggu",
            password=PASSWORD,
            role=Role.EVALUATOR,
            area=tree.street,
            ends_on=date(2026, 6, 30),
        )
        api = token_client(evaluator)
    # The last day of the engagement: everything the role allows still works.
    with time_machine.travel(at(date(2026, 6, 30), 23, 50), tick=False):
        page = login_client(evaluator)
        assert page.get(f"/areas/{tree.community.pk}/").status_code == 200
        assert api.get(f"/api/areas/{tree.community.pk}/summary").status_code == 200
    # The next day: the same session and the same token get a 403 that says why, and no data.
    with time_machine.travel(at(date(2026, 7, 1), 0, 1), tick=False):
        # The session signed in the evening before, and a fresh sign-in alike.
        r = page.get(f"/areas/{tree.community.pk}/")
        assert r.status_code == 403
        assert "2026-06-30" in r.content.decode()
        page = login_client(evaluator)
        r = page.get(f"/areas/{tree.community.pk}/")
        assert r.status_code == 403
        assert "2026-06-30" in r.content.decode()
        assert tree.community.name not in r.content.decode()
        for client in (page, api):
            r = client.get(f"/api/areas/{tree.community.pk}/summary")
            assert r.status_code == 403, client
            assert r.json()["code"] == "engagement_ended"
            assert "2026-06-30" in r.json()["message"]
            assert "residents" not in r.json()
        assert api.get("/api/areas").status_code == 403
        assert page.get("/").status_code == 403
        # Signing out still works.
        assert page.post("/logout/").status_code == 302


def test_other_users_are_not_touched_by_an_evaluators_end_date(tree: Tree) -> None:
    with time_machine.travel(at(date(2026, 3, 1)), tick=False):
        make_user(Role.EVALUATOR, tree.street, username="pinggu")
        worker = make_user(Role.GRID_WORKER, tree.grid, username="wangge")
    with time_machine.travel(at(date(2028, 1, 1)), tick=False):
        assert token_client(worker).get(f"/api/areas/{tree.grid.pk}").status_code == 200


def test_extending_an_engagement_opens_access_again_and_is_audited(tree: Tree) -> None:
    admin = make_user(Role.DISTRICT_ADMIN, tree.district, username="admin")
    with time_machine.travel(at(date(2026, 3, 1)), tick=False):
        evaluator = services.user_create(
            by=admin,
            username="pinggu",
            password=PASSWORD,
            role=Role.EVALUATOR,
            area=tree.street,
            ends_on=date(2026, 6, 30),
        )
    with time_machine.travel(at(date(2026, 7, 2)), tick=False):
        api = token_client(evaluator)
        assert api.get("/api/areas").status_code == 403
        r = token_client(admin).post(
            "/api/assignments",
            {"username": "pinggu", "role": "evaluator", "area_id": tree.street.pk, "ends_on": "2026-12-31"},
            content_type="application/json",
        )
        assert r.status_code == 201
        assert r.json()["ends_on"] == "2026-12-31"
        assert api.get("/api/areas").status_code == 200
    changed = AuditEntry.objects.filter(action=AuditAction.PERMISSION_CHANGE, changes__has_key="ends_on")
    assert changed.count() == 2  # granted with its end date, then extended


def test_a_user_without_any_role_is_not_told_an_engagement_ended(tree: Tree) -> None:
    from shequ.core.models import User

    User.objects.create_user("nobody", password=PASSWORD)
    client = Client()
    client.login(username="nobody", password=PASSWORD)
    assert client.get("/").status_code == 200
