"""The resident edit form shows the phone masked (issue 13, finding 4): its full value was in the form's
value attribute, with no reveal and no audit entry. Saved untouched, the stored number stays."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import Tree, login_client, make_user
from shequ.core.crypto import decrypt
from shequ.core.models import AuditEntry
from shequ.core.roles import Role
from shequ.registry.sealed import PHONE_CONTEXT
from shequ.registry.selectors import masked_phone

pytestmark = pytest.mark.django_db

PHONE = "13912345678"


def _form(resident: Any, **changes: Any) -> dict[str, Any]:
    fields = {
        "name": resident.name,
        "phone": "139****5678",
        "relation": resident.relation,
        "registration": resident.registration,
        "political_status": resident.political_status,
        "skills": "",
        "interests": "",
        "version": resident.version,
    }
    return fields | changes


def _stored_phone(resident: Any) -> str:
    resident.refresh_from_db()
    return decrypt(resident.phone_encrypted, context=PHONE_CONTEXT) if resident.phone_encrypted else ""


@pytest.fixture
def setup(tree: Tree, resident_factory: Any) -> tuple[Any, Any]:
    staff = make_user(Role.COMMUNITY_STAFF, tree.community, "shequ")
    return login_client(staff), resident_factory(tree.building, name="陈美玲", phone=PHONE)


def test_the_edit_form_shows_the_phone_masked_and_writes_no_reveal(setup: tuple[Any, Any]) -> None:
    client, resident = setup
    reveals = AuditEntry.objects.filter(action="view_sensitive").count()
    page = client.get(f"/residents/{resident.pk}/edit/").content.decode()
    assert PHONE not in page
    assert 'value="139****5678"' in page
    assert AuditEntry.objects.filter(action="view_sensitive").count() == reveals


def test_saving_without_touching_the_masked_phone_keeps_the_stored_number(setup: tuple[Any, Any]) -> None:
    client, resident = setup
    response = client.post(f"/residents/{resident.pk}/edit/", _form(resident, relation="配偶"))
    assert response.status_code == 302
    assert _stored_phone(resident) == PHONE
    assert resident.relation == "配偶"
    assert "phone" not in AuditEntry.objects.filter(action="update").latest("pk").changes


@pytest.mark.parametrize(
    ("typed", "stored", "status"),
    [
        ("13700001111", "13700001111", 302),  # a new number replaces it
        ("", "", 302),  # cleared on purpose
        ("137****1111", PHONE, 200),  # another mask is not a number: refused, nothing written
    ],
    ids=["new", "cleared", "other-mask"],
)
def test_a_typed_phone_changes_it_and_a_foreign_mask_is_refused(
    setup: tuple[Any, Any], typed: str, stored: str, status: int
) -> None:
    client, resident = setup
    response = client.post(f"/residents/{resident.pk}/edit/", _form(resident, phone=typed))
    assert response.status_code in (status, 400 if status == 200 else status)
    assert _stored_phone(resident) == stored
    if status != 302:
        assert PHONE not in response.content.decode()
    assert masked_phone(resident) == ("" if not stored else f"{stored[:3]}****{stored[-4:]}")
