"""Hostile files are refused with a clear Chinese message, quickly and within a fixed memory budget:
the corpus in tests/hostile/ (made by its make_corpus.py) through the same reader every import uses."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest
from django.utils import translation

from conftest import Tree, login_client, make_user
from shequ.core.errors import DomainError
from shequ.core.roles import Role
from shequ.core.tabular import open_table

CORPUS = Path(__file__).resolve().parent / "hostile"
# Far below what any of these files would take if it were read naively (gigabytes for the bombs).
MEMORY_BUDGET = 64 * 1024 * 1024

CASES = [
    ("zip-bomb.xlsx", "too_large", "解压后超过允许的大小"),
    ("billion-laughs.xlsx", "unreadable", "已损坏或含有不安全的内容"),
    ("broken-sheet.xlsx", "unreadable", "已损坏或含有不安全的内容"),
    ("renamed-macro.xlsx", "macro", "含宏"),
    ("million-empty-rows.xlsx", "blank_rows", "空行"),
    ("not-a-workbook.xlsx", "not_xlsx", "不是有效的 .xlsx"),
    ("not-a-picture.jpg", "file_type", ".xlsx 或 .csv"),
    ("huge-field.csv", "encoding", "无法读取"),
]


def read_all(path: Path) -> int:
    with path.open("rb") as data:
        return sum(1 for _ in open_table(data, path.name).rows)


@pytest.mark.parametrize(("name", "code", "words"), CASES)
def test_a_hostile_file_is_refused_clearly_within_the_memory_budget(
    name: str,
    code: str,
    words: str,
) -> None:
    tracemalloc.start()
    try:
        with translation.override("zh-hans"), pytest.raises(DomainError) as refused:
            read_all(CORPUS / name)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    with translation.override("zh-hans"):
        message = str(refused.value.message)
    assert refused.value.code == code
    assert words in message, message
    assert peak < MEMORY_BUDGET, f"{name} took {peak / 1e6:.0f} MB to refuse"


@pytest.mark.django_db
def test_the_import_page_shows_the_refusal_and_keeps_nothing(tree: Tree) -> None:
    staff = make_user(Role.COMMUNITY_STAFF, tree.community, username="staff")
    client = login_client(staff)
    with (CORPUS / "billion-laughs.xlsx").open("rb") as upload:
        response = client.post(
            f"/residents/import/?area={tree.community.pk}", {"file": upload, "area": tree.community.pk}
        )
    assert response.status_code in (200, 400)
    assert "已损坏或含有不安全的内容" in response.content.decode()
    from shequ.core.models import ImportJob

    assert not ImportJob.objects.exists()
