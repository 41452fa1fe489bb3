"""The import reads a workbook as WPS Spreadsheets writes it (files/README.md says how the fixture is
built and which quirks it holds): its 1904 dates, prefixed XML, runs with pinyin and inline strings."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from conftest import Tree, make_user
from shequ.core.roles import Role
from shequ.registry import importing
from shequ.registry.models import Resident

FILE = Path(__file__).parent / "files" / "residents-wps.xlsx"


def test_the_fixture_has_the_quirks_of_a_wps_workbook() -> None:
    with zipfile.ZipFile(FILE) as archive:
        assert b'date1904="1"' in archive.read("xl/workbook.xml")
        assert b"<x:rPh" in archive.read("xl/sharedStrings.xml")
        assert b't="inlineStr"' in archive.read("xl/worksheets/sheet1.xml")
        assert "WPS" in archive.read("docProps/app.xml").decode()


@pytest.mark.django_db
def test_a_wps_workbook_is_read_as_its_user_sees_it(tree: Tree) -> None:
    staff = make_user(Role.COMMUNITY_STAFF, tree.community)
    with FILE.open("rb") as data:
        job = importing.validate(user=staff, area=tree.community, data=data, filename=FILE.name)
    problems = {(n, column, header) for n, column, header, _m in importing.problems_of(job)}
    assert problems == {(5, "F", "手机号"), (5, "G", "网格")}
    assert (job.total_rows, job.error_rows) == (4, 1)
    assert importing.commit(user=staff, job=job, good_rows_only=True) == 3
    people = {r.name: r for r in Resident.objects.all()}
    assert set(people) == {"王小明", "李阿姨", "陈建国"}  # runs joined, the pinyin guide left out
    assert people["王小明"].birth_date.isoformat() == "1980-05-17"  # a 1904 serial, 年月日 format
    assert people["李阿姨"].birth_date.isoformat() == "1962-01-30"  # a 1904 serial, format 14
    assert people["陈建国"].id_last4 == "0278"  # the spaces around the number are gone
    assert people["王小明"].area == tree.building  # the building a formula wrote
    household = people["王小明"].household
    assert household is not None
    assert household.room == "101"  # a number cell
