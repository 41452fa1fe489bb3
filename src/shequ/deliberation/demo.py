"""Deliberation's part of the demo community 平地社区: a joint meeting held last week on an appeal
(attendance of the group delegates, a show of hands, a valid decision posted on the public page, its
minutes frozen), a building meeting called for next week, and a residents' proposal gathering
signatures. Written through the services; dates counted from today. Deterministic."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.utils import timezone


def _at(day: Any, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def load(areas: dict[str, Any]) -> None:
    from shequ.appeals.models import Appeal
    from shequ.core.models import User
    from shequ.deliberation.services import (
        attendance,
        decisions,
        followup,
        meetings,
        minutes,
        proposals,
        topics,
        votes,
    )
    from shequ.registry.models import Resident

    pingdi, building = areas.get("pingdi"), areas.get("pingdi-g1-b1")
    staff = User.objects.filter(username="pingdi_shequ").first()
    if pingdi is None or building is None or staff is None:
        return  # a partial plan
    today = timezone.localdate()
    cutoff = today.replace(year=today.year - 18)
    people = list(
        Resident.objects.filter(area__path__startswith=pingdi.path, status="active", birth_date__lte=cutoff)
        .select_related("area", "household")
        .order_by("pk")[:9]
    )
    if len(people) < 9:
        return
    appeal = Appeal.objects.filter(area_path__startswith=pingdi.path).order_by("pk").first()

    past = today - timedelta(days=7)
    joint = meetings.meeting_create(
        by=staff,
        area=pingdi,
        kind="joint",
        title="平地社区党群联席会议（停车秩序）",
        starts_at=_at(past, 19),
        ends_at=_at(past, 21),
        chair="平地社区党委书记",
        recorder="平地社区社工",
        place="平地社区党群服务中心二楼会议室",
        quorum_base="delegates",
        delegates_expected=9,
    )
    joint = meetings.meeting_notify(by=staff, meeting=joint, version=None)
    joint = meetings.meeting_open(by=staff, meeting=joint, version=None)
    topic = topics.topic_add(
        by=staff,
        meeting=joint,
        title="小区主干道乱停车、消防通道被占",
        description="居民反映主干道两侧乱停车，消防车无法通行；物业、业委会、居民代表共同商议。",
        appeal=appeal,
    )
    for person in people[:7]:
        attendance.attendance_record(by=staff, meeting=joint, resident=person, is_delegate=True)
    vote = votes.vote_open(
        by=staff,
        meeting=joint,
        question="主干道一侧划设禁停线、另一侧划设临时车位",
        method="hands",
        unit="person",
        rule="majority",
        topic=topic,
    )
    vote = votes.vote_count_hands(
        by=staff, vote=vote, votes_for=6, votes_against=0, votes_abstain=1, counted_by="居委会委员"
    )
    vote = votes.vote_close(by=staff, vote=vote)
    decision = decisions.decision_record(
        by=staff,
        meeting=joint,
        text="主干道东侧划设禁停黄线，西侧划设12个临时车位；物业公司两周内完成施工，业委会监督。",
        responsible="物业公司（业委会监督）",
        deadline=today + timedelta(days=7),
        vote=vote,
    )
    decision = decisions.decision_post(by=staff, decision=decision, days=20, objection_days=7)
    first = followup.milestone_add(
        by=staff, decision=decision, title="东侧施划禁停黄线", owner="物业公司", due=today + timedelta(days=3)
    )
    followup.milestone_progress(by=staff, milestone=first, progress=50, note="已完成北段")
    followup.milestone_add(
        by=staff,
        decision=decision,
        title="西侧施划12个临时车位",
        owner="物业公司",
        due=today + timedelta(days=7),
    )
    record = minutes.minutes_write(
        by=staff,
        meeting=joint,
        text="一、通报居民诉求。二、物业、业委会、居民代表发言。三、举手表决：6票同意，1票弃权。",
    )
    joint = meetings.meeting_close(by=staff, meeting=joint, version=None)
    minutes.minutes_freeze(by=staff, minutes=record)

    _floor_areas(building)

    soon = today + timedelta(days=7)
    council = meetings.meeting_create(
        by=staff,
        area=building,
        kind="building",
        title="1座楼栋议事会（加装电梯意向）",
        starts_at=_at(soon, 19),
        ends_at=_at(soon, 20),
        chair="1座楼长",
        recorder="平地社区社工",
        place="1座架空层",
        quorum_base="households",
    )
    meetings.meeting_notify(by=staff, meeting=council, version=None)

    proposer = next((p for p in people if p.area_id == building.pk and p.user_id), None)
    proposals.proposal_create(
        by=proposer.user if proposer is not None else None,
        area=building,
        title="1座楼下增设电动车充电棚",
        text="电动车在楼道充电有火灾隐患，建议在1座楼下空地增设充电棚。",
    )


def _floor_areas(building: Any) -> None:
    """The owners and exclusive floor areas of four homes of 1座, as the property register gives them
    (the households import's 产权人 and 专有面积): the demo resident's large flat and three small ones,
    so that a lift vote can pass by headcount and fail by area."""
    from shequ.registry.models import Household, Resident

    mine = Resident.objects.filter(user__username="pingdi_jumin", household__isnull=False).first()
    others = (
        Household.objects.filter(area=building, head__isnull=False)
        .exclude(pk__in=[mine.household_id] if mine is not None and mine.household_id else [])
        .select_related("head")
        .order_by("pk")[:3]
    )
    homes = ([mine.household] if mine is not None and mine.household is not None else []) + list(others)
    for home, area in zip(homes, ("180.50", "60.00", "60.00", "60.00"), strict=False):
        owner = home.head.name if home.head is not None else ""
        Household.objects.filter(pk=home.pk).update(owner=owner, floor_area=area)
