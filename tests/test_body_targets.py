"""Writes whose target is in the body (issue 13): the permission matrix probes ids in the path; this
probe takes every operation of the OpenAPI schema with a request body and, for each field that names
another object (`*_id`, `*_ids`, `username`), sends the id of an object of ANOTHER community. The
answer must be a refusal (400/403/404) with the same status, code and message as for an id that does
not exist, and nothing may change (no row, no audit entry). The same for the page forms that take such
fields. Every other field is filled from the caller's own community, so only the one field is foreign.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.utils import timezone

from conftest import Tree, login_client, make_user, token_client
from shequ.api import api
from shequ.appeals import services as appeal_services
from shequ.appeals.models import Appeal, Category
from shequ.casework import services as casework_services
from shequ.core.idnumber import make_id_number
from shequ.core.models import Area, User
from shequ.core.roles import Role
from shequ.needs import services as needs_services
from shequ.registry import services as registry_services
from shequ.resources import services as resource_services
from shequ.volunteering import services as volunteer_services

pytestmark = pytest.mark.django_db

MISSING_ID = 987_654_321
MISSING_NAME = "no_such_account_here"

# What each body field names. A new field that names an object and is not here fails the test.
FIELD_KIND = {
    "area_id": "community",
    "parent_id": "community",
    "building_id": "building",
    "username": "username",
    "user_id": "staff",
    "resident_id": "resident",
    "party_member_id": "resident",
    "activist_id": "resident",
    "backbone_ids": "resident",
    "attendee_ids": "resident",
    "household_id": "household",
    "beneficiary_household_ids": "household",
    "organisation_id": "organisation",
    "property_company_id": "organisation",
    "head_id": "resident",
    "provider_organisation_id": "organisation",
    "beneficiary_organisation_ids": "organisation",
    "participant_organisation_ids": "organisation",
    "into_id": "other_appeal",
    "appeal_id": "appeal",
    "team_id": "team",
    "leader_id": "volunteer",
    "volunteer_id": "volunteer",
    "venue_id": "venue",
    "visit_id": "visit",
    "shift_id": "shift",
    "meeting_id": "meeting",
    "case_ids": "case",
    "link_id": "supervision_link",
}
# Path parameters filled with the caller's own objects.
PATH_KIND = {
    "appeal_id": "appeal",
    "activity_id": "activity",
    "resource_id": "resource",
    "team_id": "team",
    "survey_id": "survey",
    "area_id": "community",
}
# Operations this probe leaves alone, with the reason.
LEFT_ALONE = {
    "POST /api/auth/token": "signing in: the user name is the caller's own (core/tests/test_auth.py)",
}
# Objects not built in the fixture yet: an operation whose path needs one is listed, not probed.
NOT_BUILT = {"group_id", "problem_id", "shift", "meeting"}

# Fields of which a body holds one or another: probing one, the others are left out.
ONE_OF = {
    "POST /api/appeals/{appeal_id}/dispatch": ("user_id", "organisation_id", "team_id"),
    "POST /api/visits": ("resident_id", "household_id", "organisation_id"),
    "POST /api/needs": ("resident_id", "household_id", "organisation_id"),
    "POST /api/surveys/{survey_id}/responses": ("resident_id", "organisation_id"),
}

# Valid values of the other fields, per operation (the rest come from the schema's types).
BODY: dict[str, dict[str, Any]] = {
    "POST /api/assignments": {"role": "resident"},
    "POST /api/areas": {"name": "探针网格"},
    "POST /api/grants": {"kind": "minors", "reason": "核对未成年人名单", "days": 7},
    "POST /api/residents": {"name": "探针", "id_number": make_id_number("440605", date(1990, 1, 1), 99, "M")},
    "POST /api/organisations": {"name": "探针协会", "kind": "social_organisation"},
    "POST /api/resources": {"name": "探针资源", "kind": "material"},
    "POST /api/appeals": {"category": "roads_facilities", "description": "路灯坏了，晚上看不清楚路"},
    "POST /api/volunteers": {"name": "探针", "phone": "13800138777"},
    "POST /api/teams": {"name": "探针队", "kind": "patrol", "level": "community"},
    "POST /api/visits": {"notes": "探访"},
    "POST /api/needs": {"category": "elderly_care", "description": "需要助餐"},
    "POST /api/surveys": {"title": "探针测评", "respondents": "residents"},
    "POST /api/surveys/{survey_id}/responses": {"score": 5},
    "POST /api/reports": {"kind": "monthly", "format": "xlsx", "month": 1},
    "POST /api/activities": {"title": "探针活动", "kind": "volunteer_service", "capacity": 3},
    "POST /api/youth-groups": {"name": "探针小组"},
}


@dataclass
class Side:
    """One community's objects, by kind."""

    objects: dict[str, Any] = field(default_factory=dict)

    def pk(self, kind: str) -> Any:
        obj = self.objects[kind]
        return obj.username if kind == "username" else obj.pk


