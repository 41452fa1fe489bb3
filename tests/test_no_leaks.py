"""No leaks (issue 9): no full ID number or phone in any GET answer, URL, audit entry or log line.

Every role reads every GET operation of the OpenAPI schema (path parameters filled from the fixture
objects) and the main pages; each body is searched for the full 18-character ID numbers and 11-digit
phones of the fixture's people. The registry shows them masked and reveals them only through an audited
POST, so a GET body never holds one; an appeal's contact phone is shown, on purpose, to those who may call
the reporter (appeals.services.may_see_contact) and to nobody else. Personal pages and answers must
carry `Cache-Control: no-store`, and no link or form action the product writes may carry a number.
"""

from __future__ import annotations

import io
import json
import logging
import re
import zipfile
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from test_api_fuzz import tree_with_people  # noqa: F401 -- the fixture, reused

from conftest import HOME, Tree, login_client, make_user, token_client
from shequ.api import api
from shequ.appeals import services as appeal_services
from shequ.appeals.models import Appeal, Category
from shequ.core.crypto import decrypt
from shequ.core.idnumber import make_id_number
from shequ.core.models import AuditAction, AuditEntry, User
from shequ.core.roles import Role
from shequ.needs import services as needs_services
from shequ.needs.models import Need, NeedCategory, Respondents, Survey, Visit
from shequ.needs.services import NeedDraft
from shequ.registry.models import Organisation, Resident
from shequ.registry.services import ID_CONTEXT, PHONE_CONTEXT
from shequ.resources.models import Resource
from shequ.volunteering import services as volunteer_services
from shequ.volunteering.models import TeamKind, TeamLevel, Volunteer

pytestmark = pytest.mark.django_db

REPORTER_NAME = "陈美玲"
OUTSIDER_PHONE = "13912345678"
OUTSIDER_ID = make_id_number("440604", date(1975, 8, 9), 31, "M")
CONTACT_PHONE = "13787654321"
RESOURCE_MOBILE = "13655554444"  # a resource's contact's own mobile: masked like a resident's
# A case note: the most sensitive text in the product, in no answer but the notes' own (casework).
CASE_NOTE = "个案笔记：案主与儿子关系紧张，曾有轻生念头"

# Answers that hold personal data: they must never be kept by a shared cache.
PERSONAL = re.compile(
    r"^/(api/)?(residents|households|appeals|volunteers|volunteering|me|corrections|casework)\b"
)
# Path parameters this scan does not fill (no fixture object yet); a new one fails the test.
# job_id: a report job is its requester's alone (reports/selectors.jobs_for); its file holds aggregates.
# photo_id: a photo is a JPEG re-encoded without metadata, no text to scan; scoped like its appeal/report.
UNFILLED = {"activity_id", "group_id", "job_id", "photo_id"}
HREF = re.compile(r"""\b(?:href|action|src|hx-get|hx-post|data-url)\s*=\s*["']([^"']*)["']""", re.I)


@dataclass
class World:
    tree: Tree
    users: dict[Role, User]
    resident: Resident  # an adult in 平地社区's building, with a special group
    appeal: Appeal
    volunteer: Volunteer
    id_numbers: set[str]
    phones: set[str]  # residents' and the outside volunteer's: never in full in a GET


