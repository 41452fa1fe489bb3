"""Shared test fixtures: a small two-district area tree, users per role, residents."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

import pytest
from django.db import transaction
from django.db.backends.signals import connection_created
from django.test import Client

from shequ.core import services
from shequ.core.models import ApiToken, Area, User
from shequ.core.roles import Role

PASSWORD = "correct-horse-battery-9"


@pytest.fixture(autouse=True)
def _fast_hashing(settings: Any, request: pytest.FixtureRequest) -> None:
    """Argon2 is deliberately slow; tests that are not about hashing use a fast hasher."""
    if "argon2" not in request.keywords:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "argon2: keep the production password hasher")
    # Pages rendered by tests name static files unhashed: the manifest storage would need a
    # collectstatic before every run. tests/test_static_files.py proves the production storage.
    from django.conf import settings

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def _no_wait_for_disk(sender: Any, connection: Any, **kwargs: Any) -> None:
    """A test database is thrown away: on PostgreSQL a commit (the migrations, transactional tests)
    need not wait for the disk. Data survives anything but a crash of the server itself."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO off")


connection_created.connect(_no_wait_for_disk)


@dataclass
class Tree:
    """Two districts so that even a district administrator has an 'outside'."""

    district: Area
    street: Area
    community: Area
    grid: Area
    building: Area
    other_community: Area  # same street, another community
    other_building: Area
    far_district: Area
    far_street: Area
    far_community: Area
    far_grid: Area
    far_building: Area

    def inside_and_outside(self) -> tuple[list[Area], list[Area]]:
        inside = [self.district, self.street, self.community, self.grid, self.building]
        outside = [self.far_district, self.far_street, self.far_community, self.far_grid, self.far_building]
        return inside, outside


def make_area(parent: Area | None, name: str, code: str | None = None) -> Area:
    return services.area_create(by=None, parent=parent, name=name, code=code)


def _fixture_area(parent: Area | None, name: str, code: str | None = None) -> Area:
    """An area of the shared fixture tree, saved directly: the tree is set up before nearly every test
    (thousands in the permission matrix), and area_create's checks and audit entry, tested in
    core/tests/test_area_tree.py, made it the slowest part of the suite."""
    from shequ.core.services import _child_kind, _next_child_path

    return Area.objects.create(
        kind=_child_kind(parent), name=name, code=code, parent=parent, path=_next_child_path(parent)
    )


def build_tree() -> Tree:
    """The fixture tree's thirteen areas, written to the database."""
    a = _fixture_area
    d = a(None, "南海区", "440605000000")
    s = a(d, "大沥镇", "440605121000")
    c = a(s, "平地社区", "440605121001")
    g = a(c, "第1网格")
    b = a(g, "布匹市场1座")
    c2 = a(s, "沥西社区", "440605121002")
    g2 = a(c2, "第1网格")
    b2 = a(g2, "沥西花园1座")
    fd = a(None, "禅城区", "440604000000")
    fs = a(fd, "祖庙街道", "440604011000")
    fc = a(fs, "升平社区", "440604011001")
    fg = a(fc, "第1网格")
    fb = a(fg, "升平路1号")
    return Tree(d, s, c, g, b, c2, b2, fd, fs, fc, fg, fb)


def fresh_tree(tree: Tree) -> Tree:
    """The same areas read back in one query, so that a test sharing a tree built once cannot see
    what an earlier test changed on the Python objects (the database side is rolled back)."""
    names = [f.name for f in fields(Tree)]
    rows = Area.objects.in_bulk([getattr(tree, n).pk for n in names])
    return Tree(*(rows[getattr(tree, n).pk] for n in names))


@pytest.fixture
def tree(db: Any) -> Tree:
    return build_tree()


