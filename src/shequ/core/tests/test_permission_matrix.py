"""The permission matrix, generated from core/policy.py: every role, inside and outside its area,
every declared action, through the pages and through the API. Any allow the declaration does not
grant fails, and so does any refusal it does grant."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.apps import apps
from django.test import Client

from conftest import (
    HOME,
    PASSWORD,
    Actors,
    Tree,
    build_tree,
    fresh_tree,
    login_client,
    make_area,
    make_user,
    module_transaction,
    token_client,
)
from shequ.core.audit import audit_log
from shequ.core.models import Area, AuditAction, ImportJob, RoleAssignment, User
from shequ.core.policy import RESOURCES, UNSCOPED
from shequ.core.roles import Role
from shequ.core.tests.matrix_sensitive import SENSITIVE_PROBES
from shequ.core.tests.probes import Case, Probe, community, listed, outcome, refused, shown
from shequ.registry.models import Household, Organisation, Resident, Veteran
from shequ.resources.models import Resource

pytestmark = pytest.mark.django_db


# --- probes: each sets up its target, tries the action, and reports whether it was allowed ------


def _the_building(c: Case) -> Area:
    return c.building


area_list_page, area_list_api = listed(
    _the_building, page="/areas/", api="/api/areas", query=lambda c: c.building.name, open_page=True
)
area_detail_page, area_detail_api = shown(_the_building, page="/areas/{pk}/", api="/api/areas/{pk}")


def _created(c: Case) -> bool:
    return Area.objects.filter(parent=c.grid, name="新建楼栋").exists()


def area_create_page(c: Case, client: Client) -> tuple[bool, str]:
    r = client.post(f"/areas/{c.grid.pk}/new/", {"name": "新建楼栋"})
    return outcome(_created(c), r, 302), c.grid.path


def area_create_api(c: Case, client: Client) -> tuple[bool, str]:
    r = client.post(
        "/api/areas", {"parent_id": c.grid.pk, "name": "新建楼栋"}, content_type="application/json"
    )
    return outcome(_created(c), r, 201), c.grid.path


def area_update_page(c: Case, client: Client) -> tuple[bool, str]:
    b = c.building
    r = client.post(f"/areas/{b.pk}/edit/", {"name": "改名后", "version": b.version})
    return outcome(Area.objects.get(pk=b.pk).name == "改名后", r, 302), b.path


def area_update_api(c: Case, client: Client) -> tuple[bool, str]:
    b = c.building
    r = client.patch(
        f"/api/areas/{b.pk}", {"version": b.version, "name": "改名后"}, content_type="application/json"
    )
    return outcome(Area.objects.get(pk=b.pk).name == "改名后", r, 200), b.path


def area_delete_page(c: Case, client: Client) -> tuple[bool, str]:
    empty = make_area(c.grid, "待删除楼栋")
    r = client.post(f"/areas/{empty.pk}/delete/")
    return outcome(not Area.objects.filter(pk=empty.pk).exists(), r, 302), empty.path


def area_delete_api(c: Case, client: Client) -> tuple[bool, str]:
    empty = make_area(c.grid, "待删除楼栋")
    r = client.delete(f"/api/areas/{empty.pk}")
    return outcome(not Area.objects.filter(pk=empty.pk).exists(), r, 204), empty.path


def _probe_user(c: Case) -> User:
    return make_user(Role.RESIDENT, c.building, username=f"probe_{c.side}")


assignment_list_page, assignment_list_api = listed(
    _probe_user,
    page="/people/",
    api="/api/assignments",
    query=lambda c: f"probe_{c.side}",
    page_marker=lambda c, u: f"<td>{u.username}</td>",
    api_match=lambda item, c, u: item["username"] == u.username,
)


def assignment_create_page(c: Case, client: Client) -> tuple[bool, str]:
    r = client.post(
        f"/areas/{c.building.pk}/people/new/",
        {"username": "newcomer", "password": PASSWORD, "role": "resident"},
    )
    ok = RoleAssignment.objects.filter(user__username="newcomer", area=c.building).exists()
    return outcome(ok, r, 302), c.building.path


def assignment_create_api(c: Case, client: Client) -> tuple[bool, str]:
    # An account of the target's community (a granter reaches only accounts of their own areas).
    community = c.tree.community if c.side == "inside" else c.tree.far_community
    make_user(Role.VOLUNTEER, community, username="newcomer")
    r = client.post(
        "/api/assignments",
        {"username": "newcomer", "role": "resident", "area_id": c.building.pk},
        content_type="application/json",
    )
    ok = RoleAssignment.objects.filter(user__username="newcomer", area=c.building).exists()
    return outcome(ok, r, 201), c.building.path


def assignment_delete_page(c: Case, client: Client) -> tuple[bool, str]:
    held = _probe_user(c).assignments.get()
    r = client.post(f"/people/roles/{held.pk}/revoke/")
    return outcome(not RoleAssignment.objects.filter(pk=held.pk).exists(), r, 302), c.building.path


def assignment_delete_api(c: Case, client: Client) -> tuple[bool, str]:
    held = _probe_user(c).assignments.get()
    r = client.delete(f"/api/assignments/{held.pk}")
    return outcome(not RoleAssignment.objects.filter(pk=held.pk).exists(), r, 204), c.building.path


def _audit_marker(c: Case) -> str:
    marker = f"audit-probe-{c.side}"
    audit_log(action=AuditAction.UPDATE, object_repr=marker, area_path=c.building.path)
    return marker


audit_view_page, audit_view_api = listed(
    _audit_marker,
    page="/audit/",
    api="/api/audit",
    page_extra={"actor": ""},
    page_marker=lambda c, marker: marker,
    api_match=lambda item, c, marker: item["object_repr"] == marker,
)


def _stat(content: str, testid: str) -> int:
    m = re.search(rf'data-testid="{testid}"><b>([\d,]+)</b>', content)
    return int(m.group(1).replace(",", "")) if m else 0


def household_view_page(c: Case, client: Client) -> tuple[bool, str]:
    c.resident_factory(c.building)
    r = client.get(f"/areas/{c.building.pk}/")
    if r.status_code != 200:
        return refused(r), c.building.path
    return _stat(r.content.decode(), "stat-households") == 1, c.building.path


def household_view_api(c: Case, client: Client) -> tuple[bool, str]:
    c.resident_factory(c.building)
    r = client.get(f"/api/areas/{c.building.pk}/summary")
    if r.status_code != 200:
        return refused(r), c.building.path
    return r.json()["counts"].get("households") == 1, c.building.path


def _org(c: Case) -> None:
    Organisation.objects.create(area=c.building, kind="unit", name="探针单位")


def organisation_view_page(c: Case, client: Client) -> tuple[bool, str]:
    _org(c)
    r = client.get(f"/areas/{c.building.pk}/")
    if r.status_code != 200:
        return refused(r), c.building.path
    return _stat(r.content.decode(), "stat-organisations") == 1, c.building.path


def organisation_view_api(c: Case, client: Client) -> tuple[bool, str]:
    _org(c)
    r = client.get(f"/api/areas/{c.building.pk}/summary")
    if r.status_code != 200:
        return refused(r), c.building.path
    return r.json()["counts"].get("organisations") == 1, c.building.path


resident_list_page, resident_list_api = listed(
    lambda c: c.resident_factory(c.building, name="探针居民"),
    page="/residents/",
    api="/api/residents",
    query="探针居民",
)
resident_detail_page, resident_detail_api = shown(
    lambda c: c.resident_factory(c.building), page="/residents/{pk}/", api="/api/residents/{pk}"
)


def _full_id(person: Any) -> str:
    from shequ.core.crypto import decrypt
    from shequ.registry.services import ID_CONTEXT

    return decrypt(person.id_number_encrypted, context=ID_CONTEXT)


def resident_reveal_page(c: Case, client: Client) -> tuple[bool, str]:
    person = c.resident_factory(c.building)
    r = client.post(f"/residents/{person.pk}/reveal/")
    if r.status_code != 200:
        return refused(r), c.building.path
    assert _full_id(person) in r.content.decode()
    return True, c.building.path


def resident_reveal_api(c: Case, client: Client) -> tuple[bool, str]:
    person = c.resident_factory(c.building)
    r = client.post(f"/api/residents/{person.pk}/reveal")
    if r.status_code != 200:
        return refused(r), c.building.path
    assert r.json()["id_number"] == _full_id(person)
    return True, c.building.path


def _registered(c: Case) -> bool:
    return Resident.objects.filter(name="新登记居民", area=c.building).exists()


def _new_person(c: Case) -> dict[str, Any]:
    return {
        "name": "新登记居民",
        "id_type": "resident_id",
        "id_number": "11010519491231002X",
        "room": "909",
        "relation": "户主",
        "registration": "household",
        "political_status": "masses",
    }


def resident_create_page(c: Case, client: Client) -> tuple[bool, str]:
    r = client.post(f"/areas/{c.building.pk}/residents/new/", _new_person(c))
    return outcome(_registered(c), r, 302), c.building.path


def resident_create_api(c: Case, client: Client) -> tuple[bool, str]:
    r = client.post(
        "/api/residents", {"building_id": c.building.pk, **_new_person(c)}, content_type="application/json"
    )
    return outcome(_registered(c), r, 201), c.building.path


def household_create_page(c: Case, client: Client) -> tuple[bool, str]:
    r = client.post(f"/areas/{c.building.pk}/residents/new/", _new_person(c))
    ok = Household.objects.filter(area=c.building, room="909").exists()
    return outcome(ok, r, 302), c.building.path


def household_create_api(c: Case, client: Client) -> tuple[bool, str]:
    r = client.post(
        "/api/residents", {"building_id": c.building.pk, **_new_person(c)}, content_type="application/json"
    )
    ok = Household.objects.filter(area=c.building, room="909").exists()
    return outcome(ok, r, 201), c.building.path


def resident_update_page(c: Case, client: Client) -> tuple[bool, str]:
    person = c.resident_factory(c.building)
    r = client.post(
        f"/residents/{person.pk}/edit/",
        {
            "name": "改名居民",
            "registration": "household",
            "political_status": "masses",
            "version": person.version,
        },
    )
    return outcome(Resident.objects.get(pk=person.pk).name == "改名居民", r, 302), c.building.path


def resident_update_api(c: Case, client: Client) -> tuple[bool, str]:
    person = c.resident_factory(c.building)
    r = client.patch(
        f"/api/residents/{person.pk}",
        {"version": person.version, "name": "改名居民"},
        content_type="application/json",
    )
    return outcome(Resident.objects.get(pk=person.pk).name == "改名居民", r, 200), c.building.path


def _names_in_xlsx(content: bytes) -> set[str]:
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return {str(row[0]) for row in sheet.iter_rows(min_row=2, values_only=True)}


def resident_export_page(c: Case, client: Client) -> tuple[bool, str]:
    c.resident_factory(c.building, name="探针居民")
    r = client.get("/residents/export.xlsx", {"q": "探针居民"})
    if r.status_code != 200:
        return refused(r), c.building.path
    return "探针居民" in _names_in_xlsx(r.content), c.building.path


def resident_export_api(c: Case, client: Client) -> tuple[bool, str]:
    c.resident_factory(c.building, name="探针居民")
    r = client.get("/api/residents/export", {"q": "探针居民"})
    if r.status_code != 200:
        return refused(r), c.building.path
    return "探针居民" in _names_in_xlsx(r.content), c.building.path


def _csv(c: Case) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = f"姓名,证件号码,网格,楼栋,房号\n导入居民,11010519491231002X,{c.grid.name},{c.building.name},101\n"
    return SimpleUploadedFile("residents.csv", text.encode(), content_type="text/csv")


def resident_import_page(c: Case, client: Client) -> tuple[bool, str]:
    r = client.post(f"/residents/import/?area={c.grid.pk}", {"file": _csv(c)})
    return outcome(ImportJob.objects.exists(), r, 302), c.grid.path


def resident_import_api(c: Case, client: Client) -> tuple[bool, str]:
    r = client.post(f"/api/residents/import?area={c.grid.pk}", {"file": _csv(c)})
    return outcome(ImportJob.objects.exists(), r, 201), c.grid.path


def _kind_csv(c: Case, kind: str) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = {
        "buildings": f"网格,楼栋\n{c.grid.name},导入楼栋\n",
        "households": f"网格,楼栋,房号\n{c.grid.name},{c.building.name},808\n",
        "organisations": "名称,类型\n导入单位,辖区单位\n",
    }[kind]
    return SimpleUploadedFile(f"{kind}.csv", text.encode(), content_type="text/csv")


def _kind_import_page(kind: str) -> Probe:
    def probe(c: Case, client: Client) -> tuple[bool, str]:
        r = client.post(f"/{kind}/import/?area={c.grid.pk}", {"file": _kind_csv(c, kind)})
        return outcome(ImportJob.objects.filter(kind=kind).exists(), r, 302), c.grid.path

    return probe


def _kind_import_api(kind: str) -> Probe:
    def probe(c: Case, client: Client) -> tuple[bool, str]:
        r = client.post(f"/api/{kind}/import?area={c.grid.pk}", {"file": _kind_csv(c, kind)})
        return outcome(ImportJob.objects.filter(kind=kind).exists(), r, 201), c.grid.path

    return probe


def _column_in_xlsx(content: bytes, column: int) -> set[str]:
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return {str(row[column]) for row in sheet.iter_rows(min_row=2, values_only=True)}


def _export_probe(url: str, q: str, column: int, make: Callable[[Case], str]) -> Probe:
    def probe(c: Case, client: Client) -> tuple[bool, str]:
        expected = make(c)
        r = client.get(url, {"q": q})
        if r.status_code != 200:
            return refused(r), c.building.path
        return expected in _column_in_xlsx(r.content, column), c.building.path

    return probe


def _household_address(c: Case) -> str:
    person = c.resident_factory(c.building)
    return str(person.household.address)


def _organisation_name(c: Case) -> str:
    _org(c)
    return "探针单位"


def _child(c: Case) -> Any:
    return c.resident_factory(c.building, name="小朋友", born=date(2019, 6, 1))


resident_minor_page, resident_minor_api = shown(_child, page="/residents/{pk}/", api="/api/residents/{pk}")


def _veteran(c: Case) -> Any:
    person = c.resident_factory(c.building)
    Veteran.objects.create(resident=person, served_from=1998, served_to=2002)
    return person


def special_group_view_page(c: Case, client: Client) -> tuple[bool, str]:
    r = client.get(f"/residents/{_veteran(c).pk}/")
    if r.status_code != 200:
        return refused(r), c.building.path
    return 'class="group-card" data-group="veteran"' in r.content.decode(), c.building.path


def special_group_view_api(c: Case, client: Client) -> tuple[bool, str]:
    r = client.get(f"/api/residents/{_veteran(c).pk}/groups")
    if r.status_code != 200:
        return refused(r), c.building.path
    return [g["group"] for g in r.json()] == ["veteran"], c.building.path


def special_group_update_page(c: Case, client: Client) -> tuple[bool, str]:
    person = c.resident_factory(c.building)
    r = client.post(f"/residents/{person.pk}/groups/veteran/", {"served_from": 1998, "served_to": 2002})
    return outcome(Veteran.objects.filter(resident=person).exists(), r, 302), c.building.path


def special_group_update_api(c: Case, client: Client) -> tuple[bool, str]:
    person = c.resident_factory(c.building)
    r = client.put(
        f"/api/residents/{person.pk}/groups/veteran",
        {"served_from": 1998, "served_to": 2002},
        content_type="application/json",
    )
    return outcome(Veteran.objects.filter(resident=person).exists(), r, 200), c.building.path


def _resource(c: Case) -> Resource:
    return Resource.objects.create(area=c.building, name="探针资源", kind="material")


resource_list_page, resource_list_api = listed(
    _resource, page="/resources/", api="/api/resources", query="探针资源"
)
resource_detail_page, resource_detail_api = shown(
    _resource, page="/resources/{pk}/", api="/api/resources/{pk}"
)


def _resource_added(c: Case) -> bool:
    return Resource.objects.filter(area=c.building, name="新登记资源").exists()


def resource_create_page(c: Case, client: Client) -> tuple[bool, str]:
    r = client.post(
        f"/areas/{c.building.pk}/resources/new/",
        {"name": "新登记资源", "kind": "material", "status": "registered"},
    )
    return outcome(_resource_added(c), r, 302), c.building.path


def resource_create_api(c: Case, client: Client) -> tuple[bool, str]:
    r = client.post(
        "/api/resources",
        {"area_id": c.building.pk, "name": "新登记资源", "kind": "material"},
        content_type="application/json",
    )
    return outcome(_resource_added(c), r, 201), c.building.path


def resource_update_page(c: Case, client: Client) -> tuple[bool, str]:
    res = _resource(c)
    r = client.post(
        f"/resources/{res.pk}/edit/",
        {"name": "改名资源", "kind": "material", "status": "registered", "version": res.version},
    )
    return outcome(Resource.objects.get(pk=res.pk).name == "改名资源", r, 302), c.building.path


def resource_update_api(c: Case, client: Client) -> tuple[bool, str]:
    res = _resource(c)
    r = client.patch(
        f"/api/resources/{res.pk}",
        {"version": res.version, "name": "改名资源"},
        content_type="application/json",
    )
    return outcome(Resource.objects.get(pk=res.pk).name == "改名资源", r, 200), c.building.path


def resource_delete_page(c: Case, client: Client) -> tuple[bool, str]:
    res = _resource(c)
    r = client.post(f"/resources/{res.pk}/delete/")
    return outcome(not Resource.objects.filter(pk=res.pk).exists(), r, 302), c.building.path


def resource_delete_api(c: Case, client: Client) -> tuple[bool, str]:
    res = _resource(c)
    r = client.delete(f"/api/resources/{res.pk}")
    return outcome(not Resource.objects.filter(pk=res.pk).exists(), r, 204), c.building.path


def organisation_create_page(c: Case, client: Client) -> tuple[bool, str]:
    r = client.post(f"/areas/{c.building.pk}/organisations/new/", {"name": "新建单位", "kind": "unit"})
    return outcome(Organisation.objects.filter(name="新建单位").exists(), r, 302), c.building.path


def organisation_create_api(c: Case, client: Client) -> tuple[bool, str]:
    r = client.post(
        "/api/organisations",
        {"area_id": c.building.pk, "name": "新建单位", "kind": "unit"},
        content_type="application/json",
    )
    return outcome(Organisation.objects.filter(name="新建单位").exists(), r, 201), c.building.path


def _an_organisation(c: Case) -> Organisation:
    return Organisation.objects.create(area=c.building, kind="unit", name="待改单位")


def organisation_update_page(c: Case, client: Client) -> tuple[bool, str]:
    org = _an_organisation(c)
    r = client.post(
        f"/organisations/{org.pk}/edit/", {"name": "已改单位", "kind": "unit", "version": org.version}
    )
    return outcome(Organisation.objects.get(pk=org.pk).name == "已改单位", r, 302), c.building.path


def organisation_update_api(c: Case, client: Client) -> tuple[bool, str]:
    org = _an_organisation(c)
    r = client.patch(
        f"/api/organisations/{org.pk}",
        {"version": org.version, "name": "已改单位"},
        content_type="application/json",
    )
    return outcome(Organisation.objects.get(pk=org.pk).name == "已改单位", r, 200), c.building.path


def _appeal(c: Case, stage: str = "reported") -> Any:
    from shequ.appeals.models import Appeal, Category
    from shequ.appeals.services import appeal_report

    appeal = appeal_report(
        by=None,
        area=c.building,
        category=Category.objects.get(code="roads_facilities"),
        description="探针诉求",
        title="探针诉求",
        channel="patrol",
    )
    if stage != "reported":
        Appeal.objects.filter(pk=appeal.pk).update(stage=stage)
        appeal.refresh_from_db()
    return appeal


appeal_list_page, appeal_list_api = listed(
    _appeal, page="/appeals/", api="/api/appeals", query="探针诉求", open_page=True
)
appeal_detail_page, appeal_detail_api = shown(_appeal, page="/appeals/{pk}/", api="/api/appeals/{pk}")


def _appeal_reported(c: Case) -> bool:
    from shequ.appeals.models import Appeal

    return Appeal.objects.filter(area=c.building, description="新诉求探针").exists()


def appeal_create_page(c: Case, client: Client) -> tuple[bool, str]:
    from shequ.appeals.services import allowed_channels

    channels = allowed_channels(c.user, c.building) or ["resident"]
    r = client.post(
        f"/appeals/new/?area={c.building.pk}",
        {
            "area": c.building.pk,
            "category": "environment",
            "description": "新诉求探针",
            "priority": "normal",
            "channel": channels[0],
        },
    )
    return outcome(_appeal_reported(c), r, 302), c.building.path


def appeal_create_api(c: Case, client: Client) -> tuple[bool, str]:
    r = client.post(
        "/api/appeals",
        {"area_id": c.building.pk, "category": "environment", "description": "新诉求探针"},
        content_type="application/json",
    )
    return outcome(_appeal_reported(c), r, 201), c.building.path


# --- volunteering ---------------------------------------------------------------------------------


def _volunteer(c: Case) -> Any:
    from shequ.volunteering.services import volunteer_register

    return volunteer_register(by=None, area=community(c), name="探针志愿者", phone="13800138000")


volunteer_list_page, volunteer_list_api = listed(
    _volunteer, page="/volunteers/", api="/api/volunteers", query="探针志愿者", where=community
)


def _volunteer_added(c: Case) -> bool:
    from shequ.volunteering.models import Volunteer

    return Volunteer.objects.filter(area=community(c), name="新志愿者").exists()


def volunteer_manage_page(c: Case, client: Client) -> tuple[bool, str]:
    r = client.post("/volunteers/new/", {"area": community(c).pk, "name": "新志愿者", "phone": "13900139000"})
    return outcome(_volunteer_added(c), r, 302), community(c).path


def volunteer_manage_api(c: Case, client: Client) -> tuple[bool, str]:
    r = client.post(
        "/api/volunteers",
        {"area_id": community(c).pk, "name": "新志愿者", "phone": "13900139000"},
        content_type="application/json",
    )
    return outcome(_volunteer_added(c), r, 201), community(c).path


def _team(c: Case) -> Any:
    from shequ.volunteering.services import team_create

    return team_create(by=None, area=community(c), name="探针巡逻队", kind="patrol", level="community")


team_list_page, team_list_api = listed(
    _team,
    page="/volunteer-teams/",
    api="/api/teams",
    where=community,
    page_marker=lambda c, team: team.name,
)


def _team_added(c: Case) -> bool:
    from shequ.volunteering.models import Team

    return Team.objects.filter(area=community(c), name="新建队伍").exists()


def team_manage_page(c: Case, client: Client) -> tuple[bool, str]:
    r = client.post(
        "/volunteer-teams/",
        {"area": community(c).pk, "name": "新建队伍", "kind": "patrol", "level": "community"},
    )
    return outcome(_team_added(c), r, 302), community(c).path


def team_manage_api(c: Case, client: Client) -> tuple[bool, str]:
    r = client.post(
        "/api/teams",
        {"area_id": community(c).pk, "name": "新建队伍", "kind": "patrol", "level": "community"},
        content_type="application/json",
    )
    return outcome(_team_added(c), r, 201), community(c).path


def _activity(c: Case, *, publish: bool = True) -> Any:
    from datetime import timedelta

    from django.utils import timezone

    from shequ.volunteering.services import activity_create, activity_publish

    start = timezone.now() + timedelta(days=2)
    activity = activity_create(
        by=None,
        area=c.building,
        title="探针活动",
        kind="volunteer_service",
        organiser_kind="social_worker",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=10,
    )
    if publish:
        activity = activity_publish(by=None, activity=activity, version=activity.version)
    return activity


activity_list_page, activity_list_api = listed(
    _activity,
    page="/activities/",
    api="/api/activities",
    query="探针活动",
    page_extra={"when": "all"},
    open_page=True,
)
activity_detail_page, activity_detail_api = shown(
    _activity, page="/activities/{pk}/", api="/api/activities/{pk}"
)


def _published(activity: Any) -> bool:
    return type(activity).objects.get(pk=activity.pk).status == "published"


def activity_manage_page(c: Case, client: Client) -> tuple[bool, str]:
    draft = _activity(c, publish=False)
    r = client.post(f"/activities/{draft.pk}/publish/", {"version": draft.version})
    return outcome(_published(draft), r, 302), c.building.path


def activity_manage_api(c: Case, client: Client) -> tuple[bool, str]:
    draft = _activity(c, publish=False)
    r = client.post(
        f"/api/activities/{draft.pk}/publish", {"version": draft.version}, content_type="application/json"
    )
    return outcome(_published(draft), r, 200), c.building.path


def _reported(c: Case) -> Any:
    """A finished activity of the building with its report (简报)."""
    from datetime import timedelta

    from django.utils import timezone

    from shequ.volunteering.services import activity_create, activity_finish, activity_publish, brief_save

    start = timezone.now() - timedelta(hours=3)
    before = start - timedelta(days=1)
    activity = activity_create(
        by=None,
        area=c.building,
        title="探针简报活动",
        kind="volunteer_service",
        organiser_kind="social_worker",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=10,
        now=before,
    )
    activity = activity_publish(by=None, activity=activity, version=activity.version, now=before)
    activity = activity_finish(by=None, activity=activity, version=activity.version)
    brief_save(by=None, activity=activity, text="探针简报正文")
    return activity


def activity_report_page(c: Case, client: Client) -> tuple[bool, str]:
    r = client.get(f"/activities/{_reported(c).pk}/report/")
    if r.status_code != 200:
        return refused(r), c.building.path
    return "探针简报正文" in r.content.decode(), c.building.path


def activity_report_api(c: Case, client: Client) -> tuple[bool, str]:
    r = client.get(f"/api/activities/{_reported(c).pk}/report")
    if r.status_code != 200:
        return refused(r), c.building.path
    return r.json()["text"] == "探针简报正文", c.building.path


def _youth_members(c: Case) -> dict[str, Any]:
    def person(name: str, status: str, born: date) -> Resident:
        r = c.resident_factory(c.building, name=name, born=born)
        Resident.objects.filter(pk=r.pk).update(political_status=status)
        r.refresh_from_db()
        return r

    return {
        "party_member": person("探针党员", "party_member", date(1970, 1, 1)),
        "activist": person("探针积极分子", "activist", date(1995, 1, 1)),
        "backbones": [person(f"探针团员{i}", "league_member", date(2006, 1, 1)) for i in range(5)],
    }


def _youth_group(c: Case) -> Any:
    from shequ.volunteering.youth import youth_group_create

    return youth_group_create(
        by=None, area=community(c), name="探针小组", formed_on=date(2026, 7, 1), **_youth_members(c)
    )


youth_group_list_page, youth_group_list_api = listed(
    _youth_group, page="/youth-groups/", api="/api/youth-groups", where=community
)


def _problem_added(group: Any) -> bool:
    return group.problems.filter(description="探针问题").exists()


def youth_group_manage_page(c: Case, client: Client) -> tuple[bool, str]:
    group = _youth_group(c)
    r = client.post(
        f"/youth-groups/{group.pk}/", {"form": "problem", "found_on": "2026-07-02", "description": "探针问题"}
    )
    return outcome(_problem_added(group), r, 302), community(c).path


def youth_group_manage_api(c: Case, client: Client) -> tuple[bool, str]:
    group = _youth_group(c)
    r = client.post(
        f"/api/youth-groups/{group.pk}/problems",
        {"found_on": "2026-07-02", "description": "探针问题"},
        content_type="application/json",
    )
    return outcome(_problem_added(group), r, 201), community(c).path


# --- needs: home visits, needs, surveys and their answers -----------------------------------------


def _today() -> date:
    from django.utils import timezone

    return timezone.localdate()


def _visit(c: Case) -> Any:
    from shequ.needs.models import Visit

    r = c.resident_factory(c.building, name="探针走访")
    return Visit.objects.create(
        area=c.building,
        area_path=c.building.path,
        resident=r,
        household=r.household,
        visited_on=_today(),
        visited_by=c.user,
    )


visit_list_page, visit_list_api = listed(_visit, page="/visits/", api="/api/visits")


def _visited(resident: Resident) -> bool:
    from shequ.needs.models import Visit

    return Visit.objects.filter(resident=resident).exists()


def visit_create_page(c: Case, client: Client) -> tuple[bool, str]:
    person = c.resident_factory(c.building, name="探针居民")
    r = client.post(
        "/visits/new/", {"resident": person.pk, "visited_on": _today().isoformat(), "purpose": "routine"}
    )
    return outcome(_visited(person), r, 302), c.building.path


def visit_create_api(c: Case, client: Client) -> tuple[bool, str]:
    person = c.resident_factory(c.building, name="探针居民")
    r = client.post("/api/visits", {"resident_id": person.pk}, content_type="application/json")
    return outcome(_visited(person), r, 201), c.building.path


def _need(c: Case) -> Any:
    from shequ.needs.models import Need

    person = c.resident_factory(c.building, name="探针需求人")
    return Need.objects.create(
        area=c.building,
        area_path=c.building.path,
        resident=person,
        category="health",
        description="探针需求",
        source="walk_in",
        raised_on=_today(),
        recorded_by=c.user,
    )


need_list_page, need_list_api = listed(_need, page="/needs/", api="/api/needs")


def _raised(resident: Resident) -> bool:
    from shequ.needs.models import Need

    return Need.objects.filter(resident=resident, description="新需求").exists()


def need_create_page(c: Case, client: Client) -> tuple[bool, str]:
    person = c.resident_factory(c.building, name="探针居民")
    r = client.post(
        "/needs/new/",
        {
            "resident": person.pk,
            "category": "elderly_care",
            "description": "新需求",
            "source": "walk_in",
            "raised_on": _today().isoformat(),
        },
    )
    return outcome(_raised(person), r, 302), c.building.path


def need_create_api(c: Case, client: Client) -> tuple[bool, str]:
    person = c.resident_factory(c.building, name="探针居民")
    r = client.post(
        "/api/needs",
        {"resident_id": person.pk, "category": "elderly_care", "description": "新需求"},
        content_type="application/json",
    )
    return outcome(_raised(person), r, 201), c.building.path


def _met(need: Any) -> bool:
    return type(need).objects.get(pk=need.pk).status == "met"


def need_close_page(c: Case, client: Client) -> tuple[bool, str]:
    need = _need(c)
    r = client.post(
        f"/needs/{need.pk}/close/",
        {"version": need.version, "status": "met", "outcome": "已办结", "closed_on": _today().isoformat()},
    )
    return outcome(_met(need), r, 302), c.building.path


def need_close_api(c: Case, client: Client) -> tuple[bool, str]:
    need = _need(c)
    r = client.post(
        f"/api/needs/{need.pk}/close",
        {"version": need.version, "status": "met", "outcome": "已办结"},
        content_type="application/json",
    )
    return outcome(_met(need), r, 200), c.building.path


def _survey(c: Case) -> Any:
    from datetime import timedelta

    from shequ.needs.models import Survey

    return Survey.objects.create(
        area=c.building,
        area_path=c.building.path,
        title="探针测评",
        respondents="residents",
        opens_on=_today() - timedelta(days=1),
        closes_on=_today() + timedelta(days=10),
        created_by=c.user,
    )


survey_list_page, survey_list_api = listed(_survey, page="/surveys/", api="/api/surveys")


def _survey_made(c: Case) -> bool:
    from shequ.needs.models import Survey

    return Survey.objects.filter(area=c.grid, title="新测评").exists()


def survey_manage_page(c: Case, client: Client) -> tuple[bool, str]:
    r = client.post(
        "/surveys/new/",
        {
            "area": c.grid.pk,
            "title": "新测评",
            "respondents": "residents",
            "opens_on": _today().isoformat(),
            "closes_on": _today().isoformat(),
        },
    )
    return outcome(_survey_made(c), r, 302), c.grid.path


def survey_manage_api(c: Case, client: Client) -> tuple[bool, str]:
    r = client.post(
        "/api/surveys",
        {
            "area_id": c.grid.pk,
            "title": "新测评",
            "respondents": "residents",
            "opens_on": _today().isoformat(),
            "closes_on": _today().isoformat(),
        },
        content_type="application/json",
    )
    return outcome(_survey_made(c), r, 201), c.grid.path


def _response(c: Case) -> Any:
    from shequ.needs.models import SurveyResponse

    person = c.resident_factory(c.building, name="探针答卷人")
    return SurveyResponse.objects.create(
        survey=_survey(c),
        area=c.building,
        area_path=c.building.path,
        resident=person,
        score=4,
        answered_on=_today(),
    )


response_list_page, response_list_api = listed(
    _response,
    page="/surveys/responses/",
    api="/api/survey-responses",
    page_marker=lambda c, response: f'id="response-{response.pk}"',
)


def _answered(person: Resident) -> bool:
    from shequ.needs.models import SurveyResponse

    return SurveyResponse.objects.filter(resident=person).exists()


def response_record_page(c: Case, client: Client) -> tuple[bool, str]:
    survey, person = _survey(c), c.resident_factory(c.building, name="探针答卷人")
    r = client.post(
        f"/surveys/{survey.pk}/responses/new/",
        {"respondent": person.pk, "score": 5, "answered_on": _today().isoformat()},
    )
    return outcome(_answered(person), r, 302), c.building.path


def response_record_api(c: Case, client: Client) -> tuple[bool, str]:
    survey, person = _survey(c), c.resident_factory(c.building, name="探针答卷人")
    r = client.post(
        f"/api/surveys/{survey.pk}/responses",
        {"resident_id": person.pk, "score": 5},
        content_type="application/json",
    )
    return outcome(_answered(person), r, 201), c.building.path


def dashboard_page(c: Case, client: Client) -> tuple[bool, str]:
    r = client.get(f"/metrics/area/{c.building.pk}/", {"period": "2026-11"})
    if r.status_code != 200:
        return refused(r), c.building.path
    return 'data-testid="value-resident_participation"' in r.content.decode(), c.building.path


def dashboard_api(c: Case, client: Client) -> tuple[bool, str]:
    r = client.get(f"/api/metrics/areas/{c.building.pk}/figures", {"period": "2026-11"})
    if r.status_code != 200:
        return refused(r), c.building.path
    return len(r.json()["figures"]) > 0, c.building.path


def dashboard_drill_page(c: Case, client: Client) -> tuple[bool, str]:
    q = {"area": c.building.pk, "from": "2026-11-01", "to": "2026-11-30"}
    # The activities behind a count: a list every dashboard reader may read. Lists of people also need
    # the right to read residents' records (metrics/tests/test_figures.py: an evaluator gets a 403).
    r = client.get("/metrics/activities_finished/numerator/", q)
    if r.status_code != 200:
        return refused(r), c.building.path
    return 'data-testid="drill-table"' in r.content.decode(), c.building.path


def dashboard_children_api(c: Case, client: Client) -> tuple[bool, str]:
    r = client.get(f"/api/metrics/areas/{c.grid.pk}/children", {"period": "2026-11"})
    if r.status_code != 200:
        return refused(r), c.grid.path
    return any(x["area_id"] == c.building.pk for x in r.json()["children"]), c.grid.path


def _target(c: Case) -> Any:
    from decimal import Decimal

    from shequ.metrics.models import YearlyTarget

    return YearlyTarget.objects.create(area=community(c), year=2026, key="cultural_events", value=Decimal(7))


def target_view_page(c: Case, client: Client) -> tuple[bool, str]:
    _target(c)
    r = client.get(f"/metrics/area/{community(c).pk}/targets/", {"year": 2026})
    if r.status_code != 200:
        return refused(r), community(c).path
    return "7.0" in r.content.decode(), community(c).path


def target_view_api(c: Case, client: Client) -> tuple[bool, str]:
    _target(c)
    r = client.get(f"/api/metrics/areas/{community(c).pk}/targets", {"year": 2026})
    if r.status_code != 200:
        return refused(r), community(c).path
    return any(t["key"] == "cultural_events" for t in r.json()), community(c).path


def _target_set(c: Case) -> bool:
    from shequ.metrics.models import YearlyTarget

    return YearlyTarget.objects.filter(area=community(c), year=2026, key="cultural_events", value=9).exists()


def target_set_page(c: Case, client: Client) -> tuple[bool, str]:
    r = client.post(f"/metrics/area/{community(c).pk}/targets/", {"year": 2026, "t_cultural_events": "9"})
    return outcome(_target_set(c), r, 302), community(c).path


def target_set_api(c: Case, client: Client) -> tuple[bool, str]:
    r = client.put(
        f"/api/metrics/areas/{community(c).pk}/targets",
        {"year": 2026, "values": {"cultural_events": 9}},
        content_type="application/json",
    )
    return outcome(_target_set(c), r, 200), community(c).path


# --- reports --------------------------------------------------------------------------------------


REPORT_ASK = {"kind": "yearly", "year": 2025, "format": "pdf"}


def _report_requested(c: Case) -> bool:
    from shequ.reports.models import ReportJob

    return ReportJob.objects.filter(area=community(c), requested_by=c.user).exists()


def report_create_page(c: Case, client: Client) -> tuple[bool, str]:
    r = client.post("/reports/", {"area": community(c).pk, **REPORT_ASK})
    return outcome(_report_requested(c), r, 302), community(c).path


def report_create_api(c: Case, client: Client) -> tuple[bool, str]:
    r = client.post(
        "/api/reports", {"area_id": community(c).pk, **REPORT_ASK}, content_type="application/json"
    )
    return outcome(_report_requested(c), r, 201), community(c).path


def _report_download(c: Case, client: Client, url: str) -> tuple[bool, str]:
    """The actor's own finished report of the community: may they still download it?"""
    import tempfile

    from django.core.files.base import ContentFile
    from django.test import override_settings

    from shequ.reports.models import ReportJob

    with tempfile.TemporaryDirectory(prefix="shequ_probe_") as media, override_settings(MEDIA_ROOT=media):
        job = ReportJob(
            area=community(c), kind="yearly", year=2025, format="pdf", requested_by=c.user, status="done"
        )
        job.file.save("probe.pdf", ContentFile(b"%PDF-1.4 probe"), save=False)
        job.save()
        r = client.get(url.format(pk=job.pk))
        ok = r.status_code == 200 and b"".join(r.streaming_content) == b"%PDF-1.4 probe"
        return (ok or refused(r)), community(c).path


