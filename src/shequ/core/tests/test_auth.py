"""Sign-in, lockout, idle timeout, password rules, CSRF, headers and cookies."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from conftest import PASSWORD, Tree, make_user
from shequ.core.models import AuditEntry, RoleAssignment, User
from shequ.core.roles import Role

pytestmark = pytest.mark.django_db


def _login(client: Client, username: str, password: str) -> Any:
    return client.post("/login/", {"username": username, "password": password})


@pytest.fixture
def worker(tree: Tree) -> User:
    return make_user(Role.GRID_WORKER, tree.grid, username="wangge")


def test_login_with_the_right_password_opens_the_home_page(worker: User) -> None:
    client = Client()
    response = _login(client, "wangge", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_login_rotates_the_session_id(worker: User) -> None:
    client = Client()
    client.get("/login/")
    client.session.save()
    before = client.session.session_key
    _login(client, "wangge", PASSWORD)
    assert client.session.session_key != before


def test_wrong_password_gives_a_chinese_message_and_no_session(worker: User) -> None:
    client = Client()
    response = _login(client, "wangge", "wrong-password-123")
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()
    assert client.get("/").status_code == 302


def test_unknown_user_gets_the_same_message_as_a_wrong_password(worker: User) -> None:
    response = _login(Client(), "nobody-here", "wrong-password-123")
    assert "用户名或密码错误" in response.content.decode()


def test_five_failures_lock_the_account_for_thirty_minutes(worker: User) -> None:
    client = Client()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(4):
            _login(client, "wangge", "wrong-password-123")
        response = _login(client, "wangge", "wrong-password-123")
        assert "已锁定" in response.content.decode()
        # Locked: even the right password is refused, without revealing that it was right.
        response = _login(client, "wangge", PASSWORD)
        assert "已锁定" in response.content.decode()
        assert client.get("/").status_code == 302
        clock.shift(timedelta(minutes=29, seconds=59))
        assert "已锁定" in _login(client, "wangge", PASSWORD).content.decode()
        clock.shift(timedelta(seconds=2))
        assert _login(client, "wangge", PASSWORD).status_code == 302


def test_a_success_resets_the_failure_count(worker: User) -> None:
    client = Client()
    for _ in range(4):
        _login(client, "wangge", "wrong-password-123")
    assert _login(client, "wangge", PASSWORD).status_code == 302
    worker.refresh_from_db()
    assert worker.failed_logins == 0
    assert worker.locked_until is None


def test_token_issuing_counts_towards_the_same_lockout(worker: User) -> None:
    client = Client()
    for _ in range(5):
        r = client.post(
            "/api/auth/token",
            {"username": "wangge", "password": "nope-nope-nope"},
            content_type="application/json",
        )
        assert r.status_code == 401
    r = client.post(
        "/api/auth/token", {"username": "wangge", "password": PASSWORD}, content_type="application/json"
    )
    assert r.status_code == 401
    assert r.json()["code"] == "account_locked"
    assert "锁定" in r.json()["message"]


def test_a_token_signs_in_api_clients_and_expires(worker: User) -> None:
    client = Client()
    r = client.post(
        "/api/auth/token", {"username": "wangge", "password": PASSWORD}, content_type="application/json"
    )
    assert r.status_code == 200
    token = r.json()["token"]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert client.get("/api/me", **auth).json()["username"] == "wangge"
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        assert client.get("/api/me", **auth).status_code == 401


def test_api_without_credentials_answers_401_in_chinese(db: Any) -> None:
    r = Client().get("/api/me")
    assert r.status_code == 401
    assert r.json()["code"] == "not_authenticated"
    assert "登录" in r.json()["message"]


def test_a_disabled_account_cannot_sign_in_or_use_its_session(worker: User) -> None:
    client = Client()
    _login(client, "wangge", PASSWORD)
    User.objects.filter(pk=worker.pk).update(is_active=False)
    assert client.get("/").status_code == 302
    assert _login(Client(), "wangge", PASSWORD).status_code == 200


def test_idle_staff_sessions_end_after_fifteen_minutes(worker: User) -> None:
    client = Client()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        _login(client, "wangge", PASSWORD)
        assert client.get("/").status_code == 200
        clock.shift(timedelta(minutes=14))
        assert client.get("/").status_code == 200  # activity resets the idle clock
        clock.shift(timedelta(minutes=14))
        assert client.get("/").status_code == 200
        clock.shift(timedelta(minutes=16))
        response = client.get("/areas/")
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=")
        assert client.get("/").status_code == 302


def test_idle_resident_sessions_end_after_thirty_minutes(tree: Tree) -> None:
    make_user(Role.RESIDENT, tree.building, username="jumin")
    client = Client()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        _login(client, "jumin", PASSWORD)
        assert client.get("/").status_code == 200
        clock.shift(timedelta(minutes=29))
        assert client.get("/").status_code == 200
        clock.shift(timedelta(minutes=31))
        assert client.get("/").status_code == 302


def test_a_busy_session_still_ends_eight_hours_after_sign_in(worker: User) -> None:
    client = Client()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        _login(client, "wangge", PASSWORD)
        for _ in range(7 * 6 + 5):  # a request every 10 minutes for 7 h 50 min
            assert client.get("/").status_code == 200
            clock.shift(timedelta(minutes=10))
        assert client.get("/").status_code == 200
        clock.shift(timedelta(minutes=11))
        response = client.get("/areas/")
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")
        follow = client.get(response["Location"])
        assert "8 小时" in follow.content.decode()


def test_a_role_taken_away_applies_to_the_sessions_idle_limit_at_the_next_request(tree: Tree) -> None:
    user = make_user(Role.GRID_WORKER, tree.grid, username="former_staff")
    client = Client()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        _login(client, "former_staff", PASSWORD)
        assert client.get("/").status_code == 200
        user.assignments.all().delete()
        RoleAssignment.objects.create(user=user, role=Role.RESIDENT, area=tree.building)
        clock.shift(timedelta(minutes=20))
        # No staff role any more: the 30-minute limit of everyone else applies.
        assert client.get("/").status_code == 200


def test_idle_api_session_gets_a_json_401(worker: User) -> None:
    client = Client()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        _login(client, "wangge", PASSWORD)
        assert client.get("/api/me").status_code == 200
        clock.shift(timedelta(minutes=31))
        r = client.get("/api/me")
        assert r.status_code == 401
        assert r.json()["code"] == "session_expired"


@pytest.mark.parametrize(
    "password, reason",
    [("short-1", "太短"), ("password1234", "太常见"), ("12345678901234", "只包含数字"), ("x" * 129, "128")],
)
def test_password_rules_refuse_weak_passwords(worker: User, password: str, reason: str) -> None:
    client = Client()
    _login(client, "wangge", PASSWORD)
    response = client.post(
        "/password/", {"old_password": PASSWORD, "new_password": password, "new_password2": password}
    )
    assert reason in response.content.decode()
    worker.refresh_from_db()
    assert worker.check_password(PASSWORD)


def test_password_change_needs_the_current_password_and_is_audited(worker: User) -> None:
    client = Client()
    _login(client, "wangge", PASSWORD)
    new = "a-much-better-pass-2026"
    r = client.post(
        "/password/", {"old_password": "wrong-old-pass", "new_password": new, "new_password2": new}
    )
    assert "当前密码错误" in r.content.decode()
    r = client.post("/password/", {"old_password": PASSWORD, "new_password": new, "new_password2": new})
    assert r.status_code == 302
    worker.refresh_from_db()
    assert worker.check_password(new)
    assert AuditEntry.objects.filter(action="password_change", actor_id=worker.pk).exists()
    assert client.get("/").status_code == 200  # still signed in after the change


@pytest.mark.argon2
def test_passwords_are_hashed_with_argon2(tree: Tree) -> None:
    user = make_user(Role.VOLUNTEER, tree.community, username="hashcheck")
    assert user.password.startswith("argon2$")


def test_every_form_needs_a_csrf_token(worker: User) -> None:
    client = Client(enforce_csrf_checks=True)
    assert _login(client, "wangge", PASSWORD).status_code == 403
    client.force_login(worker)
    assert client.post("/logout/").status_code == 403
    assert client.post("/api/residents/1/reveal").status_code == 403


def test_security_headers_are_set(worker: User) -> None:
    response = Client().get("/login/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_pages_of_a_signed_in_user_are_not_cached(worker: User) -> None:
    client = Client()
    client.force_login(worker)
    assert client.get("/").headers["Cache-Control"] == "no-store"


def test_session_and_csrf_cookies_are_http_only(worker: User) -> None:
    client = Client()
    client.get("/login/")
    assert client.cookies["csrftoken"]["httponly"]
    _login(client, "wangge", PASSWORD)
    cookie = client.cookies["sessionid"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


def test_logout_ends_the_session_and_is_audited(worker: User) -> None:
    client = Client()
    _login(client, "wangge", PASSWORD)
    assert client.post("/logout/").status_code == 302
    assert client.get("/").status_code == 302
    assert AuditEntry.objects.filter(action="logout", actor_id=worker.pk).exists()


def test_logout_by_get_is_refused(worker: User) -> None:
    client = Client()
    client.force_login(worker)
    assert client.get("/logout/").status_code == 405
    assert client.get("/").status_code == 200


def test_many_failures_from_one_address_hold_it_off_for_a_while_but_not_other_addresses(
    worker: User, settings: Any
) -> None:
    settings.LOGIN_ADDRESS_LIMIT = 6
    spray = Client(REMOTE_ADDR="10.9.9.9")
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for n in range(6):  # one wrong password for each of many accounts: no account gets locked
            _login(spray, f"someone{n}", "Spring2026-guess")
        held = _login(spray, "wangge", PASSWORD)
        assert held.status_code == 200
        assert "此地址登录失败次数过多" in held.content.decode()
        token = spray.post(
            "/api/auth/token", {"username": "wangge", "password": PASSWORD}, content_type="application/json"
        )
        assert token.status_code == 429
        assert token.json()["code"] == "too_many_attempts"
        worker.refresh_from_db()
        assert worker.failed_logins == 0
        assert not worker.is_locked()
        assert _login(Client(REMOTE_ADDR="10.1.1.1"), "wangge", PASSWORD).status_code == 302
        clock.shift(timedelta(minutes=16))
        assert _login(spray, "wangge", PASSWORD).status_code == 302


@pytest.mark.parametrize("role, refused", [(Role.GRID_WORKER, True), (Role.RESIDENT, False)])
def test_staff_may_be_held_to_character_classes_and_a_longer_minimum(
    tree: Tree, settings: Any, role: Role, refused: bool
) -> None:
    from shequ.core import services
    from shequ.core.errors import DomainError

    settings.PASSWORD_CHARACTER_CLASSES_STAFF = 3
    settings.PASSWORD_MIN_LENGTH_STAFF = 14
    area = tree.grid if role == Role.GRID_WORKER else tree.building
    for n, password in enumerate(["lowercaseonlypassword", "Mixed-case-12"]):
        fields = {"username": f"u{n}_{role.value}", "password": password, "role": role, "area": area}
        if refused:
            with pytest.raises(DomainError) as caught:
                services.user_create(by=None, **fields)
            assert caught.value.code == "password_rules"
        else:
            services.user_create(by=None, **fields)
    if refused:
        services.user_create(by=None, username="ok_staff", password="Mixed-case-1234", role=role, area=area)


def test_an_expired_staff_password_must_be_changed_before_anything_else(worker: User, settings: Any) -> None:
    settings.PASSWORD_MAX_AGE_DAYS_STAFF = 90
    client = Client()
    with time_machine.travel(timezone.now() + timedelta(days=91), tick=False):
        _login(client, "wangge", PASSWORD)
        response = client.get("/areas/")
        assert response.status_code == 302
        assert response["Location"] == "/password/"
        assert client.get("/api/me").json()["code"] == "password_expired"
        assert client.get("/password/").status_code == 200
        client.post(
            "/password/",
            {"old_password": PASSWORD, "new_password": "a-new-pass-2026", "new_password2": "a-new-pass-2026"},
        )
        assert client.get("/areas/").status_code == 200


def _token_answer(client: Client, username: str, password: str) -> tuple[int, dict[str, Any]]:
    r = client.post(
        "/api/auth/token", {"username": username, "password": password}, content_type="application/json"
    )
    return r.status_code, r.json()


def test_lockout_answers_the_same_for_an_existing_and_an_unknown_name(worker: User) -> None:
    """Issue 13, finding 6: from the 5th failure an existing name answered "locked", a missing one "wrong
    password" — an oracle of which accounts exist. Now each answer of the sequence is the same."""
    client = Client()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for attempt in range(7):
            known = _token_answer(client, "wangge", "wrong-password-123")
            unknown = _token_answer(client, "nobody-here", "wrong-password-123")
            assert known == unknown, f"attempt {attempt + 1}"
        assert known[1]["code"] == "account_locked"
        # The pages too.
        page_known = _login(client, "wangge", "wrong-password-123").content.decode()
        page_unknown = _login(client, "nobody-here", "wrong-password-123").content.decode()
        assert "已锁定" in page_known
        assert "已锁定" in page_unknown
        # An unknown name is locked for the same thirty minutes, then answers "wrong password" again.
        clock.shift(timedelta(minutes=30, seconds=1))
        known = _token_answer(client, "wangge", "wrong-password-123")
        assert known == _token_answer(client, "NOBODY-here", "wrong-password-123")
        assert known[1]["code"] == "authentication_failed"
    assert AuditEntry.objects.filter(object_repr="unknown user, locked").exists()


@pytest.mark.argon2
def test_a_locked_account_answers_as_slowly_as_an_unknown_name(worker: User, settings: Any) -> None:
    """The locked answer came in 0.02 s against 0.2 s for a missing name: both now run the hasher."""
    import time

    settings.LOGIN_FAILURE_LIMIT = 1
    client = Client()
    _token_answer(client, "wangge", "wrong-password-123")  # locks it
    _token_answer(client, "nobody-here", "wrong-password-123")

    def took(username: str) -> float:
        start = time.perf_counter()
        status, body = _token_answer(client, username, "wrong-password-123")
        assert status == 401
        assert body["code"] == "account_locked"
        return time.perf_counter() - start

    known, unknown = min(took("wangge") for _ in range(2)), min(took("nobody-here") for _ in range(2))
    assert known > unknown / 3, (known, unknown)
    assert unknown > known / 3, (known, unknown)
