"""Users read what a figure counts in the product, not in a developer's file (issue 15)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polib
import pytest

import shequ
from conftest import login_client
from shequ.core.roles import Role
from shequ.metrics import compute


@pytest.mark.django_db
def test_the_dashboard_links_to_the_definitions_page_which_names_every_figure(
    tree: Any, user_for: Any
) -> None:
    client = login_client(user_for(Role.COMMUNITY_STAFF))
    dashboard = client.get(f"/metrics/area/{tree.community.pk}/").content.decode()
    assert "docs/metrics.md" not in dashboard
    assert 'data-testid="definitions-link"' in dashboard
    page = client.get("/metrics/definitions/")
    assert page.status_code == 200
    text = page.content.decode()
    for spec in compute.SPECS:
        assert str(spec.label) in text, spec.key


def test_no_translated_text_sends_a_user_to_a_file_of_the_repository() -> None:
    root = Path(shequ.__file__).parent
    for po in root.rglob("zh_Hans/LC_MESSAGES/django.po"):
        for entry in polib.pofile(str(po)):
            if not entry.obsolete:
                assert "docs/" not in entry.msgstr, (po, entry.msgid)
