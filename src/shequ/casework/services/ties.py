"""The client's ties recorded in the case (what the ecomap and the genogram draw beside the
registry's household): who, how strong, whether a source of stress, which way support flows."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from shequ.casework.models import Case, Tie
from shequ.casework.services._base import clean_text, locked, step
from shequ.casework.workflow import CASE


def tie_record(
    *,
    by: Any,
    case: Case,
    version: int | None,
    kind: str,
    name: str,
    strength: str,
    flow: str,
    relation: str = "",
    gender: str = "",
    stress: bool = False,
) -> Tie:
    name = clean_text(name, field="name", limit=50, required=True)
    with transaction.atomic():
        current = locked(case, version)
        CASE.check(by, current, "tie")
        tie = Tie.objects.create(
            case=current,
            kind=kind,
            name=name,
            relation=relation or "",
            gender=gender or "",
            strength=strength,
            stress=bool(stress),
            flow=flow,
            recorded_by=by or current.owner,
        )
        step(by, current, "tie", changes={"tie": tie.pk, "kind": kind, "strength": strength})
        return tie


def tie_remove(*, by: Any, case: Case, version: int | None, tie: Tie) -> Case:
    with transaction.atomic():
        current = locked(case, version)
        CASE.check(by, current, "remove_tie")
        tie_id = tie.pk
        Tie.objects.filter(pk=tie_id, case=current).delete()
        return step(by, current, "remove_tie", changes={"tie": tie_id})
