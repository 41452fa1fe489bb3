"""The case's rule table: the stages of MZ/T 094-2017 (接案 → 预估 → 计划 → 介入 → 评估 → 结案) and
every step between them. Services check it before they write, pages draw its buttons, the API builds
one endpoint per action from it, the permission matrix probes it.

Who among the social workers: the case worker works the case; their supervisor (SupervisionLink)
approves the plan before any work starts and the closure, and never approves their own case."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from shequ.casework import resolvers
from shequ.casework.models import (
    OPEN_STAGES,
    ClosureReason,
    ConsentHow,
    ConsentPurpose,
    ContactKind,
    GoalsMet,
    ReferralTo,
    Risk,
    Stage,
    SupervisionLink,
    SupportFlow,
    TieKind,
    TieRelation,
    TieStrength,
    TransferStatus,
)
from shequ.core.workflow import Action, Field, Guard, Workflow


def _choices(kind: Any) -> Any:
    """The options of a TextChoices as (value, label) pairs, labels translated when drawn."""
    return lambda: [(value, str(label)) for value, label in kind.choices]


def _genders() -> list[tuple[str, str]]:
    return [("M", str(_("Male"))), ("F", str(_("Female")))]


def supervisor_id(case: Any) -> int | None:
    """The id of the case worker's supervisor (read once per case object)."""
    if not hasattr(case, "_supervisor_id"):
        case._supervisor_id = (
            SupervisionLink.objects.filter(worker_id=case.owner_id)
            .values_list("supervisor_id", flat=True)
            .first()
        )
    return case._supervisor_id


def is_case_worker(user: Any, case: Any) -> bool:
    return getattr(user, "pk", None) == case.owner_id


def is_supervisor(user: Any, case: Any) -> bool:
    uid = getattr(user, "pk", None)
    return uid is not None and uid != case.owner_id and uid == supervisor_id(case)


def plan_pending(case: Any) -> bool:
    plan = case.plans.order_by("-submitted_at", "-id").first()
    return plan is not None and plan.approved_at is None


def plan_approved(case: Any) -> bool:
    return case.plans.filter(approved_at__isnull=False).exists()


def consent_for(purpose: str) -> Guard:
    """The client's recorded consent to this purpose, not yet spent (PIPL: no sharing without it)."""
    return Guard(
        f"consent_{purpose}",
        lambda u, c: c.consents.filter(purpose=purpose, used=False).exists(),
        _("Record the client's consent first: a case is not shared without it."),
        code="consent_required",
        status=409,
    )


def pending_transfer(case: Any) -> Any:
    return case.transfers.filter(status=TransferStatus.PENDING).first()


def is_transfer_receiver(user: Any, case: Any) -> bool:
    pending = pending_transfer(case)
    return pending is not None and pending.to_user_id == getattr(user, "pk", None)


TRANSFER_RECEIVER = Guard(
    "transfer_receiver",
    is_transfer_receiver,
    _("Only the social worker the case is being transferred to answers the transfer."),
    code="not_receiver",
    status=403,
)

CASE_WORKER = Guard(
    "case_worker",
    is_case_worker,
    _("Only the case worker does this: ask them, or have the case transferred to you."),
    code="not_case_worker",
    status=403,
)
CASE_WORKER_OR_SUPERVISOR = Guard(
    "case_worker_or_supervisor",
    lambda u, c: is_case_worker(u, c) or is_supervisor(u, c),
    _("Only the case worker and their supervisor write notes on this case."),
    code="not_case_worker",
    status=403,
)
SUPERVISOR = Guard(
    "supervisor",
    is_supervisor,
    _("Only the case worker's supervisor approves this, and never on their own case."),
    code="not_supervisor",
    status=403,
)


def _score(name: str, label: Any) -> Field:
    """One domain of the assessment, scored 1 (serious difficulty) to 5 (none)."""
    return Field(
        name,
        label,
        kind="int",
        required=True,
        min_value=1,
        max_value=5,
        help=_("1 serious difficulty … 5 no difficulty"),
    )