@dataclass
class World:
    tree: Tree
    sides: dict[str, Side]
    callers: dict[str, tuple[User, str]]  # name -> (user, the side that is foreign to them)


def _side(tree: Tree, tag: str, community: Area, grid: Area, building: Area, resident_factory: Any) -> Side:
    admin = make_user(Role.DISTRICT_ADMIN, community.parent.parent, username=f"{tag}_qu")  # type: ignore[union-attr]
    staff = make_user(Role.COMMUNITY_STAFF, community, username=f"{tag}_shequ")
    account = make_user(Role.RESIDENT, building, username=f"{tag}_ju")
    resident = resident_factory(building, name=f"{tag}居民")
    organisation = registry_services.organisation_create(
        by=admin, area=community, name=f"{tag}舞蹈队", kind="social_organisation"
    )
    resource = resource_services.resource_create(
        by=admin, area=community, name=f"{tag}多功能室", kind="material", venue={"capacity": 40}
    )
    appeal = appeal_services.appeal_report(
        by=account,
        area=building,
        category=Category.objects.get(code="roads_facilities"),
        description="楼下路面有个大坑，晚上看不清容易摔倒",
    )
    appeal = appeal_services.appeal_accept(appeal=appeal, by=staff, version=appeal.version)
    other_appeal = appeal_services.appeal_report(
        by=account,
        area=building,
        category=Category.objects.get(code="roads_facilities"),
        description="路灯不亮了，晚上很黑",
    )
    volunteer = volunteer_services.volunteer_register(
        by=admin, area=community, name=f"{tag}志愿者", phone=f"139{abs(hash(tag)) % 10**8:08d}", verify=True
    )
    team = volunteer_services.team_create(
        by=admin, area=community, name=f"{tag}巡逻队", kind="patrol", level="community"
    )
    starts = timezone.now() + timedelta(days=2)
    activity = volunteer_services.activity_create(
        by=admin,
        area=community,
        title=f"{tag}长者探访",
        kind="volunteer_service",
        organiser_kind="social_worker",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        capacity=3,
    )
    activity = volunteer_services.activity_publish(by=admin, activity=activity, version=activity.version)
    visit = needs_services.visit_log(by=staff, resident=resident, notes="独居")
    today = timezone.localdate()
    survey = needs_services.survey_create(
        by=staff,
        area=community,
        title="满意度测评",
        respondents="residents",
        opens_on=today,
        closes_on=today + timedelta(days=30),
    )
    # Casework: the side's social worker supervises a worker who has a case (a session discusses it).
    social_worker = make_user(Role.SOCIAL_WORKER, community, username=f"{tag}_shegong")
    supervisee = make_user(Role.SOCIAL_WORKER, community, username=f"{tag}_shegong2")
    link = casework_services.supervision_link(
        by=admin, area=community, supervisor=social_worker, worker=supervisee
    )
    case = casework_services.case_open(by=supervisee, source="walk_in", resident=resident, problem="独居")
    return Side(
        {
            "community": community,
            "case": case,
            "supervision_link": link,
            "grid": grid,
            "building": building,
            "staff": staff,
            "username": account,
            "resident": resident,
            "household": resident.household,
            "organisation": organisation,
            "resource": resource,
            "venue": resource.venue,
            "appeal": appeal,
            "other_appeal": other_appeal,
            "volunteer": volunteer,
            "team": team,
            "activity": activity,
            "visit": visit,
            "survey": survey,
        }
    )


