"""Votes: a question put at a meeting in session, by a show of hands (counts entered by a named
officer) or by ballots — on paper, recorded by staff, or online by residents on their phones. One
ballot per person or per household across channels (the database refuses a second: 409); a closed
vote refuses ballots (409); a secret vote keeps who voted, not how; results are hidden until close."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from shequ.core.errors import Conflict, DomainError, Forbidden, NotFound
from shequ.core.models import subtree_q
from shequ.deliberation.models import (
    Ballot,
    Meeting,
    RollEntry,
    Vote,
    VoteMethod,
    VoteRule,
    VoteStatus,
    VoteUnit,
)
from shequ.deliberation.selectors import voter_key
from shequ.deliberation.services.common import audit, locked_meeting, now_or, text
from shequ.deliberation.workflow import MEETING, VOTE

MAX_FLOOR_AREA = Decimal(100_000)


def vote_open(
    *,
    by: Any,
    meeting: Meeting,
    version: int | None = None,
    question: str,
    method: str,
    unit: str,
    rule: str,
    secret: bool = False,
    topic: Any = None,
    now: datetime | None = None,
) -> Vote:
    now = now_or(now)
    question = text(question, field="question", limit=300, required=True)
    for name, value, choices in (
        ("method", method, VoteMethod),
        ("unit", unit, VoteUnit),
        ("rule", rule, VoteRule),
    ):
        if value not in choices.values:
            raise DomainError(_("Choose one of the options."), code="invalid_choice", fields={name: "choice"})
    if rule != VoteRule.MAJORITY and (method != VoteMethod.BALLOT or unit != VoteUnit.HOUSEHOLD):
        raise DomainError(
            _("A vote under Civil Code art. 278 is taken by ballots, one per household (owner)."),
            code="art278_ballots",
            fields={"rule": "x"},
        )
    if secret and method == VoteMethod.HANDS:
        raise DomainError(_("A show of hands cannot be secret."), code="secret_hands", fields={"secret": "x"})  # nosec B105 - a form field, not a password
    with transaction.atomic():
        current = locked_meeting(meeting, version)
        MEETING.check(by, current, "open_vote")
        vote = Vote.objects.create(
            meeting=current,
            topic=topic,
            question=question,
            method=method,
            unit=unit,
            rule=rule,
            secret=bool(secret),
            opened_at=now,
        )
        current.version += 1
        current.save(update_fields=["version", "updated_at"])
        audit(by, vote, path=current.area.path, action="open_vote", changes={"rule": rule, "method": method})
        return vote


def _locked(vote: Vote, version: int | None = None) -> Vote:
    current = Vote.objects.select_for_update(of=("self",)).select_related("meeting__area").get(pk=vote.pk)
    if version is not None and current.version != version:
        raise Conflict()
    return current


def _in_area(current: Vote, resident: Any) -> None:
    if not resident.area.path.startswith(current.meeting.area.path):
        raise NotFound(fields={"resident": "not_found"})


def _ballot(current: Vote, *, by: Any, resident: Any, choice: str, channel: str, now: datetime) -> Ballot:
    """Under the vote's lock: one ballot for the voter (person or household), tallied at once."""
    key = voter_key(current, resident)
    if key is None:
        raise DomainError(
            _("%(name)s belongs to no household: one vote per household needs one.")
            % {"name": resident.name},
            code="no_household",
            fields={"resident": "x"},
        )
    area = Decimal(0)
    if current.by_floor_area:
        entry = RollEntry.objects.filter(vote=current, household_id=resident.household_id).first()
        if entry is None:
            raise DomainError(
                _("%(name)s's household is not on the roll of owners.") % {"name": resident.name},
                code="not_on_roll",
                fields={"resident": "x"},
            )
        area = entry.floor_area
    try:
        with transaction.atomic():
            ballot = Ballot.objects.create(
                vote=current,
                voter=key,
                resident=resident,
                channel=channel,
                choice="" if current.secret else choice,
                floor_area=area,
                recorded_by=by if channel == Ballot.Channel.PAPER else None,
                cast_at=now,
            )
    except IntegrityError:
        raise Conflict(
            _("A vote has already been cast for %(name)s.") % {"name": resident.name}
            if current.unit == VoteUnit.PERSON
            else _("A vote has already been cast for %(name)s's household.") % {"name": resident.name},
            code="already_voted",
        ) from None
    Vote.objects.filter(pk=current.pk).update(
        **{f"votes_{choice}": F(f"votes_{choice}") + 1, f"area_{choice}": F(f"area_{choice}") + area}
    )
    audit(
        by,
        ballot,
        path=current.meeting.area.path,
        action="ballot",
        # How a secret ballot went is not even in the audit log.
        changes={"vote": current.pk, "channel": channel, **({} if current.secret else {"choice": choice})},
    )
    return ballot


def vote_cast(
    *, by: Any, vote: Vote, choice: str, version: int | None = None, now: datetime | None = None
) -> Ballot:
    """A resident's own vote, online: counted for them (or their household) once."""
    now = now_or(now)
    with transaction.atomic():
        current = _locked(vote)
        VOTE.check(by, current, "cast")
        resident = getattr(by, "resident_record", None)
        if resident is None:
            raise Forbidden(
                _("Your account is not linked to a resident's record."), code="no_resident_record"
            )
        _in_area(current, resident)
        return _ballot(
            current, by=by, resident=resident, choice=choice, channel=Ballot.Channel.ONLINE, now=now
        )


