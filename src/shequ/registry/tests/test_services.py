"""Registering and changing residents: validation, history, special groups, erasure, export."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook

from conftest import Tree, login_client, make_user, token_client
from shequ.core.crypto import decrypt
from shequ.core.errors import Conflict, DomainError
from shequ.core.idnumber import make_id_number
from shequ.core.models import AuditEntry
from shequ.core.roles import Role
from shequ.registry import selectors, services
from shequ.registry.models import Household, Resident, ResidentEvent, ResidentStatus, Veteran

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(tree: Tree) -> Any:
    return make_user(Role.COMMUNITY_STAFF, tree.community, username="staff")


def register(staff: Any, tree: Tree, **kw: Any) -> Resident:
    defaults: dict[str, Any] = {"name": "张三", "id_number": "11010519491231002X"}
    return services.resident_register(by=staff, building=tree.building, **(defaults | kw))


def test_a_resident_id_gives_birth_date_and_gender(staff: Any, tree: Tree) -> None:
    person = register(staff, tree)
    assert person.birth_date == date(1949, 12, 31)
    assert person.gender == "F"
    assert (person.name_initials, person.name_pinyin) == ("zs", "zhangsan")
    assert person.events.get().kind == ResidentEvent.Kind.REGISTERED


def test_a_birth_date_that_contradicts_the_id_number_is_refused(staff: Any, tree: Tree) -> None:
    with pytest.raises(DomainError) as err:
        register(staff, tree, birth_date=date(1950, 1, 1))
    assert err.value.code == "birth_date_mismatch"
    with pytest.raises(DomainError) as err:
        register(staff, tree, gender="M")
    assert err.value.code == "gender_mismatch"


def test_a_passport_needs_birth_date_and_gender_and_its_shape(staff: Any, tree: Tree) -> None:
    with pytest.raises(DomainError) as err:
        register(staff, tree, id_type="passport", id_number="E12345678")
    assert err.value.code == "birth_date_required"
    with pytest.raises(DomainError) as err:
        register(staff, tree, id_type="hk_macao", id_number="X1234", birth_date=date(1990, 1, 1), gender="M")
    assert err.value.code == "id_number_format"
    person = register(
        staff, tree, id_type="taiwan", id_number="12345678", birth_date=date(1990, 1, 1), gender="M"
    )
    assert person.id_last4 == "5678"


def test_the_same_document_twice_is_refused(staff: Any, tree: Tree) -> None:
    register(staff, tree)
    with pytest.raises(DomainError) as err:
        register(staff, tree, name="李四")
    assert err.value.code == "id_number_taken"
    assert Resident.objects.count() == 1


def test_changes_are_kept_in_the_history_and_a_stale_edit_is_refused(staff: Any, tree: Tree) -> None:
    person = register(staff, tree)
    services.resident_update(by=staff, resident=person, version=1, name="张叁", phone="13912345678")
    with pytest.raises(Conflict):
        services.resident_update(by=staff, resident=person, version=1, name="张三三")
    person.refresh_from_db()
    assert person.name == "张叁"
    assert person.version == 2
    event = person.events.filter(kind="updated").get()
    assert event.changes["name"] == ["张三", "张叁"]
    assert event.changes["phone"] == ["***", "***"]
    assert decrypt(person.phone_encrypted, context=services.PHONE_CONTEXT) == "13912345678"


def test_moving_out_keeps_the_record_and_moving_back_restores_it(staff: Any, tree: Tree) -> None:
    person = register(staff, tree)
    with pytest.raises(DomainError):
        services.resident_leave(
            by=staff,
            resident=person,
            version=1,
            kind="moved_out",
            on=timezone.localdate() + timedelta(days=1),
        )
    services.resident_leave(by=staff, resident=person, version=1, kind="moved_out", on=date(2026, 10, 1))
    assert list(selectors.residents_for(staff)) == []
    assert list(selectors.residents_for(staff, status=ResidentStatus.MOVED_OUT)) == [person]
    services.resident_return(by=staff, resident=person, version=2)
    assert list(selectors.residents_for(staff)) == [person]
    kinds = list(person.events.order_by("id").values_list("kind", flat=True))
    assert kinds == ["registered", "moved_out", "returned"]


def test_moving_back_through_the_api_is_the_pages_twin(staff: Any, tree: Tree) -> None:
    person = register(staff, tree)
    services.resident_leave(by=staff, resident=person, version=1, kind="moved_out", on=date(2026, 10, 1))
    client = token_client(staff)
    stale = client.post(f"/api/residents/{person.pk}/return", {"version": 1}, content_type="application/json")
    assert stale.status_code == 409
    r = client.post(f"/api/residents/{person.pk}/return", {"version": 2}, content_type="application/json")
    assert r.status_code == 200
    assert Resident.objects.get(pk=person.pk).status == ResidentStatus.ACTIVE


def test_a_death_is_recorded_once(staff: Any, tree: Tree) -> None:
    person = register(staff, tree)
    services.resident_leave(by=staff, resident=person, version=1, kind="died", on=date(2026, 9, 9))
    with pytest.raises(DomainError) as err:
        services.resident_leave(by=staff, resident=person, version=2, kind="moved_out", on=date(2026, 9, 10))
    assert err.value.code == "not_active"


def test_moving_to_another_household_is_recorded(staff: Any, tree: Tree) -> None:
    first = services.household_create(by=staff, building=tree.building, room="101")
    second = services.household_create(by=staff, building=tree.building, room="202")
    person = register(staff, tree, household=first, relation="户主")
    assert Household.objects.get(pk=first.pk).head_id == person.pk
    services.resident_move(by=staff, resident=person, version=1, household=second, relation="子女")
    person.refresh_from_db()
    assert person.household_id == second.pk
    assert Household.objects.get(pk=first.pk).head_id is None
    assert person.events.filter(kind="moved_household").exists()


def test_special_groups_have_their_own_rules(staff: Any, tree: Tree) -> None:
    man = register(staff, tree, id_number=make_id_number("440605", date(1980, 1, 1), 1, "M"))
    with pytest.raises(DomainError) as err:
        services.special_group_set(by=staff, resident=man, group="pregnant", expected_on=date(2027, 3, 1))
    assert err.value.code == "pregnant_gender"
    with pytest.raises(DomainError) as err:
        services.special_group_set(
            by=staff, resident=man, group="left_behind", guardian_name="奶奶", guardian_relation="祖母"
        )
    assert err.value.code == "left_behind_age"
    with pytest.raises(DomainError):
        services.special_group_set(by=staff, resident=man, group="disabled", category="visual", level=5)
    services.special_group_set(
        by=staff, resident=man, group="disabled", category="visual", level=2, card_number="4406051980"
    )
    detail = selectors.group_details(staff, man)
    assert detail is not None
    assert detail[0].secret == "****1980"  # masked like the ID number it often holds (issue 15)
    assert "disabled" in selectors.group_tags(man)
    assert list(selectors.residents_for(staff, group="disabled")) == [man]
    services.special_group_clear(by=staff, resident=man, group="disabled")
    assert list(selectors.residents_for(staff, group="disabled")) == []


def test_health_and_disability_details_are_for_those_who_serve_the_person(staff: Any, tree: Tree) -> None:
    person = register(staff, tree)
    services.special_group_set(by=staff, resident=person, group="chronic", conditions="高血压")
    head = make_user(Role.BUILDING_HEAD, tree.building, username="louzhang")
    assert selectors.group_details(head, person) is None
    page = login_client(head).get(f"/residents/{person.pk}/").content.decode()
    assert "高血压" not in page
    assert "慢性病" in page  # the group's name, never its details
    assert token_client(head).get(f"/api/residents/{person.pk}/groups").status_code == 403


def test_children_under_14_are_listed_only_for_those_who_serve_them(
    staff: Any, tree: Tree, resident_factory: Any
) -> None:
    child = resident_factory(tree.building, name="小明", born=date(2019, 6, 1))
    adult = resident_factory(tree.building, name="大明")
    admin = make_user(Role.DISTRICT_ADMIN, tree.district, username="admin")
    assert list(selectors.residents_for(admin)) == [adult]
    assert token_client(admin).get(f"/api/residents/{child.pk}").status_code == 404
    assert set(selectors.residents_for(staff)) == {child, adult}
    summary = token_client(admin).get(f"/api/areas/{tree.community.pk}/summary").json()
    assert summary["counts"]["residents"] == 2  # counted in aggregates, never listed


def test_search_by_pinyin_initials_and_age_band(staff: Any, tree: Tree, resident_factory: Any) -> None:
    zhang = resident_factory(tree.building, name="张三", born=date(1950, 3, 3))
    resident_factory(tree.building, name="李四", born=date(1990, 3, 3))
    from shequ.registry.services import pinyin_of

    Resident.objects.filter(pk=zhang.pk).update(
        name_initials=pinyin_of("张三")[0], name_pinyin=pinyin_of("张三")[1]
    )
    assert [r.name for r in selectors.residents_for(staff, q="zs")] == ["张三"]
    assert [r.name for r in selectors.residents_for(staff, q="zhangs")] == ["张三"]
    assert [r.name for r in selectors.residents_for(staff, age_band="60-79")] == ["张三"]
    assert [r.name for r in selectors.residents_for(staff, group="aged_60")] == ["张三"]


def test_erasure_removes_the_person_but_keeps_the_counts(staff: Any, tree: Tree) -> None:
    person = register(staff, tree, phone="13912345678", skills=["理发"])
    Veteran.objects.create(resident=person, served_from=1968, served_to=1972)
    before = token_client(staff).get(f"/api/areas/{tree.community.pk}/summary").json()
    out = io.StringIO()
    call_command("person", "export", "11010519491231002X", stdout=out)
    data = json.loads(out.getvalue())
    assert data["name"] == "张三"
    assert data["phone"] == "13912345678"
    assert data["veteran"]["served_from"] == 1968
    call_command("person", "erase", "11010519491231002X", "--yes", stdout=io.StringIO())
    person.refresh_from_db()
    assert person.name == "已删除"
    assert person.status == ResidentStatus.ERASED
    assert person.phone_encrypted == ""
    assert not Veteran.objects.exists()
    assert list(person.events.values_list("kind", flat=True)) == ["erased"]
    assert person.birth_date.year == 1949
    assert person.gender == "F"
    after = token_client(staff).get(f"/api/areas/{tree.community.pk}/summary").json()
    assert after["counts"]["aged_60_plus"] == before["counts"]["aged_60_plus"]
    assert AuditEntry.objects.filter(action="delete", object_id=str(person.pk)).exists()
    with pytest.raises(Exception):  # noqa: B017 - the number no longer finds anyone
        call_command("person", "export", "11010519491231002X", stdout=io.StringIO())


def test_export_is_masked_scoped_audited_and_formula_safe(
    staff: Any, tree: Tree, resident_factory: Any
) -> None:
    resident_factory(tree.building, name="=CMD|' /C calc'!A0", phone="13912345678")
    resident_factory(tree.other_building, name="沥西居民")
    r = login_client(staff).get("/residents/export.xlsx")
    assert r.status_code == 200
    rows = list(
        load_workbook(io.BytesIO(r.content), read_only=True).worksheets[0].iter_rows(values_only=True)
    )
    assert len(rows) == 2  # header + the one resident of this community
    name, _gender, _born, id_masked, phone_masked = rows[1][:5]
    assert name == "'=CMD|' /C calc'!A0"
    assert "********" in str(id_masked)
    assert phone_masked == "139****5678"
    entry = AuditEntry.objects.get(action="export")
    assert entry.actor_id == staff.pk
    assert entry.changes["rows"] == 1


def test_a_building_head_cannot_export(tree: Tree) -> None:
    head = make_user(Role.BUILDING_HEAD, tree.building, username="louzhang")
    assert login_client(head).get("/residents/export.xlsx").status_code == 403
    assert not AuditEntry.objects.filter(action="export").exists()


def test_the_register_page_keeps_what_was_typed_on_a_bad_id(staff: Any, tree: Tree) -> None:
    r = login_client(staff).post(
        f"/areas/{tree.building.pk}/residents/new/",
        {
            "name": "王五",
            "id_type": "resident_id",
            "id_number": "110105194912310021",
            "room": "8",
            "registration": "household",
            "political_status": "masses",
        },
    )
    body = r.content.decode()
    assert r.status_code == 400  # a refused form: 400, drawn again with what was typed (core/pages.py)
    assert "校验位错误" in body
    assert 'value="王五"' in body
    assert not Resident.objects.exists()
    assert not Household.objects.exists()


def test_a_disability_card_number_is_masked_on_the_page_and_whole_only_through_the_audited_reveal(
    staff: Any, tree: Tree
) -> None:
    from shequ.core.models import AuditEntry

    person = register(staff, tree)
    card = make_id_number("440605", date(1970, 2, 3), 5, "M") + "11"
    services.special_group_set(
        by=staff, resident=person, group="disabled", category="visual", level=2, card_number=card
    )
    page = login_client(staff).get(f"/residents/{person.pk}/").content.decode()
    assert card not in page
    assert card[:-4] not in page
    assert "****" + card[-4:] in page
    before = AuditEntry.objects.filter(action="view_sensitive").count()
    revealed = login_client(staff).post(f"/api/residents/{person.pk}/reveal").json()
    assert revealed["card_number"] == card
    entry = AuditEntry.objects.filter(action="view_sensitive").latest("id")
    assert AuditEntry.objects.filter(action="view_sensitive").count() == before + 1
    assert "card_number" in entry.changes["fields"]
