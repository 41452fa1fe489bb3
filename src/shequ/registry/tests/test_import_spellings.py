"""What a new user's workbook holds (issue 15): common spellings taken, formula-like and failed-formula
cells refused on their column, the template's own rows skipped, the handed-back file accepted again."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from conftest import Tree, login_client, make_user
from shequ.core.idnumber import make_id_number
from shequ.core.models import AuditEntry
from shequ.core.roles import Role
from shequ.registry import importing
from shequ.registry.models import Resident

pytestmark = pytest.mark.django_db

HEAD = ["姓名", "证件类型", "证件号码", "性别", "出生日期", "手机号", "网格", "楼栋", "房号"]


def workbook(rows: list[list[Any]], head: list[str] = HEAD) -> io.BytesIO:
    wb = Workbook()
    sheet = wb.active
    assert sheet is not None
    sheet.append(head)
    for row in rows:
        sheet.append(row)
    for line in sheet.iter_rows():
        for cell in line:
            if isinstance(cell.value, str) and cell.value[:1] in "=+-@":
                cell.data_type = "s"  # typed as text, as the planted cells of the report were
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


@pytest.fixture
def staff(tree: Tree) -> Any:
    return make_user(Role.COMMUNITY_STAFF, tree.community)


def row(tree: Tree, **cells: str) -> list[str]:
    values = {
        "姓名": "李四",
        "证件类型": "",
        "证件号码": make_id_number("440605", date(1980, 5, 17), 7, "M"),
        "性别": "",
        "出生日期": "",
        "手机号": "13800138000",
        "网格": tree.grid.name,
        "楼栋": tree.building.name,
        "房号": "101",
    }
    values.update(cells)
    return [values[h] for h in HEAD]


def check(tree: Tree, staff: Any, rows: list[list[str]]) -> Any:
    return importing.validate(user=staff, area=tree.community, data=workbook(rows), filename="居民.xlsx")


@pytest.mark.parametrize(
    ("cells", "stored"),
    [
        ({"出生日期": "1980/5/17"}, {"birth_date": "1980-05-17"}),
        ({"出生日期": "1980年5月17日"}, {"birth_date": "1980-05-17"}),
        ({"出生日期": "1980.05.17"}, {"birth_date": "1980-05-17"}),
        ({"性别": "男性"}, {"gender": "M"}),
        ({"手机号": "+86 138-0013-8000"}, {"phone": "13800138000"}),
        ({"手机号": "0086 13800138000"}, {"phone": "13800138000"}),
    ],
)
def test_unambiguous_spellings_are_taken(tree: Tree, staff: Any, cells: dict, stored: dict) -> None:
    job = check(tree, staff, [row(tree, **cells)])
    assert importing.problems_of(job) == []
    assert importing.commit(user=staff, job=job) == 1
    person = Resident.objects.get()
    if "birth_date" in stored:
        assert person.birth_date.isoformat() == stored["birth_date"]
    if "gender" in stored:
        assert person.gender == stored["gender"]
    if "phone" in stored:
        from shequ.core.crypto import decrypt
        from shequ.registry.services import PHONE_CONTEXT

        assert decrypt(person.phone_encrypted, context=PHONE_CONTEXT) == stored["phone"]


@pytest.mark.parametrize(
    ("cells", "header", "words"),
    [
        ({"姓名": '=HYPERLINK("http://x","点我")'}, "姓名", "公式"),
        ({"姓名": "+cmd|' /C calc'!A0"}, "姓名", "公式"),
        ({"姓名": "@SUM(1)"}, "姓名", "公式"),
        ({"姓名": "#VALUE!"}, "姓名", "#VALUE!"),
        ({"房号": "#REF!"}, "房号", "#REF!"),
        ({"出生日期": "1980/13/45"}, "出生日期", "1980-05-17"),
        ({"出生日期": "5/17/1980"}, "出生日期", "1980-05-17"),
        ({"手机号": "+1 415 555 0100"}, "手机号", ""),
        ({"性别": "M"}, "性别", "男"),
        ({"网格": "没有的网格"}, "网格", "网格"),
        ({"楼栋": "没有的楼"}, "楼栋", "楼栋"),
    ],
)
def test_what_is_not_unambiguous_is_refused_on_its_own_column(
    tree: Tree, staff: Any, cells: dict, header: str, words: str
) -> None:
    job = check(tree, staff, [row(tree, **cells)])
    problems = importing.problems_of(job)
    assert [p[2] for p in problems] == [header], problems
    assert words in problems[0][3]
    assert importing.commit(user=staff, job=job, good_rows_only=True) == 0
    assert not Resident.objects.exists()


def test_the_templates_example_and_help_rows_left_in_are_not_data(tree: Tree, staff: Any) -> None:
    template = load_workbook(io.BytesIO(importing.template_xlsx()), read_only=True).worksheets[0]
    head, example, help_row = (list(r) for r in template.iter_rows(values_only=True))
    cells = dict(zip(head, row(tree) + [""] * (len(head) - len(HEAD)), strict=False))
    filled = [cells.get(h, "") for h in head]
    job = importing.validate(
        user=staff,
        area=tree.community,
        data=workbook([[v or "" for v in example], [v or "" for v in help_row], filled], head=list(head)),
        filename="模板.xlsx",
    )
    assert (job.total_rows, job.error_rows) == (1, 0)


def test_the_handed_back_file_goes_in_again_and_its_download_is_audited(tree: Tree, staff: Any) -> None:
    job = check(tree, staff, [row(tree, 姓名="=1+1"), row(tree, 证件号码="123")])
    assert job.error_rows == 2
    client = login_client(staff)
    response = client.get(f"/residents/import/{job.pk}/bad-rows.xlsx")
    assert response.status_code == 200
    entry = AuditEntry.objects.filter(action="export").latest("id")
    assert entry.actor_id == staff.pk
    assert "未导入的行" in entry.object_repr
    sheet = load_workbook(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    )
    rows = [list(r) for r in sheet.worksheets[0].iter_rows(values_only=True)]
    assert rows[0][-1] == importing.HANDED_BACK
    # corrected by the user, the 错误说明 column still in the file
    fixed = [rows[0]] + [[*r] for r in rows[1:]]
    fixed[1][0] = "王五"
    fixed[2][2] = make_id_number("440605", date(1990, 1, 2), 9, "F")
    again = importing.validate(
        user=staff,
        area=tree.community,
        data=workbook([[v or "" for v in r] for r in fixed[1:]], head=[str(h) for h in fixed[0]]),
        filename="改过.xlsx",
    )
    assert (again.total_rows, again.error_rows) == (2, 0)


def test_a_long_list_of_problems_says_it_is_cut_and_how_many_there_are(tree: Tree, staff: Any) -> None:
    job = check(tree, staff, [row(tree, 证件号码=str(n)) for n in range(importing.PROBLEM_ROWS_LISTED + 5)])
    page = login_client(staff).get(f"/residents/import/{job.pk}/").content.decode()
    assert page.count('data-testid="problem"') == importing.PROBLEM_ROWS_LISTED
    assert 'data-testid="problems-cut"' in page
    assert str(importing.PROBLEM_ROWS_LISTED + 5) in page


def test_the_residents_list_offers_the_import_to_a_community_worker(tree: Tree, staff: Any) -> None:
    page = login_client(staff).get("/residents/").content.decode()
    assert f"/residents/import/?area={tree.community.pk}" in page
    resident = make_user(Role.RESIDENT, tree.building)
    assert 'data-testid="resident-import"' not in login_client(resident).get("/residents/").content.decode()