def report_view_page(c: Case, client: Client) -> tuple[bool, str]:
    return _report_download(c, client, "/reports/{pk}/download/")


def report_view_api(c: Case, client: Client) -> tuple[bool, str]:
    return _report_download(c, client, "/api/reports/{pk}/download")


# (resource, action, what) -> (page probe, api probe)
PROBES: dict[tuple[str, str, str], tuple[Probe, Probe]] = {
    ("area", "view", "list"): (area_list_page, area_list_api),
    ("area", "view", "detail"): (area_detail_page, area_detail_api),
    ("area", "create", ""): (area_create_page, area_create_api),
    ("area", "update", ""): (area_update_page, area_update_api),
    ("area", "delete", ""): (area_delete_page, area_delete_api),
    ("assignment", "view", "list"): (assignment_list_page, assignment_list_api),
    ("assignment", "create", ""): (assignment_create_page, assignment_create_api),
    ("assignment", "delete", ""): (assignment_delete_page, assignment_delete_api),
    ("audit", "view", "list"): (audit_view_page, audit_view_api),
    ("household", "view", "count"): (household_view_page, household_view_api),
    ("organisation", "view", "count"): (organisation_view_page, organisation_view_api),
    ("organisation", "create", ""): (organisation_create_page, organisation_create_api),
    ("organisation", "update", ""): (organisation_update_page, organisation_update_api),
    ("resident", "view", "list"): (resident_list_page, resident_list_api),
    ("resident", "view", "detail"): (resident_detail_page, resident_detail_api),
    ("resident", "reveal", ""): (resident_reveal_page, resident_reveal_api),
    ("resident", "create", ""): (resident_create_page, resident_create_api),
    ("resident", "update", ""): (resident_update_page, resident_update_api),
    ("resident", "export", ""): (resident_export_page, resident_export_api),
    ("resident", "import", ""): (resident_import_page, resident_import_api),
    ("resident", "view_minor", ""): (resident_minor_page, resident_minor_api),
    ("household", "create", ""): (household_create_page, household_create_api),
    ("special_group", "view", ""): (special_group_view_page, special_group_view_api),
    ("special_group", "update", ""): (special_group_update_page, special_group_update_api),
    ("area", "import", ""): (_kind_import_page("buildings"), _kind_import_api("buildings")),
    ("household", "import", ""): (_kind_import_page("households"), _kind_import_api("households")),
    ("organisation", "import", ""): (_kind_import_page("organisations"), _kind_import_api("organisations")),
    ("household", "export", ""): (
        _export_probe("/households/export.xlsx", "室", 3, _household_address),
        _export_probe("/api/households/export", "室", 3, _household_address),
    ),
    ("organisation", "export", ""): (
        _export_probe("/organisations/export.xlsx", "探针单位", 0, _organisation_name),
        _export_probe("/api/organisations/export", "探针单位", 0, _organisation_name),
    ),
    ("resource", "view", "list"): (resource_list_page, resource_list_api),
    ("resource", "view", "detail"): (resource_detail_page, resource_detail_api),
    ("resource", "create", ""): (resource_create_page, resource_create_api),
    ("resource", "update", ""): (resource_update_page, resource_update_api),
    ("resource", "delete", ""): (resource_delete_page, resource_delete_api),
    ("appeal", "view", "list"): (appeal_list_page, appeal_list_api),
    ("appeal", "view", "detail"): (appeal_detail_page, appeal_detail_api),
    ("appeal", "create", ""): (appeal_create_page, appeal_create_api),
    # every action of the appeal loop's rule table: appeals/tests/matrix_probes.py
    ("volunteer", "view", "list"): (volunteer_list_page, volunteer_list_api),
    ("volunteer", "manage", ""): (volunteer_manage_page, volunteer_manage_api),
    ("team", "view", "list"): (team_list_page, team_list_api),
    ("team", "manage", ""): (team_manage_page, team_manage_api),
    ("activity", "view", "list"): (activity_list_page, activity_list_api),
    ("activity", "view", "detail"): (activity_detail_page, activity_detail_api),
    ("activity", "manage", ""): (activity_manage_page, activity_manage_api),
    ("activity", "report", ""): (activity_report_page, activity_report_api),
    ("youth_group", "view", "list"): (youth_group_list_page, youth_group_list_api),
    ("youth_group", "manage", ""): (youth_group_manage_page, youth_group_manage_api),
    ("report", "create", ""): (report_create_page, report_create_api),
    ("report", "view", "download"): (report_view_page, report_view_api),
    ("dashboard", "view", "figures"): (dashboard_page, dashboard_api),
    ("dashboard", "view", "rows"): (dashboard_drill_page, dashboard_children_api),
    ("target", "view", ""): (target_view_page, target_view_api),
    ("target", "set", ""): (target_set_page, target_set_api),
    ("visit", "view", "list"): (visit_list_page, visit_list_api),
    ("visit", "create", ""): (visit_create_page, visit_create_api),
    ("need", "view", "list"): (need_list_page, need_list_api),
    ("need", "create", ""): (need_create_page, need_create_api),
    ("need", "close", ""): (need_close_page, need_close_api),
    ("survey", "view", "list"): (survey_list_page, survey_list_api),
    ("survey", "manage", ""): (survey_manage_page, survey_manage_api),
    ("survey_response", "view", "list"): (response_list_page, response_list_api),
    ("survey_response", "record", ""): (response_record_page, response_record_api),
    **SENSITIVE_PROBES,  # sensitive-access grants and correction requests: matrix_sensitive.py
}


