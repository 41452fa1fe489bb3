"""Case notes: readable by the case worker, their supervisor and holders of an approved case-notes
grant; every read audited, a refused read too; encrypted at rest; in no other answer."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import Tree, login_client, make_user, token_client
from shequ.casework.models import Case, CaseNote, SupervisionLink
from shequ.casework.services import ACTIONS, case_open, notes_read
from shequ.core import grants
from shequ.core.errors import DomainError
from shequ.core.models import AuditAction, AuditEntry, GrantKind
from shequ.core.roles import Role

pytestmark = pytest.mark.django_db

SECRET = "案主自述：与儿子关系紧张，曾有轻生念头"


@pytest.fixture
def world(tree: Tree, resident_factory: Any) -> dict[str, Any]:
    worker = make_user(Role.SOCIAL_WORKER, tree.community, username="sheg")
    supervisor = make_user(Role.SOCIAL_WORKER, tree.street, username="dudao")
    SupervisionLink.objects.create(
        area=tree.community, area_path=tree.community.path, supervisor=supervisor, worker=worker
    )
    case = case_open(by=worker, source="walk_in", resident=resident_factory(tree.building), problem="独居")
    ACTIONS["note"](by=worker, case=case, version=case.version, text=SECRET)
    case.refresh_from_db()
    return {
        "tree": tree,
        "case": case,
        "worker": worker,
        "supervisor": supervisor,
        "colleague": make_user(Role.SOCIAL_WORKER, tree.community, username="sheg2"),
        "staff": make_user(Role.COMMUNITY_STAFF, tree.community, username="jugan"),
        "street": make_user(Role.STREET_OFFICIAL, tree.street, username="jiedao"),
        "district": make_user(Role.DISTRICT_ADMIN, tree.district, username="quguan"),
        "evaluator": make_user(Role.EVALUATOR, tree.street, username="pinggu"),
        "far": make_user(Role.SOCIAL_WORKER, tree.far_community, username="far"),
    }


def _reads(case: Case) -> list[dict]:
    return [
        e.changes
        for e in AuditEntry.objects.filter(
            action=AuditAction.VIEW_SENSITIVE, object_id=str(case.pk)
        ).order_by("id")
    ]


def test_a_note_is_kept_encrypted(world: dict[str, Any]) -> None:
    stored = CaseNote.objects.get().text_encrypted
    assert SECRET not in stored
    assert stored.startswith("v1:")


def test_the_case_worker_and_the_supervisor_read_notes_and_each_read_is_audited(
    world: dict[str, Any],
) -> None:
    for who in ("worker", "supervisor"):
        assert [n.text for n in notes_read(by=world[who], case=world["case"])] == [SECRET]
    assert [c.get("as") for c in _reads(world["case"])] == ["case_worker", "supervisor"]


@pytest.mark.parametrize(
    "who, status", [("colleague", 403), ("staff", 403), ("district", 403), ("evaluator", 404)]
)
def test_anyone_else_is_refused_and_the_refusal_is_audited(
    world: dict[str, Any], who: str, status: int
) -> None:
    case = world["case"]
    r = token_client(world[who]).get(f"/api/casework/cases/{case.pk}/notes")
    assert r.status_code == status
    assert SECRET not in r.content.decode()
    if status == 403:  # one who sees the case but may not read its notes: the refusal is audited
        refusal = "forbidden" if who == "district" else "grant_required"
        assert r.json()["code"] == refusal
        assert _reads(case)[-1] == {"what": "case_notes", "refused": refusal}


def test_a_grant_opens_the_notes_its_use_is_audited_and_revoking_it_closes_them(
    world: dict[str, Any],
) -> None:
    case, staff = world["case"], world["staff"]
    grant = grants.grant_request(
        by=staff, kind=GrantKind.CASE_NOTES, area=world["tree"].community, reason="个案转介复核需要"
    )
    grants.grant_decide(by=world["street"], grant=grant, approve=True)
    page = login_client(staff)
    r = page.get(f"/casework/{case.pk}/notes/")
    assert r.status_code == 200
    assert SECRET in r.content.decode()
    assert _reads(case)[-1] == {"grant": grant.pk, "kind": "case_notes", "what": "case_notes"}
    grants.grant_revoke(by=staff, grant=grant)
    assert page.get(f"/casework/{case.pk}/notes/").status_code == 403


def test_notes_are_in_no_other_answer(world: dict[str, Any]) -> None:
    case = world["case"]
    ACTIONS["request_closure"](
        by=world["worker"], case=case, version=case.version, reason="other", note=SECRET + "2"
    )
    pages = (f"/casework/{case.pk}/", "/casework/")
    answers = (f"/api/casework/cases/{case.pk}", "/api/casework/cases")
    for who in ("worker", "supervisor"):
        for client, urls in ((login_client(world[who]), pages), (token_client(world[who]), answers)):
            for url in urls:
                r = client.get(url)
                assert r.status_code == 200, url
                assert SECRET not in r.content.decode(), url
    audit = " ".join(str(e.changes) + e.object_repr for e in AuditEntry.objects.all())
    assert SECRET not in audit


def test_notes_are_written_by_the_case_worker_or_the_supervisor_only(world: dict[str, Any]) -> None:
    case = world["case"]
    ACTIONS["note"](by=world["supervisor"], case=case, version=case.version, text="督导意见")
    case.refresh_from_db()
    with pytest.raises(DomainError) as caught:
        ACTIONS["note"](by=world["colleague"], case=case, version=case.version, text="同事")
    assert caught.value.code == "not_case_worker"
    assert CaseNote.objects.count() == 2
