"""Exporting the households and organisations lists: what the user sees on the screen, within their
areas, masked, safe to open in a spreadsheet, and written to the audit log."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from openpyxl import load_workbook

from conftest import Tree, login_client, make_user, token_client
from shequ.core.models import AuditEntry
from shequ.core.roles import Role
from shequ.registry.models import Household, Organisation

pytestmark = pytest.mark.django_db


def read(content: bytes) -> list[list[Any]]:
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def headed(person: Any) -> Household:
    """The person's household, with them as its head (the fixture leaves the head empty)."""
    Household.objects.filter(pk=person.household_id).update(head=person)
    return Household.objects.get(pk=person.household_id)


@pytest.fixture
def staff(tree: Tree) -> Any:
    return make_user(Role.COMMUNITY_STAFF, tree.community, username="staff")


# --- households ------------------------------------------------------------------------------------


def test_the_households_export_is_the_filtered_list_of_the_users_areas(
    tree: Tree, staff: Any, resident_factory: Any
) -> None:
    mine = headed(resident_factory(tree.building, name="王户主"))
    Household.objects.filter(pk=mine.pk).update(tags=["hardship"])
    resident_factory(tree.other_building, name="别区户主")  # another community: never exported
    Household.objects.create(area=tree.building, room="909", address="布匹市场1座909")  # filtered out
    r = login_client(staff).get("/households/export.xlsx", {"area": tree.community.pk, "q": mine.address})
    assert r.status_code == 200
    assert r["Content-Disposition"].endswith('households.xlsx"')
    head, *rows = read(r.content)
    assert head == ["网格", "楼栋", "房号", "地址", "户主", "在住人数", "标签"]
    assert rows == [[tree.grid.name, tree.building.name, None, mine.address, "王户主", 1, "困难家庭"]]
    entry = AuditEntry.objects.get(action="export")
    assert (entry.actor_id, entry.area_path, entry.changes["rows"]) == (staff.pk, tree.community.path, 1)
    assert entry.object_repr == "households.xlsx (1)"


def test_a_households_export_without_a_filter_holds_only_the_users_areas(
    tree: Tree, staff: Any, resident_factory: Any
) -> None:
    for building, name in (
        (tree.building, "本区户主"),
        (tree.other_building, "别区户主"),
        (tree.far_building, "远区户主"),
    ):
        headed(resident_factory(building, name=name))
    for client, url in (
        (login_client(staff), "/households/export.xlsx"),
        (token_client(staff), "/api/households/export"),
    ):
        r = client.get(url)
        assert r.status_code == 200
        assert [row[4] for row in read(r.content)[1:]] == ["本区户主"]


def test_a_child_head_of_household_is_left_out_for_roles_that_do_not_serve_children(
    tree: Tree, resident_factory: Any
) -> None:
    child = resident_factory(tree.building, name="小户主", born=date(2018, 3, 1))
    headed(child)
    admin = make_user(Role.DISTRICT_ADMIN, tree.district, username="quzhang")
    social = make_user(Role.SOCIAL_WORKER, tree.community, username="shegong")
    assert read(login_client(admin).get("/households/export.xlsx").content)[1][4] is None
    # Those who serve children see a child's name only under an approved grant for minors (issue 9).
    assert read(login_client(social).get("/households/export.xlsx").content)[1][4] is None
    from shequ.core import grants

    street = make_user(Role.STREET_OFFICIAL, tree.street, username="jiedao")
    asked = grants.grant_request(by=social, kind="minors", area=tree.community, reason="困境儿童走访")
    grants.grant_decide(by=street, grant=asked, approve=True)
    assert read(login_client(social).get("/households/export.xlsx").content)[1][4] == child.name


def test_household_cells_that_look_like_formulas_are_exported_as_text(tree: Tree, staff: Any) -> None:
    Household.objects.create(area=tree.building, room="=1+1", address='=HYPERLINK("http://x","点我")')
    Household.objects.create(area=tree.building, room="@SUM(A1)", address="-2+3")
    rows = read(login_client(staff).get("/households/export.xlsx").content)[1:]
    assert sorted((r[2], r[3]) for r in rows) == sorted(
        [("'=1+1", '\'=HYPERLINK("http://x","点我")'), ("'@SUM(A1)", "'-2+3")]
    )


