"""The area tree: levels, statistical codes, materialised paths, subtree queries, stale edits."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import Tree, login_client, make_area, make_user
from shequ.core import services
from shequ.core.errors import Conflict, DomainError
from shequ.core.models import Area, subtree_q
from shequ.core.roles import Role

pytestmark = pytest.mark.django_db


def test_levels_follow_district_street_community_grid_building(tree: Tree) -> None:
    assert [a.kind for a in (tree.district, tree.street, tree.community, tree.grid, tree.building)] == [
        "district",
        "street",
        "community",
        "grid",
        "building",
    ]
    with pytest.raises(DomainError) as err:
        make_area(tree.building, "楼下还有楼")
    assert err.value.code == "area_leaf"


def test_everything_under_an_area_is_one_indexed_query(tree: Tree) -> None:
    with CaptureQueriesContext(connection) as queries:
        names = set(Area.objects.filter(subtree_q(tree.street.path)).values_list("name", flat=True))
    assert len(queries) == 1
    assert "沥西花园1座" in names
    assert "布匹市场1座" in names
    assert "升平路1号" not in names
    sql = queries.captured_queries[0]["sql"]
    assert "LIKE" not in sql.upper()  # a range on the path, which a B-tree index serves
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            plan = " ".join(str(row) for row in cursor.fetchall())
        assert "USING INDEX" in plan or "USING COVERING INDEX" in plan


def test_siblings_get_the_next_path_and_children_extend_it(tree: Tree) -> None:
    a = make_area(tree.grid, "甲")
    b = make_area(tree.grid, "乙")
    assert a.path.startswith(tree.grid.path)
    assert len(a.path) == len(tree.grid.path) + 4
    assert int(b.path[-4:]) == int(a.path[-4:]) + 1


@pytest.mark.parametrize(
    "code, problem",
    [
        ("44060512100", "area_code_format"),  # 11 digits
        ("4406051210AB", "area_code_format"),
        ("440605121005", "area_code_shape"),  # a street code ends in 000
        ("440605000000", "area_code_shape"),  # the street's own digits are zeros
        ("440604121000", "area_code_parent"),  # another district's prefix
    ],
)
def test_street_codes_are_checked_against_the_rules(tree: Tree, code: str, problem: str) -> None:
    with pytest.raises(DomainError) as err:
        make_area(tree.district, "新街道", code)
    assert err.value.code == problem
    assert not Area.objects.filter(name="新街道").exists()


def test_a_duplicate_code_is_refused_with_a_clear_message(tree: Tree) -> None:
    with pytest.raises(DomainError) as err:
        make_area(tree.street, "重复社区", tree.community.code)
    assert err.value.code == "area_code_taken"


def test_grids_and_buildings_carry_no_code(tree: Tree) -> None:
    with pytest.raises(DomainError) as err:
        make_area(tree.community, "有代码的网格", "440605121001")
    assert err.value.code == "area_code_not_allowed"


def test_a_stale_edit_is_refused_and_the_first_edit_kept(tree: Tree) -> None:
    staff = make_user(Role.COMMUNITY_STAFF, tree.community, username="staff")
    seen_version = tree.building.version
    services.area_update(by=staff, area=tree.building, version=seen_version, name="第一人改的")
    with pytest.raises(Conflict):
        services.area_update(by=staff, area=tree.building, version=seen_version, name="第二人改的")
    assert Area.objects.get(pk=tree.building.pk).name == "第一人改的"


def test_a_stale_edit_through_the_api_is_a_409_with_a_chinese_message(tree: Tree) -> None:
    staff = make_user(Role.COMMUNITY_STAFF, tree.community, username="staff")
    client = login_client(staff)
    url = f"/api/areas/{tree.building.pk}"
    assert client.patch(url, {"version": 1, "name": "甲"}, content_type="application/json").status_code == 200
    r = client.patch(url, {"version": 1, "name": "乙"}, content_type="application/json")
    assert r.status_code == 409
    assert r.json()["code"] == "conflict"
    assert "刷新" in r.json()["message"]


def test_a_stale_edit_through_the_page_keeps_what_the_user_typed(tree: Tree) -> None:
    staff = make_user(Role.COMMUNITY_STAFF, tree.community, username="staff")
    services.area_update(by=staff, area=tree.building, version=1, name="别人先改了")
    r = login_client(staff).post(f"/areas/{tree.building.pk}/edit/", {"name": "我输入的名字", "version": 1})
    body = r.content.decode()
    assert r.status_code == 200
    assert "刷新后重试" in body
    assert 'value="我输入的名字"' in body


def test_an_area_that_still_holds_something_cannot_be_deleted(tree: Tree, resident_factory: Any) -> None:
    staff = make_user(Role.COMMUNITY_STAFF, tree.community, username="staff")
    with pytest.raises(DomainError) as err:
        services.area_delete(by=staff, area=tree.grid)
    assert err.value.code == "area_has_children"
    resident_factory(tree.building)
    with pytest.raises(DomainError) as err:
        services.area_delete(by=staff, area=tree.building)
    assert err.value.code == "area_in_use"
    r = login_client(staff).post(f"/areas/{tree.building.pk}/delete/")
    assert r.status_code == 400
    assert "仍有居民" in r.content.decode()


def test_unknown_fields_in_api_input_are_refused(tree: Tree) -> None:
    staff = make_user(Role.COMMUNITY_STAFF, tree.community, username="staff")
    r = login_client(staff).post(
        "/api/areas",
        {"parent_id": tree.grid.pk, "name": "x", "path": "0001"},
        content_type="application/json",
    )
    assert r.status_code == 422
    assert r.json()["code"] == "invalid_input"
    assert not Area.objects.filter(name="x").exists()


def test_a_bad_code_in_the_form_is_shown_on_the_field_and_nothing_is_created(tree: Tree) -> None:
    admin = make_user(Role.DISTRICT_ADMIN, tree.district, username="admin")
    r = login_client(admin).post(f"/areas/{tree.street.pk}/new/", {"name": "错误社区", "code": "123"})
    assert r.status_code == 200
    assert "12位数字" in r.content.decode()
    assert 'value="错误社区"' in r.content.decode()
    assert not Area.objects.filter(name="错误社区").exists()