@pytest.fixture
def world(tree: Tree, resident_factory: Any) -> World:
    t = tree
    sides = {
        "own": _side(t, "own", t.community, t.grid, t.building, resident_factory),
        "other": _side(
            t,
            "other",
            t.other_community,
            t.other_community.children.get(),
            t.other_building,
            resident_factory,
        ),
        "far": _side(t, "far", t.far_community, t.far_grid, t.far_building, resident_factory),
    }
    callers = {
        "community_staff": (sides["own"].objects["staff"], "other"),
        "social_worker": (User.objects.get(username="own_shegong"), "other"),
        "grid_worker": (make_user(Role.GRID_WORKER, t.grid, username="own_wangge"), "other"),
        "district_admin": (User.objects.get(username="own_qu"), "far"),
    }
    return World(t, sides, callers)


# --- the schema -------------------------------------------------------------------------------------


def _components() -> dict[str, Any]:
    return api.get_openapi_schema()["components"]["schemas"]


def _deref(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].split("/")[-1]]
    if "anyOf" in schema:  # an optional field: its non-null form
        schema = next((s for s in schema["anyOf"] if s.get("type") != "null"), schema["anyOf"][0])
        return _deref(schema, components)
    return schema


def names_an_object(name: str) -> bool:
    return name.endswith(("_id", "_ids")) or name == "username"


@dataclass(frozen=True)
class Operation:
    key: str  # "POST /api/…"
    method: str
    path: str
    properties: dict[str, dict[str, Any]]
    required: tuple[str, ...]

    @property
    def targets(self) -> list[str]:
        return [n for n in self.properties if names_an_object(n)]


def body_operations() -> list[Operation]:
    schema = api.get_openapi_schema()
    components = schema["components"]["schemas"]
    out = []
    for path, operations in schema["paths"].items():
        for method, op in operations.items():
            content = (op.get("requestBody") or {}).get("content", {})
            if "application/json" not in content:
                continue
            body = _deref(content["application/json"]["schema"], components)
            props = {n: _deref(p, components) for n, p in body.get("properties", {}).items()}
            out.append(
                Operation(f"{method.upper()} {path}", method, path, props, tuple(body.get("required", [])))
            )
    return [o for o in out if o.targets and o.key not in LEFT_ALONE]


def _plain(prop: dict[str, Any]) -> Any:
    if "enum" in prop:
        return prop["enum"][0]
    kind, fmt = prop.get("type"), prop.get("format", "")
    now = timezone.localtime() + timedelta(days=3)
    if fmt == "date":
        return timezone.localdate().isoformat()
    if fmt == "date-time":
        return now.replace(hour=9, minute=0, second=0, microsecond=0).isoformat()
    return {"string": "探针", "integer": 1, "number": 1, "boolean": False, "array": [], "object": {}}.get(
        kind
    )


def _version_of(obj: Any) -> int:
    return type(obj)._default_manager.filter(pk=obj.pk).values_list("version", flat=True).get()


def build_request(op: Operation, own: Side, probing: str = "") -> tuple[str, dict[str, Any]] | None:
    """The URL with the caller's own objects in the path, and a body valid in the caller's community
    (without the fields of which the body holds one or another, but for `probing`)."""
    names = re.findall(r"{(\w+)}", op.path)
    if any(n not in PATH_KIND or PATH_KIND[n] in NOT_BUILT or n in NOT_BUILT for n in names):
        return None
    url = op.path.format(**{n: own.pk(PATH_KIND[n]) for n in names})
    body: dict[str, Any] = {}
    for name, prop in op.properties.items():
        if names_an_object(name):
            kind = FIELD_KIND[name]
            if kind in NOT_BUILT:
                continue
            value = own.pk(kind)
            body[name] = [value] if name.endswith("_ids") else value
        elif name == "version" and names:
            body[name] = _version_of(own.objects[PATH_KIND[names[0]]])
        elif name in op.required:
            body[name] = _plain(prop)
    body.update(BODY.get(op.key, {}))
    group = ONE_OF.get(op.key, ())
    kept = (probing,) if probing in group else group[:1]
    for other in group:
        if probing and other not in kept:
            body.pop(other, None)
    if "starts_at" in body and "ends_at" in body:  # two hours, three days from now
        starts = (timezone.localtime() + timedelta(days=3)).replace(hour=9, minute=0, second=0, microsecond=0)
        body["starts_at"], body["ends_at"] = starts.isoformat(), (starts + timedelta(hours=2)).isoformat()
    if "year" in op.properties:
        body["year"] = timezone.localdate().year
    return url, body


