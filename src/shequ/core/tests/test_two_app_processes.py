"""Two app servers on one PostgreSQL and one Redis, as behind a proxy: `shequ serve` under gunicorn
(two worker processes each) and two `shequ worker`s. A session made on one server is honoured by the
other, a sign-in lockout counted on both holds on both, and the deadline job acts once although two
schedulers and four web workers run (the web workers run none; the schedulers claim each minute)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from http.client import HTTPConnection
from pathlib import Path

import pytest

SHEQU = str(Path(sys.executable).with_name("shequ"))
ADMIN_URL = os.environ.get("SHEQU_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PASSWORD = "Two-Servers-2026-ok"  # nosec B105 # a throwaway account in a throwaway database

SETUP = f"""
from datetime import timedelta
from django.utils import timezone
from shequ.core import services
from shequ.core.models import RoleAssignment, User
from shequ.appeals.models import Category
from shequ.appeals.services import appeal_report
d = services.area_create(by=None, parent=None, name="南海区", code="440605000000")
s = services.area_create(by=None, parent=d, name="大沥镇", code="440605121000")
c = services.area_create(by=None, parent=s, name="平地社区", code="440605121001")
g = services.area_create(by=None, parent=c, name="第1网格")
b = services.area_create(by=None, parent=g, name="1座")
u = User.objects.create_user(username="jumin", password="{PASSWORD}")
RoleAssignment.objects.create(user=u, role="resident", area=b)
appeal_report(by=None, area=b, category=Category.objects.get(code="environment"), description="垃圾堆积",
              channel="patrol", now=timezone.now() - timedelta(days=2))
"""


def _escalations(database: str) -> list[tuple[str, int]]:
    import psycopg

    with psycopg.connect(database) as conn:
        rows = conn.execute(
            "SELECT a.level, (SELECT COUNT(*) FROM appeals_appealstep s WHERE s.appeal_id = a.id"
            " AND s.action = 'escalate') FROM appeals_appeal a"
        ).fetchall()
    return [(str(level), int(n)) for level, n in rows]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _postgres_or_skip() -> None:
    import psycopg

    try:
        psycopg.connect(ADMIN_URL, connect_timeout=2, autocommit=True).close()
    except psycopg.OperationalError:
        pytest.skip(f"PostgreSQL is not reachable at {ADMIN_URL}")


@pytest.fixture
def database() -> Iterator[str]:
    import psycopg

    _postgres_or_skip()
    name = f"shequ_two_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urllib.parse.urlunsplit(urllib.parse.urlsplit(ADMIN_URL)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """A Redis of this test's own (nothing shared with other suites' queues)."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed")
    port = _free_port()
    proc = subprocess.Popen(  # nosec B603 # a local program, fixed arguments
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(port)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _wait_for_port(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"nothing listens on {port} after {seconds}s")


def _get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    conn = HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers=headers or {})
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read().decode()
    finally:
        conn.close()


def _sign_in(port: int, password: str) -> tuple[int, str]:
    """The login form as a browser posts it; (status, session id or "")."""
    conn = HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", "/login/")
        r = conn.getresponse()
        body = r.read().decode()
        csrf = re.search(r"csrftoken=([^;]+)", r.getheader("Set-Cookie") or "")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        assert csrf is not None, "no CSRF cookie"
        assert token is not None, "no CSRF token in the form"
        fields = {"username": "jumin", "password": password, "csrfmiddlewaretoken": token[1]}
        form = urllib.parse.urlencode(fields)
        conn.request(
            "POST",
            "/login/",
            body=form,
            headers={"Cookie": f"csrftoken={csrf[1]}", "Content-Type": "application/x-www-form-urlencoded"},
        )
        r = conn.getresponse()
        r.read()
        session = re.search(r"sessionid=([^;]+)", " ".join(v for k, v in r.getheaders() if k == "Set-Cookie"))
        return r.status, session[1] if session else ""
    finally:
        conn.close()


@pytest.mark.slow
@pytest.mark.no_database  # its own PostgreSQL database and Redis, shared by the processes it starts
def test_two_app_servers_share_sessions_lockouts_and_one_schedule(
    tmp_path: Path, database: str, redis_url: str
) -> None:
    data = tmp_path / "shared-data"  # the uploads' folder: one shared volume for every app server
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SHEQU_", "DATABASE_URL", "DJANGO_"))}
    env.update(
        DATABASE_URL=database,
        SHEQU_DATA_DIR=str(data),
        SHEQU_REDIS_URL=redis_url,
        SHEQU_LOGIN_FAILURE_LIMIT="3",
        PYTHONUNBUFFERED="1",
    )
    subprocess.run([SHEQU, "migrate", "-v", "0"], env=env, check=True, timeout=300)  # nosec B603
    subprocess.run([SHEQU, "shell", "-c", SETUP], env=env, check=True, timeout=120)  # nosec B603
    ports = [_free_port(), _free_port()]
    log = (tmp_path / "servers.log").open("wb")
    processes = [
        subprocess.Popen(  # nosec B603 # our own command
            [SHEQU, "serve", "--server", "gunicorn", "--workers", "2", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        for port in ports
    ]
    processes += [
        subprocess.Popen([SHEQU, "worker", "--workers", "1"], env=env, stdout=log, stderr=subprocess.STDOUT)  # nosec B603
        for _ in range(2)
    ]
    try:
        for port in ports:
            _wait_for_port(port)
        a, b = ports
        # A session made on one server is good on the other (sessions live in the database).
        status, session = _sign_in(a, PASSWORD)
        assert status == 302
        status, _headers, body = _get(b, "/appeals/", {"Cookie": f"sessionid={session}"})
        assert status == 200
        assert 'data-testid="logout"' in body  # signed in there, not sent to the login page
        # Failures counted on either server add up: the third locks the account on both.
        for port in (a, b, a):
            assert _sign_in(port, "wrong-password")[0] == 200
        assert _sign_in(b, PASSWORD)[0] == 200  # the right password, refused: locked
        # The deadline job: the overdue appeal is escalated once, by one of the two schedulers.
        deadline = time.monotonic() + 90
        while _escalations(database) == [("estate", 0)] and time.monotonic() < deadline:
            time.sleep(0.5)
        time.sleep(3)  # both schedulers have had their minute's run
        assert _escalations(database) == [("community", 1)]
    finally:
        for proc in processes:
            proc.terminate()
        for proc in processes:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        log.close()
