"""Setting up and resetting an instance with the documented commands (issue 15, "Set-up and operating")."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from shequ.core.models import Area, RoleAssignment, User
from shequ.core.roles import Role

STRONG = "Str0ng-Passw0rd!x"


@pytest.mark.django_db
def test_init_creates_the_district_and_its_first_administrator(monkeypatch: Any) -> None:
    monkeypatch.setenv("FIRST_PASSWORD", STRONG)
    call_command("init", code="440605000000", name="南海区", admin="qu_admin", password_env="FIRST_PASSWORD")
    district = Area.objects.get(parent__isnull=True)
    assert (district.code, district.name, district.kind) == ("440605000000", "南海区", "district")
    admin = User.objects.get(username="qu_admin")
    assert admin.check_password(STRONG)
    assert RoleAssignment.objects.filter(user=admin, area=district, role=Role.DISTRICT_ADMIN).exists()
    # ... after which the documented `shequ createuser` has an area to put accounts on.
    monkeypatch.setenv("NEXT_PASSWORD", STRONG + "y")
    call_command(
        "createuser", "qu_second", role="district_admin", area="440605000000", password_env="NEXT_PASSWORD"
    )
    assert User.objects.filter(username="qu_second").exists()


@pytest.mark.django_db
def test_init_refuses_a_second_time_and_changes_nothing(monkeypatch: Any) -> None:
    monkeypatch.setenv("FIRST_PASSWORD", STRONG)
    call_command("init", code="440605000000", name="南海区", admin="qu_admin", password_env="FIRST_PASSWORD")
    with pytest.raises(CommandError, match="已初始化"):
        call_command("init", code="440604000000", name="禅城区", admin="other", password_env="FIRST_PASSWORD")
    assert list(Area.objects.values_list("code", flat=True)) == ["440605000000"]
    assert not User.objects.filter(username="other").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "password", "message"),
    [
        ("440605000000", "short", "密码"),  # the administrator's password is refused ...
        ("44060500", STRONG, "."),  # ... or the district's code (a clear message)
    ],
)
def test_init_refused_leaves_no_half_made_district(
    monkeypatch: Any, code: str, password: str, message: str
) -> None:
    monkeypatch.setenv("FIRST_PASSWORD", password)
    with pytest.raises(CommandError, match=message):
        call_command("init", code=code, name="南海区", admin="qu_admin", password_env="FIRST_PASSWORD")
    assert not Area.objects.exists()
    assert not User.objects.filter(username="qu_admin").exists()


@pytest.mark.django_db(transaction=True)
def test_a_flush_keeps_the_appeal_taxonomy_so_demo_fresh_can_load_again() -> None:
    """`shequ demo --fresh` flushes the database: the categories seeded by a data migration came back
    only on a new database, so the demo then failed with KeyError: 'roads_facilities' forever."""
    from shequ.appeals.models import Category, StageDeadline

    seeded = set(Category.objects.values_list("code", flat=True))
    assert "roads_facilities" in seeded
    deadlines = StageDeadline.objects.count()
    call_command("flush", interactive=False, verbosity=0)
    assert set(Category.objects.values_list("code", flat=True)) == seeded
    assert StageDeadline.objects.count() == deadlines
