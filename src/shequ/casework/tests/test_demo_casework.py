"""The demo's casework: 平地社区's social worker has cases at different stages, one opened from the
grid worker's appeal about an elder living alone, and a supervisor who approved their plans."""

from __future__ import annotations

import pytest

from shequ import demo
from shequ.casework.models import Case, SupervisionLink


@pytest.mark.django_db
def test_the_demo_gives_pingdi_cases_at_different_stages() -> None:
    demo.load(demo.build())
    stages = set(Case.objects.values_list("stage", flat=True))
    assert {"assessment", "plan", "intervention", "closed"} <= stages
    from_appeal = Case.objects.get(source="appeal")
    assert from_appeal.resident.living_alone
    assert from_appeal.appeal.cases.get() == from_appeal
    assert from_appeal.notes.count() == 1
    assert from_appeal.contacts.count() == 1
    link = SupervisionLink.objects.get()
    assert (link.supervisor.username, link.worker.username) == ("dali_dudao", "pingdi_shegong")