@contextmanager
def module_transaction(django_db_blocker: Any) -> Iterator[None]:
    """Rows built once for all the tests of a module, as Django's setUpTestData does: an outer
    transaction opened here, each test's own savepoint (the `db` fixture) inside it, everything rolled
    back when the module is done. Only for modules whose tests all use `db`, not `transactional_db`;
    build inside `with django_db_blocker.unblock():`."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


# Where each role sits in the fixture tree.
HOME = {
    Role.DISTRICT_ADMIN: "district",
    Role.STREET_OFFICIAL: "street",
    Role.COMMUNITY_STAFF: "community",
    Role.SOCIAL_WORKER: "community",
    Role.GRID_WORKER: "grid",
    Role.BUILDING_HEAD: "building",
    Role.VOLUNTEER: "community",
    Role.RESIDENT: "building",
    Role.EVALUATOR: "street",
}


def make_user(role: Role | str, area: Area, username: str | None = None) -> User:
    role = Role(role)
    return services.user_create(
        by=None, username=username or f"{role.value}_{area.pk}", password=PASSWORD, role=role, area=area
    )


@pytest.fixture
def user_for(tree: Tree) -> Any:
    def _make(role: Role | str) -> User:
        role = Role(role)
        return make_user(role, getattr(tree, HOME[role]))

    return _make


# The named people of the fixture tree, one set for every app's tests: name -> (role, where, username).
# Each app's `people` fixture picks the ones it needs under its own field names.
ACTORS: dict[str, tuple[Role, str, str]] = {
    "resident": (Role.RESIDENT, "building", "jumin"),
    "neighbour": (Role.RESIDENT, "building", "linju"),  # another resident of the same building
    "other_resident": (Role.RESIDENT, "other_building", "lixijumin"),  # 沥西社区
    "building_head": (Role.BUILDING_HEAD, "building", "louzhang"),
    "grid_worker": (Role.GRID_WORKER, "grid", "wangge"),
    "community_staff": (Role.COMMUNITY_STAFF, "community", "shequ"),
    "social_worker": (Role.SOCIAL_WORKER, "community", "shegong"),
    "volunteer": (Role.VOLUNTEER, "community", "zhiyuan"),
    "other_community_staff": (Role.COMMUNITY_STAFF, "other_community", "lixi"),  # same street
    "other_social_worker": (Role.SOCIAL_WORKER, "other_community", "lixi_shegong"),
    "street_official": (Role.STREET_OFFICIAL, "street", "jiedao"),
    "evaluator": (Role.EVALUATOR, "street", "pinggu"),
    "district_admin": (Role.DISTRICT_ADMIN, "district", "quadmin"),
    "far_street_official": (Role.STREET_OFFICIAL, "far_street", "zumiao"),  # another district
    "far_district_admin": (Role.DISTRICT_ADMIN, "far_district", "far"),
}
# The actor of each role at its HOME, as the permission matrix takes them.
ROLE_ACTOR = {
    Role.DISTRICT_ADMIN: "district_admin",
    Role.STREET_OFFICIAL: "street_official",
    Role.COMMUNITY_STAFF: "community_staff",
    Role.SOCIAL_WORKER: "social_worker",
    Role.GRID_WORKER: "grid_worker",
    Role.BUILDING_HEAD: "building_head",
    Role.VOLUNTEER: "volunteer",
    Role.RESIDENT: "resident",
    Role.EVALUATOR: "evaluator",
}


class Actors:
    """The named actors of one tree, each account made on first use (a test pays only for the
    people it meets)."""

    def __init__(self, tree: Tree) -> None:
        self._tree = tree
        self._made: dict[str, User] = {}

    def __getattr__(self, name: str) -> User:
        if name.startswith("_") or name not in ACTORS:
            raise AttributeError(name)
        if name not in self._made:
            role, where, username = ACTORS[name]
            self._made[name] = make_user(role, getattr(self._tree, where), username)
        return self._made[name]

    def of(self, role: Role) -> User:
        return getattr(self, ROLE_ACTOR[role])  # type: ignore[no-any-return]


@pytest.fixture
def actors(tree: Tree) -> Actors:
    return Actors(tree)


def login_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def token_client(user: User) -> Client:
    import secrets

    token = f"shq_test_{user.pk}_{secrets.token_hex(4)}"
    ApiToken.objects.create(
        user=user,
        digest=services.token_digest(token),
        expires_at=date(2099, 1, 1).isoformat() + "T00:00:00Z",
        password_stamp=user.get_session_auth_hash(),
    )
    return Client(headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def resident_factory(db: Any) -> Any:
    from shequ.core.idnumber import make_id_number
    from shequ.registry.models import Household, Resident
    from shequ.registry.services import seal_personal_data

    counter = {"n": 0}

    def _make(
        building: Area, name: str = "张三", born: date = date(1980, 5, 17), gender: str = "M", phone: str = ""
    ) -> Resident:
        counter["n"] += 1
        id_number = make_id_number("440605", born, counter["n"], gender)
        sealed = seal_personal_data(id_number=id_number, phone=phone or f"1380000{counter['n']:04d}")
        household = Household.objects.create(area=building, address=f"{building.name}{counter['n']}室")
        return Resident.objects.create(
            area=building, household=household, name=name, relation="户主", **sealed.__dict__
        )

    return _make


assert all(ACTORS[name][:2] == (role, HOME[role]) for role, name in ROLE_ACTOR.items()), "not at HOME"
