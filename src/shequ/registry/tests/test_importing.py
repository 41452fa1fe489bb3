"""Importing residents: every bad cell reported with sheet, row and column in Chinese; nothing
half-written; re-importing never doubles anyone; hostile files refused."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from conftest import Tree, login_client, make_user
from shequ.core.errors import DomainError
from shequ.core.idnumber import make_id_number
from shequ.core.models import AuditEntry, ImportJob
from shequ.core.roles import Role
from shequ.registry import importing
from shequ.registry.models import Household, Resident

pytestmark = pytest.mark.django_db

HEAD = ["姓名", "证件类型", "证件号码", "性别", "出生日期", "手机号", "网格", "楼栋", "房号", "与户主关系"]


def ids(n: int) -> list[str]:
    return [
        make_id_number("440605", date(1970 + i % 40, 1 + i % 12, 1 + i % 28), i % 500, "MF"[i % 2])
        for i in range(n)
    ]


def xlsx(rows: list[list[Any]], head: list[str] = HEAD) -> io.BytesIO:
    wb = Workbook()
    sheet = wb.active
    assert sheet is not None
    sheet.title = "居民"
    sheet.append(head)
    for row in rows:
        sheet.append(row)
    for line in sheet.iter_rows():
        for cell in line:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text that looks like a formula, as a user may type it
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def good_rows(tree: Tree, n: int = 3) -> list[list[Any]]:
    return [
        [
            f"居民{i}",
            "",
            number,
            "",
            "",
            f"1390000{i:04d}",
            tree.grid.name,
            tree.building.name,
            f"{i // 2 + 1}01",
            "户主" if i % 2 == 0 else "配偶",
        ]
        for i, number in enumerate(ids(n))
    ]


@pytest.fixture
def staff(tree: Tree) -> Any:
    return make_user(Role.COMMUNITY_STAFF, tree.community, username="staff")


def test_a_clean_file_is_checked_then_written_in_households(tree: Tree, staff: Any) -> None:
    job = importing.validate(
        user=staff, area=tree.community, data=xlsx(good_rows(tree, 4)), filename="居民.xlsx"
    )
    assert (job.total_rows, job.error_rows) == (4, 0)
    assert not Resident.objects.exists()  # checking writes nothing
    assert importing.commit(user=staff, job=job) == 4
    assert Resident.objects.count() == 4
    assert Household.objects.count() == 2
    head = Household.objects.get(room="101").head
    assert head is not None
    assert head.name == "居民0"
    entry = AuditEntry.objects.get(action="import")
    assert entry.changes["residents"] == [0, 4]
    assert entry.actor_id == staff.pk


def test_every_bad_cell_is_named_by_row_column_and_reason_in_chinese(tree: Tree, staff: Any) -> None:
    rows = good_rows(tree, 2)
    bad_checksum = rows[0][2][:-1] + ("0" if rows[0][2][-1] != "0" else "1")
    rows += [
        ["坏校验", "", bad_checksum, "", "", "", tree.grid.name, tree.building.name, "9", ""],
        [
            "未来生日",
            "护照",
            "E12345678",
            "男",
            "2999-01-01",
            "",
            tree.grid.name,
            tree.building.name,
            "9",
            "",
        ],
        ["无此楼", "", ids(9)[8], "", "", "", tree.grid.name, "不存在的楼", "9", ""],
        ["", "", ids(10)[9], "", "", "12345", tree.grid.name, tree.building.name, "9", ""],
        ["重复", "", rows[0][2], "", "", "", tree.grid.name, tree.building.name, "9", ""],
    ]
    job = importing.validate(user=staff, area=tree.community, data=xlsx(rows), filename="居民.xlsx")
    assert (job.total_rows, job.error_rows) == (7, 5)
    problems = {(n, col, header): msg for n, col, header, msg in importing.problems_of(job)}
    assert "校验位" in problems[(4, "C", "证件号码")]
    assert "晚于今天" in problems[(5, "E", "出生日期")]
    assert "没有这个楼栋" in problems[(6, "H", "楼栋")]
    assert "必填" in problems[(7, "A", "姓名")]
    assert "手机号" in problems[(7, "F", "手机号")]
    assert "第 2 行" in problems[(8, "C", "证件号码")]
    with pytest.raises(DomainError) as err:
        importing.commit(user=staff, job=job)
    assert err.value.code == "import_errors"
    assert not Resident.objects.exists()


def test_the_good_rows_can_be_imported_and_the_bad_ones_handed_back_as_typed(tree: Tree, staff: Any) -> None:
    rows = [
        *good_rows(tree, 2),
        ['=HYPERLINK("x")', "", "123", "", "", "", tree.grid.name, tree.building.name, "", ""],
    ]
    job = importing.validate(user=staff, area=tree.community, data=xlsx(rows), filename="居民.xlsx")
    assert importing.commit(user=staff, job=job, good_rows_only=True) == 2
    sheet = load_workbook(io.BytesIO(importing.bad_rows_xlsx(job)), read_only=True).worksheets[0]
    back = list(sheet.iter_rows(values_only=True))
    assert back[0][-1] == "错误说明"
    assert len(back) == 2
    assert back[1][0] == '\'=HYPERLINK("x")'  # as typed, but never run as a formula
    assert back[1][2] == "123"
    assert "原第4行" in back[1][-1]


def test_importing_the_same_file_twice_registers_nobody_twice(tree: Tree, staff: Any) -> None:
    """The corrected whole file uploaded after its good rows went in: the people registered exactly so
    are recognised as done (skipped), not reported as thousands of errors; only a row that names a
    registered ID number with another name or building is an error."""
    rows = good_rows(tree, 3)
    importing.commit(
        user=staff,
        job=importing.validate(user=staff, area=tree.community, data=xlsx(rows), filename="a.xlsx"),
    )
    again = importing.validate(user=staff, area=tree.community, data=xlsx(rows), filename="a.xlsx")
    assert (again.error_rows, again.duplicate_rows) == (0, 3)
    assert importing.commit(user=staff, job=again) == 0
    assert Resident.objects.count() == 3
    changed = [list(r) for r in rows]
    changed[1][0] = "另一个名字"
    third = importing.validate(user=staff, area=tree.community, data=xlsx(changed), filename="b.xlsx")
    assert (third.error_rows, third.duplicate_rows) == (1, 2)
    [(number, _column, header, message)] = importing.problems_of(third)
    assert (number, header) == (3, "证件号码")
    assert "已在系统中登记" in message
    assert importing.commit(user=staff, job=third, good_rows_only=True) == 0
    assert Resident.objects.count() == 3


def test_a_failure_in_the_middle_of_writing_leaves_nothing_behind(
    tree: Tree, staff: Any, resident_factory: Any
) -> None:
    """Someone registers the 1,500th person between the check and the write: the whole import is undone."""
    rows = [
        [f"批量{i}", "", n, "", "", "", tree.grid.name, tree.building.name, str(i), "户主"]
        for i, n in enumerate(ids(2000))
    ]
    numbers = [r[2] for r in rows]
    assert len(set(numbers)) == 2000
    job = importing.validate(user=staff, area=tree.community, data=xlsx(rows), filename="big.xlsx")
    assert job.error_rows == 0
    from shequ.registry.services import resident_register

    resident_register(by=staff, building=tree.building, name="抢先登记", id_number=numbers[1500])
    with pytest.raises(DomainError) as err:
        importing.commit(user=staff, job=job)
    assert err.value.code == "import_conflict"
    assert list(Resident.objects.values_list("name", flat=True)) == ["抢先登记"]
    assert Household.objects.count() == 0 or not Household.objects.filter(room="0").exists()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "未写入" in job.message


def test_a_csv_saved_by_chinese_excel_in_gb18030_is_read(tree: Tree, staff: Any) -> None:
    number = ids(1)[0]
    text = f"姓名,证件号码,网格,楼栋,房号\n王小明,{number},{tree.grid.name},{tree.building.name},301\n"
    job = importing.validate(
        user=staff, area=tree.community, data=io.BytesIO(text.encode("gb18030")), filename="a.csv"
    )
    assert (job.total_rows, job.error_rows) == (1, 0)


def test_a_header_that_does_not_match_the_template_is_refused(tree: Tree, staff: Any) -> None:
    with pytest.raises(DomainError) as err:
        importing.validate(
            user=staff,
            area=tree.community,
            data=xlsx([], head=["姓名", "身份证", "网格", "楼栋"]),
            filename="a.xlsx",
        )
    assert "缺少列：证件号码" in str(err.value.message)
    assert "无法识别的列：身份证" in str(err.value.message)
    assert not ImportJob.objects.exists()


def test_a_renamed_macro_workbook_is_refused(tree: Tree, staff: Any) -> None:
    data = xlsx(good_rows(tree, 1))
    out = io.BytesIO()
    with zipfile.ZipFile(data) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
        dst.writestr("xl/vbaProject.bin", b"\x00" * 16)
    out.seek(0)
    with pytest.raises(DomainError) as err:
        importing.validate(user=staff, area=tree.community, data=out, filename="a.xlsx")
    assert err.value.code == "macro"


def test_a_file_that_is_not_a_workbook_is_refused(tree: Tree, staff: Any) -> None:
    with pytest.raises(DomainError) as err:
        importing.validate(
            user=staff, area=tree.community, data=io.BytesIO(b"<html>not excel</html>"), filename="a.xlsx"
        )
    assert err.value.code == "not_xlsx"


def test_the_row_limit_is_enforced(tree: Tree, staff: Any) -> None:
    with pytest.raises(DomainError) as err:
        importing.validate(
            user=staff, area=tree.community, data=xlsx(good_rows(tree, 5)), filename="a.xlsx", max_rows=3
        )
    assert err.value.code == "too_many_rows"
    assert not ImportJob.objects.exists()


def test_buildings_outside_the_importers_area_are_unknown(tree: Tree) -> None:
    worker = make_user(Role.GRID_WORKER, tree.grid, username="wangge")
    row = ["外区居民", "", ids(1)[0], "", "", "", "第1网格", tree.other_building.name, "1", ""]
    job = importing.validate(user=worker, area=tree.grid, data=xlsx([row]), filename="a.xlsx")
    assert job.error_rows == 1


def test_the_upload_page_shows_the_preview_and_imports_on_confirmation(tree: Tree, staff: Any) -> None:
    client = login_client(staff)
    upload = SimpleUploadedFile("居民.xlsx", xlsx(good_rows(tree, 2)).getvalue())
    r = client.post(f"/residents/import/?area={tree.community.pk}", {"file": upload})
    assert r.status_code == 302
    preview = client.get(r["Location"]).content.decode()
    assert 'data-testid="good-rows">2<' in preview
    assert 'data-testid="import-all"' in preview
    r = client.post(r["Location"])
    assert Resident.objects.count() == 2
    assert "已登记 2 名居民" in client.get(r["Location"]).content.decode()


def test_another_users_import_cannot_be_seen(tree: Tree, staff: Any) -> None:
    job = importing.validate(
        user=staff, area=tree.community, data=xlsx(good_rows(tree, 1)), filename="a.xlsx"
    )
    other = make_user(Role.COMMUNITY_STAFF, tree.community, username="staff2")
    client = login_client(other)
    assert client.get(f"/residents/import/{job.pk}/").status_code == 404
    assert client.get(f"/residents/import/{job.pk}/bad-rows.xlsx").status_code == 404
    assert client.post(f"/residents/import/{job.pk}/").status_code == 404


def test_the_template_has_the_chinese_headers(staff: Any) -> None:
    r = login_client(staff).get("/residents/import/template.xlsx")
    sheet = load_workbook(io.BytesIO(r.content), read_only=True).worksheets[0]
    assert next(sheet.iter_rows(values_only=True))[:3] == ("姓名", "证件类型", "证件号码")


def test_the_command_line_import_streams_and_reports(tree: Tree, tmp_path: Any) -> None:
    from django.core.management import call_command

    path = tmp_path / "big.xlsx"
    path.write_bytes(xlsx(good_rows(tree, 3)).getvalue())
    out = io.StringIO()
    call_command("import_residents", str(path), area=tree.community.code, stdout=out, stderr=io.StringIO())
    assert "已登记 3 名居民" in out.getvalue()
    assert Resident.objects.count() == 3
