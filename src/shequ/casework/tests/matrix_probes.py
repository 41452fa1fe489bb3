"""Permission-matrix probes of casework (collected by core/tests/test_permission_matrix.py). Each sets
up its target, tries the action through a page or the API, and says whether it was allowed and the
path of the target. Where the rule table adds who among the role (the case worker, the supervisor, a
grant holder), the probe makes the actor that person, so what is probed is the role's rule."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from conftest import make_user
from shequ.casework.models import Case, CaseNote, Plan, Stage, SupervisionLink, SupervisionSession
from shequ.casework.services.notes import NOTE_CONTEXT
from shequ.core.crypto import encrypt
from shequ.core.models import GrantKind, GrantStatus, SensitiveAccessGrant
from shequ.core.roles import Role
from shequ.core.tests.probes import both, community, listed, outcome, refused, shown


def _case(c: Any, *, owner: Any = None, stage: str = Stage.INTAKE) -> Case:
    resident = c.resident_factory(c.building, name="探针个案人")
    return Case.objects.create(
        area=c.building,
        area_path=c.building.path,
        resident=resident,
        household=resident.household,
        source="walk_in",
        problem="探针个案",
        owner=owner or c.user,
        stage=stage,
        opened_on=timezone.localdate(),
    )


case_list_page, case_list_api = listed(_case, page="/casework/", api="/api/casework/cases", query="探针个案")
case_detail_page, case_detail_api = shown(_case, page="/casework/{pk}/", api="/api/casework/cases/{pk}")


def _opened(c: Any) -> bool:
    return Case.objects.filter(area=c.building, problem="新个案探针").exists()


def case_create_page(c: Any, client: Client) -> tuple[bool, str]:
    resident = c.resident_factory(c.building, name="新案主")
    r = client.post("/casework/new/", {"source": "walk_in", "resident": resident.pk, "problem": "新个案探针"})
    return outcome(_opened(c), r, 302), c.building.path


def case_create_api(c: Any, client: Client) -> tuple[bool, str]:
    resident = c.resident_factory(c.building, name="新案主")
    r = client.post(
        "/api/casework/cases",
        {"source": "walk_in", "resident_id": resident.pk, "problem": "新个案探针"},
        content_type="application/json",
    )
    return outcome(_opened(c), r, 201), c.building.path


def _accept(c: Any, client: Client, *, api: bool) -> tuple[bool, str]:
    case = _case(c)
    if api:
        r = client.post(
            f"/api/casework/cases/{case.pk}/accept",
            {"version": case.version},
            content_type="application/json",
        )
    else:
        r = client.post(f"/casework/{case.pk}/accept/", {"version": case.version})
    ok = Case.objects.get(pk=case.pk).stage == Stage.ASSESSMENT
    return outcome(ok, r, 200 if api else 302), c.building.path


def _approve(c: Any, client: Client, *, api: bool) -> tuple[bool, str]:
    worker = make_user(Role.SOCIAL_WORKER, community(c), username=f"probe_worker_{c.side}")
    SupervisionLink.objects.create(
        area=community(c), area_path=community(c).path, supervisor=c.user, worker=worker
    )
    case = _case(c, owner=worker, stage=Stage.PLAN)
    Plan.objects.create(case=case, submitted_by=worker)
    if api:
        r = client.post(
            f"/api/casework/cases/{case.pk}/approve_plan",
            {"version": case.version},
            content_type="application/json",
        )
    else:
        r = client.post(f"/casework/{case.pk}/approve_plan/", {"version": case.version})
    ok = Case.objects.get(pk=case.pk).stage == Stage.INTERVENTION
    return outcome(ok, r, 200 if api else 302), c.building.path


def _notes(c: Any, client: Client, *, api: bool) -> tuple[bool, str]:
    """A case of another worker, and an approved case-notes grant of the actor over its community."""
    worker = make_user(Role.SOCIAL_WORKER, community(c), username=f"probe_owner_{c.side}")
    case = _case(c, owner=worker)
    CaseNote.objects.create(
        case=case, text_encrypted=encrypt("探针笔记内容", context=NOTE_CONTEXT), written_by=worker
    )
    approver = make_user(Role.DISTRICT_ADMIN, c.tree.district, username=f"probe_approver_{c.side}")
    SensitiveAccessGrant.objects.create(
        kind=GrantKind.CASE_NOTES,
        area=community(c),
        requested_by=c.user,
        reason="探针",
        status=GrantStatus.APPROVED,
        decided_by=approver,
        decided_at=timezone.now(),
        expires_at=timezone.now() + timedelta(days=1),
    )
    r = client.get(f"/api/casework/cases/{case.pk}/notes" if api else f"/casework/{case.pk}/notes/")
    if r.status_code != 200:
        return refused(r), c.building.path
    texts = [n["text"] for n in r.json()] if api else [r.content.decode()]
    return any("探针笔记内容" in t for t in texts), c.building.path


def _link_marker(c: Any) -> SupervisionLink:
    sup = make_user(Role.SOCIAL_WORKER, community(c), username=f"probe_sup_{c.side}")
    worker = make_user(Role.SOCIAL_WORKER, community(c), username=f"probe_sw_{c.side}")
    return SupervisionLink.objects.create(
        area=community(c), area_path=community(c).path, supervisor=sup, worker=worker
    )


supervision_view_page, supervision_view_api = listed(
    _link_marker,
    page="/casework/supervision/",
    api="/api/casework/supervision",
    where=community,
    page_marker=lambda c, link: f"probe_sw_{c.side}",
    api_match=lambda item, c, link: item["worker"] == f"probe_sw_{c.side}",
)


def _manage(c: Any, client: Client, *, api: bool) -> tuple[bool, str]:
    sup = make_user(Role.SOCIAL_WORKER, community(c), username=f"probe_sup_{c.side}")
    make_user(Role.SOCIAL_WORKER, community(c), username=f"probe_sw_{c.side}")
    body = {"supervisor": sup.username, "worker": f"probe_sw_{c.side}"}
    if api:
        r = client.post(
            "/api/casework/supervision",
            {"area_id": community(c).pk, **body},
            content_type="application/json",
        )
    else:
        r = client.post("/casework/supervision/", {"area": community(c).pk, **body})
    ok = SupervisionLink.objects.filter(supervisor=sup).exists()
    return outcome(ok, r, 201 if api else 302), community(c).path


def _record(c: Any, client: Client, *, api: bool) -> tuple[bool, str]:
    """A session of the actor with their supervisee (the actor is the link's supervisor)."""
    worker = make_user(Role.SOCIAL_WORKER, community(c), username=f"probe_supervisee_{c.side}")
    link = SupervisionLink.objects.create(
        area=community(c), area_path=community(c).path, supervisor=c.user, worker=worker
    )
    day = timezone.localdate().isoformat()
    body = {"held_on": day, "hours": "1.5", "topics": "探针督导"}
    if api:
        r = client.post(
            "/api/casework/supervision/sessions",
            {"link_id": link.pk, **body},
            content_type="application/json",
        )
    else:
        r = client.post("/casework/supervision/sessions/new/", {"link": link.pk, **body})
    ok = SupervisionSession.objects.filter(link=link).exists()
    return outcome(ok, r, 201 if api else 302), community(c).path


PROBES = {
    ("case", "view", "list"): (case_list_page, case_list_api),
    ("case", "view", "detail"): (case_detail_page, case_detail_api),
    ("case", "create", ""): (case_create_page, case_create_api),
    ("case", "work", ""): both(_accept),
    ("case", "approve", ""): both(_approve),
    ("case", "view_notes", ""): both(_notes),
    ("supervision", "view", "list"): (supervision_view_page, supervision_view_api),
    ("supervision", "record", ""): both(_record),
    ("supervision", "manage", ""): both(_manage),
}


# --- group work: its own block (merged into PROBES below) -------------------------------------


def _group(c: Any, *, owner: Any = None) -> Any:
    from shequ.casework.models import Group

    return Group.objects.create(
        area=community(c),
        area_path=community(c).path,
        name="探针小组",
        aims="探针",
        planned_sessions=4,
        scale="wellbeing",
        owner=owner or c.user,
    )


def group_list_page(c: Any, client: Client) -> tuple[bool, str]:
    group = _group(c)
    r = client.get("/casework/groups/", {"q": "探针小组"})
    if r.status_code != 200:
        return refused(r), community(c).path
    return f'href="/casework/groups/{group.pk}/"' in r.content.decode(), community(c).path


def group_list_api(c: Any, client: Client) -> tuple[bool, str]:
    group = _group(c)
    r = client.get("/api/casework/groups", {"q": "探针小组"})
    assert r.status_code == 200
    return any(i["id"] == group.pk for i in r.json()["items"]), community(c).path


def group_detail_page(c: Any, client: Client) -> tuple[bool, str]:
    r = client.get(f"/casework/groups/{_group(c).pk}/")
    return (r.status_code == 200 or refused(r)), community(c).path


def group_detail_api(c: Any, client: Client) -> tuple[bool, str]:
    r = client.get(f"/api/casework/groups/{_group(c).pk}")
    return (r.status_code == 200 or refused(r)), community(c).path


def _group_create(c: Any, client: Client, *, api: bool) -> tuple[bool, str]:
    from shequ.casework.models import Group

    body = {"name": "新小组探针", "aims": "探针", "planned_sessions": 3, "scale": "agreement"}
    if api:
        r = client.post(
            "/api/casework/groups", {"area_id": community(c).pk, **body}, content_type="application/json"
        )
    else:
        r = client.post("/casework/groups/new/", {"area": community(c).pk, **body})
    ok = Group.objects.filter(name="新小组探针").exists()
    return outcome(ok, r, 201 if api else 302), community(c).path


def _group_work(c: Any, client: Client, *, api: bool) -> tuple[bool, str]:
    """The actor's own group with two members, started (形成): the group worker's guard passes."""
    from shequ.casework.models import GroupMember, GroupStage

    group = _group(c)
    for name in ("组员甲", "组员乙"):
        GroupMember.objects.create(group=group, resident=c.resident_factory(c.building, name=name))
    if api:
        r = client.post(
            f"/api/casework/groups/{group.pk}/form",
            {"version": group.version},
            content_type="application/json",
        )
    else:
        r = client.post(f"/casework/groups/{group.pk}/form/", {"version": group.version})
    group.refresh_from_db()
    return outcome(group.stage == GroupStage.FORMATION, r, 200 if api else 302), community(c).path


GROUP_PROBES = {
    ("group", "view", "list"): (group_list_page, group_list_api),
    ("group", "view", "detail"): (group_detail_page, group_detail_api),
    ("group", "create", ""): (
        lambda c, cl: _group_create(c, cl, api=False),
        lambda c, cl: _group_create(c, cl, api=True),
    ),
    ("group", "work", ""): (
        lambda c, cl: _group_work(c, cl, api=False),
        lambda c, cl: _group_work(c, cl, api=True),
    ),
}
PROBES.update(GROUP_PROBES)
