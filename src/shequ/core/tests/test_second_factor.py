"""Staff sign in with two factors: a password and a code from an authenticator app (TOTP), on every
sign-in path; codes cannot be replayed; recovery codes work once; an administrator resets a lost one."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pyotp
import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from conftest import PASSWORD, Tree, login_client, make_user
from shequ.core import crypto
from shequ.core.factors import CONTEXT
from shequ.core.models import AuditEntry, SecondFactor, User
from shequ.core.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def two_factors(settings: Any) -> None:
    settings.MFA_FOR_STAFF = True


@pytest.fixture
def worker(tree: Tree) -> User:
    return make_user(Role.GRID_WORKER, tree.grid, username="wangge")


def totp_of(user: User) -> pyotp.TOTP:
    factor = SecondFactor.objects.get(user=user)
    return pyotp.TOTP(crypto.decrypt(factor.secret_encrypted, context=CONTEXT))


def password_step(client: Client, username: str = "wangge") -> Any:
    return client.post("/login/", {"username": username, "password": PASSWORD})


def enrol(client: Client, user: User) -> list[str]:
    """Password, then the enrolment page, then the first code: returns the recovery codes shown."""
    assert password_step(client, user.username)["Location"] == "/login/enrol/"
    assert client.get("/login/enrol/").status_code == 200
    page = client.post("/login/enrol/", {"code": totp_of(user).now()}).content.decode()
    return re.findall(r"<code>([0-9a-f]{4}-[0-9a-f]{4})</code>", page)


def signed_in(client: Client) -> bool:
    return client.get("/").status_code == 200


def test_a_right_password_alone_does_not_sign_staff_in(worker: User) -> None:
    client = Client()
    response = password_step(client)
    assert response.status_code == 302
    assert response["Location"] == "/login/enrol/"
    assert not signed_in(client)
    assert not AuditEntry.objects.filter(action="login", actor_id=worker.pk).exists()


def test_first_sign_in_enrols_the_authenticator_with_a_qr_code_and_gives_recovery_codes(worker: User) -> None:
    client = Client()
    password_step(client)
    page = client.get("/login/enrol/").content.decode()
    assert "<svg" in page
    assert 'data-testid="secret"' in page
    wrong = client.post("/login/enrol/", {"code": "000000"})
    assert wrong.status_code == 200
    assert "验证码错误或已过期" in wrong.content.decode()
    assert not signed_in(client)
    codes = client.post("/login/enrol/", {"code": totp_of(worker).now()})
    assert codes["Cache-Control"] == "no-store"
    assert len(re.findall(r"<code>[0-9a-f]{4}-[0-9a-f]{4}</code>", codes.content.decode())) == 10
    assert signed_in(client)
    actions = set(AuditEntry.objects.filter(actor_id=worker.pk).values_list("action", flat=True))
    assert {"login", "permission_change"} <= actions
    # The secret is stored encrypted, never in the clear.
    factor = SecondFactor.objects.get(user=worker)
    assert totp_of(worker).secret not in factor.secret_encrypted


def test_later_sign_ins_ask_for_the_code_and_a_used_code_cannot_be_replayed(worker: User) -> None:
    with time_machine.travel(timezone.now(), tick=False) as clock:
        enrol(Client(), worker)
        clock.shift(timedelta(seconds=31))
        code = totp_of(worker).now()
        first = Client()
        assert password_step(first)["Location"] == "/login/code/"
        assert first.post("/login/code/", {"code": code})["Location"] == "/"
        assert signed_in(first)
        replay = Client()
        password_step(replay)
        refused = replay.post("/login/code/", {"code": code})
        assert refused.status_code == 200
        assert "验证码错误或已过期" in refused.content.decode()
        assert not signed_in(replay)


def test_a_recovery_code_signs_in_once(worker: User) -> None:
    codes = enrol(Client(), worker)
    client = Client()
    password_step(client)
    assert client.post("/login/code/", {"code": codes[3].upper()})["Location"] == "/"
    again = Client()
    password_step(again)
    assert again.post("/login/code/", {"code": codes[3]}).status_code == 200
    assert not signed_in(again)


def test_wrong_codes_lock_the_account_and_a_known_password_does_not_reset_the_count(worker: User) -> None:
    enrol(Client(), worker)
    for _ in range(4):
        client = Client()
        password_step(client)  # the password is right every time
        assert client.post("/login/code/", {"code": "123456"}).status_code == 200
    client = Client()
    password_step(client)
    locked = client.post("/login/code/", {"code": "123456"}).content.decode()
    assert "锁定" in locked
    worker.refresh_from_db()
    assert worker.is_locked()
    fresh = Client()
    assert password_step(fresh).status_code == 200  # locked: the password step itself refuses
    assert not signed_in(fresh)


def test_the_waiting_password_expires_after_five_minutes(worker: User) -> None:
    enrol(Client(), worker)
    client = Client()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        password_step(client)
        clock.shift(timedelta(minutes=6))
        response = client.post("/login/code/", {"code": totp_of(worker).now()})
        assert response["Location"] == "/login/"
    assert not signed_in(client)


def test_residents_and_volunteers_sign_in_with_a_password_only(tree: Tree) -> None:
    make_user(Role.RESIDENT, tree.building, username="jumin")
    make_user(Role.VOLUNTEER, tree.community, username="zhiyuan")
    for name in ("jumin", "zhiyuan"):
        client = Client()
        assert password_step(client, name)["Location"] == "/"
        assert signed_in(client)


def test_the_api_token_needs_the_code_too(worker: User) -> None:
    api = Client()
    url = "/api/auth/token"
    body = {"username": "wangge", "password": PASSWORD}
    not_enrolled = api.post(url, body, content_type="application/json")
    assert not_enrolled.status_code == 401
    assert "浏览器" in not_enrolled.json()["message"]
    enrol(Client(), worker)
    missing = api.post(url, body, content_type="application/json")
    assert missing.status_code == 401
    assert missing.json()["code"] == "second_factor_required"
    worker.refresh_from_db()
    assert worker.failed_logins == 0  # a missing code is a question, not a failure
    wrong = api.post(url, {**body, "otp": "000000"}, content_type="application/json")
    assert wrong.status_code == 401
    with time_machine.travel(timezone.now() + timedelta(seconds=31), tick=False):
        right = api.post(url, {**body, "otp": totp_of(worker).now()}, content_type="application/json")
    assert right.status_code == 200
    assert right.json()["token"].startswith("shq_")


def test_an_administrator_resets_a_lost_authenticator_and_it_is_audited(tree: Tree, worker: User) -> None:
    enrol(Client(), worker)
    staff = make_user(Role.COMMUNITY_STAFF, tree.community, username="staff")
    response = login_client(staff).post(f"/people/{worker.pk}/second-factor/reset/")
    assert response.status_code == 302
    assert not SecondFactor.objects.filter(user=worker).exists()
    entry = AuditEntry.objects.filter(action="permission_change", actor_id=staff.pk).get()
    assert entry.changes["second_factor"] == ["enrolled", "reset"]
    assert password_step(Client())["Location"] == "/login/enrol/"


def test_nobody_else_may_reset_a_factor(tree: Tree, worker: User) -> None:
    enrol(Client(), worker)
    other_staff = make_user(Role.COMMUNITY_STAFF, tree.other_community, username="other_staff")
    peer = make_user(Role.GRID_WORKER, tree.grid, username="peer")
    assert login_client(other_staff).post(f"/people/{worker.pk}/second-factor/reset/").status_code in (
        403,
        404,
    )
    assert login_client(peer).post(f"/people/{worker.pk}/second-factor/reset/").status_code in (403, 404)
    assert login_client(worker).post(f"/people/{worker.pk}/second-factor/reset/").status_code in (403, 404)
    assert SecondFactor.objects.filter(user=worker, confirmed_at__isnull=False).exists()
