"""The one answer to "which resident is this account?": "my data", the surveys of one's home and a
resident signing up as a volunteer all ask registry.selectors.resident_on_account."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from conftest import Tree, make_user
from shequ.core.roles import Role
from shequ.registry.models import Resident, ResidentStatus
from shequ.registry.selectors import resident_on_account

pytestmark = pytest.mark.django_db

# status of the linked record -> (found by default, found with living_here, found with recognise)
CASES = {
    ResidentStatus.ACTIVE: (True, True, True),
    ResidentStatus.MOVED_OUT: (True, False, False),
    ResidentStatus.DECEASED: (True, False, False),
    ResidentStatus.ERASED: (False, False, False),
}


@pytest.mark.parametrize("status", list(CASES))
def test_the_linked_record_answers_by_its_status(tree: Tree, resident_factory: Any, status: str) -> None:
    person = resident_factory(tree.building, name="陈美玲")
    account = make_user(Role.RESIDENT, tree.building, "chen")
    left_on = None if status == ResidentStatus.ACTIVE else date(2026, 1, 31)
    Resident.objects.filter(pk=person.pk).update(user=account, status=status, left_on=left_on)
    found = [
        resident_on_account(account),
        resident_on_account(account, living_here=True),
        resident_on_account(account, recognise=True),
    ]
    assert [r is not None and r.pk == person.pk for r in found] == list(CASES[status])


def test_no_one_is_on_an_anonymous_or_unlinked_account(tree: Tree, resident_factory: Any) -> None:
    resident_factory(tree.building, name="陈美玲")
    account = make_user(Role.RESIDENT, tree.building, "chen")
    account.display_name = "别人"
    account.save()
    for user in (AnonymousUser(), None, account):
        assert resident_on_account(user) is None
        assert resident_on_account(user, recognise=True) is None


def test_recognising_reads_the_mobile_number_the_account_signs_in_with(
    tree: Tree, resident_factory: Any
) -> None:
    person = resident_factory(tree.building, name="陈美玲", phone="13912345678")
    account = make_user(Role.RESIDENT, tree.community, "13912345678")
    assert resident_on_account(account) is None  # not linked
    found = resident_on_account(account, recognise=True)
    assert found is not None
    assert found.pk == person.pk


def test_recognising_stays_inside_the_areas_of_the_persons_own_roles(
    tree: Tree, resident_factory: Any
) -> None:
    person = resident_factory(tree.far_building, name="陈美玲")
    account = make_user(Role.RESIDENT, tree.building, "chen")
    Resident.objects.filter(pk=person.pk).update(user=account)
    assert resident_on_account(account) is not None  # the link itself holds
    assert resident_on_account(account, recognise=True) is None  # but not as a resident here
