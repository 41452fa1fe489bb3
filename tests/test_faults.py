"""Faults: the PostgreSQL connection dies in the middle of a write, between two requests, or the
database cannot be reached at all for a while (a restart).

Shequ is served on a free port of 127.0.0.1 by one server thread, as a waitress worker serves it in
production: the thread keeps its database connection from request to request (CONN_MAX_AGE), so a
connection that died must be noticed and replaced (CONN_HEALTH_CHECKS), not answered with an error
forever. A second psycopg connection ends the server's backend with pg_terminate_backend.

Covered elsewhere: the demo loader and the resident import interrupted half-way
(src/shequ/core/tests/test_demo.py, src/shequ/registry/tests/test_importing.py), the import process
killed while writing (tests/test_faults_import.py), and a full disk or unwritable folder under backup
and restore, the product's file writers today (tests/test_faults_files.py).
"""

from __future__ import annotations

import json
import secrets
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from django.db import connection, connections
from django.test import Client

from conftest import Tree, make_user, token_client
from shequ.core import services
from shequ.core.models import Area, AuditEntry
from shequ.core.roles import Role
from shequ.wsgi import application

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL (DATABASE_URL=postgres://…): SQLite has no server connection to kill",
    ),
]


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def server_url() -> Iterator[str]:
    """Shequ on a free port, answering every request in one thread (and so on one DB connection)."""
    httpd = make_server("127.0.0.1", 0, application, handler_class=QuietHandler)

    def serve() -> None:
        try:
            httpd.serve_forever(poll_interval=0.05)
        finally:
            connections.close_all()  # the thread's own connection, before the test database is flushed

    thread = threading.Thread(target=serve, name="shequ-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join(timeout=10)
    httpd.server_close()


@dataclass
class Caller:
    """Someone calling the server over HTTP with fixed headers (a session cookie, a bearer token)."""

    url: str
    headers: dict[str, str] = field(default_factory=dict)

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
        """The status and the JSON answer (or the text of a page)."""
        request = urllib.request.Request(
            self.url + path,
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Content-Type": "application/json", **self.headers},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, content = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, content = error.code, error.read()
        try:
            return status, json.loads(content) if content else None
        except ValueError:
            return status, content.decode(errors="replace")


@pytest.fixture
def staff(tree: Tree, server_url: str) -> Caller:
    """A community worker of 平地社区 signed in, with the CSRF cookie and header a page's script sends.
    (A bearer token cannot write over real HTTP today: see
    tests/test_api_fuzz.py::test_a_bearer_token_client_can_write_without_a_csrf_cookie.)"""
    client = Client()
    client.force_login(make_user(Role.COMMUNITY_STAFF, tree.community, username="fault_staff"))
    csrf = secrets.token_hex(16)
    cookie = f"sessionid={client.cookies['sessionid'].value}; csrftoken={csrf}"
    return Caller(server_url, {"Cookie": cookie, "X-CSRFToken": csrf})


@pytest.fixture
def token_caller(tree: Tree, server_url: str) -> Caller:
    user = make_user(Role.GRID_WORKER, tree.grid, username="fault_token")
    return Caller(server_url, {"Authorization": token_client(user).defaults["HTTP_AUTHORIZATION"]})


def connect_admin() -> Any:
    """A second connection to the same PostgreSQL server, outside Django."""
    import psycopg

    params = connection.settings_dict
    return psycopg.connect(
        dbname=params["NAME"],
        user=params.get("USER") or None,
        password=params.get("PASSWORD") or None,
        host=params.get("HOST") or None,
        port=params.get("PORT") or None,
        autocommit=True,
        connect_timeout=10,
    )


def terminate(pid: int) -> None:
    """End one backend, as a restart would, and wait until it is gone."""
    with connect_admin() as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        deadline = time.monotonic() + 10
        while admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone():
            assert time.monotonic() < deadline, f"backend {pid} did not end"
            time.sleep(0.02)


def server_backends() -> list[int]:
    """The backends on the test database other than this test's own connection."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return [row[0] for row in cursor.fetchall()]


class Outage:
    """PostgreSQL out of reach of the server, as while it restarts: the server's backends are ended and
    new connections go to a closed port. This test's own connection stays open."""

    def __init__(self) -> None:
        # The dict every thread's connection reads when it connects.
        self.params = connections.settings["default"]
        self.port = self.params.get("PORT")

    def start(self) -> None:
        for pid in server_backends():
            terminate(pid)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.params["PORT"] = str(s.getsockname()[1])  # closed again: nothing listens there

    def end(self) -> None:
        self.params["PORT"] = self.port


@pytest.fixture
def outage() -> Iterator[Outage]:
    o = Outage()
    yield o
    o.end()


def new_grid(name: str, tree: Tree) -> dict[str, Any]:
    return {"parent_id": tree.community.pk, "name": name}


def written(name: str) -> tuple[bool, bool]:
    """Is there an area of that name, and an audit entry of its creation?"""
    return (
        Area.objects.filter(name=name).exists(),
        AuditEntry.objects.filter(object_type="core.area", object_repr=name).exists(),
    )


def test_a_write_over_http_lands_with_its_audit_entry(staff: Caller, tree: Tree) -> None:
    """The baseline of the tests below: what `written` sees after a write that went through."""
    status, body = staff.call("POST", "/api/areas", new_grid("第7网格", tree))
    assert status == 201, body
    assert written("第7网格") == (True, True)


def test_a_connection_killed_in_the_middle_of_a_write_answers_503_and_leaves_nothing_behind(
    staff: Caller, tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_audit_log = services.audit_log
    killed: list[int] = []

    def audit_log_after_the_connection_died(**kwargs: Any) -> Any:
        # area_create has inserted the area in its transaction: end the connection before the audit
        # entry and the commit.
        if not killed:
            killed.append(connection.connection.info.backend_pid)
            terminate(killed[0])
        return real_audit_log(**kwargs)

    monkeypatch.setattr(services, "audit_log", audit_log_after_the_connection_died)
    status, body = staff.call("POST", "/api/areas", new_grid("第8网格", tree))

    assert killed, "the write never reached the audit call"
    assert status == 503, body
    assert body["code"] == "database_unavailable"
    assert "数据库暂时不可用" in body["message"]
    assert written("第8网格") == (False, False)

    # The next request, in the same server thread, gets a new connection and goes through.
    monkeypatch.setattr(services, "audit_log", real_audit_log)
    status, body = staff.call("POST", "/api/areas", new_grid("第8网格", tree))
    assert status == 201, body
    assert written("第8网格") == (True, True)


def test_a_connection_killed_between_requests_is_replaced_before_the_next_one(
    staff: Caller, tree: Tree
) -> None:
    assert staff.call("GET", "/api/me")[0] == 200
    backends = server_backends()
    assert backends, "the server thread keeps no connection open between requests (CONN_MAX_AGE)"
    for pid in backends:
        terminate(pid)

    status, body = staff.call("POST", "/api/areas", new_grid("第9网格", tree))
    assert status == 201, body
    assert written("第9网格") == (True, True)


def test_while_the_database_is_down_a_token_request_answers_503_in_chinese(
    token_caller: Caller, outage: Outage
) -> None:
    assert token_caller.call("GET", "/api/me")[0] == 200
    outage.start()
    status, body = token_caller.call("GET", "/api/me")
    assert status == 503, body
    assert body["code"] == "database_unavailable"
    assert "数据库暂时不可用" in body["message"]


@pytest.mark.parametrize("path", ["/api/me", "/"])
def test_while_the_database_is_down_a_signed_in_request_answers_503_in_chinese(
    staff: Caller, outage: Outage, path: str
) -> None:
    assert staff.call("GET", path)[0] == 200
    outage.start()
    status, body = staff.call("GET", path)
    assert status == 503, body
    assert "数据库暂时不可用" in str(body)


def test_when_the_database_is_back_the_next_request_works(staff: Caller, tree: Tree, outage: Outage) -> None:
    assert staff.call("GET", "/api/me")[0] == 200
    outage.start()
    assert staff.call("POST", "/api/areas", new_grid("第10网格", tree))[0] >= 500
    outage.end()

    status, body = staff.call("POST", "/api/areas", new_grid("第10网格", tree))
    assert status == 201, body
    assert written("第10网格") == (True, True)