# --- what changed ------------------------------------------------------------------------------------


def snapshot() -> tuple[int, ...]:
    """Row counts of every table of the product's apps (the audit log among them)."""
    return tuple(m._default_manager.count() for m in apps.get_models() if m.__module__.startswith("shequ."))


def answer(response: Any) -> tuple[int, Any, Any]:
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    return response.status_code, body.get("code"), body.get("message")


def send(client: Client, method: str, url: str, body: dict[str, Any]) -> Any:
    return getattr(client, method)(url, body, content_type="application/json")


# --- the probe ---------------------------------------------------------------------------------------


def test_every_field_that_names_an_object_is_known() -> None:
    unknown = {n for op in body_operations() for n in op.targets if n not in FIELD_KIND}
    assert not unknown, f"add these body fields to FIELD_KIND (what they name): {sorted(unknown)}"


def test_no_body_field_reaches_an_object_of_another_community(world: World) -> None:
    own = world.sides["own"]
    failures: list[str] = []
    probed = 0
    for caller, (user, foreign_side) in world.callers.items():
        client = token_client(user)
        foreign = world.sides[foreign_side]
        for op in body_operations():
            for name in op.targets:
                kind = FIELD_KIND[name]
                built = build_request(op, own, name)
                if built is None or kind in NOT_BUILT:
                    continue
                url, body = built
                missing_value: Any = MISSING_NAME if kind == "username" else MISSING_ID
                foreign_value: Any = foreign.pk(kind)
                if name.endswith("_ids"):
                    missing_value, foreign_value = [missing_value], [foreign_value]
                missing = answer(send(client, op.method, url, {**body, name: missing_value}))
                before = snapshot()
                response = send(client, op.method, url, {**body, name: foreign_value})
                got = answer(response)
                probed += 1
                where = f"{caller}: {op.key} {name}={foreign_value!r}"
                if got[0] not in (400, 403, 404):
                    failures.append(f"{where} answered {got[0]}: {response.content[:160]!r}")
                elif got != missing:
                    failures.append(f"{where} answered {got}, a missing one {missing}")
                if snapshot() != before:
                    failures.append(f"{where} changed something")
    assert probed > 100
    assert not failures, "\n".join(failures)


# --- the page forms ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageForm:
    """A page form with a field that names another object: url(own side), the other fields, the field
    and how its value is written (value(pk or username))."""

    name: str
    url: Callable[[Side], str]
    data: Callable[[Side], dict[str, Any]]
    field: str
    kind: str
    value: Callable[[Any], str] = str


