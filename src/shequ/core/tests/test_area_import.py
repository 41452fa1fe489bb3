"""Importing many areas at once: area_create's rules for every row, bulk writes, one audit entry."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import Tree, make_user
from shequ.core import access, services
from shequ.core.errors import DomainError, Forbidden, NotFound
from shequ.core.models import Area, AuditEntry
from shequ.core.roles import Role
from shequ.core.services import AreaRow

pytestmark = pytest.mark.django_db


def _grid_rows(buildings: int) -> list[AreaRow]:
    """A new community with one grid of `buildings` buildings."""
    return [
        AreaRow(key="c", parent=None, name="新社区", code="440605121009"),
        AreaRow(key="g", parent="c", name="第1网格"),
        *[AreaRow(key=n, parent="g", name=f"新楼{n}座", address=f"新路{n}号") for n in range(buildings)],
    ]


def test_an_import_gets_the_paths_and_kinds_area_create_would_give(tree: Tree) -> None:
    admin = make_user(Role.DISTRICT_ADMIN, tree.district)
    ids = services.areas_import(by=admin, parent=tree.street, rows=_grid_rows(3))
    community = Area.objects.get(pk=ids["c"])
    # The street already has two communities: the new one comes after them.
    assert community.kind == "community"
    assert int(community.path[-4:]) == 3
    assert community.path.startswith(tree.street.path)
    assert community.parent == tree.street
    grid = Area.objects.get(pk=ids["g"])
    assert (grid.kind, grid.parent_id, grid.path) == ("grid", community.pk, community.path + "0001")
    buildings = Area.objects.filter(parent=grid).order_by("path")
    assert [b.path for b in buildings] == [grid.path + f"{n:04d}" for n in (1, 2, 3)]
    assert [b.pk for b in buildings] == [ids[0], ids[1], ids[2]]
    assert {b.kind for b in buildings} == {"building"}
    assert buildings[0].address == "新路0号"
    # area_create after the import continues the same numbering.
    after = services.area_create(by=admin, parent=grid, name="后来的楼")
    assert after.path == grid.path + "0004"


def _grid_rows_coded(code: str, buildings: int) -> list[AreaRow]:
    return [AreaRow(key="c", parent=None, name=f"社区{code}", code=code), *_grid_rows(buildings)[1:]]


def test_an_import_costs_the_same_queries_for_two_buildings_or_sixty(tree: Tree) -> None:
    admin = make_user(Role.DISTRICT_ADMIN, tree.district)
    counts = []
    for code, buildings in (("440605121007", 2), ("440605121008", 60)):
        access.forget_roles(admin)  # as in a new request
        with CaptureQueriesContext(connection) as captured:
            services.areas_import(by=admin, parent=tree.street, rows=_grid_rows_coded(code, buildings))
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_an_import_is_audited_by_one_entry(tree: Tree) -> None:
    admin = make_user(Role.DISTRICT_ADMIN, tree.district)
    before = AuditEntry.objects.count()
    ids = services.areas_import(by=admin, parent=tree.street, rows=_grid_rows(60))
    assert len(ids) == 62
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.order_by("-id").first()
    assert entry is not None
    assert entry.action == "import"
    assert entry.actor_id == admin.pk
    assert entry.area_path == tree.street.path
    assert entry.changes == {"areas.building": [0, 60], "areas.community": [0, 1], "areas.grid": [0, 1]}


@pytest.mark.parametrize(
    "bad_row, problem",
    [
        (AreaRow(key="x", parent="c", name="坏社区代码网格", code="440605121001"), "area_code_not_allowed"),
        (AreaRow(key="x", parent=None, name="坏社区", code="440604121003"), "area_code_parent"),
        (AreaRow(key="x", parent=None, name="坏社区", code="4406051210"), "area_code_format"),
        (AreaRow(key="x", parent=None, name="重号社区", code="440605121009"), "area_code_taken"),  # in file
        (AreaRow(key="x", parent=None, name="重号社区", code="440605121001"), "area_code_taken"),  # stored
        (AreaRow(key="x", parent=0, name="楼下的楼"), "area_leaf"),
        (AreaRow(key="x", parent="nowhere", name="孤儿"), "area_import_parent"),
        (AreaRow(key="g", parent="c", name="同键网格"), "area_import_key"),
        (AreaRow(key="x", parent="g", name="   "), "required"),
    ],
)
def test_one_refused_row_writes_nothing_and_names_the_row(tree: Tree, bad_row: AreaRow, problem: str) -> None:
    areas, entries = Area.objects.count(), AuditEntry.objects.count()
    with pytest.raises(DomainError) as err:
        services.areas_import(by=None, parent=tree.street, rows=[*_grid_rows(2), bad_row])
    assert err.value.code == problem
    assert err.value.fields["row"] == str(bad_row.key)
    assert Area.objects.count() == areas
    assert AuditEntry.objects.count() == entries


def test_only_an_administrator_above_may_import_and_only_the_operator_a_district(tree: Tree) -> None:
    worker = make_user(Role.GRID_WORKER, tree.grid)
    with pytest.raises(Forbidden):
        services.areas_import(by=worker, parent=tree.grid, rows=[AreaRow(key=1, parent=None, name="网格")])
    outsider = make_user(Role.DISTRICT_ADMIN, tree.far_district)
    with pytest.raises(NotFound):  # outside their view: its existence does not leak
        services.areas_import(by=outsider, parent=tree.street, rows=_grid_rows(1))
    admin = make_user(Role.DISTRICT_ADMIN, tree.district)
    with pytest.raises(Forbidden):
        services.areas_import(
            by=admin, parent=None, rows=[AreaRow(key=1, parent=None, name="新区", code="440606000000")]
        )
    ids = services.areas_import(
        by=None, parent=None, rows=[AreaRow(key=1, parent=None, name="新区", code="440606000000")]
    )
    assert Area.objects.get(pk=ids[1]).kind == "district"
    assert not Area.objects.filter(name="网格").exists()
    staff = make_user(Role.COMMUNITY_STAFF, tree.community)
    ids = services.areas_import(
        by=staff, parent=tree.community, rows=[AreaRow(key=1, parent=None, name="新网格")]
    )
    assert Area.objects.get(pk=ids[1]).parent == tree.community
