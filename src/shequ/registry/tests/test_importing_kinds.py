"""Importing buildings, households and organisations: each bad cell named by row and column in Chinese,
only a clean file (or by choice its good rows) written, all or nothing, the same file twice doubles
nothing, and nobody imports outside the areas where they may create such records."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from conftest import Tree, login_client, make_area, make_user, token_client
from shequ.core.errors import DomainError, Forbidden, NotFound
from shequ.core.models import Area, AreaKind, AuditEntry, ImportJob
from shequ.core.roles import Role
from shequ.registry import importing
from shequ.registry.import_kinds import BUILDINGS, HOUSEHOLDS, ORGANISATIONS
from shequ.registry.models import BuildingProfile, Household, Organisation, Resident

pytestmark = pytest.mark.django_db

# Real unified social credit codes (GB 32100 check character computed) and one with a wrong check.
CODE_A = "91440605MA4UJ9XK2J"
CODE_B = "91440605MA4UJ9XK3M"
CODE_SOCIAL = "52440605MJL123456W"
CODE_BAD = "91440605MA4UJ9XK2K"


def sheet(head: list[str], rows: list[list[Any]], title: str = "Sheet") -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title
    ws.append(head)
    for row in rows:
        ws.append(row)
    for line in ws.iter_rows():
        for cell in line:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text that looks like a formula, as a user may type it
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def check(user: Any, area: Area, kind: Any, head: list[str], rows: list[list[Any]]) -> ImportJob:
    return importing.validate(user=user, area=area, data=sheet(head, rows), filename="f.xlsx", kind=kind)


def problems(job: ImportJob) -> dict[tuple[int, str, str], str]:
    return {(n, col, header): msg for n, col, header, msg in importing.problems_of(job)}


@pytest.fixture
def staff(tree: Tree) -> Any:
    return make_user(Role.COMMUNITY_STAFF, tree.community, username="staff")


# --- buildings -------------------------------------------------------------------------------------

B_HEAD = ["网格", "楼栋", "地址", "经度", "纬度", "小区", "物业公司"]


def test_a_clean_buildings_file_adds_buildings_with_coordinates_estate_and_property_company(
    tree: Tree, staff: Any
) -> None:
    company = Organisation.objects.create(area=tree.community, kind="property_company", name="平安物业")
    rows = [
        [
            tree.grid.name,
            "布匹市场2座",
            "大沥镇布匹市场2号",
            "113.146510",
            "23.046510",
            "布匹花园",
            "平安物业",
        ],
        [tree.grid.name, "布匹市场3座", "", "", "", "", ""],
    ]
    job = check(staff, tree.community, BUILDINGS, B_HEAD, rows)
    assert (job.total_rows, job.error_rows, job.duplicate_rows) == (2, 0, 0)
    assert not Area.objects.filter(name="布匹市场2座").exists()  # checking writes nothing
    assert importing.commit(user=staff, job=job) == 2
    second = Area.objects.get(name="布匹市场2座")
    assert (second.kind, second.parent_id, second.address) == (
        AreaKind.BUILDING,
        tree.grid.pk,
        "大沥镇布匹市场2号",
    )
    assert (second.longitude, second.latitude) == (Decimal("113.146510"), Decimal("23.046510"))
    profile = BuildingProfile.objects.get(area=second)
    assert (profile.estate, profile.property_company_id) == ("布匹花园", company.pk)
    assert not BuildingProfile.objects.filter(area__name="布匹市场3座").exists()
    # Each building is created through the area service (audited), and the import is audited too.
    assert AuditEntry.objects.filter(action="create", object_repr="布匹市场2座").exists()
    assert AuditEntry.objects.get(action="import").changes["buildings"] == [0, 2]


def test_every_bad_building_cell_is_named_by_row_column_and_reason_in_chinese(tree: Tree, staff: Any) -> None:
    Organisation.objects.create(area=tree.other_community, kind="property_company", name="别区物业")
    g = tree.grid.name
    rows = [
        ["不存在的网格", "新楼1", "", "", "", "", ""],  # row 2
        [g, "新楼2", "", "113.1", "", "", ""],  # 3: latitude missing
        [g, "新楼3", "", "200", "23.0", "", ""],  # 4: longitude out of range
        [g, "新楼4", "", "东经113度", "23.0", "", ""],  # 5: not a number
        [g, "新楼5", "", "", "", "", "别区物业"],  # 6: property company of another community
        [g, "楼" * 101, "", "", "", "", ""],  # 7: name too long
        [g, "", "", "", "", "", ""],  # 8: name missing
        [g, "新楼9", "", "", "", "", ""],  # 9: good
        [g, "新楼9", "", "", "", "", ""],  # 10: same building as row 9
    ]
    job = check(staff, tree.community, BUILDINGS, B_HEAD, rows)
    assert (job.total_rows, job.error_rows) == (9, 8)
    found = problems(job)
    assert "没有这个网格" in found[(2, "A", "网格")]
    assert "同时填写" in found[(3, "E", "纬度")]
    assert "-180 到 180" in found[(4, "D", "经度")]
    assert "度数" in found[(5, "D", "经度")]
    assert "没有这个名称的物业公司" in found[(6, "G", "物业公司")]
    assert "最多100个字符" in found[(7, "B", "楼栋")]
    assert "必填" in found[(8, "B", "楼栋")]
    assert "第 9 行" in found[(10, "B", "楼栋")]
    with pytest.raises(DomainError) as err:
        importing.commit(user=staff, job=job)
    assert err.value.code == "import_errors"
    assert not Area.objects.filter(name__startswith="新楼").exists()


def test_importing_the_same_buildings_twice_adds_nothing_the_second_time(tree: Tree, staff: Any) -> None:
    rows = [
        [tree.grid.name, tree.building.name, "", "", "", "", ""],
        [tree.grid.name, "新楼A", "", "", "", "", ""],
    ]
    first = check(staff, tree.community, BUILDINGS, B_HEAD, rows)
    assert first.duplicate_rows == 1  # the fixture's building is already there
    assert importing.commit(user=staff, job=first) == 1
    again = check(staff, tree.community, BUILDINGS, B_HEAD, rows)
    assert (again.error_rows, again.duplicate_rows) == (0, 2)
    assert importing.commit(user=staff, job=again) == 0
    assert Area.objects.filter(parent=tree.grid).count() == 2
    again.refresh_from_db()
    assert (again.status, again.created_rows, again.duplicate_rows) == ("imported", 0, 2)


def test_buildings_are_imported_only_where_the_user_may_create_areas(tree: Tree, staff: Any) -> None:
    worker = make_user(Role.GRID_WORKER, tree.grid, username="wangge")
    with pytest.raises(Forbidden):  # a grid worker sees the grid but does not create buildings
        check(worker, tree.grid, BUILDINGS, B_HEAD, [[tree.grid.name, "新楼", "", "", "", "", ""]])
    other = make_user(Role.COMMUNITY_STAFF, tree.other_community, username="other")
    with pytest.raises(NotFound):  # another community's staff do not even see this one
        check(other, tree.community, BUILDINGS, B_HEAD, [[tree.grid.name, "新楼", "", "", "", "", ""]])
    # Their own community has a grid of the same name: the rows land there, never here.
    job = check(
        other, tree.other_community, BUILDINGS, B_HEAD, [[tree.grid.name, "新楼", "", "", "", "", ""]]
    )
    importing.commit(user=other, job=job)
    assert Area.objects.get(name="新楼").parent_id != tree.grid.pk
    assert not ImportJob.objects.filter(user=worker).exists()


# --- households ------------------------------------------------------------------------------------

H_HEAD = ["网格", "楼栋", "房号", "地址", "标签"]


def test_a_clean_households_file_adds_households_that_the_resident_import_then_fills(
    tree: Tree, staff: Any
) -> None:
    rows = [
        [tree.grid.name, tree.building.name, "101", "", "困难家庭、军属"],
        [tree.grid.name, tree.building.name, "", "布匹市场1座地下铺位", ""],
    ]
    job = check(staff, tree.community, HOUSEHOLDS, H_HEAD, rows)
    assert (job.error_rows, job.duplicate_rows) == (0, 0)
    assert importing.commit(user=staff, job=job) == 2
    room = Household.objects.get(room="101")
    assert (room.area_id, room.address, room.tags) == (
        tree.building.pk,
        f"{tree.building.name}101",
        ["hardship", "military"],
    )
    assert Household.objects.filter(room="", address="布匹市场1座地下铺位").exists()
    # Residents imported afterwards join the household of their room instead of making another.
    from shequ.registry.tests.test_importing import HEAD, ids, xlsx

    people = [["户主甲", "", ids(1)[0], "", "", "", tree.grid.name, tree.building.name, "101", "户主"]]
    importing.commit(
        user=staff,
        job=importing.validate(user=staff, area=tree.community, data=xlsx(people, HEAD), filename="r.xlsx"),
    )
    assert Household.objects.count() == 2
    room.refresh_from_db()
    assert room.head is not None
    assert room.head.name == "户主甲"


def test_every_bad_household_cell_is_named_by_row_column_and_reason_in_chinese(
    tree: Tree, staff: Any
) -> None:
    g, b = tree.grid.name, tree.building.name
    rows = [
        [g, "布匹市场99座", "101", "", ""],  # 2: unknown building
        [g, b, "", "", ""],  # 3: neither room nor address
        [g, b, "103", "", "贫困户"],  # 4: unknown tag
        [g, b, "1" * 21, "", ""],  # 5: room too long
        [g, b, "105", "", ""],  # 6: good
        [g, b, "105", "", ""],  # 7: the same household as row 6
        ["", b, "107", "", ""],  # 8: grid missing
        [g, tree.other_building.name, "108", "", ""],  # 9: a building of another community
    ]
    job = check(staff, tree.community, HOUSEHOLDS, H_HEAD, rows)
    assert (job.total_rows, job.error_rows) == (8, 7)
    found = problems(job)
    assert "没有这个楼栋" in found[(2, "B", "楼栋")]
    assert "请填写房号" in found[(3, "C", "房号")]
    assert "无法识别的标签：贫困户" in found[(4, "E", "标签")]
    assert "困难家庭" in found[(4, "E", "标签")]
    assert "最多20个字符" in found[(5, "C", "房号")]
    assert "第 6 行" in found[(7, "C", "房号")]
    assert "必填" in found[(8, "A", "网格")]
    assert "没有这个楼栋" in found[(9, "B", "楼栋")]


def test_a_households_file_carries_the_owner_and_the_exclusive_floor_area(tree: Tree, staff: Any) -> None:
    """For building matters under Civil Code art. 278 (the roll of owners of a vote)."""
    head = [*H_HEAD, "产权人", "专有面积"]
    g, b = tree.grid.name, tree.building.name
    rows = [[g, b, "301", "", "", "张三", "89.50"], [g, b, "302", "", "", "", "八十"]]
    job = check(staff, tree.community, HOUSEHOLDS, head, rows)
    assert job.error_rows == 1
    assert "专有面积" in {column for (_row, _col, column) in problems(job)}
    good = check(staff, tree.community, HOUSEHOLDS, head, rows[:1])
    importing.commit(user=staff, job=good)
    assert Household.objects.filter(room="301").values_list("owner", "floor_area").get() == (
        "张三",
        Decimal("89.50"),
    )


def test_importing_the_same_households_twice_adds_nothing_the_second_time(tree: Tree, staff: Any) -> None:
    rows = [[tree.grid.name, tree.building.name, str(room), "", ""] for room in (201, 202, 203)]
    rows.append([tree.grid.name, tree.building.name, "", "门卫室", ""])
    importing.commit(user=staff, job=check(staff, tree.community, HOUSEHOLDS, H_HEAD, rows))
    again = check(staff, tree.community, HOUSEHOLDS, H_HEAD, rows)
    assert (again.error_rows, again.duplicate_rows) == (0, 4)
    assert importing.commit(user=staff, job=again) == 0
    assert Household.objects.count() == 4


def test_an_import_interrupted_midway_leaves_nothing_and_can_be_committed_again(
    tree: Tree, staff: Any
) -> None:
    """The process dies after the first 1,000 households were written: none of them stays."""
    rows = [[tree.grid.name, tree.building.name, f"{n}室", "", ""] for n in range(2500)]
    job = check(staff, tree.community, HOUSEHOLDS, H_HEAD, rows)
    assert job.error_rows == 0

    class Interrupted(Exception):
        pass

    def die_after_first_batch(written: int) -> None:
        assert Household.objects.count() == written == 1000  # really written, inside the transaction
        raise Interrupted

    with pytest.raises(Interrupted):
        importing.commit(user=staff, job=job, progress=die_after_first_batch)
    assert Household.objects.count() == 0
    job.refresh_from_db()
    assert job.status == ImportJob.Status.VALIDATED
    assert not AuditEntry.objects.filter(action="import").exists()
    assert importing.commit(user=staff, job=job) == 2500


def test_a_building_deleted_between_check_and_write_undoes_the_whole_import(tree: Tree, staff: Any) -> None:
    spare = make_area(tree.grid, "待拆楼")
    rows = [[tree.grid.name, tree.building.name, f"{n}", "", ""] for n in range(1500)]
    rows.append([tree.grid.name, spare.name, "1", "", ""])  # in the second batch
    job = check(staff, tree.community, HOUSEHOLDS, H_HEAD, rows)
    assert job.error_rows == 0
    Area.objects.filter(pk=spare.pk).delete()
    with pytest.raises(DomainError) as err:
        importing.commit(user=staff, job=job)
    assert err.value.code == "import_conflict"
    assert Household.objects.count() == 0
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "未写入" in job.message


def test_households_are_imported_only_by_registrars_of_the_area(tree: Tree) -> None:
    rows = [[tree.grid.name, tree.building.name, "301", "", ""]]
    head = make_user(Role.BUILDING_HEAD, tree.building, username="louzhang")
    with pytest.raises(Forbidden):
        check(head, tree.building, HOUSEHOLDS, H_HEAD, rows)
    worker = make_user(Role.GRID_WORKER, tree.grid, username="wangge")
    job = check(worker, tree.grid, HOUSEHOLDS, H_HEAD, rows)
    assert importing.commit(user=worker, job=job) == 1
    other = make_user(Role.GRID_WORKER, tree.far_grid, username="far")
    with pytest.raises(NotFound):
        check(other, tree.grid, HOUSEHOLDS, H_HEAD, rows)


# --- organisations ---------------------------------------------------------------------------------

O_HEAD = [
    "名称",
    "类型",
    "统一社会信用代码",
    "网格",
    "楼栋",
    "民政登记",
    "社区孵化",
    "地址",
    "联系人",
    "联系电话",
]


def test_a_clean_organisations_file_adds_them_where_the_file_says(tree: Tree, staff: Any) -> None:
    g, b = tree.grid.name, tree.building.name
    rows = [
        [
            "平安物业管理有限公司",
            "物业公司",
            CODE_A.lower(),
            "",
            "",
            "",
            "",
            "南海大道1号",
            "李经理",
            "0757-86001234",
        ],
        ["布匹市场党支部", "党支部", "", g, "", "", "", "", "", ""],
        ["夕阳红志愿服务队", "社会组织", CODE_SOCIAL, g, b, "是", "是", "", "王阿姨", "13800138000"],
    ]
    job = check(staff, tree.community, ORGANISATIONS, O_HEAD, rows)
    assert (job.error_rows, job.duplicate_rows) == (0, 0)
    assert importing.commit(user=staff, job=job) == 3
    company = Organisation.objects.get(credit_code=CODE_A)  # stored as the standard writes it
    assert (company.area_id, company.kind, company.contact_phone) == (
        tree.community.pk,
        "property_company",
        "0757-86001234",
    )
    assert Organisation.objects.get(name="布匹市场党支部").area_id == tree.grid.pk
    social = Organisation.objects.get(name="夕阳红志愿服务队")
    assert (social.area_id, social.kind, social.registered, social.incubated) == (
        tree.building.pk,
        "social_organisation",
        True,
        True,
    )


def test_every_bad_organisation_cell_is_named_by_row_column_and_reason_in_chinese(
    tree: Tree, staff: Any
) -> None:
    g, b = tree.grid.name, tree.building.name
    rows = [
        ["甲公司", "公司", "", "", "", "", "", "", "", ""],  # 2: unknown kind
        ["乙公司", "辖区单位", CODE_BAD, "", "", "", "", "", "", ""],  # 3: wrong check character
        ["丙公司", "辖区单位", "", "", "", "", "", "", "", "12345"],  # 4: not a phone
        ["丁公司", "辖区单位", "", "", b, "", "", "", "", ""],  # 5: building without its grid
        ["戊公司", "辖区单位", "", "第9网格", "", "", "", "", "", ""],  # 6: unknown grid
        ["己协会", "社会组织", "", "", "", "可能", "", "", "", ""],  # 7: not 是/否
        ["", "辖区单位", "", "", "", "", "", "", "", ""],  # 8: name missing
        ["庚公司", "辖区单位", CODE_B, "", "", "", "", "", "", ""],  # 9: good
        ["庚公司分部", "辖区单位", CODE_B, g, "", "", "", "", "", ""],  # 10: same credit code as row 9
        ["辛超市", "辖区单位", "", g, "", "", "", "", "", ""],  # 11: good
        ["辛超市", "辖区单位", "", g, "", "", "", "", "", ""],  # 12: same area and name as row 11
    ]
    job = check(staff, tree.community, ORGANISATIONS, O_HEAD, rows)
    assert (job.total_rows, job.error_rows) == (11, 9)
    found = problems(job)
    assert "物业公司" in found[(2, "B", "类型")]
    assert "GB 32100" in found[(3, "C", "统一社会信用代码")]
    assert "区号" in found[(4, "J", "联系电话")]
    assert "同时填写网格" in found[(5, "D", "网格")]
    assert "没有这个网格" in found[(6, "D", "网格")]
    assert "只能填写：否、是" in found[(7, "F", "民政登记")]
    assert "必填" in found[(8, "A", "名称")]
    assert "第 9 行" in found[(10, "C", "统一社会信用代码")]
    assert "第 11 行" in found[(12, "A", "名称")]


def test_organisations_are_matched_again_by_credit_code_or_by_area_and_name(tree: Tree, staff: Any) -> None:
    Organisation.objects.create(area=tree.community, kind="unit", name="老名字", credit_code=CODE_A)
    Organisation.objects.create(area=tree.grid, kind="unit", name="辛超市")
    # The same company under a new name, and the same shop: both already there.
    rows = [
        ["新名字", "辖区单位", CODE_A, "", "", "", "", "", "", ""],
        ["辛超市", "辖区单位", "", tree.grid.name, "", "", "", "", "", ""],
        ["辛超市", "辖区单位", "", "", "", "", "", "", "", ""],  # same name, another area: a new one
    ]
    job = check(staff, tree.community, ORGANISATIONS, O_HEAD, rows)
    assert (job.error_rows, job.duplicate_rows) == (0, 2)
    assert importing.commit(user=staff, job=job) == 1
    assert Organisation.objects.count() == 3
    assert not Organisation.objects.filter(name="新名字").exists()  # nothing overwritten silently
    # A company with the same code in another community is that community's record: this one adds its own.
    Organisation.objects.create(
        area=tree.other_community, kind="property_company", name="平安物业", credit_code=CODE_B
    )
    job = check(
        staff,
        tree.community,
        ORGANISATIONS,
        O_HEAD,
        [["平安物业", "物业公司", CODE_B, "", "", "", "", "", "", ""]],
    )
    assert importing.commit(user=staff, job=job) == 1
    assert Organisation.objects.filter(credit_code=CODE_B).count() == 2


def test_organisations_are_imported_only_by_their_keepers_in_their_area(tree: Tree) -> None:
    rows = [["甲单位", "辖区单位", "", "", "", "", "", "", "", ""]]
    volunteer = make_user(Role.VOLUNTEER, tree.community, username="zhiyuan")
    with pytest.raises(Forbidden):
        check(volunteer, tree.community, ORGANISATIONS, O_HEAD, rows)
    social = make_user(Role.SOCIAL_WORKER, tree.other_community, username="shegong")
    with pytest.raises(NotFound):
        check(social, tree.community, ORGANISATIONS, O_HEAD, rows)
    importing.commit(user=social, job=check(social, tree.other_community, ORGANISATIONS, O_HEAD, rows))
    assert Organisation.objects.get(name="甲单位").area_id == tree.other_community.pk


# --- the shared flow, through pages and API ---------------------------------------------------------


def test_the_good_rows_can_be_imported_and_the_bad_ones_handed_back_as_typed(tree: Tree, staff: Any) -> None:
    rows = [
        ['=HYPERLINK("http://x")', "辖区单位", "", "", "", "", "", "", "", "+86 12345"],
        ["好单位", "辖区单位", "", "", "", "", "", "", "", ""],
    ]
    job = check(staff, tree.community, ORGANISATIONS, O_HEAD, rows)
    assert job.error_rows == 1
    assert importing.commit(user=staff, job=job, good_rows_only=True) == 1
    back = list(
        load_workbook(io.BytesIO(importing.bad_rows_xlsx(job)), read_only=True)
        .worksheets[0]
        .iter_rows(values_only=True)
    )
    assert list(back[0]) == [*O_HEAD, "错误说明"]
    assert back[1][0] == '\'=HYPERLINK("http://x")'  # as typed, never run as a formula
    assert back[1][9] == "'+86 12345"
    assert "原第2行" in str(back[1][-1])
    assert "J列（联系电话）" in str(back[1][-1])
    assert AuditEntry.objects.get(action="import").changes == {
        "organisations": [0, 1],
        "rejected_rows": 1,
        "skipped_rows": 0,
    }


def test_each_kind_has_a_template_with_chinese_headers_that_checks_clean(tree: Tree, staff: Any) -> None:
    client = login_client(staff)
    for kind, first in (("buildings", "网格"), ("households", "网格"), ("organisations", "名称")):
        r = client.get(f"/{kind}/import/template.xlsx")
        assert r.status_code == 200
        assert r["Content-Disposition"].endswith(f'{kind}-template.xlsx"')
        head = next(
            load_workbook(io.BytesIO(r.content), read_only=True).worksheets[0].iter_rows(values_only=True)
        )
        assert head[0] == first
        assert head == tuple(importing.kind_of(kind).headers)


def test_the_households_page_checks_previews_in_chinese_and_imports_on_confirmation(
    tree: Tree, staff: Any
) -> None:
    client = login_client(staff)
    page = client.get(f"/households/?area={tree.community.pk}").content.decode()
    assert f'href="/households/import/?area={tree.community.pk}"' in page
    text = f"网格,楼栋,房号\n{tree.grid.name},{tree.building.name},101\n{tree.grid.name},不存在的楼,102\n"
    upload = SimpleUploadedFile("住户.csv", text.encode("gb18030"))
    r = client.post(f"/households/import/?area={tree.community.pk}", {"file": upload})
    assert r.status_code == 302
    assert r["Location"].startswith("/households/import/")
    preview = client.get(r["Location"]).content.decode()
    assert 'data-testid="error-rows">1<' in preview
    assert "第 3 行" in preview
    assert "B 楼栋" in preview
    assert 'data-testid="import-all"' not in preview
    r = client.post(r["Location"], {"good_rows_only": "1"})
    done = client.get(r["Location"]).content.decode()
    assert "已添加 1 户" in done
    assert 'data-testid="created-rows">1<' in done
    assert Household.objects.get().room == "101"
    bad = client.get(f"{r['Location']}bad-rows.xlsx")
    assert bad.status_code == 200


def test_an_import_is_reached_only_by_its_user_and_under_its_own_kind(tree: Tree, staff: Any) -> None:
    job = check(
        staff, tree.community, HOUSEHOLDS, H_HEAD, [[tree.grid.name, tree.building.name, "1", "", ""]]
    )
    mine = login_client(staff)
    assert mine.get(f"/households/import/{job.pk}/").status_code == 200
    assert mine.get(f"/organisations/import/{job.pk}/").status_code == 404
    assert mine.get(f"/residents/import/{job.pk}/").status_code == 404
    other = login_client(make_user(Role.COMMUNITY_STAFF, tree.community, username="staff2"))
    assert other.get(f"/households/import/{job.pk}/").status_code == 404
    assert other.post(f"/households/import/{job.pk}/").status_code == 404
    assert other.get(f"/households/import/{job.pk}/bad-rows.xlsx").status_code == 404
    assert not Household.objects.filter(room="1").exists()


def test_the_upload_page_refuses_a_wrong_role(tree: Tree) -> None:
    head = login_client(make_user(Role.BUILDING_HEAD, tree.building, username="louzhang"))
    assert head.get(f"/households/import/?area={tree.building.pk}").status_code == 403
    assert head.get(f"/buildings/import/?area={tree.building.pk}").status_code == 403
    assert head.get(f"/organisations/import/?area={tree.building.pk}").status_code == 403


def test_the_api_checks_and_commits_each_kind(tree: Tree, staff: Any) -> None:
    client = token_client(staff)
    text = f"网格,楼栋\n{tree.grid.name},接口楼\n{tree.grid.name},接口楼\n"
    r = client.post(
        f"/api/buildings/import?area={tree.community.pk}",
        {"file": SimpleUploadedFile("b.csv", text.encode())},
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["kind"], body["total_rows"], body["error_rows"]) == ("buildings", 2, 1)
    assert body["problems"][0][:3] == ["3", "B", "楼栋"]
    r = client.post(f"/api/imports/{body['id']}/commit", {}, content_type="application/json")
    assert r.status_code == 400
    assert r.json()["code"] == "import_errors"
    r = client.post(
        f"/api/imports/{body['id']}/commit", {"good_rows_only": True}, content_type="application/json"
    )
    assert r.status_code == 200
    assert r.json()["created_rows"] == 1
    assert Area.objects.filter(name="接口楼", parent=tree.grid).count() == 1
    refused = token_client(make_user(Role.VOLUNTEER, tree.community, username="zhiyuan"))
    r = refused.post(
        f"/api/organisations/import?area={tree.community.pk}",
        {"file": SimpleUploadedFile("o.csv", "名称,类型\n甲,辖区单位\n".encode())},
    )
    assert r.status_code == 403
    assert not Resident.objects.exists()


def test_a_utf8_csv_whose_4096th_byte_falls_inside_a_character_is_read_as_utf8(
    tree: Tree, staff: Any
) -> None:
    """The encoding is guessed from the first 4 KB; a Chinese character cut at that edge is still UTF-8."""

    def file(pad: int) -> bytes:
        rows = [
            f"{tree.grid.name},{tree.building.name},{n}室,{'x' * pad}布匹市场一座{n}室\n" for n in range(200)
        ]
        return ("网格,楼栋,房号,地址\n" + "".join(rows)).encode()

    def cut_mid_character(data: bytes) -> bool:
        return data[:4096].decode(errors="ignore").encode() != data[:4096]

    data = next(d for d in map(file, range(3)) if cut_mid_character(d))
    job = importing.validate(
        user=staff, area=tree.community, data=io.BytesIO(data), filename="h.csv", kind=HOUSEHOLDS
    )
    assert (job.total_rows, job.error_rows) == (200, 0)
    importing.commit(user=staff, job=job)
    assert Household.objects.filter(address__endswith="布匹市场一座199室").exists()
