"""The demo's casework: 平地社区's social worker has cases at different stages, one opened from the
grid worker's appeal about an elder living alone, and a supervisor who approved their plans. Checked on
the demo loaded once (shequ/demo/tests/test_loaded_demo.py)."""

from __future__ import annotations

from shequ.casework.models import Case, SupervisionLink
from shequ.demo.tests import LoadedDemo


def gives_pingdi_cases_at_different_stages(loaded: LoadedDemo) -> None:
    stages = set(Case.objects.values_list("stage", flat=True))
    assert {"assessment", "plan", "intervention", "closed"} <= stages
    from_appeal = Case.objects.get(source="appeal")
    assert from_appeal.resident.living_alone
    assert from_appeal.appeal.cases.get() == from_appeal
    assert from_appeal.notes.count() == 1
    assert from_appeal.contacts.count() == 1
    link = SupervisionLink.objects.get()
    assert (link.supervisor.username, link.worker.username) == ("dali_dudao", "pingdi_shegong")


def gives_the_elder_ties_and_an_elders_group(loaded: LoadedDemo) -> None:
    from shequ.casework.models import Group, GroupStage

    from_appeal = Case.objects.get(source="appeal")
    assert from_appeal.ties.count() == 4
    group = Group.objects.get()
    assert group.stage == GroupStage.FORMATION
    assert group.members.filter(case=from_appeal).exists()
    assert group.sessions.get().attended.count() == group.members.count()


CHECKS = [gives_pingdi_cases_at_different_stages, gives_the_elder_ties_and_an_elders_group]
