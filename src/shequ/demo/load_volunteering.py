"""The demo's volunteering: volunteers, teams, activities (past and coming), sign-ups, attendance,
hours and points, written through volunteering's own services."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any


def _load_volunteering(by_key: dict) -> None:
    """平地社区's volunteers (residents, and a student from outside with the demo volunteer account),
    teams at the three levels, activities past (held, hours confirmed, service records and a report)
    and upcoming (with a waiting list), and a 1+1+5 group with its meeting, problem and actions.
    Deterministic: people are taken in registry order, times are whole hours before or after now."""
    from django.utils import timezone

    from shequ.core.idnumber import make_id_number
    from shequ.core.models import User
    from shequ.registry.models import Household, Organisation, Resident
    from shequ.resources.models import Venue
    from shequ.volunteering import services as vs
    from shequ.volunteering import youth

    pingdi, dali = by_key["pingdi"], by_key["dali"]
    users = {u.username: u for u in User.objects.filter(username__in=["pingdi_shegong", "pingdi_zhiyuan"])}
    if len(users) < 2:  # a partial plan (some tests load only areas and resources): nothing to organise
        return
    worker = users["pingdi_shegong"]
    organisations = {o.name: o for o in Organisation.objects.filter(area=pingdi)}
    hall = Venue.objects.select_related("resource__area").get(resource__name="党群服务中心多功能室")
    today = timezone.localtime().replace(minute=0, second=0, microsecond=0)
    long_ago = today - timedelta(days=120)
    people = Resident.objects.filter(area__path__startswith=pingdi.path).select_related("area").order_by("pk")
    league = [
        p for p in people.filter(political_status="league_member") if 16 <= p.age(long_ago.date()) <= 26
    ]
    adults = [p for p in people.filter(political_status="masses") if 25 <= p.age(long_ago.date()) <= 65]
    residents = league[:8] + adults[:8]
    volunteers = [
        vs.volunteer_register(
            by=worker,
            area=pingdi,
            resident=r,
            skills=[["急救", "理发", "电工", "摄影"][i % 4]],
            availability="周末" if i % 2 else "工作日晚上",
            verify=True,
            now=long_ago,
        )
        for i, r in enumerate(residents)
    ]
    student = vs.volunteer_register(
        by=worker,
        area=pingdi,
        name="叶子轩",
        phone="13800138123",
        id_number=make_id_number("440104", date(2004, 9, 1), 7, "M"),
        skills=["摄影", "英语"],
        availability="寒暑假",
        user=users["pingdi_zhiyuan"],
        verify=True,
        now=long_ago,
    )
    patrol = vs.team_create(
        by=worker, area=pingdi, name="平地社区治安巡逻队", kind="patrol", level="community"
    )
    sorting = vs.team_create(
        by=worker, area=pingdi, name="垃圾分类督导队", kind="garbage_sorting", level="community"
    )
    vs.team_create(by=None, area=dali, name="大沥镇志愿服务总队", kind="other", level="street")
    vs.team_create(
        by=worker,
        area=pingdi,
        name="社工站长者关爱队",
        kind="elderly_visits",
        level="social_organisation",
        organisation=organisations["大沥镇平地社区社工服务站"],
    )
    for i, v in enumerate(volunteers[8:14]):
        vs.team_add_member(by=worker, team=patrol if i % 2 else sorting, volunteer=v, leader=i < 2)

    def held(
        title: str,
        kind: str,
        days_ago: int,
        who: list,
        minutes: list[int],
        organiser_kind: str = "social_worker",
        **fields: Any,
    ) -> None:
        start = today.replace(hour=9) - timedelta(days=days_ago)
        planned = start - timedelta(days=7)
        activity = vs.activity_create(
            by=worker,
            area=pingdi,
            title=title,
            kind=kind,
            organiser_kind=organiser_kind,
            starts_at=start,
            ends_at=start + timedelta(hours=3),
            capacity=max(len(who), 10),
            now=planned,
            **fields,
        )
        activity = vs.activity_publish(by=worker, activity=activity, version=activity.version, now=planned)
        for v, served in zip(who, minutes, strict=True):
            signup = vs.signup_create(
                by=v.user if v.user else worker,
                activity=activity,
                volunteer=None if v.user else v,
                now=planned,
            )
            if served:
                vs.attendance_check_in(by=worker, signup=signup, at=start, now=start)
                hours = vs.attendance_check_out(
                    by=worker,
                    signup=signup,
                    at=start + timedelta(minutes=served),
                    now=start + timedelta(hours=3),
                )
                vs.hours_confirm(by=worker, hours=hours, now=start + timedelta(hours=4))
        elders = list(Household.objects.filter(area__path__startswith=pingdi.path).order_by("pk")[:12])
        activity = vs.activity_finish(
            by=worker,
            activity=activity,
            version=activity.version,
            beneficiary_households=elders if kind == "volunteer_service" else [],
            participant_organisations=[organisations["平地小学"]] if kind == "youth_social_practice" else [],
            now=start + timedelta(hours=4),
        )
        vs.brief_save(
            by=worker,
            activity=activity,
            now=start + timedelta(days=1),
            text=f"{title}顺利开展，{len([m for m in minutes if m])}名志愿者参与服务。",
        )

    held(
        "重阳敬老·长者探访",
        "volunteer_service",
        30,
        [student, *volunteers[:6]],
        [180, 180, 150, 180, 120, 0, 180],
        venue=hall,
        target_groups=["elderly"],
    )
    held(
        "垃圾分类督导",
        "volunteer_service",
        12,
        volunteers[8:14],
        [120, 120, 90, 120, 120, 60],
        organiser_kind="team",
        team=sorting,
        place="平地新村垃圾投放点",
    )
    held(
        "暑期社会实践：社区环境调查",
        "youth_social_practice",
        90,
        volunteers[:6],
        [180, 180, 180, 150, 180, 120],
        eligibility="league_members",
        place="平地社区各巷",
    )
    vs.points_redeem(
        by=worker, volunteer=student, item="爱心超市：大米5kg", points=30, now=today - timedelta(days=5)
    )

    def upcoming(
        title: str,
        kind: str,
        days: int,
        capacity: int,
        who: list,
        organiser_kind: str = "social_worker",
        **fields: Any,
    ) -> None:
        start = today.replace(hour=9) + timedelta(days=days)
        activity = vs.activity_create(
            by=worker,
            area=pingdi,
            title=title,
            kind=kind,
            organiser_kind=organiser_kind,
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            capacity=capacity,
            now=today,
            **fields,
        )
        activity = vs.activity_publish(by=worker, activity=activity, version=activity.version, now=today)
        for v in who:
            vs.signup_create(
                by=v.user if v.user else worker, activity=activity, volunteer=None if v.user else v, now=today
            )

    upcoming(
        "主题党日：清理楼道小广告",
        "party_activity_day",
        3,
        12,
        [student, *volunteers[8:11]],
        organiser_kind="party_branch",
        organisation=organisations["平地社区机关党支部"],
        eligibility="registered",
        place="布匹市场周边楼栋",
    )
    upcoming(
        "社区义诊志愿服务",
        "volunteer_service",
        5,
        3,
        volunteers[10:15],
        venue=hall,
        target_groups=["elderly"],
    )
    vs.activity_create(
        by=worker,
        area=pingdi,
        title="防溺水安全培训（筹备中）",
        kind="training",
        organiser_kind="social_worker",
        starts_at=today.replace(hour=14) + timedelta(days=14),
        ends_at=today.replace(hour=16) + timedelta(days=14),
        capacity=40,
        venue=hall,
        now=today,
    )
    party_member = people.filter(political_status="party_member").first()
    activist = people.filter(political_status="activist").first()
    assert party_member is not None and activist is not None
    group = youth.youth_group_create(
        by=worker,
        area=pingdi,
        name="平地青年先锋“1+1+5”小组",
        party_member=party_member,
        activist=activist,
        backbones=league[:5],
        formed_on=long_ago.date(),
    )
    meeting = youth.meeting_record(
        by=worker,
        group=group,
        held_on=(today - timedelta(days=80)).date(),
        topic="暑期走访：身边的社区问题",
        notes="分三组走访布匹市场、牛仔城周边，记录发现的问题。",
        attendees=youth.members_of(group),
    )
    problem = youth.problem_record(
        by=worker,
        group=group,
        description="布匹市场后巷路灯不亮，夜间行人多有不便。",
        found_on=(today - timedelta(days=80)).date(),
        meeting=meeting,
    )
    youth.action_record(
        by=worker,
        problem=problem,
        description="拍照定位后通过诉求平台上报，并告知楼长。",
        done_on=(today - timedelta(days=79)).date(),
    )
    youth.action_record(
        by=worker,
        problem=problem,
        description="回访确认路灯已修复，居民满意。",
        done_on=(today - timedelta(days=60)).date(),
        solved=True,
    )
    youth.problem_record(
        by=worker,
        group=group,
        description="牛仔城门口电动车乱停，堵塞消防通道。",
        found_on=(today - timedelta(days=78)).date(),
        meeting=meeting,
    )