def vote_record(
    *,
    by: Any,
    vote: Vote,
    resident: Any,
    choice: str,
    version: int | None = None,
    now: datetime | None = None,
) -> Ballot:
    """A paper ballot, entered by staff for the resident who cast it."""
    now = now_or(now)
    with transaction.atomic():
        current = _locked(vote)
        VOTE.check(by, current, "record")
        _in_area(current, resident)
        return _ballot(
            current, by=by, resident=resident, choice=choice, channel=Ballot.Channel.PAPER, now=now
        )


MAX_ROLL = 5_000  # households of one building matter at most


def _floor_area(raw: Any) -> Decimal:
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        value = Decimal(-1)
    if (
        not value.is_finite()
        or value <= 0
        or value > MAX_FLOOR_AREA
        or value != value.quantize(Decimal("0.01"))
    ):
        raise DomainError(
            _("Give the floor area in square metres, e.g. 89.5."),
            code="floor_area",
            fields={"floor_area": "x"},
        )
    return value


def vote_enrol(
    *, by: Any, vote: Vote, resident: Any, floor_area: Any = None, version: int | None = None
) -> RollEntry:
    """Put an owner (their household) on the roll of an art. 278 vote, with its exclusive floor area:
    as typed, or, left empty, the household record's (its owner's name with it)."""
    with transaction.atomic():
        current = _locked(vote)
        VOTE.check(by, current, "enrol")
        _in_area(current, resident)
        household = resident.household
        if household is None:
            raise DomainError(
                _("%(name)s belongs to no household: one vote per household needs one.")
                % {"name": resident.name},
                code="no_household",
                fields={"resident": "x"},
            )
        typed = floor_area not in (None, "")
        if not typed and household.floor_area is None:
            raise DomainError(
                _("The household record holds no floor area: type it."),
                code="floor_area",
                fields={"floor_area": "required"},
            )
        area = _floor_area(floor_area) if typed else household.floor_area
        owner = household.owner if not typed and household.owner else resident.name
        try:
            with transaction.atomic():
                entry = RollEntry.objects.create(
                    vote=current, household_id=household.pk, owner=owner[:50], floor_area=area
                )
        except IntegrityError:
            raise Conflict(
                _("This household is already on the roll."), code="already_on_roll", fields={"resident": "x"}
            ) from None
        audit(by, entry, path=current.meeting.area.path, action="enrol", changes={"floor_area": str(area)})
        return entry


def vote_enrol_registry(*, by: Any, vote: Vote, version: int | None = None) -> Vote:
    """Fill the roll of an art. 278 vote from the household records of the meeting's area: every
    household with an exclusive floor area, once (those already on the roll are kept as they are)."""
    from shequ.registry.models import Household

    with transaction.atomic():
        current = _locked(vote)
        VOTE.check(by, current, "enrol_registry")
        on_roll = set(RollEntry.objects.filter(vote=current).values_list("household_id", flat=True))
        households = Household.objects.filter(
            subtree_q(current.meeting.area.path, "area__path"), floor_area__isnull=False
        ).exclude(pk__in=on_roll)
        made = RollEntry.objects.bulk_create(
            [
                RollEntry(
                    vote=current,
                    household_id=h.pk,
                    owner=(h.owner or h.address)[:50],
                    floor_area=h.floor_area or Decimal(0),  # never 0: the filter keeps only areas
                )
                for h in households.only("pk", "owner", "address", "floor_area")[:MAX_ROLL]
            ]
        )
        audit(
            by,
            current,
            path=current.meeting.area.path,
            action="enrol_registry",
            changes={"households": len(made)},
        )
        return current


def vote_count_hands(
    *,
    by: Any,
    vote: Vote,
    votes_for: int,
    votes_against: int,
    votes_abstain: int,
    counted_by: str,
    version: int | None = None,
) -> Vote:
    """The counts of a show of hands, entered by the named officer who counted them."""
    counted_by = text(counted_by, field="counted_by", limit=50, required=True)
    with transaction.atomic():
        current = _locked(vote, version)
        VOTE.check(by, current, "count_hands")
        was = [current.votes_for, current.votes_against, current.votes_abstain]
        current.votes_for, current.votes_against, current.votes_abstain = (
            votes_for,
            votes_against,
            votes_abstain,
        )
        current.counted_by = counted_by
        current.version += 1
        current.save()
        audit(
            by,
            current,
            path=current.meeting.area.path,
            action="count_hands",
            changes={"counts": [was, [votes_for, votes_against, votes_abstain]], "counted_by": counted_by},
        )
        return current


def vote_close(*, by: Any, vote: Vote, version: int | None = None, now: datetime | None = None) -> Vote:
    now = now_or(now)
    with transaction.atomic():
        current = _locked(vote, version)
        VOTE.check(by, current, "close")
        if current.method == VoteMethod.HANDS and not current.counted_by:
            raise DomainError(_("Enter the show of hands before closing the vote."), code="hands_not_counted")
        current.status = VoteStatus.CLOSED
        current.closed_at = now
        current.version += 1
        current.save()
        audit(by, current, path=current.meeting.area.path, action="close_vote")
        return current
