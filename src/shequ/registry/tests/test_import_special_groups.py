"""The special groups (低保/特困, 残疾, 独居, 退役军人) come in with the residents: columns in the template,
checked per row on their own column in Chinese, written in the same transaction as the people."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import Tree, make_user
from shequ.core.roles import Role
from shequ.registry import importing
from shequ.registry.models import Assistance, Disability, Resident, Veteran
from shequ.registry.tests.test_importing import HEAD, good_rows, xlsx

pytestmark = pytest.mark.django_db

GROUP_HEAD = [
    *HEAD,
    "独居",
    "低保/特困",
    "救助起始日期",
    "每月救助金额",
    "残疾类别",
    "残疾等级",
    "退役军人服役年份",
]


@pytest.fixture
def staff(tree: Tree) -> Any:
    return make_user(Role.COMMUNITY_STAFF, tree.community, username="staff")


def with_groups(tree: Tree, cells: list[list[str]]) -> Any:
    rows = good_rows(tree, len(cells))
    return xlsx([[*row, *extra] for row, extra in zip(rows, cells, strict=True)], GROUP_HEAD)


def test_the_template_has_the_special_group_columns() -> None:
    headers = importing.RESIDENTS.headers
    for header in ("独居", "低保/特困", "救助起始日期", "残疾类别", "残疾等级", "退役军人服役年份"):
        assert header in headers


def test_the_special_groups_are_written_with_the_people(tree: Tree, staff: Any) -> None:
    data = with_groups(
        tree,
        [
            ["是", "低保", "2023-03-01", "650", "肢体", "二级", ""],
            ["", "特困", "2022/1/5", "", "", "", "1990-1994"],
            ["否", "", "", "", "", "", ""],
        ],
    )
    job = importing.validate(user=staff, area=tree.community, data=data, filename="居民.xlsx")
    assert job.error_rows == 0
    assert importing.commit(user=staff, job=job) == 3
    first, second, third = (Resident.objects.get(name=f"居民{i}") for i in range(3))
    assert first.living_alone is True
    assert Assistance.objects.get(resident=first).kind == Assistance.Kind.DIBAO
    assert str(Assistance.objects.get(resident=first).monthly_amount) == "650.00"
    assert Disability.objects.get(resident=first).level == 2
    assert Assistance.objects.get(resident=second).since.isoformat() == "2022-01-05"
    assert (
        Veteran.objects.get(resident=second).served_from,
        Veteran.objects.get(resident=second).served_to,
    ) == (
        1990,
        1994,
    )
    assert not Assistance.objects.filter(resident=third).exists()


def test_the_staged_rows_do_not_show_the_groups_in_clear(tree: Tree, staff: Any) -> None:
    data = with_groups(tree, [["", "低保", "2023-03-01", "", "精神", "1", ""]])
    job = importing.validate(user=staff, area=tree.community, data=data, filename="居民.xlsx")
    assert "精神" not in str(job.rows.get().data)
    assert "mental" not in str(job.rows.get().data)


BAD = [
    (["", "低保", "", "", "", "", ""], "救助起始日期", "必填"),
    (["", "低保", "2023-02-30", "", "", "", ""], "救助起始日期", "1980-05-17"),
    (["", "救济", "2023-01-01", "", "", "", ""], "低保/特困", "低保"),
    (["", "低保", "2023-01-01", "六百", "", "", ""], "每月救助金额", "650"),
    (["", "", "2023-01-01", "", "", "", ""], "救助起始日期", "低保/特困"),
    (["", "", "", "", "肢体", "", ""], "残疾等级", "必填"),
    (["", "", "", "", "肢体", "五级", ""], "残疾等级", "一级"),
    (["", "", "", "", "腿脚", "2", ""], "残疾类别", "肢体"),
    (["", "", "", "", "", "2", ""], "残疾等级", "残疾类别"),
    (["", "", "", "", "", "", "1998"], "退役军人服役年份", "1998-2002"),
    (["", "", "", "", "", "", "2002-1998"], "退役军人服役年份", "晚于"),
    (["有", "", "", "", "", "", ""], "独居", "是"),
]


def test_a_bad_special_group_cell_is_named_by_row_column_and_reason(tree: Tree, staff: Any) -> None:
    data = with_groups(tree, [cells for cells, _h, _m in BAD])
    job = importing.validate(user=staff, area=tree.community, data=data, filename="居民.xlsx")
    column_of = {h: chr(ord("A") + i) for i, h in enumerate(GROUP_HEAD)}
    found = {(n, header): (column, message) for n, column, header, message in importing.problems_of(job)}
    for number, (_cells, header, word) in enumerate(BAD, start=2):
        column, message = found[(number, header)]
        assert column == column_of[header], (number, header)
        assert word in message, (number, message)
    assert job.error_rows == len(BAD)


def test_a_group_that_fails_at_commit_leaves_no_one_registered(
    tree: Tree, staff: Any, monkeypatch: Any
) -> None:
    data = with_groups(tree, [["", "低保", "2023-03-01", "", "", "", ""]])
    job = importing.validate(user=staff, area=tree.community, data=data, filename="居民.xlsx")

    def broken(*_a: Any, **_k: Any) -> Any:
        raise RuntimeError("disk full")

    monkeypatch.setattr(Assistance.objects, "bulk_create", broken)
    with pytest.raises(RuntimeError):
        importing.commit(user=staff, job=job)
    assert not Resident.objects.exists()
