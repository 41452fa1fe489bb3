"""Opening a case (intake) and the steps of the case that change only its stage: taking it on, the
assessment, the review of goals, reopening."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.casework.models import Assessment, Case, CaseEvent, Source, Stage
from shequ.casework.services._base import clean_text, locked, step
from shequ.casework.workflow import CASE
from shequ.core import access
from shequ.core.audit import audit_log
from shequ.core.errors import DomainError
from shequ.core.models import AuditAction

MAX_PROBLEM = 300


def case_open(
    *,
    by: Any,
    source: str,
    problem: str,
    resident: Any = None,
    household: Any = None,
    appeal: Any = None,
    visit: Any = None,
    need: Any = None,
    referred_by: str = "",
) -> Case:
    """接案: a social worker opens a case for a resident (their household with them) or a household of
    their area, and is its case worker. An appeal, a visit or a need it comes from is linked to it."""
    if resident is None and household is None:
        raise DomainError(
            _("Choose the client: a resident or a household."),
            code="client_required",
            fields={"resident": "required"},
        )
    if resident is not None and household is None:
        household = resident.household
    area = resident.area if resident is not None else household.area
    access.require(by, "case", "create", path=area.path)
    if source not in Source.values:
        raise DomainError(_("Choose one of the options."), code="invalid_choice", fields={"source": "choice"})
    links = {Source.APPEAL: ("appeal", appeal), Source.VISIT: ("visit", visit), Source.NEED: ("need", need)}
    if source in links and links[source][1] is None:  # type: ignore[index]
        name = links[source][0]  # type: ignore[index]
        raise DomainError(
            _("Name the record the case comes from."),
            code="source_record_required",
            fields={name: "required"},
        )
    if source == Source.REFERRAL and not referred_by.strip():
        raise DomainError(
            _("Say who referred the client."), code="required", fields={"referred_by": "required"}
        )
    problem = clean_text(problem, field="problem", limit=MAX_PROBLEM, required=True)
    with transaction.atomic():
        case = Case.objects.create(
            area=area,
            area_path=area.path,
            resident=resident,
            household=household,
            source=source,
            appeal=appeal,
            visit=visit,
            need=need,
            referred_by=clean_text(referred_by, field="referred_by", limit=100),
            problem=problem,
            owner=by,
            opened_on=timezone.localdate(),
        )
        CaseEvent.objects.create(case=case, action="open", to_stage=Stage.INTAKE, by=by)
        audit_log(
            action=AuditAction.CREATE,
            actor=by,
            obj=case,
            area_path=case.area_path,
            changes={
                "source": source,
                "appeal": getattr(appeal, "pk", None),
                "owner": getattr(by, "username", ""),
            },
        )
    return case


def case_accept(*, by: Any, case: Case, version: int | None) -> Case:
    with transaction.atomic():
        current = locked(case, version)
        CASE.check(by, current, "accept")
        return step(by, current, "accept")


def case_assess(
    *,
    by: Any,
    case: Case,
    version: int | None,
    health: int,
    income: int,
    family: int,
    social_support: int,
    safety: int,
    risk: str,
    summary: str = "",
) -> Case:
    """预估: the five domains and the risk level; the case's risk is that of its latest assessment."""
    with transaction.atomic():
        current = locked(case, version)
        CASE.check(by, current, "assess")
        Assessment.objects.create(
            case=current,
            health=health,
            income=income,
            family=family,
            social_support=social_support,
            safety=safety,
            risk=risk,
            summary=clean_text(summary, field="summary", limit=1000),
            assessed_by=by or current.owner,
            assessed_on=timezone.localdate(),
        )
        before = current.risk
        current.risk = risk
        return step(by, current, "assess", changes={"risk": [before, risk]})


def case_evaluate(*, by: Any, case: Case, version: int | None, goals_met: str, review: str) -> Case:
    """评估: how far the plan's goals were met."""
    with transaction.atomic():
        current = locked(case, version)
        CASE.check(by, current, "evaluate")
        current.goals_met = goals_met
        return step(
            by,
            current,
            "evaluate",
            reason=clean_text(review, field="review", limit=500, required=True),
            changes={"goals_met": goals_met},
        )


def case_reopen(*, by: Any, case: Case, version: int | None, reason: str) -> Case:
    """A closed case opened again, back to assessment; the reopening stays in its history."""
    reason = clean_text(reason, field="reason", limit=500, required=True)
    with transaction.atomic():
        current = locked(case, version)
        CASE.check(by, current, "reopen")
        current.closed_on = None
        current.closure_requested_at = None
        current.closure_reason = ""
        return step(by, current, "reopen", reason=reason)