CASE = Workflow(
    "case",
    [
        Action(
            "accept",
            _("Take on the case (接案)"),
            permission="work",
            sources=(Stage.INTAKE,),
            target=Stage.ASSESSMENT,
            guards=(CASE_WORKER,),
            style="primary",
        ),
        Action(
            "assess",
            _("Record the assessment (预估)"),
            permission="work",
            sources=(Stage.ASSESSMENT, Stage.PLAN),
            target=Stage.PLAN,
            guards=(CASE_WORKER,),
            style="primary",
            fields=(
                _score("health", _("Health")),
                _score("income", _("Income")),
                _score("family", _("Family")),
                _score("social_support", _("Social support")),
                _score("safety", _("Safety")),
                Field("risk", _("Risk level"), kind="choice", required=True, choices=_choices(Risk)),
                Field("summary", _("Summary"), kind="textarea", max_length=1000),
            ),
        ),
        Action(
            "submit_plan",
            _("Submit the plan (计划)"),
            permission="work",
            sources=(Stage.PLAN,),
            guards=(CASE_WORKER,),
            style="primary",
            fields=(
                Field("goals", _("Goals"), kind="textarea", required=True, help=_("One goal per line.")),
                Field(
                    "tasks",
                    _("Tasks"),
                    kind="textarea",
                    required=True,
                    help=_("One task per line, its due date first: 2026-12-20 Apply for the allowance"),
                ),
            ),
        ),
        Action(
            "approve_plan",
            _("Approve the plan"),
            permission="approve",
            sources=(Stage.PLAN,),
            target=Stage.INTERVENTION,
            style="primary",
            guards=(
                SUPERVISOR,
                Guard(
                    "plan_submitted",
                    lambda u, c: plan_pending(c),
                    _("There is no submitted plan to approve."),
                    code="no_plan",
                    status=409,
                ),
            ),
        ),
        Action(
            "contact",
            _("Record a contact (介入)"),
            permission="work",
            sources=(Stage.PLAN, Stage.INTERVENTION, Stage.EVALUATION),
            guards=(
                CASE_WORKER,
                Guard(
                    "plan_approved",
                    lambda u, c: plan_approved(c),
                    _("Work starts when the supervisor has approved the plan."),
                    code="plan_not_approved",
                    status=409,
                ),
            ),
            fields=(
                Field("on", _("Date"), required=True, max_length=10, help=_("YYYY-MM-DD")),
                Field("kind", _("Kind"), kind="choice", required=True, choices=_choices(ContactKind)),
                Field("summary", _("What was done"), required=True, max_length=300),
                Field("service", _("A service was given"), kind="bool"),
            ),
        ),
        Action(
            "task_done",
            _("Mark a task done"),
            permission="work",
            sources=(Stage.INTERVENTION, Stage.EVALUATION),
            guards=(CASE_WORKER,),
            fields=(
                Field("task", _("Task"), kind="ref", required=True, resolve=resolvers.open_task_of_case),
            ),
        ),
        Action(
            "evaluate",
            _("Review the goals (评估)"),
            permission="work",
            sources=(Stage.INTERVENTION,),
            target=Stage.EVALUATION,
            guards=(CASE_WORKER,),
            fields=(
                Field(
                    "goals_met",
                    _("Goals met"),
                    kind="choice",
                    required=True,
                    choices=_choices(GoalsMet),
                ),
                Field("review", _("Review"), kind="textarea", required=True, max_length=500),
            ),
        ),
        Action(
            "request_closure",
            _("Ask to close the case (结案)"),
            permission="work",
            sources=OPEN_STAGES,
            guards=(CASE_WORKER,),
            style="danger",
            fields=(
                Field(
                    "reason",
                    _("Reason for closing"),
                    kind="choice",
                    required=True,
                    choices=_choices(ClosureReason),
                ),
                Field(
                    "note",
                    _("Closing note"),
                    kind="textarea",
                    required=True,
                    max_length=5000,
                    help=_(
                        "Kept as a case note: seen only by the case worker, the supervisor and grant holders."
                    ),
                ),
            ),
        ),
        Action(
            "approve_closure",
            _("Approve the closure"),
            permission="approve",
            sources=OPEN_STAGES,
            target=Stage.CLOSED,
            style="primary",
            guards=(
                SUPERVISOR,
                Guard(
                    "closure_requested",
                    lambda u, c: c.closure_requested_at is not None,
                    _("The case worker has not asked to close the case."),
                    code="no_closure_request",
                    status=409,
                ),
            ),
        ),
        Action(
            "reopen",
            _("Reopen the case"),
            permission="work",
            sources=(Stage.CLOSED,),
            target=Stage.ASSESSMENT,
            guards=(CASE_WORKER,),
            fields=(Field("reason", _("Why it is reopened"), required=True, max_length=500),),
        ),
        Action(
            "record_consent",
            _("Record the client's consent"),
            permission="work",
            sources=OPEN_STAGES,
            guards=(CASE_WORKER,),
            fields=(
                Field("purpose", _("To"), kind="choice", required=True, choices=_choices(ConsentPurpose)),
                Field("given_to", _("Shared with"), required=True, max_length=100),
                Field(
                    "how", _("How it was given"), kind="choice", required=True, choices=_choices(ConsentHow)
                ),
                Field(
                    "sensitive",
                    _("Separate consent to share sensitive information (health, family)"),
                    kind="bool",
                ),
            ),
        ),
        Action(
            "transfer",
            _("Transfer the case"),
            permission="work",
            sources=OPEN_STAGES,
            guards=(
                CASE_WORKER,
                Guard(
                    "no_pending_transfer",
                    lambda u, c: pending_transfer(c) is None,
                    _("A transfer of this case is already waiting for its receiver."),
                    code="transfer_pending",
                    status=409,
                ),
                consent_for(ConsentPurpose.TRANSFER),
            ),
            fields=(
                Field(
                    "to",
                    _("To the social worker (user name)"),
                    kind="ref",
                    required=True,
                    resolve=resolvers.user_by_name,
                ),
                Field("reason", _("Reason"), required=True, max_length=500),
            ),
        ),
        Action(
            "accept_transfer",
            _("Accept the transfer"),
            permission="work",
            sources=OPEN_STAGES,
            guards=(TRANSFER_RECEIVER,),
            style="primary",
        ),
        Action(
            "refuse_transfer",
            _("Refuse the transfer"),
            permission="work",
            sources=OPEN_STAGES,
            guards=(TRANSFER_RECEIVER,),
            fields=(Field("reason", _("Why you refuse"), required=True, max_length=500),),
        ),
        Action(
            "refer",
            _("Refer to a department or an organisation"),
            permission="work",
            sources=OPEN_STAGES,
            guards=(CASE_WORKER, consent_for(ConsentPurpose.REFERRAL)),
            fields=(
                Field(
                    "to_kind", _("Referred to"), kind="choice", required=True, choices=_choices(ReferralTo)
                ),
                Field(
                    "receiver",
                    _("Receiver (user name)"),
                    kind="ref",
                    required=True,
                    resolve=resolvers.user_by_name,
                ),
                Field("note", _("What is asked"), required=True, max_length=500),
            ),
        ),
        Action(
            "revoke_referral",
            _("Revoke a referral"),
            permission="work",
            guards=(
                CASE_WORKER,
                Guard(
                    "has_referral",
                    lambda u, c: c.referrals.filter(revoked_at__isnull=True).exists(),
                    _("No referral of this case is in force."),
                    code="no_referral",
                    status=409,
                ),
            ),
            fields=(
                Field(
                    "referral",
                    _("Referral no."),
                    kind="ref",
                    required=True,
                    resolve=resolvers.referral_of_case,
                ),
            ),
        ),
        Action(
            "tie",
            _("Record a tie (ecomap)"),
            permission="work",
            sources=OPEN_STAGES,
            guards=(CASE_WORKER,),
            fields=(
                Field("kind", _("Kind"), kind="choice", required=True, choices=_choices(TieKind)),
                Field(
                    "name", _("Who"), required=True, max_length=50, help=_("e.g. 女儿（在深圳）, 社区卫生站")
                ),
                Field(
                    "relation",
                    _("Relation (a relative: their place on the genogram)"),
                    kind="choice",
                    choices=_choices(TieRelation),
                ),
                Field("gender", _("Gender (a relative)"), kind="choice", choices=_genders),
                Field("strength", _("Strength"), kind="choice", required=True, choices=_choices(TieStrength)),
                Field(
                    "flow", _("Flow of support"), kind="choice", required=True, choices=_choices(SupportFlow)
                ),
                Field("stress", _("A source of stress"), kind="bool"),
            ),
        ),
        Action(
            "remove_tie",
            _("Remove a tie"),
            permission="work",
            sources=OPEN_STAGES,
            guards=(
                CASE_WORKER,
                Guard(
                    "has_tie",
                    lambda u, c: c.ties.exists(),
                    _("No tie of this case is recorded."),
                    code="no_tie",
                    status=409,
                ),
            ),
            fields=(Field("tie", _("Tie"), kind="ref", required=True, resolve=resolvers.tie_of_case),),
        ),
        Action(
            "note",
            _("Write a case note"),
            permission="work",
            guards=(CASE_WORKER_OR_SUPERVISOR,),
            fields=(Field("text", _("Note"), kind="textarea", required=True, max_length=5000),),
        ),
    ],
    state_of=lambda c: str(c.stage),
    state_label=lambda c: str(c.get_stage_display()),
)