@pytest.fixture
def world(tree_with_people: Tree) -> World:  # noqa: F811
    tree = tree_with_people
    users = {role: make_user(role, getattr(tree, HOME[role]), username=f"leak_{role.value}") for role in Role}
    resident = Resident.objects.filter(area=tree.building).order_by("pk").first()
    assert resident is not None
    # The resident account's own record (my data): shown to its owner, masked on every GET.
    Resident.objects.filter(pk=resident.pk).update(user=users[Role.RESIDENT])
    reporter = make_user(Role.RESIDENT, tree.building, username="leak_reporter")
    reporter.display_name = REPORTER_NAME  # the steps of an appeal name who acted
    reporter.save(update_fields=["display_name"])
    appeal = appeal_services.appeal_report(
        by=reporter,
        area=tree.building,
        category=Category.objects.get(code="roads_facilities"),
        description="楼下路面有个大坑，晚上看不清容易摔倒",
        contact_name="王女士",
        contact_phone=CONTACT_PHONE,
    )
    carer = User.objects.get(username="seed_carer")
    volunteer = volunteer_services.volunteer_register(
        by=carer, area=tree.community, name="赵志愿", phone=OUTSIDER_PHONE, id_number=OUTSIDER_ID
    )
    volunteer_services.volunteer_register(by=carer, area=tree.community, resident=resident)
    volunteer_services.team_create(
        by=users[Role.COMMUNITY_STAFF],
        area=tree.community,
        name="红马甲巡逻队",
        kind=TeamKind.PATROL,
        level=TeamLevel.COMMUNITY,
        leader=volunteer,
    )
    # A home visit that raised a need, and a satisfaction survey the resident answered.
    staff = users[Role.COMMUNITY_STAFF]
    needs_services.visit_log(
        by=staff,
        resident=resident,
        notes="独居，腿脚不便",
        needs=[NeedDraft(category=NeedCategory.ELDERLY_CARE, description="希望有人帮忙买菜")],
    )
    today = timezone.localdate()
    survey = needs_services.survey_create(
        by=staff,
        area=tree.community,
        title="居民满意度测评",
        respondents=Respondents.RESIDENTS,
        opens_on=today,
        closes_on=today + timedelta(days=30),
    )
    needs_services.response_record(by=staff, survey=survey, score=5, resident=resident)
    Resource.objects.filter(area=tree.community).update(phone=RESOURCE_MOBILE, phone_public=False)
    # A case of the resident with a note and a closing note, worked by the social worker.
    from shequ.casework.services import ACTIONS as CASE_ACTIONS
    from shequ.casework.services import case_open

    case = case_open(by=users[Role.SOCIAL_WORKER], source="walk_in", resident=resident, problem="独居")
    CASE_ACTIONS["note"](by=users[Role.SOCIAL_WORKER], case=case, version=case.version, text=CASE_NOTE)
    case.refresh_from_db()
    CASE_ACTIONS["record_consent"](
        by=users[Role.SOCIAL_WORKER],
        case=case,
        version=case.version,
        purpose="referral",
        given_to="民政",
        how="written",
        sensitive=True,
    )
    case.refresh_from_db()
    CASE_ACTIONS["refer"](
        by=users[Role.SOCIAL_WORKER],
        case=case,
        version=case.version,
        to_kind="civil_affairs",
        receiver=users[Role.STREET_OFFICIAL],
        note="协助申请低保",
    )
    case.refresh_from_db()
    CASE_ACTIONS["request_closure"](
        by=users[Role.SOCIAL_WORKER], case=case, version=case.version, reason="other", note=CASE_NOTE
    )
    _deliberation(staff, tree, resident)
    ids = {decrypt(r.id_number_encrypted, context=ID_CONTEXT) for r in Resident.objects.all()}
    phones = {decrypt(r.phone_encrypted, context=PHONE_CONTEXT) for r in Resident.objects.all()}
    assert len(ids) == 6
    assert all(len(i) == 18 for i in ids)
    assert all(len(p) == 11 for p in phones)
    phones |= {OUTSIDER_PHONE, RESOURCE_MOBILE}
    return World(tree, users, resident, appeal, volunteer, ids | {OUTSIDER_ID}, phones)


