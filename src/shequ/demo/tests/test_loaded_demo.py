"""The demo as loaded, checked once: one load for the whole module, each check in its own savepoint,
so that a check's writes cannot reach the next one. Every app's `tests/demo_checks.py` is found here."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterator
from importlib import import_module
from typing import Any

import pytest
from django.utils.module_loading import module_has_submodule

from conftest import module_transaction
from shequ import demo
from shequ.core.appconfig import shequ_apps
from shequ.core.crypto import decrypt
from shequ.core.models import Area, RoleAssignment
from shequ.demo.tests import LoadedDemo
from shequ.registry.models import Organisation, Resident
from shequ.registry.services import ID_CONTEXT

Check = Callable[[LoadedDemo], None]


def loading_writes_exactly_the_plan(loaded: LoadedDemo) -> None:
    plan = loaded.plan
    assert loaded.counts == {
        "areas": len(plan.areas),
        "households": len(plan.households),
        "residents": len(plan.residents()),
    }
    stored = sorted(
        f"{r.name}|{decrypt(r.id_number_encrypted, context=ID_CONTEXT)}" for r in Resident.objects.all()
    )
    planned = sorted(f"{p.name}|{p.id_number}" for p in plan.residents())
    assert (
        hashlib.sha256("\n".join(stored).encode()).digest()
        == hashlib.sha256("\n".join(planned).encode()).digest()
    )
    assert Counter(Area.objects.values_list("kind", flat=True)) == Counter(a.kind for a in plan.areas)
    assert Organisation.objects.filter(kind="party_branch", area__name="平地社区").count() == 14
    assert RoleAssignment.objects.count() == len(plan.accounts)


def _app_checks() -> list[Check]:
    found: list[Check] = [loading_writes_exactly_the_plan]
    for config in shequ_apps():
        if module_has_submodule(config.module, "tests") and module_has_submodule(
            import_module(f"{config.name}.tests"), "demo_checks"
        ):
            found.extend(import_module(f"{config.name}.tests.demo_checks").CHECKS)
    return found


CHECKS = _app_checks()


@pytest.fixture(scope="module")
def loaded(django_db_setup: Any, django_db_blocker: Any) -> Iterator[LoadedDemo]:
    with module_transaction(django_db_blocker):
        with django_db_blocker.unblock():
            plan = demo.build()
            counts = demo.load(plan)
        yield LoadedDemo(plan, counts)


@pytest.mark.django_db
@pytest.mark.parametrize("check", CHECKS, ids=lambda c: f"{c.__module__.split('.')[1]}-{c.__name__}")
def test_the_loaded_demo(check: Check, loaded: LoadedDemo) -> None:
    check(loaded)