PAGE_FORMS = [
    PageForm(
        "assignment: the account",
        lambda s: f"/areas/{s.pk('building')}/people/grant/",
        lambda s: {"role": "resident"},
        "username",
        "username",
    ),
    PageForm(
        "volunteer: the account",
        lambda s: "/volunteers/new/",
        lambda s: {"area": s.pk("community"), "name": "探针", "phone": "13800138777"},
        "username",
        "username",
    ),
    PageForm(
        "volunteer: the resident",
        lambda s: "/volunteers/new/",
        lambda s: {"area": s.pk("community"), "name": "探针", "phone": "13800138777"},
        "resident",
        "resident",
    ),
    PageForm(
        "appeal: dispatch to a person",
        lambda s: f"/appeals/{s.pk('appeal')}/dispatch/",
        lambda s: {"version": _version_of(s.objects["appeal"])},
        "to",
        "staff",
        lambda pk: f"user:{pk}",
    ),
    PageForm(
        "appeal: dispatch to a unit",
        lambda s: f"/appeals/{s.pk('appeal')}/dispatch/",
        lambda s: {"version": _version_of(s.objects["appeal"])},
        "to",
        "organisation",
        lambda pk: f"org:{pk}",
    ),
    PageForm(
        "appeal: merge into",
        lambda s: f"/appeals/{s.pk('appeal')}/merge/",
        lambda s: {"version": _version_of(s.objects["appeal"])},
        "into",
        "appeal",
    ),
    PageForm(
        "supervision session: a case discussed",
        lambda s: "/casework/supervision/sessions/new/",
        lambda s: {
            "link": s.pk("supervision_link"),
            "held_on": timezone.localdate().isoformat(),
            "hours": "1",
            "topics": "探针",
        },
        "case_ids",
        "case",
    ),
    PageForm(
        "resident: link an account",
        lambda s: f"/residents/{s.pk('resident')}/account/",
        lambda s: {},
        "username",
        "username",
    ),
]


def _page_answer(response: Any) -> tuple[int, str]:
    """The status and the error shown (the form's errors, or the page's message), without the parts that
    echo what was typed."""
    text = response.content.decode("utf-8", "replace")
    errors = re.findall(r'role="alert"[^>]*>(.*?)</(?:small|div|ul)>', text, re.S)
    return response.status_code, "|".join(re.sub(r"<[^>]+>", "", e).strip() for e in errors)


def test_no_page_form_reaches_an_object_of_another_community(world: World) -> None:
    own = world.sides["own"]
    failures: list[str] = []
    for caller, (user, foreign_side) in world.callers.items():
        client = login_client(user)
        foreign = world.sides[foreign_side]
        for form in PAGE_FORMS:
            missing_value = MISSING_NAME if form.kind == "username" else form.value(MISSING_ID)
            missing = _page_answer(client.post(form.url(own), {**form.data(own), form.field: missing_value}))
            before = snapshot()
            response = client.post(
                form.url(own), {**form.data(own), form.field: form.value(foreign.pk(form.kind))}
            )
            got = _page_answer(response)
            where = f"{caller}: {form.name}"
            if got[0] not in (400, 403, 404):
                failures.append(f"{where} answered {got[0]}")
            elif got != missing:
                failures.append(f"{where} answered {got}, a missing one {missing}")
            if snapshot() != before:
                failures.append(f"{where} changed something")
    assert not failures, "\n".join(failures)


def test_the_probe_sends_valid_requests_for_the_callers_own_objects(world: World) -> None:
    """The probe means something only if its bodies are otherwise valid: with the caller's own objects
    the key writes go through."""
    own = world.sides["own"]
    client = token_client(world.callers["community_staff"][0])
    for key in ("POST /api/assignments", "POST /api/appeals/{appeal_id}/dispatch"):
        op = next(o for o in body_operations() if o.key == key)
        built = build_request(op, own)
        assert built is not None
        url, body = built
        if key == "POST /api/assignments":
            body["area_id"] = own.pk("building")
            body["role"] = "building_head"
        if key == "POST /api/appeals/{appeal_id}/dispatch":
            body.pop("organisation_id")
            body.pop("team_id", None)
            body["user_id"] = world.callers["grid_worker"][0].pk
        r = send(client, op.method, url, body)
        assert r.status_code in (200, 201), (key, r.content[:300])
    assert Appeal.objects.get(pk=own.pk("appeal")).handler_user_id == world.callers["grid_worker"][0].pk


def test_the_probe_sends_a_valid_supervision_session_for_the_supervisors_own_link_and_case(
    world: World,
) -> None:
    own = world.sides["own"]
    op = next(o for o in body_operations() if o.key == "POST /api/casework/supervision/sessions")
    built = build_request(op, own)
    assert built is not None
    url, body = built
    body["hours"] = "1.5"
    response = send(token_client(world.callers["social_worker"][0]), "post", url, body)
    assert response.status_code == 201, response.content[:300]
