"""The import's error report on a workbook LibreOffice wrote (files/README.md says how it was made)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Tree, make_user
from shequ.core.roles import Role
from shequ.registry import importing
from shequ.registry.models import Resident

FILE = Path(__file__).parent / "files" / "residents-libreoffice.xlsx"


@pytest.mark.django_db
def test_a_libreoffice_workbook_is_read_as_its_user_sees_it(tree: Tree) -> None:
    staff = make_user(Role.COMMUNITY_STAFF, tree.community)
    with FILE.open("rb") as data:
        job = importing.validate(user=staff, area=tree.community, data=data, filename=FILE.name)
    problems = {(n, column, header): message for n, column, header, message in importing.problems_of(job)}
    assert set(problems) == {
        (3, "A", "姓名"),  # =1/0: a failed formula, never a person called #VALUE!
        (4, "A", "姓名"),  # text that would run as a formula
        (6, "C", "证件号码"),  # typed into a number cell: the last digits are gone
        (7, "G", "网格"),  # a grid that does not exist, named on its own column
        (7, "C", "证件号码"),  # and the ID number of row 2 again
    }
    assert "#VALUE!" in problems[(3, "A", "姓名")]
    assert "公式" in problems[(4, "A", "姓名")]
    assert "丢失" in problems[(6, "C", "证件号码")]
    assert "网格" in problems[(7, "G", "网格")]
    assert (job.total_rows, job.error_rows) == (6, 4)
    assert importing.commit(user=staff, job=job, good_rows_only=True) == 2
    people = {r.name: r for r in Resident.objects.all()}
    assert set(people) == {"王小明", "李阿姨"}
    assert people["王小明"].birth_date.isoformat() == "1980-05-17"  # a date cell
    assert people["李阿姨"].birth_date.isoformat() == "1962-01-30"  # 1962年1月30日
    assert people["李阿姨"].gender == "F"  # 女性
    assert people["王小明"].household is not None
    assert people["王小明"].household.room == "101"  # a number cell