def _deliberation(staff: User, tree: Tree, resident: Resident) -> None:
    """A building meeting in session with the resident present, a vote, a proposal, a decision and
    its follow-up milestone."""
    from shequ.deliberation.services import attendance, decisions, followup, meetings, proposals, votes

    start = timezone.now() + timedelta(days=1)
    meeting = meetings.meeting_create(
        by=staff,
        area=tree.building,
        kind="building",
        title="楼栋议事会",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        chair="陈书记",
        recorder="李社工",
        place="架空层",
    )
    meeting = meetings.meeting_notify(by=staff, meeting=meeting, version=None)
    meeting = meetings.meeting_open(by=staff, meeting=meeting, version=None)
    attendance.attendance_record(by=staff, meeting=meeting, resident=resident, proxy_name="王女士")
    votes.vote_open(
        by=staff, meeting=meeting, question="是否同意？", method="ballot", unit="person", rule="majority"
    )
    proposals.proposal_create(by=None, area=tree.building, title="增设充电棚", text="建议增设充电棚")
    decision = decisions.decision_record(by=staff, meeting=meeting, text="增设充电棚", responsible="物业公司")
    followup.milestone_add(
        by=staff,
        decision=decision,
        title="选址",
        owner="物业公司",
        due=timezone.localdate() + timedelta(days=9),
    )


