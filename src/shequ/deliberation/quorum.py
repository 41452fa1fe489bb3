"""The arithmetic of quorum and votes, as pure functions over counts (no database), so that the
boundaries — exactly half, exactly 2/3, exactly 3/4 — are tested on their own.

Sources: 城市居民委员会组织法 art. 10 (a residents' meeting needs more than half of the residents aged
18+, or of the household representatives, or of the group delegates; a decision more than half of
those present); 民法典 art. 278 (building matters: owners holding ≥ 2/3 of the exclusive floor area and
≥ 2/3 of the owners take part; major matters need ≥ 3/4 of the participating area and of the
participating owners, other matters more than half of each)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


def share_reached(
    part: int | Decimal, whole: int | Decimal, numerator: int, denominator: int, *, strict: bool
) -> bool:
    """part/whole > numerator/denominator (strict) or ≥ (not strict), in exact arithmetic. Nothing
    reaches a share of an empty whole."""
    if whole <= 0:
        return False
    left, right = part * denominator, whole * numerator
    return left > right if strict else left >= right


def needed_for(whole: int, numerator: int, denominator: int, *, strict: bool) -> int:
    """The smallest count that reaches the share of `whole`."""
    if whole <= 0:
        return 1
    exact, rest = divmod(whole * numerator, denominator)
    if strict:
        return exact + 1
    return exact + (1 if rest else 0)


@dataclass(frozen=True)
class Quorum:
    present: int
    eligible: int
    needed: int
    met: bool


def quorum(
    present: int, eligible: int, numerator: int = 1, denominator: int = 2, *, strict: bool = True
) -> Quorum:
    return Quorum(
        present=present,
        eligible=eligible,
        needed=needed_for(eligible, numerator, denominator, strict=strict),
        met=share_reached(present, eligible, numerator, denominator, strict=strict),
    )


def majority_passed(votes_for: int, present: int) -> bool:
    """More than half of those present (abstaining counts as present, not as for)."""
    return share_reached(votes_for, present, 1, 2, strict=True)


@dataclass(frozen=True)
class Art278:
    participation_by_owners: bool
    participation_by_area: bool
    consent_by_owners: bool
    consent_by_area: bool

    @property
    def participation(self) -> bool:
        return self.participation_by_owners and self.participation_by_area

    @property
    def consent(self) -> bool:
        return self.consent_by_owners and self.consent_by_area

    @property
    def passed(self) -> bool:
        return self.participation and self.consent


def art278(
    *,
    owners_total: int,
    area_total: Decimal,
    owners_voting: int,
    area_voting: Decimal,
    owners_for: int,
    area_for: Decimal,
    major: bool,
) -> Art278:
    """Civil Code art. 278 on the counts of one building's vote: both tests, by headcount and by
    exclusive floor area, each of participation and of consent."""
    # Major matters: at least three quarters; the others: more than half.
    num, den, strict = (3, 4, False) if major else (1, 2, True)
    return Art278(
        participation_by_owners=share_reached(owners_voting, owners_total, 2, 3, strict=False),
        participation_by_area=share_reached(area_voting, area_total, 2, 3, strict=False),
        consent_by_owners=share_reached(owners_for, owners_voting, num, den, strict=strict),
        consent_by_area=share_reached(area_for, area_voting, num, den, strict=strict),
    )