def test_households_are_exported_only_by_roles_that_may_and_only_from_their_areas(
    tree: Tree, resident_factory: Any
) -> None:
    resident_factory(tree.building)
    head = make_user(Role.BUILDING_HEAD, tree.building, username="louzhang")  # sees households, no export
    assert login_client(head).get("/households/export.xlsx").status_code == 403
    assert token_client(head).get("/api/households/export").status_code == 403
    other = make_user(Role.COMMUNITY_STAFF, tree.other_community, username="other")
    assert login_client(other).get("/households/export.xlsx", {"area": tree.community.pk}).status_code == 404
    assert token_client(other).get("/api/households/export", {"area": tree.community.pk}).status_code == 404
    assert not AuditEntry.objects.filter(action="export").exists()


def test_the_households_page_lists_and_offers_export_and_import(
    tree: Tree, staff: Any, resident_factory: Any
) -> None:
    household = headed(resident_factory(tree.building, name="王户主"))
    page = login_client(staff).get("/households/", {"area": tree.community.pk}).content.decode()
    assert f'href="/households/{household.pk}/"' in page
    assert "王户主" in page
    assert 'data-testid="export"' in page
    assert 'data-testid="import"' in page
    assert 'data-testid="import-buildings"' in page
    worker = make_user(Role.GRID_WORKER, tree.grid, username="wangge")
    page = login_client(worker).get("/households/", {"area": tree.grid.pk}).content.decode()
    assert 'data-testid="import"' in page
    assert 'data-testid="import-buildings"' not in page


# --- organisations ---------------------------------------------------------------------------------


def test_the_organisations_export_is_the_filtered_list_with_phones_masked(tree: Tree, staff: Any) -> None:
    Organisation.objects.create(
        area=tree.grid,
        kind="unit",
        name="布匹市场管理处",
        credit_code="91440605MA4UJ9XK2J",
        contact_name="李经理",
        contact_phone="13800138000",
    )
    Organisation.objects.create(area=tree.community, kind="party_branch", name="平地社区党委")
    Organisation.objects.create(area=tree.other_community, kind="unit", name="沥西管理处")
    r = login_client(staff).get("/organisations/export.xlsx", {"kind": "unit"})
    assert r.status_code == 200
    head, *rows = read(r.content)
    assert head == [
        "名称",
        "类型",
        "统一社会信用代码",
        "所属区域",
        "地址",
        "联系人",
        "联系电话（脱敏）",
        "成员数",
    ]
    assert rows == [
        ["布匹市场管理处", "辖区单位", "91440605MA4UJ9XK2J", tree.grid.name, None, "李经理", "138****8000", 0]
    ]
    entry = AuditEntry.objects.get(action="export")
    assert entry.object_repr == "organisations.xlsx (1)"
    assert "kind=unit" in entry.changes["filters"]
    r = token_client(staff).get("/api/organisations/export", {"q": "管理处"})
    assert [row[0] for row in read(r.content)[1:]] == ["布匹市场管理处"]


def test_organisation_cells_that_look_like_formulas_are_exported_as_text(tree: Tree, staff: Any) -> None:
    Organisation.objects.create(
        area=tree.community, kind="unit", name="+cmd|' /C calc'!A0", address="=1+1", contact_name="@me"
    )
    row = read(login_client(staff).get("/organisations/export.xlsx").content)[1]
    assert (row[0], row[4], row[5]) == ("'+cmd|' /C calc'!A0", "'=1+1", "'@me")


def test_organisations_are_exported_only_by_roles_that_may_and_only_from_their_areas(tree: Tree) -> None:
    Organisation.objects.create(area=tree.community, kind="unit", name="甲单位")
    volunteer = make_user(Role.VOLUNTEER, tree.community, username="zhiyuan")  # sees them, no export
    assert login_client(volunteer).get("/organisations/export.xlsx").status_code == 403
    assert token_client(volunteer).get("/api/organisations/export").status_code == 403
    far = make_user(Role.COMMUNITY_STAFF, tree.far_community, username="far")
    assert login_client(far).get("/organisations/export.xlsx", {"area": tree.community.pk}).status_code == 404
    assert read(login_client(far).get("/organisations/export.xlsx").content)[1:] == []


def test_the_organisations_page_offers_add_export_and_import_in_an_area(tree: Tree, staff: Any) -> None:
    page = login_client(staff).get("/organisations/", {"area": tree.community.pk}).content.decode()
    assert f'href="/areas/{tree.community.pk}/organisations/new/"' in page
    assert 'data-testid="export"' in page
    assert f'href="/organisations/import/?area={tree.community.pk}"' in page
    volunteer = make_user(Role.VOLUNTEER, tree.community, username="zhiyuan")
    page = login_client(volunteer).get("/organisations/", {"area": tree.community.pk}).content.decode()
    assert 'data-testid="export"' not in page
    assert 'data-testid="import"' not in page