def body_text(response: Any) -> str:
    """The text a user would get: the HTML or JSON, the cells of a workbook, the text of a PDF."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if content.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(content)) as z:
            return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    if content.startswith(b"%PDF"):
        from pypdf import PdfReader

        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert "image" not in kind or not content, kind
    return content.decode("utf-8", "replace")


def _case_id() -> int:
    from shequ.casework.models import Case

    return Case.objects.get().pk


def _referral_id() -> int:
    from shequ.casework.models import Referral

    return Referral.objects.get().pk


def _first(label: str) -> int:
    from django.apps import apps

    return apps.get_model(label).objects.order_by("pk").values_list("pk", flat=True)[0]


def api_gets(w: World) -> tuple[list[str], set[str]]:
    """Every GET of the schema with its path parameters filled; and the parameters that could not be."""
    values = {
        "area_id": w.tree.community.pk,
        "resident_id": w.resident.pk,
        "building_id": w.tree.building.pk,
        "organisation_id": Organisation.objects.filter(area=w.tree.community).get().pk,
        "resource_id": Resource.objects.filter(area=w.tree.community).get().pk,
        "appeal_id": w.appeal.pk,
        "volunteer_id": w.volunteer.pk,
        "visit_id": Visit.objects.get().pk,
        "need_id": Need.objects.get().pk,
        "survey_id": Survey.objects.get().pk,
        "case_id": _case_id(),
        "referral_id": _referral_id(),
        "meeting_id": _first("deliberation.Meeting"),
        "vote_id": _first("deliberation.Vote"),
        "proposal_id": _first("deliberation.Proposal"),
        "decision_id": _first("deliberation.Decision"),
        "milestone_id": _first("deliberation.Milestone"),
        "code": w.tree.community.code,
        "year": 2025,  # a community's monthly report handed in (aggregates only)
        "month": 11,
    }
    urls, unfilled = [], set()
    for path, operations in api.get_openapi_schema()["paths"].items():
        if "get" not in operations:
            continue
        names = re.findall(r"{(\w+)}", path)
        missing = {n for n in names if n not in values}
        if missing:
            unfilled |= missing
            continue
        urls.append(path.format(**{n: values[n] for n in names}))
    return urls, unfilled


def pages(w: World) -> list[str]:
    household = w.resident.household
    assert household is not None
    return [
        "/",
        "/residents/",
        f"/residents/?area={w.tree.community.pk}",
        f"/residents/{w.resident.pk}/",
        f"/residents/{w.resident.pk}/edit/",  # form values too: the phone in them is masked
        "/residents/export.xlsx",
        "/households/",
        f"/households/{household.pk}/",
        "/households/export.xlsx",
        "/organisations/",
        f"/organisations/{Organisation.objects.filter(area=w.tree.community).get().pk}/",
        f"/areas/{w.tree.community.pk}/",
        f"/areas/{w.tree.building.pk}/building/",
        "/appeals/",
        f"/appeals/{w.appeal.pk}/",
        "/appeals/notifications/",
        "/activities/",
        "/volunteers/",
        f"/volunteers/{w.volunteer.pk}/",
        "/volunteer-teams/",
        "/resources/",
        f"/resources/{Resource.objects.filter(area=w.tree.community).get().pk}/",
        f"/resources/{Resource.objects.filter(area=w.tree.community).get().pk}/edit/",
        "/volunteering/me/",
        "/people/",
        "/audit/",
        "/grants/",
        "/corrections/",
        "/me/data/",
        "/visits/",
        "/visits/new/",
        f"/visits/{Visit.objects.get().pk}/",
        "/needs/",
        f"/needs/{Need.objects.get().pk}/",
        "/surveys/",
        f"/surveys/{Survey.objects.get().pk}/",
        "/surveys/responses/",
        "/metrics/",
        f"/metrics/area/{w.tree.community.pk}/",
        f"/metrics/resident_participation/numerator/?area={w.tree.community.pk}",
        f"/metrics/resident_satisfaction/numerator/?area={w.tree.community.pk}",
        "/reports/",
        "/reports/monthly/",
        f"/reports/monthly/{w.tree.community.pk}/2025/11/",
        "/casework/",
        f"/casework/{_case_id()}/",
        "/casework/supervision/",
        "/casework/referred/",
        f"/casework/referred/{_referral_id()}/",
    ]


def leaks_in(text: str, w: World, *, contact_allowed: bool) -> list[str]:
    found = [f"ID number {n}" for n in w.id_numbers if n in text]
    found += [f"phone {p}" for p in w.phones if p in text]
    if not contact_allowed and CONTACT_PHONE in text:
        found.append(f"appeal contact phone {CONTACT_PHONE}")
    return found


def urls_in(html: str) -> list[str]:
    # tel: links are how a worker calls the reporter from a phone: never requested from a server.
    return [u for u in HREF.findall(html) if not u.startswith("tel:")]


def check(role: Role, url: str, response: Any, w: World, problems: list[str]) -> None:
    if response.status_code >= 500:
        problems.append(f"{role.value} GET {url}: {response.status_code}")
        return
    if response.status_code >= 300:
        return  # refused or redirected: no body of data
    contact_allowed = appeal_services.may_see_contact(w.users[role], w.appeal)
    text = body_text(response)
    for leak in leaks_in(text, w, contact_allowed=contact_allowed):
        problems.append(f"{role.value} GET {url}: {leak} in the body")
    if CASE_NOTE in text and not url.rstrip("/").endswith("/notes"):
        problems.append(f"{role.value} GET {url}: a case note in the body")
    if PERSONAL.match(url) and response.get("Cache-Control") != "no-store":
        problems.append(f"{role.value} GET {url}: Cache-Control is {response.get('Cache-Control')!r}")
    if "html" in response.get("Content-Type", ""):
        for link in urls_in(text):
            for leak in leaks_in(link, w, contact_allowed=False):
                problems.append(f"{role.value} GET {url}: {leak} in the URL {link}")


def test_every_api_get_for_every_role_shows_no_full_id_number_or_phone(world: World) -> None:
    urls, unfilled = api_gets(world)
    assert unfilled <= UNFILLED, f"fill these path parameters from the fixture: {unfilled - UNFILLED}"
    assert len(urls) >= 25
    problems: list[str] = []
    answered = 0
    for role in Role:
        client = token_client(world.users[role])
        for url in urls:
            response = client.get(url)
            answered += response.status_code == 200
            check(role, url, response, world, problems)
    assert not problems, "\n".join(problems)
    assert answered > len(urls) * 2  # the scan read real answers, not only refusals


def test_every_main_page_for_every_role_shows_no_full_id_number_or_phone(world: World) -> None:
    problems: list[str] = []
    answered = 0
    for role in Role:
        client = login_client(world.users[role])
        for url in pages(world):
            response = client.get(url)
            answered += response.status_code == 200
            check(role, url, response, world, problems)
    assert not problems, "\n".join(problems)
    assert answered > len(pages(world)) * 2


def test_the_appeal_contact_phone_is_seen_only_by_those_who_may_call_the_reporter(world: World) -> None:
    """The one full phone a GET may show: the scan above would pass vacuously if nobody saw it."""
    staff = login_client(world.users[Role.COMMUNITY_STAFF])
    assert CONTACT_PHONE in staff.get(f"/appeals/{world.appeal.pk}/").content.decode()
    api = token_client(world.users[Role.COMMUNITY_STAFF]).get(f"/api/appeals/{world.appeal.pk}")
    assert api.json()["contact_phone"] == CONTACT_PHONE
    assert not appeal_services.may_see_contact(world.users[Role.VOLUNTEER], world.appeal)


def test_a_third_party_evaluator_never_sees_an_appeals_contact_phone(world: World) -> None:
    evaluator = world.users[Role.EVALUATOR]
    r = token_client(evaluator).get(f"/api/appeals/{world.appeal.pk}")
    assert r.status_code == 200
    assert r.json()["contact_phone"] is None
    assert CONTACT_PHONE not in login_client(evaluator).get(f"/appeals/{world.appeal.pk}/").content.decode()


# Names of the fixture's people: a third-party evaluator sees de-identified or aggregate data only. 赵志愿
# also leads a team; 陈美玲 reported the appeal, so its steps name her.
PEOPLE_NAMES = ("王芳", "李小明", "赵志愿", "王女士", REPORTER_NAME)


def test_a_third_party_evaluator_sees_no_names_anywhere(world: World) -> None:
    """Every page and every API GET an evaluator can open: no resident's, volunteer's or reporter's
    name (the ID numbers and phones are covered by the scans above)."""
    evaluator = world.users[Role.EVALUATOR]
    urls, _unfilled = api_gets(world)
    problems: list[str] = []
    answered = 0
    for client, targets in ((login_client(evaluator), pages(world)), (token_client(evaluator), urls)):
        for url in targets:
            response = client.get(url)
            if response.status_code != 200:
                continue
            answered += 1
            text = body_text(response)
            problems += [f"{url}: {name}" for name in PEOPLE_NAMES if name in text]
    assert not problems, "\n".join(problems)
    assert answered >= 10  # the evaluator did read pages: area summaries, appeals, activities


def test_an_evaluator_reads_who_acted_on_an_appeal_by_role_and_a_team_without_its_leader(
    world: World,
) -> None:
    """Issue 13, finding 5: the steps named the reporter ("陈美玲") and the team list its leader."""
    evaluator = world.users[Role.EVALUATOR]
    steps = token_client(evaluator).get(f"/api/appeals/{world.appeal.pk}").json()["steps"]
    assert [s["actor_name"] for s in steps] == ["居民"]
    page = login_client(evaluator).get(f"/appeals/{world.appeal.pk}/").content.decode()
    assert REPORTER_NAME not in page
    assert "居民" in page
    teams = token_client(evaluator).get("/api/teams").json()["items"]
    assert teams
    assert all(t["leader_id"] is None for t in teams)
    # Everyone else still sees who it was.
    staff = world.users[Role.COMMUNITY_STAFF]
    staff_steps = token_client(staff).get(f"/api/appeals/{world.appeal.pk}").json()["steps"]
    assert staff_steps[0]["actor_name"] == REPORTER_NAME
    assert "赵志愿" in login_client(staff).get("/volunteer-teams/").content.decode()
    assert token_client(staff).get("/api/teams").json()["items"][0]["leader_id"] == world.volunteer.pk


def test_a_reveal_shows_the_number_in_the_post_answer_only(world: World) -> None:
    """The audited POST is the way to a full number, and a role that may not reveal gets none."""
    number = decrypt(world.resident.id_number_encrypted, context=ID_CONTEXT)
    staff = login_client(world.users[Role.COMMUNITY_STAFF])
    revealed = staff.post(f"/residents/{world.resident.pk}/reveal/")
    assert revealed.status_code == 200
    assert number in revealed.content.decode()
    assert revealed["Cache-Control"] == "no-store"
    assert number not in staff.get(f"/residents/{world.resident.pk}/").content.decode()
    head = login_client(world.users[Role.BUILDING_HEAD]).post(f"/residents/{world.resident.pk}/reveal/")
    assert head.status_code == 403
    assert number not in head.content.decode()


def test_a_search_by_full_id_number_puts_it_in_no_link_of_the_answer(world: World) -> None:
    number = decrypt(world.resident.id_number_encrypted, context=ID_CONTEXT)
    client = login_client(world.users[Role.COMMUNITY_STAFF])
    response = client.get("/residents/", {"q": number})
    assert response.status_code == 200
    assert world.resident.name in response.content.decode()  # it found the person
    links = [u for u in urls_in(response.content.decode()) if number in u]
    assert links == []


def test_the_residents_search_form_never_sends_a_number_in_the_url(world: World) -> None:
    html = login_client(world.users[Role.COMMUNITY_STAFF]).get("/residents/").content.decode()
    form = re.search(r"<form[^>]*>(?:(?!</form>).)*name=\"q\"", html, re.S)
    assert form is not None
    assert 'method="get"' not in form.group(0).split(">")[0]


def test_a_posted_search_by_a_whole_number_lands_on_a_url_without_it_and_exports_the_same_search(
    world: World,
) -> None:
    """The form's POST answers with a redirect whose URL holds a session token, not the number; the
    page finds the person, and its export link exports exactly that search."""
    number = decrypt(world.resident.id_number_encrypted, context=ID_CONTEXT)
    phone = decrypt(world.resident.phone_encrypted, context=PHONE_CONTEXT)
    client = login_client(world.users[Role.COMMUNITY_STAFF])
    for typed in (number, phone):
        r = client.post("/residents/search/", {"q": typed, "status": "active"})
        assert r.status_code == 302
        assert typed not in r["Location"]
        assert "s=" in r["Location"]
        page = client.get(r["Location"])
        html = page.content.decode()
        assert page.status_code == 200
        assert world.resident.name in html
        assert [u for u in urls_in(html) if typed in u] == []
        export = re.search(r'href="(/residents/export\.xlsx\?[^"]*)"', html)
        assert export is not None
        assert typed not in export.group(1)
        exported = client.get(export.group(1).replace("&amp;", "&"))
        assert exported.status_code == 200
        assert xlsx_names(exported.content) == [world.resident.name]  # the same search, not all
    # the audit log records that a number was searched for, not the number
    assert number not in audit_text()
    assert phone not in audit_text()


def test_a_search_token_belongs_to_its_session_and_a_name_stays_in_the_url(world: World) -> None:
    number = decrypt(world.resident.id_number_encrypted, context=ID_CONTEXT)
    staff = login_client(world.users[Role.COMMUNITY_STAFF])
    location = staff.post("/residents/search/", {"q": number})["Location"]
    other = login_client(world.users[Role.SOCIAL_WORKER])
    page = other.get(location)  # another session: the token means nothing there
    assert page.status_code == 200
    assert world.resident.name not in page.content.decode().split("<tbody>")[1]
    named = staff.post("/residents/search/", {"q": world.resident.name})["Location"]
    assert "q=" in named  # a name is not a number: the search can be bookmarked


def xlsx_names(content: bytes) -> list[str]:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [str(row[0]) for row in sheet.iter_rows(min_row=2, values_only=True)]


def test_the_api_refuses_a_whole_number_in_a_url_and_searches_it_by_post(world: World) -> None:
    number = decrypt(world.resident.id_number_encrypted, context=ID_CONTEXT)
    api = token_client(world.users[Role.COMMUNITY_STAFF])
    refused = api.get("/api/residents", {"q": number})
    assert refused.status_code == 400
    assert refused.json()["code"] == "number_in_url"
    assert api.get("/api/residents/export", {"q": number}).status_code == 400
    found = api.post("/api/residents/search", {"q": number}, content_type="application/json")
    assert found.status_code == 200
    assert [i["id"] for i in found.json()["items"]] == [world.resident.pk]
    sheet = api.post("/api/residents/export", {"q": number}, content_type="application/json")
    assert sheet.status_code == 200
    assert xlsx_names(sheet.content) == [world.resident.name]


def leaks_in_records(text: str, secrets: set[str]) -> list[str]:
    return sorted(s for s in secrets if s in text)


def audit_text() -> str:
    return "\n".join(
        json.dumps(
            [e.actor_name, e.object_repr, e.object_id, e.user_agent, e.changes, e.area_path],
            ensure_ascii=False,
        )
        for e in AuditEntry.objects.order_by("pk")
    )


def log_text(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records)


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG, logger="django")
    caplog.set_level(logging.DEBUG, logger="shequ")
    return caplog


def test_a_reveal_leaves_no_number_in_the_audit_log_or_the_server_log(
    world: World, debug_logs: pytest.LogCaptureFixture
) -> None:
    client = login_client(world.users[Role.GRID_WORKER])
    assert client.post(f"/residents/{world.resident.pk}/reveal/").status_code == 200
    r = token_client(world.users[Role.SOCIAL_WORKER]).post(f"/api/residents/{world.resident.pk}/reveal")
    assert r.status_code == 200
    assert r.json()["id_number"] in world.id_numbers
    assert AuditEntry.objects.filter(action=AuditAction.VIEW_SENSITIVE).count() == 2
    secrets = world.id_numbers | world.phones
    assert leaks_in_records(audit_text(), secrets) == []
    assert leaks_in_records(log_text(debug_logs), secrets) == []


def test_an_import_with_a_bad_id_number_leaves_no_number_in_the_audit_log_or_the_server_log(
    world: World, debug_logs: pytest.LogCaptureFixture
) -> None:
    good = make_id_number("440605", date(1966, 6, 6), 77, "F")
    bad = good[:17] + ("1" if good[17] != "1" else "2")  # a wrong check digit
    head = "姓名,证件类型,证件号码,性别,出生日期,手机号,网格,楼栋,房号,与户主关系"
    rows = [
        f"钱一,,{good},,,13611112222,{world.tree.grid.name},{world.tree.building.name},901,户主",
        f"钱二,,{bad},,,13633334444,{world.tree.grid.name},{world.tree.building.name},902,户主",
    ]
    upload = SimpleUploadedFile("居民.csv", "\n".join([head, *rows]).encode("utf-8"))
    client = login_client(world.users[Role.COMMUNITY_STAFF])
    r = client.post(f"/residents/import/?area={world.tree.community.pk}", {"file": upload})
    assert r.status_code == 302
    assert good not in r["Location"]
    assert bad not in r["Location"]
    preview = client.get(r["Location"])
    assert preview.status_code == 200
    assert preview["Cache-Control"] == "no-store"
    for link in urls_in(preview.content.decode()):
        assert bad not in link
        assert good not in link
        assert "1363333" not in link
    assert client.post(r["Location"], {"good_rows_only": "1"}).status_code == 302
    assert Resident.objects.filter(name="钱一").exists()
    secrets = {good, bad, "13611112222", "13633334444"}
    assert leaks_in_records(audit_text(), secrets) == []
    assert leaks_in_records(log_text(debug_logs), secrets) == []


def fail_logins(path: str, typed_names: list[str]) -> None:
    for typed in typed_names:
        if path == "/login/":
            r = Client().post(path, {"username": typed, "password": "wrong-password-1"})
            # The form gives back what was typed (nothing a user typed is lost), and nothing else.
            assert r.status_code == 200
            assert typed not in r.content.decode().replace(f'value="{typed}"', "")
        else:
            r = Client().post(
                path, {"username": typed, "password": "wrong-password-1"}, content_type="application/json"
            )
            assert r.status_code == 401
            assert typed not in r.content.decode()
    assert AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED).count() == len(typed_names)


@pytest.mark.parametrize("path", ["/login/", "/api/auth/token"])
def test_a_failed_login_with_an_id_number_as_user_name_leaves_it_in_no_log_line(
    world: World, debug_logs: pytest.LogCaptureFixture, path: str
) -> None:
    secrets = [sorted(world.id_numbers)[0], sorted(world.phones)[0]]
    fail_logins(path, secrets)
    assert leaks_in_records(log_text(debug_logs), set(secrets)) == []


@pytest.mark.parametrize("path", ["/login/", "/api/auth/token"])
def test_a_failed_login_with_an_id_number_as_user_name_leaves_it_out_of_the_audit_log(
    world: World, path: str
) -> None:
    secrets = [sorted(world.id_numbers)[0], sorted(world.phones)[0]]
    fail_logins(path, secrets)
    assert leaks_in_records(audit_text(), set(secrets)) == []


def test_the_scan_asks_no_store_of_every_personal_area() -> None:
    for url in ("/residents/1/", "/api/households", "/appeals/", "/volunteers/", "/api/volunteers/me"):
        assert PERSONAL.match(url), url
    assert not PERSONAL.match("/organisations/")


def test_the_scan_finds_a_planted_number(world: World) -> None:
    """The scanner itself: a number in a body or in a link is found; a tel: link is not a URL it reads."""
    number = next(iter(world.id_numbers))
    assert leaks_in(f"<td>{number}</td>", world, contact_allowed=True)
    assert urls_in(f'<a href="/residents/?q={number}">x</a>') == [f"/residents/?q={number}"]
    assert urls_in(f'<a href="tel:{CONTACT_PHONE}">x</a>') == []


def test_a_refused_write_names_nobody_of_another_community(world: World) -> None:
    """Issue 13, findings 1-3: granting a role to, linking a volunteer to, or dispatching an appeal to
    an account of another community is refused without its name, and leaves it off the people and
    audit pages of the community that tried."""
    tree = world.tree
    far_resident = make_user(Role.RESIDENT, tree.far_building, username="shengping_ju")
    far_staff = make_user(Role.COMMUNITY_STAFF, tree.far_community, username="shengping_shequ")
    for account, name in ((far_resident, "升平张三"), (far_staff, "升平李四")):
        account.display_name = name
        account.save(update_fields=["display_name"])
    staff = world.users[Role.COMMUNITY_STAFF]
    api, page = token_client(staff), login_client(staff)
    appeal = appeal_services.appeal_accept(appeal=world.appeal, by=staff, version=world.appeal.version)
    answers = [
        api.post(
            "/api/assignments",
            {"username": far_resident.username, "role": "resident", "area_id": tree.building.pk},
            content_type="application/json",
        ),
        api.post(
            "/api/volunteers",
            {
                "area_id": tree.community.pk,
                "name": "外来",
                "phone": "13800138555",
                "username": "shengping_ju",
            },
            content_type="application/json",
        ),
        api.post(
            f"/api/appeals/{appeal.pk}/dispatch",
            {"version": appeal.version, "user_id": far_staff.pk},
            content_type="application/json",
        ),
        page.post(
            f"/appeals/{appeal.pk}/dispatch/", {"version": appeal.version, "to": f"user:{far_staff.pk}"}
        ),
    ]
    afterwards = [page.get(url) for url in ("/people/", "/audit/")] + [
        api.get(url) for url in ("/api/assignments", "/api/audit")
    ]
    for response in answers + afterwards:
        text = body_text(response)
        for account in (far_resident, far_staff):
            assert account.display_name not in text, response.request["PATH_INFO"]
            assert account.username not in text, response.request["PATH_INFO"]
    assert all(r.status_code == 404 for r in answers)
