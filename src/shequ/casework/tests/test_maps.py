"""The client's ties, the ecomap and genogram drawn from them and the registry's household, and the
case's PDF summary: notes only for one who may read them, every download audited."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone
from pypdf import PdfReader

from conftest import Tree, build_tree, fresh_tree, login_client, make_user, module_transaction, token_client
from shequ.casework.maps import ecomap, genogram
from shequ.casework.models import Case, CaseNote, Stage, SupervisionLink
from shequ.casework.services import ACTIONS
from shequ.casework.services.notes import NOTE_CONTEXT
from shequ.core.crypto import encrypt
from shequ.core.idnumber import make_id_number
from shequ.core.models import (
    AuditAction,
    AuditEntry,
    GrantKind,
    GrantStatus,
    SensitiveAccessGrant,
    User,
)
from shequ.core.roles import Role
from shequ.registry.models import Household, Resident
from shequ.registry.services import seal_personal_data

pytestmark = pytest.mark.django_db

NOTE = "案主情绪低落，提到与儿子的矛盾"


@dataclass
class World:
    tree: Tree
    worker: User
    supervisor: User
    staff: User
    far_worker: User
    case: Case


def _member(household: Household, name: str, relation: str, born: date, gender: str, n: int) -> Resident:
    sealed = seal_personal_data(id_number=make_id_number("440605", born, 700 + n, gender), phone="")
    return Resident.objects.create(
        area=household.area, household=household, name=name, relation=relation, **sealed.__dict__
    )


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    with module_transaction(django_db_blocker), django_db_blocker.unblock():
        tree = build_tree()
        worker = make_user(Role.SOCIAL_WORKER, tree.community, username="m_sheg")
        supervisor = make_user(Role.SOCIAL_WORKER, tree.street, username="m_dudao")
        SupervisionLink.objects.create(
            area=tree.community, area_path=tree.community.path, supervisor=supervisor, worker=worker
        )
        home = Household.objects.create(area=tree.building, address="布匹市场1座101")
        elder = _member(home, "陈婆婆", "户主", date(1940, 2, 3), "F", 1)
        _member(home, "陈大明", "子女", date(1968, 6, 1), "M", 2)
        _member(home, "陈小宝", "孙子女", date(2016, 9, 9), "M", 3)
        case = Case.objects.create(
            area=tree.building,
            area_path=tree.building.path,
            resident=elder,
            household=home,
            source="walk_in",
            problem="独居倾向，家庭关系紧张",
            owner=worker,
            stage=Stage.ASSESSMENT,
            opened_on=timezone.localdate(),
        )
        CaseNote.objects.create(
            case=case, text_encrypted=encrypt(NOTE, context=NOTE_CONTEXT), written_by=worker
        )
        yield World(
            tree=tree,
            worker=worker,
            supervisor=supervisor,
            staff=make_user(Role.COMMUNITY_STAFF, tree.community, username="m_jugan"),
            far_worker=make_user(Role.SOCIAL_WORKER, tree.far_community, username="m_far"),
            case=case,
        )


@pytest.fixture
def w(db: Any, world: World) -> World:
    world.tree = fresh_tree(world.tree)
    world.case.refresh_from_db()
    return world


def tie(w: World, **values: Any) -> None:
    w.case.refresh_from_db()
    ACTIONS["tie"](by=w.worker, case=w.case, version=w.case.version, **values)


def _texts(drawing: Any) -> list[str]:
    return [s.s for s in drawing.shapes if s.kind == "text"]


def test_the_ecomap_draws_each_tie_with_its_strength_stress_and_flow(w: World) -> None:
    tie(
        w,
        kind="family",
        name="女儿（深圳）",
        relation="child",
        gender="F",
        strength="strong",
        flow="to_client",
    )
    tie(w, kind="neighbour", name="对门邻居", strength="weak", flow="both", stress=True)
    ties = list(w.case.ties.all())
    drawing = ecomap(w.case, ties)
    texts = _texts(drawing)
    assert "女儿（深圳）" in texts
    assert "对门邻居" in texts
    # A strong tie is the thickest line; a stressful one a red zigzag; support flows as arrowheads.
    assert any(s.kind == "line" and s.width == 4.0 for s in drawing.shapes)
    assert any(s.kind == "poly" and s.stroke == "#c23b3b" and len(s.points) > 8 for s in drawing.shapes)
    assert (
        sum(1 for s in drawing.shapes if s.kind == "poly" and s.fill == "#2f6fb0") == 1 + 2 + 1
    )  # legend too


def test_the_genogram_places_the_household_by_generation_and_masks_a_child(w: World) -> None:
    tie(
        w,
        kind="family",
        name="女儿（深圳）",
        relation="child",
        gender="F",
        strength="strong",
        flow="to_client",
    )
    drawing = genogram(w.case, list(w.case.ties.all()))
    texts = _texts(drawing)
    rows = {
        s.s: s.y
        for s in drawing.shapes
        if s.kind == "text" and s.s in ("陈婆婆", "陈大明", "女儿（深圳）", "陈**")
    }
    assert "陈小宝" not in texts  # a minor's name in its minimal form
    assert rows["陈婆婆"] < rows["陈大明"] < rows["陈**"]
    assert rows["女儿（深圳）"] == rows["陈大明"]  # the daughter outside the household: the son's generation


def test_the_case_page_shows_both_maps_as_svg_and_the_api_the_ties(w: World) -> None:
    client = login_client(w.worker)
    r = client.post(
        f"/casework/{w.case.pk}/tie/",
        {
            "version": w.case.version,
            "kind": "health",
            "name": "社区卫生站",
            "strength": "moderate",
            "flow": "to_client",
        },
    )
    assert r.status_code == 302
    html = client.get(f"/casework/{w.case.pk}/").content.decode()
    assert html.count("<svg") >= 2
    assert 'data-testid="ecomap"' in html
    assert "社区卫生站" in html
    ties = token_client(w.worker).get(f"/api/casework/cases/{w.case.pk}").json()["ties"]
    assert [t["name"] for t in ties] == ["社区卫生站"]


def _pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)


def _grant(w: World, user: User) -> None:
    approver = make_user(Role.DISTRICT_ADMIN, w.tree.district, username="m_qu")
    SensitiveAccessGrant.objects.create(
        kind=GrantKind.CASE_NOTES,
        area=w.tree.community,
        requested_by=user,
        reason="个案督导评估",
        status=GrantStatus.APPROVED,
        decided_by=approver,
        decided_at=timezone.now(),
        expires_at=timezone.now() + timedelta(days=1),
    )


@pytest.mark.parametrize(
    "who, granted",
    [("worker", False), ("supervisor", False), ("staff", False), ("staff", True)],
)
def test_the_pdf_summary_holds_the_notes_only_for_a_grant_holder_and_is_audited(
    w: World, who: str, granted: bool
) -> None:
    user = getattr(w, who)
    if granted:
        _grant(w, user)
    with_notes = granted
    r = login_client(user).get(f"/casework/{w.case.pk}/summary.pdf")
    assert r["Content-Type"] == "application/pdf"
    text = _pdf_text(r.content)
    assert "独居倾向" in text
    assert (NOTE[:6] in text) is with_notes
    exported = AuditEntry.objects.filter(
        actor_id=user.pk, action=AuditAction.EXPORT, object_type="casework.case"
    )
    assert exported.count() == 1
    notes_read = AuditEntry.objects.filter(actor_id=user.pk, action=AuditAction.VIEW_SENSITIVE).exists()
    assert notes_read is with_notes


def test_another_areas_case_summary_answers_404(w: World) -> None:
    statuses = [
        login_client(w.far_worker).get(f"/casework/{w.case.pk}/summary.pdf").status_code,
        token_client(w.far_worker).get(f"/api/casework/cases/{w.case.pk}/summary.pdf").status_code,
    ]
    assert statuses == [404, 404]
