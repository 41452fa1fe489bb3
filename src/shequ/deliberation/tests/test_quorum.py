"""The arithmetic of quorum and votes at its boundaries: exactly half, exactly 2/3, exactly 3/4."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shequ.deliberation.quorum import art278, majority_passed, needed_for, quorum


@pytest.mark.parametrize(
    ("present", "eligible", "met", "needed"),
    [
        (50, 100, False, 51),  # exactly half is not "more than half"
        (51, 100, True, 51),
        (3, 5, True, 3),
        (2, 5, False, 3),
        (0, 0, False, 1),  # nothing reaches a share of an empty base
    ],
)
def test_quorum_is_more_than_half_by_default(present: int, eligible: int, met: bool, needed: int) -> None:
    q = quorum(present, eligible)
    assert (q.met, q.needed) == (met, needed)


def test_a_quorum_of_at_least_two_thirds_is_met_exactly_at_two_thirds() -> None:
    assert quorum(20, 30, 2, 3, strict=False).met
    assert not quorum(19, 30, 2, 3, strict=False).met
    assert needed_for(30, 2, 3, strict=False) == 20
    assert needed_for(31, 2, 3, strict=False) == 21


@pytest.mark.parametrize(("votes_for", "present", "passed"), [(5, 10, False), (6, 10, True), (1, 1, True)])
def test_a_simple_majority_needs_more_than_half_of_those_present(
    votes_for: int, present: int, passed: bool
) -> None:
    assert majority_passed(votes_for, present) is passed


A = Decimal


@pytest.mark.parametrize(
    ("case", "counts", "major", "participation", "consent"),
    [
        # 30 owners, 3,000 m²: exactly 2/3 take part by both, exactly 3/4 of them consent by both.
        ("exact", (20, A(2000), 15, A(1500)), True, True, True),
        ("one owner short of 2/3", (19, A(2500), 19, A(2500)), True, False, True),
        ("area short of 2/3", (25, A("1999.99"), 25, A("1999.99")), True, False, True),
        ("headcount short of 3/4", (20, A(2000), 14, A(1800)), True, True, False),
        ("area short of 3/4", (20, A(2000), 18, A("1499.99")), True, True, False),
        # Other matters: more than half of each; exactly half is not enough.
        ("ordinary, exactly half", (20, A(2000), 10, A(1200)), False, True, False),
        ("ordinary, more than half", (20, A(2000), 11, A("1000.01")), False, True, True),
    ],
)
def test_civil_code_art_278_at_its_boundaries(
    case: str, counts: tuple[int, Decimal, int, Decimal], major: bool, participation: bool, consent: bool
) -> None:
    voting, area_voting, owners_for, area_for = counts
    result = art278(
        owners_total=30,
        area_total=A(3000),
        owners_voting=voting,
        area_voting=area_voting,
        owners_for=owners_for,
        area_for=area_for,
        major=major,
    )
    assert (result.participation, result.consent) == (participation, consent), case
    assert result.passed == (participation and consent)


def test_a_lift_vote_passes_by_headcount_but_fails_by_area() -> None:
    """Many small flats for, a few large ones against: 3/4 of the owners but not of the area."""
    result = art278(
        owners_total=24,
        area_total=A(2400),
        owners_voting=24,
        area_voting=A(2400),
        owners_for=18,
        area_for=A(1500),
        major=True,
    )
    assert result.consent_by_owners
    assert not result.consent_by_area
    assert not result.passed
