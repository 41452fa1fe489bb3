"""The demo's home visits, needs and satisfaction surveys, written through the needs' own services."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from shequ.demo.plan import DEMO_RESIDENT_NAME

NEED_TEXTS: list[tuple[str, str, str, str]] = [
    (
        "elderly_care",
        "希望长者饭堂每天送餐上门",
        "已登记长者饭堂送餐，每天11点送到",
        "送餐员人手不足，已转介社工站志愿者",
    ),
    (
        "health",
        "血压偏高，想请家庭医生上门",
        "家庭医生已签约，每月上门随访一次",
        "家庭医生名额已满，已转介镇卫生院",
    ),
    (
        "elderly_care",
        "卫生间地滑，想装扶手",
        "已联系适老化改造项目免费安装扶手",
        "房东不同意改造，已告知其他防滑办法",
    ),
    (
        "living",
        "家里困难，想了解低保怎么申请",
        "已协助递交低保申请，次月获批",
        "收入超过标准，已介绍临时救助",
    ),
    (
        "psychological",
        "老伴去世后情绪低落，很少出门",
        "社工每周探访，已加入长者兴趣小组",
        "本人暂不愿接受服务",
    ),
    ("disability", "需要办理残疾证年审", "已陪同办理年审", "本人外出，暂缓办理"),
    ("housing", "楼道灯坏了，晚上出门不方便", "已报物业维修，灯已修好", "属于公共维修基金范围，已上报街道"),
    ("culture", "想参加社区书法班", "已报名社区学院书法班", "书法班名额已满，已排入下一期"),
    ("legal", "子女赡养问题，想咨询法律", "已预约社区法律顾问面谈", "需到法院起诉，已告知法律援助中心"),
    ("employment", "儿子失业，想找工作", "已推荐到布匹市场招聘会，已就业", "暂无合适岗位，已登记就业需求"),
]


def _load_needs(by_key: dict) -> None:
    """平地社区's home visits, needs and satisfaction surveys, through their services: four months of
    visits (most elderly people living alone visited this month, some not yet), needs met, unmet,
    withdrawn and still open, a residents' survey with paper answers and a units' survey. Dates are
    counted back from today, so the figures of this month are never empty. Deterministic."""
    from django.utils import timezone

    from shequ.core.audit import audit_log
    from shequ.core.models import AuditAction, User
    from shequ.needs import services as ns
    from shequ.needs.models import SurveyResponse, Visit
    from shequ.registry.models import Organisation, Resident

    names = ["pingdi_wangge", "pingdi_shegong", "pingdi_shequ", "pingdi_jumin"]
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    if len(users) < len(names):  # a partial plan: nobody to visit with
        return
    pingdi = by_key["pingdi"]
    grid = by_key["pingdi-g1"]
    today = timezone.localdate()
    month_start = today.replace(day=1)
    people = list(
        Resident.objects.filter(area__path__startswith=pingdi.path, status="active")
        .select_related("area", "household")
        .order_by("pk")
    )
    mine = next(
        (r for r in people if r.area == by_key["pingdi-g1-b1"] and r.name == DEMO_RESIDENT_NAME), None
    )
    if mine is not None and mine.user_id is None:
        Resident.objects.filter(pk=mine.pk).update(user=users["pingdi_jumin"])

    def visitor(r: Resident) -> Any:
        return users["pingdi_wangge"] if r.area.path.startswith(grid.path) else users["pingdi_shegong"]

    def day_in_month(i: int, months_ago: int) -> date:
        if months_ago == 0:
            return max(month_start, today - timedelta(days=i % 20))
        first = (month_start - timedelta(days=28 * months_ago)).replace(day=1)
        return first + timedelta(days=(i * 3) % 27)

    alone = [r for r in people if r.living_alone]
    elders = [r for r in people if not r.living_alone and r.age(today) >= 70 and r.relation == "户主"]
    visits = []
    for months_ago in (3, 2, 1, 0):
        # Most of those living alone every month; this month one in five is still waiting.
        for i, r in enumerate(alone):
            if (i + months_ago) % 5 == 4:
                continue
            visits.append((r, day_in_month(i, months_ago), "care"))
        for i, r in enumerate(elders[months_ago * 8 : months_ago * 8 + 8]):
            visits.append((r, day_in_month(i + 7, months_ago), "routine"))
    texts = iter(NEED_TEXTS * 5)
    raised = []
    history = []
    for n, (r, on, purpose) in enumerate(visits):
        notes = "身体状况良好，生活能自理。" if n % 3 else "独居，子女在外地，需多关注。"
        if n % 6:
            # Visits that found nothing: written in bulk (one audit entry below) to keep the demo fast.
            history.append(
                Visit(
                    area=r.area,
                    area_path=r.area.path,
                    resident=r,
                    household=r.household,
                    visited_on=on,
                    purpose=purpose,
                    notes=notes,
                    visited_by=visitor(r),
                )
            )
            continue
        category, wanted, _met, _unmet = next(texts)
        visit = ns.visit_log(
            by=visitor(r),
            resident=r,
            visited_on=on,
            purpose=purpose,
            notes=notes,
            needs=[ns.NeedDraft(category, wanted)],
            today=today,
        )
        raised += [(need, visit.visited_by) for need in visit.needs.all()]
    Visit.objects.bulk_create(history, batch_size=500)
    audit_log(
        action=AuditAction.IMPORT,
        object_repr="demo home visits",
        area_path=pingdi.path,
        changes={"visits": [0, len(history)]},
    )
    # A unit raises a need too (from a walk-in), still open.
    school = Organisation.objects.get(area=pingdi, name="平地小学")
    ns.need_raise(
        by=users["pingdi_shegong"],
        organisation=school,
        category="children",
        description="希望社区在放学后开设四点半课堂",
        source="walk_in",
        raised_on=today - timedelta(days=3),
        today=today,
    )
    texts_by_need = {t[1]: t for t in NEED_TEXTS}
    for i, (need, by) in enumerate(raised):
        if need.raised_on >= today - timedelta(days=5):
            continue  # the newest stay open
        _category, _need, met, unmet = texts_by_need[need.description]
        status, outcome = [
            ("met", met),
            ("met", met),
            ("unmet", unmet),
            ("met", met),
            ("withdrawn", "本人表示暂不需要"),
        ][i % 5]
        if i % 7 == 6:
            continue  # still being worked on
        ns.need_close(
            by=by,
            need=need,
            version=need.version,
            status=status,
            outcome=outcome,
            closed_on=min(today, need.raised_on + timedelta(days=3 + i % 9)),
            today=today,
        )

    opens = today - timedelta(days=20)
    survey = ns.survey_create(
        by=users["pingdi_shegong"],
        area=pingdi,
        title=f"{today.year}年平地社区居民满意度测评",
        respondents="residents",
        opens_on=opens,
        closes_on=today + timedelta(days=10),
    )
    adults = [r for r in people if r.age(today) >= 18 and r.pk != (mine.pk if mine else 0)]
    scores = [5, 4, 5, 4, 3, 5, 4, 2, 5, 4, 5, 4, 1, 5, 4, 4, 5, 3, 4, 5]
    comments = {3: "一般，希望活动多一些", 2: "楼道卫生不太好", 1: "停车太难"}
    answers = []
    for i, r in enumerate(adults[::40][:60]):
        score = scores[i % len(scores)]
        answers.append(
            SurveyResponse(
                survey=survey,
                area=r.area,
                area_path=r.area.path,
                resident=r,
                score=score,
                comment=comments.get(score, ""),
                answered_on=opens + timedelta(days=i % 20),
                recorded_by=users["pingdi_shequ"],
            )
        )
    SurveyResponse.objects.bulk_create(answers)  # paper answers typed in, one audit entry
    audit_log(
        action=AuditAction.IMPORT,
        obj=survey,
        area_path=pingdi.path,
        changes={"responses": [0, len(answers)]},
    )
    units = ns.survey_create(
        by=users["pingdi_shegong"],
        area=pingdi,
        title=f"{today.year}年辖区单位满意度测评",
        respondents="units",
        opens_on=opens,
        closes_on=today + timedelta(days=10),
    )
    answering = Organisation.objects.filter(area=pingdi, kind__in=["unit", "property_company"]).order_by("pk")
    for i, organisation in enumerate(answering):
        ns.response_record(
            by=users["pingdi_shegong"],
            survey=units,
            organisation=organisation,
            score=[5, 4, 4, 3, 5][i % 5],
            comment="" if i % 5 != 3 else "希望多组织共建活动",
            answered_on=opens + timedelta(days=2 + i),
            today=today,
        )
