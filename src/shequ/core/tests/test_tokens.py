"""Bearer tokens end (issue 13, finding 7): they last 12 hours, are renewed by refresh, and end at once
when their client signs out, the password changes by any path, or the account's last role goes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from conftest import PASSWORD, Tree, login_client, make_user
from shequ.core import services
from shequ.core.models import ApiToken, AuditEntry, RoleAssignment, User
from shequ.core.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(tree: Tree) -> User:
    return make_user(Role.GRID_WORKER, tree.grid, username="wangge")


def issue(username: str = "wangge", password: str = PASSWORD) -> dict[str, Any]:
    r = Client().post(
        "/api/auth/token", {"username": username, "password": password}, content_type="application/json"
    )
    assert r.status_code == 200, r.content
    return dict(r.json())


def bearer(token: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {token}"})


def works(token: str) -> bool:
    status = bearer(token).get("/api/me").status_code
    assert status in (200, 401)
    return status == 200


def test_a_token_lasts_twelve_hours(worker: User) -> None:
    with time_machine.travel(timezone.now(), tick=False) as clock:
        token = issue()
        assert works(token["token"])
        clock.shift(timedelta(hours=11, minutes=59))
        assert works(token["token"])
        clock.shift(timedelta(minutes=2))
        assert not works(token["token"])


def test_signing_out_ends_the_callers_token_and_no_other(worker: User) -> None:
    first, second = issue()["token"], issue()["token"]
    assert bearer(first).delete("/api/auth/token").status_code == 204
    assert not works(first)
    assert works(second)
    assert AuditEntry.objects.filter(action="token_revoked", actor_id=worker.pk).count() == 1


def test_refresh_gives_a_new_token_and_ends_the_old_one(worker: User) -> None:
    with time_machine.travel(timezone.now(), tick=False) as clock:
        old = issue()["token"]
        clock.shift(timedelta(hours=11))
        r = bearer(old).post("/api/auth/token/refresh")
        assert r.status_code == 200
        new = r.json()["token"]
        assert new != old
        assert not works(old)
        assert works(new)
        clock.shift(timedelta(hours=11))  # 22 hours after sign-in: the new one still works
        assert works(new)
        # An ended token cannot be refreshed into a live one.
        assert bearer(old).post("/api/auth/token/refresh").status_code == 401


def test_refresh_and_sign_out_need_a_bearer_token(worker: User) -> None:
    session = login_client(worker)
    for answer in (session.delete("/api/auth/token"), session.post("/api/auth/token/refresh")):
        assert answer.status_code == 400
        assert answer.json()["code"] == "token_required"
    for answer in (Client().delete("/api/auth/token"), Client().post("/api/auth/token/refresh")):
        assert answer.status_code == 401


def test_a_password_change_ends_every_token(worker: User) -> None:
    token = issue()["token"]
    services.password_change(user=worker, old_password=PASSWORD, new_password="another-horse-battery-7")
    assert not works(token)
    assert ApiToken.objects.get().revoked_at is not None
    assert works(issue(password="another-horse-battery-7")["token"])


def test_an_operators_password_reset_ends_every_token(worker: User) -> None:
    token = issue()["token"]
    with mock.patch("getpass.getpass", return_value="operator-set-horse-3"):
        call_command("changepassword", "wangge", stdout=mock.MagicMock())
    assert not works(token)
    worker.refresh_from_db()
    assert worker.check_password("operator-set-horse-3")


def test_removing_the_last_role_ends_every_token_but_removing_another_does_not(
    worker: User, tree: Tree
) -> None:
    admin = make_user(Role.DISTRICT_ADMIN, tree.district, username="quadmin")
    services.assignment_create(by=admin, user=worker, role=Role.GRID_WORKER, area=tree.other_building.parent)
    token = issue()["token"]
    first, second = RoleAssignment.objects.filter(user=worker).order_by("pk")
    services.assignment_delete(by=admin, assignment=first)
    assert works(token)
    services.assignment_delete(by=admin, assignment=second)
    assert not works(token)


def test_a_deactivated_account_has_no_working_token(worker: User) -> None:
    token = issue()["token"]
    User.objects.filter(pk=worker.pk).update(is_active=False)
    assert not works(token)
