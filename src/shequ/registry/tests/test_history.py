"""A resident's change log is read by people: labels and words, never internal keys (issue 15)."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import login_client
from shequ.core.roles import Role
from shequ.registry.models import ResidentEvent


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "shown", "hidden"),
    [
        ({"demo": True}, "演示数据", "demo"),
        ({"import": True}, "通过表格导入", "import"),
        ({"name": ["张三", "张叁"]}, "名称: 张三 → 张叁", "name:"),
    ],
)
def test_history_shows_labels_not_keys(
    tree: Any, user_for: Any, resident_factory: Any, changes: dict, shown: str, hidden: str
) -> None:
    resident = resident_factory(tree.building)
    ResidentEvent.objects.create(resident=resident, kind=ResidentEvent.Kind.UPDATED, changes=changes)
    page = login_client(user_for(Role.COMMUNITY_STAFF)).get(f"/residents/{resident.pk}/").content.decode()
    history = page[page.index('class="history"') :]
    history = history[: history.index("</ul>")]
    assert shown in history
    assert f"{hidden}" not in history.replace(shown, "")