def _app_probes() -> dict[tuple[str, str, str], tuple[Probe, Probe]]:
    """Each app may keep the probes of its own resources in `shequ/<app>/tests/matrix_probes.py`
    (a `PROBES` dict of the same form), so a new app adds its probes without editing this file."""
    from importlib import import_module

    from django.utils.module_loading import module_has_submodule

    from shequ.core.appconfig import shequ_apps

    found: dict[tuple[str, str, str], tuple[Probe, Probe]] = {}
    for config in shequ_apps():
        if module_has_submodule(config.module, "tests") and module_has_submodule(
            import_module(f"{config.name}.tests"), "matrix_probes"
        ):
            found.update(import_module(f"{config.name}.tests.matrix_probes").PROBES)
    return found


PROBES.update(_app_probes())


def declared_allow(role: Role, home: Area, resource: str, action: str, target_path: str) -> bool:
    """What core/policy.py grants, read straight from the declaration."""
    rule = RESOURCES[resource].actions.get(action)
    if rule is None or role not in rule.roles or not target_path.startswith(home.path):
        return False
    return not (rule.below_only and target_path == home.path)


def test_every_declared_action_has_a_probe_through_pages_and_api() -> None:
    declared = {(r.name, a) for r in RESOURCES.values() for a in r.actions}
    probed = {(res, act) for res, act, _what in PROBES}
    assert declared == probed, (
        f"declared without a matrix probe: {declared - probed}; stale: {probed - declared}"
    )


