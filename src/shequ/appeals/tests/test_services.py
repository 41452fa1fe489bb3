"""The closed loop on the server: every legal and illegal transition, stale edits, who may act,
escalation by hand, notifications, evaluation, publication."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import translation

from conftest import Tree
from shequ.appeals import services
from shequ.appeals.models import (
    Appeal,
    AppealStep,
    Channel,
    Evaluation,
    HandlerKind,
    Level,
    Notification,
    Stage,
)
from shequ.appeals.tests.conftest import People, category, fresh
from shequ.core.errors import Conflict, DomainError, Forbidden, NotFound
from shequ.core.models import AuditEntry
from shequ.registry.models import Organisation

pytestmark = pytest.mark.django_db
Action = AppealStep.Action


def test_a_residents_report_starts_at_the_estate_with_its_grid_answering(
    report: Any, people: People, tree: Tree
) -> None:
    appeal = report()
    assert appeal.stage == Stage.REPORTED
    assert appeal.level == Level.ESTATE
    assert appeal.handling_area == tree.grid
    assert appeal.channel == Channel.RESIDENT
    assert appeal.contact_name == str(people.resident)
    assert appeal.deadline_at is not None
    assert appeal.warn_at is not None
    assert appeal.warn_at < appeal.deadline_at
    step = appeal.steps.get()
    assert (step.action, step.actor, step.to_stage) == (Action.REPORT, people.resident, Stage.REPORTED)
    assert AuditEntry.objects.filter(object_type="appeals.appeal", object_id=str(appeal.pk)).exists()
    # The grid worker who answers for the grid is told; the reporter is not told of their own step.
    told = set(Notification.objects.filter(appeal=appeal).values_list("user__username", flat=True))
    assert told == {"wangge"}


def test_a_policy_question_starts_at_the_community(report: Any, tree: Tree) -> None:
    appeal = report(code="policy_question", description="高龄津贴怎么申请？")
    assert (appeal.level, appeal.handling_area) == (Level.COMMUNITY, tree.community)


def test_a_report_about_a_whole_community_is_answered_by_the_community(
    report: Any, people: People, tree: Tree
) -> None:
    appeal = report(by=people.community_staff, area=tree.community, channel=Channel.PATROL)
    assert (appeal.level, appeal.handling_area) == (Level.COMMUNITY, tree.community)


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"description": "  "}, "required"),
        ({"description": "坑" * 2001}, "too_long"),
        ({"channel": Channel.HOTLINE}, "channel_invalid"),  # a resident cannot log a phone call
        ({"contact_phone": "12345"}, "contact_phone_format"),
        ({"latitude": "23.1"}, "position_invalid"),
        ({"latitude": "123", "longitude": "113"}, "position_invalid"),
        ({"priority": "whenever"}, "priority_invalid"),
    ],
)
def test_a_bad_report_is_refused_with_a_reason(report: Any, fields: dict, code: str) -> None:
    with pytest.raises(DomainError) as exc:
        report(**fields)
    assert exc.value.code == code
    assert not Appeal.objects.exists()


def test_staff_taking_a_call_must_name_the_caller(report: Any, people: People) -> None:
    with pytest.raises(DomainError) as exc:
        report(by=people.community_staff, channel=Channel.HOTLINE)
    assert exc.value.code == "required"
    appeal = report(
        by=people.community_staff, channel=Channel.HOTLINE, contact_name="王先生", contact_phone="13800138000"
    )
    assert appeal.reporter == people.community_staff
    assert appeal.contact_name == "王先生"
    assert "13800138000" not in appeal.contact_phone_encrypted  # stored encrypted


def test_a_grid_worker_reports_on_patrol(report: Any, people: People) -> None:
    appeal = report(by=people.grid_worker)
    assert appeal.channel == Channel.PATROL


def test_nobody_reports_about_a_place_outside_their_areas(report: Any, people: People, tree: Tree) -> None:
    with pytest.raises((NotFound, Forbidden)):
        report(area=tree.other_building)
    with pytest.raises((NotFound, Forbidden)):
        report(by=people.community_staff, area=tree.far_building, channel=Channel.PATROL)


def test_a_report_about_a_street_is_refused(report: Any, people: People, tree: Tree) -> None:
    with pytest.raises(DomainError) as exc:
        report(by=people.street_official, area=tree.street, channel=Channel.PATROL)
    assert exc.value.code == "area_kind"


# --- the whole loop ---------------------------------------------------------------------------------


def test_the_closed_loop_from_report_to_evaluation(report: Any, people: People) -> None:
    appeal = report()
    gw = people.grid_worker
    appeal = services.appeal_accept(appeal=appeal, by=gw, version=appeal.version)
    appeal = services.appeal_dispatch(appeal=appeal, by=gw, version=appeal.version, to_user=gw)
    appeal = services.appeal_start(appeal=appeal, by=gw, version=appeal.version)
    appeal = services.appeal_handle(appeal=appeal, by=gw, version=appeal.version, result="已填平路面")
    appeal = services.appeal_verify(appeal=appeal, by=people.resident, version=appeal.version)
    appeal = services.appeal_close(appeal=appeal, by=gw, version=appeal.version)
    appeal = services.appeal_evaluate(
        appeal=appeal, by=people.resident, version=appeal.version, score=5, comment="很快就修好了"
    )
    assert appeal.stage == Stage.EVALUATED
    assert appeal.result == "已填平路面"
    assert appeal.accepted_at
    assert appeal.handled_at
    assert appeal.closed_at
    steps = list(appeal.steps.values_list("action", "from_stage", "to_stage", "actor__username"))
    assert steps == [
        (Action.REPORT, "", Stage.REPORTED, "jumin"),
        (Action.ACCEPT, Stage.REPORTED, Stage.ACCEPTED, "wangge"),
        (Action.DISPATCH, Stage.ACCEPTED, Stage.DISPATCHED, "wangge"),
        (Action.START, Stage.DISPATCHED, Stage.IN_PROGRESS, "wangge"),
        (Action.HANDLE, Stage.IN_PROGRESS, Stage.HANDLED, "wangge"),
        (Action.VERIFY, Stage.HANDLED, Stage.VERIFIED, "jumin"),
        (Action.CLOSE, Stage.VERIFIED, Stage.CLOSED, "wangge"),
        (Action.EVALUATE, Stage.CLOSED, Stage.EVALUATED, "jumin"),
    ]
    assert all(s.stage_seconds is not None for s in appeal.steps.exclude(action=Action.REPORT))
    assert Evaluation.objects.get(appeal=appeal).score == 5
    # The reporter was told of every step someone else took.
    told = set(Notification.objects.filter(user=people.resident).values_list("action", flat=True))
    assert {Action.ACCEPT, Action.DISPATCH, Action.START, Action.HANDLE, Action.CLOSE} <= told
    assert appeal.version == 8


# Every (action, from stage) the machine allows, and where it leads.
LEGAL = [
    (action, source, target)
    for action, (sources, target) in services.TRANSITIONS.items()
    for source in sources
]
ILLEGAL = [
    (action, stage)
    for action, (sources, _t) in services.TRANSITIONS.items()
    for stage in Stage.values
    if stage not in sources
]


def _do(action: str, appeal: Appeal, people: People, tree: Tree) -> Appeal:
    """Perform `action` as someone allowed to (whatever the stage)."""
    gw, staff, version = people.grid_worker, people.community_staff, appeal.version
    match action:
        case Action.ACCEPT:
            return services.appeal_accept(appeal=appeal, by=gw, version=version)
        case Action.REJECT:
            return services.appeal_reject(appeal=appeal, by=gw, version=version, reason="不属于社区事务")
        case Action.MERGE:
            target = services.appeal_report(
                by=people.neighbour, area=tree.building, category=category(), description="路面坑洼"
            )
            return services.appeal_merge(appeal=appeal, by=gw, version=version, into=target)
        case Action.DISPATCH:
            return services.appeal_dispatch(appeal=appeal, by=gw, version=version, to_user=gw)
        case Action.START:
            return services.appeal_start(appeal=appeal, by=gw, version=version)
        case Action.HANDLE:
            return services.appeal_handle(appeal=appeal, by=gw, version=version, result="已处理")
        case Action.REWORK:
            return services.appeal_rework(
                appeal=appeal, by=people.resident, version=version, reason="还没修好"
            )
        case Action.VERIFY:
            return services.appeal_verify(appeal=appeal, by=people.resident, version=version)
        case Action.CLOSE:
            return services.appeal_close(appeal=appeal, by=staff, version=version)
        case Action.REOPEN:
            return services.appeal_reopen(appeal=appeal, by=staff, version=version, reason="又坏了")
        case Action.EVALUATE:
            return services.appeal_evaluate(appeal=appeal, by=people.resident, version=version, score=4)
    raise AssertionError(action)


def _in_stage(report: Any, stage: str, people: People) -> Appeal:
    appeal = report()
    if stage == Stage.MERGED:
        other = report(description="另一件事")
        Appeal.objects.filter(pk=appeal.pk).update(stage=stage, merged_into=other)
    else:
        Appeal.objects.filter(pk=appeal.pk).update(stage=stage, handler_user=people.grid_worker)
    return fresh(appeal)


@pytest.mark.parametrize(("action", "source", "target"), LEGAL, ids=[f"{a}-from-{s}" for a, s, _t in LEGAL])
def test_every_legal_transition_moves_to_its_stage(
    action: str, source: str, target: str, report: Any, people: People, tree: Tree
) -> None:
    appeal = _in_stage(report, source, people)
    after = _do(action, appeal, people, tree)
    assert after.stage == target
    assert fresh(appeal).version == appeal.version + 1
    step = AppealStep.objects.filter(appeal=appeal).latest("id")
    assert (step.action, step.from_stage, step.to_stage) == (action, source, target)


@pytest.mark.parametrize(("action", "stage"), ILLEGAL, ids=[f"{a}-from-{s}" for a, s in ILLEGAL])
def test_every_illegal_transition_is_refused_and_changes_nothing(
    action: str, stage: str, report: Any, people: People, tree: Tree
) -> None:
    appeal = _in_stage(report, stage, people)
    with pytest.raises(DomainError) as exc:
        _do(action, appeal, people, tree)
    assert exc.value.code == "illegal_transition"
    assert exc.value.status == 400
    assert fresh(appeal).stage == stage
    assert fresh(appeal).version == appeal.version
    assert not AppealStep.objects.filter(appeal=appeal, action=action).exists()


def test_a_stale_edit_is_refused_with_a_clear_chinese_message(report: Any, people: People) -> None:
    appeal = report()
    seen = appeal.version
    services.appeal_accept(appeal=appeal, by=people.grid_worker, version=seen)
    with translation.override("zh-hans"), pytest.raises(Conflict) as exc:
        services.appeal_reject(appeal=appeal, by=people.community_staff, version=seen, reason="重复")
    assert exc.value.status == 409
    message = str(exc.value.message)
    assert re.search(r"[\u4e00-\u9fff]", message), message
    assert "已受理" in message  # it names the stage the other person moved it to
    assert fresh(appeal).stage == Stage.ACCEPTED  # nothing lost, nothing overwritten


def test_two_handlers_at_once_one_wins(report: Any, people: People) -> None:
    appeal = report()
    appeal = services.appeal_accept(appeal=appeal, by=people.grid_worker, version=appeal.version)
    v = appeal.version
    services.appeal_dispatch(appeal=appeal, by=people.grid_worker, version=v, to_user=people.grid_worker)
    with pytest.raises(Conflict):
        services.appeal_dispatch(
            appeal=appeal, by=people.community_staff, version=v, to_user=people.building_head
        )
    assert fresh(appeal).handler_user == people.grid_worker


def test_rejection_needs_a_reason(report: Any, people: People) -> None:
    appeal = report()
    with pytest.raises(DomainError) as exc:
        services.appeal_reject(appeal=appeal, by=people.grid_worker, version=appeal.version, reason=" ")
    assert exc.value.code == "required"
    rejected = services.appeal_reject(
        appeal=appeal, by=people.grid_worker, version=appeal.version, reason="私人纠纷"
    )
    assert rejected.rejection_reason == "私人纠纷"
    assert rejected.deadline_at is None


def test_merging_points_at_the_open_appeal_it_repeats(report: Any, people: People) -> None:
    first, second = report(), report(by=people.neighbour)
    with pytest.raises(DomainError) as exc:
        services.appeal_merge(appeal=first, by=people.grid_worker, version=first.version, into=first)
    assert exc.value.code == "merge_self"
    merged = services.appeal_merge(appeal=second, by=people.grid_worker, version=second.version, into=first)
    assert (merged.stage, merged.merged_into) == (Stage.MERGED, first)
    assert Notification.objects.filter(user=people.neighbour, appeal=second, action=Action.MERGE).exists()
    third = report()
    with pytest.raises(DomainError) as exc:
        services.appeal_merge(appeal=third, by=people.grid_worker, version=third.version, into=merged)
    assert exc.value.code == "merge_target_closed"


def test_merging_into_an_appeal_of_another_street_is_not_found(
    report: Any, people: People, tree: Tree
) -> None:
    from conftest import make_user
    from shequ.core.roles import Role

    far_resident = make_user(Role.RESIDENT, tree.far_building, "far")
    far = report(by=far_resident, area=tree.far_building)
    mine = report()
    with pytest.raises(NotFound):
        services.appeal_merge(appeal=mine, by=people.grid_worker, version=mine.version, into=far)


# --- who may act ------------------------------------------------------------------------------------


def test_a_resident_cannot_accept_or_dispatch(report: Any, people: People) -> None:
    appeal = report()
    with pytest.raises(NotFound):  # residents do not see the queue at all
        services.appeal_accept(appeal=appeal, by=people.neighbour, version=appeal.version)
    with pytest.raises(Forbidden):  # a building head sees it but does not triage
        services.appeal_accept(appeal=appeal, by=people.building_head, version=appeal.version)


def test_only_the_dispatched_person_or_the_answering_level_works_on_it(report: Any, people: People) -> None:
    appeal = report()
    appeal = services.appeal_accept(appeal=appeal, by=people.grid_worker, version=appeal.version)
    appeal = services.appeal_dispatch(
        appeal=appeal, by=people.grid_worker, version=appeal.version, to_user=people.building_head
    )
    assert appeal.handler_kind == HandlerKind.PERSON
    with pytest.raises(Forbidden):
        from conftest import make_user
        from shequ.core.roles import Role

        other_head = make_user(Role.BUILDING_HEAD, appeal.area, "louzhang2")
        services.appeal_start(appeal=appeal, by=other_head, version=appeal.version)
    appeal = services.appeal_start(appeal=appeal, by=people.building_head, version=appeal.version)
    assert appeal.stage == Stage.IN_PROGRESS


def test_dispatch_to_someone_who_does_not_work_there_is_refused(report: Any, people: People) -> None:
    appeal = report()
    appeal = services.appeal_accept(appeal=appeal, by=people.grid_worker, version=appeal.version)
    with pytest.raises(DomainError) as exc:
        services.appeal_dispatch(
            appeal=appeal, by=people.grid_worker, version=appeal.version, to_user=people.neighbour
        )
    assert exc.value.code == "handler_outside"  # an account of the grid, but a resident's
    with pytest.raises(DomainError) as exc:
        services.appeal_dispatch(
            appeal=appeal, by=people.grid_worker, version=appeal.version, to_user=people.other_community_staff
        )
    assert exc.value.code == "account_unknown"  # another community's: as if it did not exist
    with pytest.raises(DomainError) as exc:
        services.appeal_dispatch(appeal=appeal, by=people.grid_worker, version=appeal.version)
    assert exc.value.code == "handler_required"


def test_dispatch_to_the_property_company_as_a_unit(report: Any, people: People, tree: Tree) -> None:
    company = Organisation.objects.create(area=tree.community, kind="property_company", name="平安物业")
    appeal = report()
    appeal = services.appeal_accept(appeal=appeal, by=people.community_staff, version=appeal.version)
    appeal = services.appeal_dispatch(
        appeal=appeal, by=people.community_staff, version=appeal.version, to_organisation=company
    )
    assert (appeal.handler_kind, appeal.handler_organisation) == (HandlerKind.UNIT, company)
    # The grid worker follows a unit's work and records it.
    appeal = services.appeal_start(appeal=appeal, by=people.grid_worker, version=appeal.version)
    assert appeal.stage == Stage.IN_PROGRESS


def test_only_the_reporter_evaluates_their_own_appeal(report: Any, people: People) -> None:
    appeal = report()
    Appeal.objects.filter(pk=appeal.pk).update(stage=Stage.CLOSED)
    appeal = fresh(appeal)
    with pytest.raises(NotFound):
        services.appeal_evaluate(appeal=appeal, by=people.neighbour, version=appeal.version, score=1)
    with pytest.raises(Forbidden):
        services.appeal_evaluate(appeal=appeal, by=people.community_staff, version=appeal.version, score=1)
    for bad in (0, 6):
        with pytest.raises(DomainError) as exc:
            services.appeal_evaluate(appeal=appeal, by=people.resident, version=appeal.version, score=bad)
        assert exc.value.code == "score_invalid"


def test_staff_record_a_callers_evaluation_on_a_call_back(report: Any, people: People) -> None:
    appeal = report(by=people.community_staff, channel=Channel.HOTLINE, contact_name="王先生")
    Appeal.objects.filter(pk=appeal.pk).update(stage=Stage.CLOSED)
    appeal = services.appeal_evaluate(
        appeal=fresh(appeal), by=people.community_staff, version=appeal.version, score=4
    )
    assert appeal.evaluation.on_behalf is False  # the staff member is the reporter of record
    assert appeal.evaluation.score == 4


def test_the_reporter_sends_unfinished_work_back(report: Any, people: People) -> None:
    appeal = _in_stage(report, Stage.HANDLED, people)
    with pytest.raises(NotFound):
        services.appeal_rework(appeal=appeal, by=people.neighbour, version=appeal.version, reason="没修好")
    appeal = services.appeal_rework(
        appeal=appeal, by=people.resident, version=appeal.version, reason="没修好"
    )
    assert appeal.stage == Stage.IN_PROGRESS
    assert Notification.objects.filter(user=people.grid_worker, action=Action.REWORK).exists()


def test_withheld_contact_is_seen_by_community_staff_not_by_handlers(report: Any, people: People) -> None:
    appeal = report(contact_phone="13800138000", contact_withheld=True)
    assert services.may_see_contact(people.resident, appeal)
    assert services.may_see_contact(people.community_staff, appeal)
    assert not services.may_see_contact(people.grid_worker, appeal)
    assert not services.may_see_contact(people.building_head, appeal)
    open_appeal = report(contact_phone="13800138000")
    assert services.may_see_contact(people.grid_worker, open_appeal)
    assert not services.may_see_contact(people.neighbour, open_appeal)


# --- escalation by hand -----------------------------------------------------------------------------


def test_escalation_goes_estate_community_street_district(report: Any, people: People, tree: Tree) -> None:
    appeal = report()
    appeal = services.appeal_accept(appeal=appeal, by=people.grid_worker, version=appeal.version)
    appeal = services.appeal_dispatch(
        appeal=appeal, by=people.grid_worker, version=appeal.version, to_user=people.grid_worker
    )
    appeal = services.appeal_escalate(
        appeal=appeal, by=people.grid_worker, version=appeal.version, reason="需要社区协调"
    )
    # The receiving level must dispatch again; the person it was with is no longer its handler.
    assert (appeal.level, appeal.handling_area, appeal.stage) == (
        Level.COMMUNITY,
        tree.community,
        Stage.ACCEPTED,
    )
    assert appeal.handler_user is None
    # The grid worker no longer answers for it.
    with pytest.raises(Forbidden):
        services.appeal_escalate(appeal=appeal, by=people.grid_worker, version=appeal.version, reason="x")
    appeal = services.appeal_escalate(
        appeal=appeal, by=people.community_staff, version=appeal.version, reason="涉及市政道路"
    )
    assert (appeal.level, appeal.handling_area) == (Level.STREET, tree.street)
    assert Notification.objects.filter(user=people.street_official, action=Action.ESCALATE).exists()
    with pytest.raises(Forbidden):  # the community no longer acts on it
        services.appeal_dispatch(
            appeal=appeal, by=people.community_staff, version=appeal.version, to_user=people.grid_worker
        )
    appeal = services.appeal_escalate(
        appeal=appeal, by=people.street_official, version=appeal.version, reason="区级"
    )
    assert (appeal.level, appeal.handling_area) == (Level.DISTRICT, tree.district)
    with pytest.raises(DomainError) as exc:
        services.appeal_escalate(appeal=appeal, by=people.district_admin, version=appeal.version, reason="x")
    assert exc.value.code == "top_level"
    levels = list(appeal.steps.filter(action=Action.ESCALATE).values_list("from_level", "to_level"))
    assert levels == [("estate", "community"), ("community", "street"), ("street", "district")]


def test_escalation_needs_a_reason_and_an_open_appeal(report: Any, people: People) -> None:
    appeal = report()
    with pytest.raises(DomainError):
        services.appeal_escalate(appeal=appeal, by=people.grid_worker, version=appeal.version, reason="")
    handled = _in_stage(report, Stage.HANDLED, people)
    with pytest.raises(DomainError) as exc:
        services.appeal_escalate(appeal=handled, by=people.grid_worker, version=handled.version, reason="x")
    assert exc.value.code == "illegal_transition"


# --- publication ------------------------------------------------------------------------------------


def test_only_a_closed_appeal_is_published_and_it_is_anonymised(
    report: Any, people: People, resident_factory: Any, tree: Tree
) -> None:
    resident_factory(tree.building, name="黄秀英")
    appeal = report(
        description="黄秀英家门口3-302的路灯坏了，王先生说联系13800138000，身份证440605198005170012",
        contact_phone="13800138000",
    )
    with pytest.raises(DomainError) as exc:
        services.appeal_publish(appeal=appeal, by=people.community_staff, version=appeal.version)
    assert exc.value.code == "publish_not_closed"
    Appeal.objects.filter(pk=appeal.pk).update(stage=Stage.CLOSED, result="已由罗俊杰更换路灯，302室已确认")
    appeal = fresh(appeal)
    with pytest.raises(Forbidden):
        services.appeal_publish(appeal=appeal, by=people.grid_worker, version=appeal.version)
    appeal = services.appeal_publish(appeal=appeal, by=people.community_staff, version=appeal.version)
    public = appeal.public_summary + appeal.public_result
    for secret in ("黄秀英", "3-302", "302室", "王先生", "13800138000", "440605198005170012", "jumin"):
        assert secret not in public, secret
    assert "路灯" in appeal.public_summary
    assert appeal.published_at is not None
