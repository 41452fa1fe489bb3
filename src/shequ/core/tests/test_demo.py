"""The demo community: deterministic, valid by the product's own rules, shaped like the seeds."""

from __future__ import annotations

from typing import Any

import pytest

from shequ import demo
from shequ.core.idnumber import id_number_problem, phone_problem
from shequ.core.models import Area
from shequ.core.roles import Role
from shequ.registry.models import Resident


@pytest.fixture(scope="module")
def plan() -> demo.DemoPlan:
    return demo.build()


def test_the_same_seed_gives_the_same_community(plan: demo.DemoPlan) -> None:
    assert demo.build().digest() == plan.digest()
    assert demo.build(seed=1).digest() != plan.digest()


def test_every_id_number_and_phone_is_valid_and_unique(plan: demo.DemoPlan) -> None:
    people = plan.residents()
    assert 2500 <= len(people) <= 6000
    assert all(id_number_problem(p.id_number, today=demo.DEMO_TODAY) is None for p in people)
    assert all(phone_problem(p.phone) is None for p in people if p.phone)
    assert len({p.id_number for p in people}) == len(people)
    assert len({p.phone for p in people if p.phone}) == len([p for p in people if p.phone])


def test_pingdi_is_shaped_like_the_seed(plan: demo.DemoPlan) -> None:
    branches = [o for o in plan.organisations if o.area == "pingdi" and o.kind == "party_branch"]
    assert len(branches) == 14
    assert sum(len(b.member_ids) for b in branches) == 330
    league = next(o for o in plan.organisations if o.kind == "league_branch")
    assert len(league.member_ids) >= 200
    assert any("舞龙" in o.name for o in plan.organisations)
    assert any("布匹" in o.name for o in plan.organisations)
    streets = [a for a in plan.areas if a.kind == "street"]
    assert len(streets) == 2


def test_the_share_of_residents_aged_60_plus_is_realistic(plan: demo.DemoPlan) -> None:
    ages = [demo._age(p) for p in plan.residents()]
    share = sum(a >= 60 for a in ages) / len(ages)
    assert 0.12 <= share <= 0.30, share


def test_there_is_a_demo_account_for_every_role(plan: demo.DemoPlan) -> None:
    assert {Role(a.role) for a in plan.accounts} == set(Role)


# What loading writes is checked against the demo loaded once: shequ/demo/tests/test_loaded_demo.py.


@pytest.mark.django_db
def test_a_failure_while_loading_leaves_nothing_behind(plan: demo.DemoPlan, monkeypatch: Any) -> None:
    from shequ.core import services

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "user_create", broken)
    # A few households are enough: the accounts, where it breaks, come after the areas and people.
    small = demo.DemoPlan(plan.areas, plan.households[:5], [], plan.accounts)
    assert small.residents()
    with pytest.raises(RuntimeError):
        demo.load(small)
    assert not Area.objects.exists()
    assert not Resident.objects.exists()