def test_every_model_declares_its_access() -> None:
    declared = {r.model for r in RESOURCES.values()}
    for model in apps.get_models():
        if model.__module__.startswith("shequ."):
            label = model._meta.label
            assert label in declared or label in UNSCOPED, (
                f"{label} has no access declaration in core/policy.py"
            )


@dataclass
class World:
    tree: Tree
    actors: dict[Role, User]


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    """The area tree and the named actor of each role, built once for the module's thousands of
    probes (setting them up per test was half the matrix's time); each probe's writes are rolled back."""
    with module_transaction(django_db_blocker):
        with django_db_blocker.unblock():
            tree = build_tree()
            actors = Actors(tree)
            by_role = {role: actors.of(role) for role in Role}
        yield World(tree, by_role)


@pytest.fixture
def tree(db: Any, world: World) -> Tree:
    return fresh_tree(world.tree)


@pytest.mark.parametrize("channel", ["page", "api"])
@pytest.mark.parametrize("probe", list(PROBES), ids=lambda p: "-".join(x for x in p if x))
@pytest.mark.parametrize("side", ["inside", "outside"])
@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_permission_matrix(
    role: Role,
    side: str,
    probe: tuple[str, str, str],
    channel: str,
    tree: Tree,
    world: World,
    resident_factory: Any,
) -> None:
    home = getattr(tree, HOME[role])
    user = User.objects.get(pk=world.actors[role].pk)
    client = login_client(user) if channel == "page" else token_client(user)
    page_probe, api_probe = PROBES[probe]
    observed, target_path = (page_probe if channel == "page" else api_probe)(
        Case(tree, user, side, resident_factory), client
    )
    expected = declared_allow(role, home, probe[0], probe[1], target_path)
    assert observed == expected, (
        f"{role.value} {side} {probe} via {channel}: {'allowed' if observed else 'refused'}, "
        f"the declaration says {'allow' if expected else 'refuse'}"
    )
