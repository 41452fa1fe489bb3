"""Every read of deliberation, for the acting user: starts from the access layer's scope of meetings;
a meeting of another area answers as not found."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet, Sum

from shequ.core import access
from shequ.core.errors import NotFound
from shequ.core.models import Area, subtree_q
from shequ.deliberation import quorum as arithmetic
from shequ.deliberation.homes import home_q
from shequ.deliberation.models import (
    Attendance,
    Base,
    Decision,
    DecisionStatus,
    Meeting,
    MeetingStatus,
    Milestone,
    MilestonePhoto,
    Minutes,
    Proposal,
    ProposalStatus,
    Vote,
    VoteMethod,
    VoteRule,
    VoteStatus,
    VoteUnit,
)


def meetings_for(user: Any, *, area: Area | None = None, status: str = "", q: str = "") -> QuerySet[Meeting]:
    qs = access.scope(user, "meeting", "view").select_related("area", "venue__resource")
    if area is not None:
        qs = qs.filter(subtree_q(area.path, "area__path"))
    if status in MeetingStatus.values:
        qs = qs.filter(status=status)
    q = q.strip()[:50]
    if q:
        qs = qs.filter(title__icontains=q)
    return qs.order_by("-starts_at", "-id")


def meeting_for(user: Any, pk: int) -> Meeting:
    """One meeting the user may see, or NotFound (also for meetings of other areas)."""
    found = meetings_for(user).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def meeting_to_sign_in(user: Any, pk: int) -> Meeting:
    """A meeting whose area contains the user's home (a resident signing in by QR), or NotFound."""
    found = Meeting.objects.filter(home_q(user)).select_related("area").filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def _adult_cutoff(on: date) -> date:
    """Born on or before this day: aged 18 or over on `on`."""
    try:
        return on.replace(year=on.year - 18)
    except ValueError:  # 29 February
        return on.replace(year=on.year - 18, day=28)


def eligible_count(meeting: Meeting) -> int:
    """The size of the meeting's quorum base: the residents aged 18+ or the households of its area,
    or the group delegates expected."""
    from shequ.registry.models import Household, Resident, ResidentStatus

    if meeting.quorum_base == Base.DELEGATES:
        return meeting.delegates_expected or 0
    if meeting.quorum_base == Base.HOUSEHOLDS:
        return Household.objects.filter(subtree_q(meeting.area.path, "area__path")).count()
    cutoff = _adult_cutoff(meeting.starts_at.date())
    return Resident.objects.filter(
        subtree_q(meeting.area.path, "area__path"), status=ResidentStatus.ACTIVE, birth_date__lte=cutoff
    ).count()


def present_count(meeting: Meeting) -> int:
    """Those present (in person or by proxy) counted on the meeting's base."""
    qs = Attendance.objects.filter(meeting=meeting)
    if meeting.quorum_base == Base.DELEGATES:
        return qs.filter(is_delegate=True).count()
    if meeting.quorum_base == Base.HOUSEHOLDS:
        return qs.exclude(resident__household=None).values("resident__household").distinct().count()
    return qs.filter(resident__birth_date__lte=_adult_cutoff(meeting.starts_at.date())).count()


def meeting_quorum(meeting: Meeting) -> arithmetic.Quorum:
    """The quorum now, computed live on the meeting's base and share."""
    return arithmetic.quorum(
        present_count(meeting),
        eligible_count(meeting),
        meeting.quorum_numerator,
        meeting.quorum_denominator,
        strict=meeting.quorum_strict,
    )


def attendances_for(meeting: Meeting) -> QuerySet[Attendance]:
    """The attendance of a meeting the caller has already found through meeting_for."""
    return (
        Attendance.objects.filter(meeting=meeting)
        .select_related("resident", "resident__area")
        .order_by("at", "id")
    )


def agenda_candidates(user: Any, meeting: Meeting) -> QuerySet[Any]:
    """The seam to appeals: open appeals of the meeting's area that staff marked for a meeting."""
    from shequ.appeals.selectors import appeals_for_agenda

    return appeals_for_agenda(user, meeting.area).exclude(topics__meeting=meeting)


# --- votes ------------------------------------------------------------------------------------------


def voter_key(vote: Vote, resident: Any) -> str | None:
    """Who a ballot counts for: the person, or their household in a vote of one per household. The
    same key whatever the channel, so nobody votes twice on paper and on the phone."""
    if resident is None:
        return None
    if vote.unit == VoteUnit.HOUSEHOLD:
        return f"household:{resident.household_id}" if resident.household_id else None
    return f"resident:{resident.pk}"


def votes_to_cast_for(user: Any) -> QuerySet[Vote]:
    """Open ballot votes of the meetings where the user may vote online (a resident's own building)."""
    meetings = access.scope(user, "meeting", "vote")
    return Vote.objects.filter(
        Q(meeting__in=meetings) | home_q(user, "meeting__area__path"), method=VoteMethod.BALLOT
    ).select_related("meeting__area")


def vote_for(user: Any, pk: int) -> Vote:
    """A vote of a meeting the user may see, or on which they may vote; NotFound otherwise."""
    seen = access.scope(user, "meeting", "view")
    votable = access.scope(user, "meeting", "vote")
    found = (
        Vote.objects.filter(
            Q(meeting__in=seen) | Q(meeting__in=votable) | home_q(user, "meeting__area__path")
        )
        .select_related("meeting__area", "topic")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound()
    return found


@dataclass(frozen=True)
class Outcome:
    votes_for: int
    votes_against: int
    votes_abstain: int
    cast: int
    present: int  # the base of a simple majority: those present, or those who voted if more
    passed: bool
    art278: arithmetic.Art278 | None
    owners_total: int
    area_total: Decimal
    area_for: Decimal
    area_voting: Decimal


def vote_outcome(vote: Vote) -> Outcome:
    """The counts and whether the vote passed, by its rule (quorum.py)."""
    cast = vote.votes_for + vote.votes_against + vote.votes_abstain
    area_voting = vote.area_for + vote.area_against + vote.area_abstain
    present = max(present_count(vote.meeting), cast)
    roll = vote.roll.aggregate(n=Count("id"), area=Sum("floor_area"))
    owners_total, area_total = roll["n"] or 0, roll["area"] or Decimal(0)
    result = None
    if vote.by_floor_area:
        result = arithmetic.art278(
            owners_total=owners_total,
            area_total=area_total,
            owners_voting=cast,
            area_voting=area_voting,
            owners_for=vote.votes_for,
            area_for=vote.area_for,
            major=vote.rule == VoteRule.ART278_MAJOR,
        )
        passed = result.passed
    else:
        passed = arithmetic.majority_passed(vote.votes_for, present)
    return Outcome(
        vote.votes_for,
        vote.votes_against,
        vote.votes_abstain,
        cast,
        present,
        passed,
        result,
        owners_total,
        area_total,
        vote.area_for,
        area_voting,
    )


def vote_result(vote: Vote) -> Outcome | None:
    """The result, once the vote is closed; hidden while it is open."""
    return vote_outcome(vote) if vote.status == VoteStatus.CLOSED else None


# --- proposals --------------------------------------------------------------------------------------


def signer_key(proposal: Any, resident: Any) -> str | None:
    """Who a co-signature counts for: the person, or their household when the proposal counts
    households."""
    if resident is None:
        return None
    if proposal.base == Base.HOUSEHOLDS:
        return f"household:{resident.household_id}" if resident.household_id else None
    return f"resident:{resident.pk}"


def proposals_for(user: Any, *, area: Area | None = None, status: str = "") -> QuerySet[Proposal]:
    # A resident also sees the proposals of the areas above their building (a grid's, the community's).
    qs = Proposal.objects.filter(
        Q(pk__in=access.scope(user, "proposal", "view").values("pk"))
        | home_q(user, resource="proposal", action="sign")
    ).select_related("area")
    if area is not None:
        qs = qs.filter(subtree_q(area.path, "area__path"))
    if status in ProposalStatus.values:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def proposal_for(user: Any, pk: int) -> Proposal:
    found = proposals_for(user).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


@dataclass(frozen=True)
class Progress:
    signed: int
    eligible: int
    needed: int
    reached: bool


def proposal_progress(proposal: Proposal) -> Progress:
    """Signatures against the threshold, on the proposal's base in its area (at least the share)."""
    from django.utils import timezone

    from shequ.registry.models import Household, Resident, ResidentStatus

    if proposal.base == Base.HOUSEHOLDS:
        eligible = Household.objects.filter(subtree_q(proposal.area.path, "area__path")).count()
    else:
        eligible = Resident.objects.filter(
            subtree_q(proposal.area.path, "area__path"),
            status=ResidentStatus.ACTIVE,
            birth_date__lte=_adult_cutoff(timezone.localdate()),
        ).count()
    signed = proposal.signatures.count()
    num, den = proposal.threshold_numerator, proposal.threshold_denominator
    return Progress(
        signed=signed,
        eligible=eligible,
        needed=arithmetic.needed_for(eligible, num, den, strict=False),
        reached=arithmetic.share_reached(signed, eligible, num, den, strict=False),
    )


def next_meeting_for(proposal: Proposal) -> Meeting | None:
    """The next meeting to come of the proposal's area or of an area above it within its community
    (not yet in session): where a proposal that reached its threshold goes by itself."""
    from django.utils import timezone

    from shequ.core.models import PATH_STEP

    path = proposal.area.path
    community_len = 3 * PATH_STEP
    prefixes = [path[:n] for n in range(community_len, len(path) + 1, PATH_STEP)]
    return (
        Meeting.objects.filter(
            area__path__in=prefixes,
            status__in=[MeetingStatus.DRAFT, MeetingStatus.NOTIFIED],
            starts_at__gt=timezone.now(),
        )
        .select_related("area")
        .order_by("starts_at", "id")
        .first()
    )


# --- decisions, their follow-up and co-evaluation ----------------------------------------------------


def _seen_or_votable(user: Any) -> Q:
    """Meetings the user works on, or on which they may vote (a resident, of their own building)."""
    return Q(meeting__in=access.scope(user, "meeting", "view")) | Q(
        meeting__in=access.scope(user, "meeting", "vote")
    )


def decision_for(user: Any, pk: int) -> Decision:
    """A decision of a meeting the user may see (residents: one they may rate), or NotFound."""
    found = (
        Decision.objects.filter(_seen_or_votable(user)).select_related("meeting__area").filter(pk=pk).first()
    )
    if found is None:
        raise NotFound()
    return found


def minutes_for(user: Any, pk: int) -> Minutes:
    """Minutes of a meeting the user may see, or of one they attended (to propose amendments)."""
    resident = getattr(user, "resident_record", None)
    attended = Q(meeting__attendances__resident=resident) if resident is not None else Q(pk__in=[])
    found = (
        Minutes.objects.filter(Q(meeting__in=meetings_for(user)) | attended)
        .filter(pk=pk)
        .select_related("meeting__area")
        .distinct()
        .first()
    )
    if found is None:
        raise NotFound()
    return found


def milestone_for(user: Any, pk: int) -> Milestone:
    found = (
        Milestone.objects.filter(pk=pk, decision__meeting__in=meetings_for(user))
        .select_related("decision__meeting__area")
        .first()
    )
    if found is None:
        raise NotFound()
    return found


def milestone_photo_for(user: Any, pk: int) -> MilestonePhoto:
    found = MilestonePhoto.objects.filter(pk=pk, milestone__decision__meeting__in=meetings_for(user)).first()
    if found is None:
        raise NotFound()
    return found


def milestones_overdue(today: date, *, limit: int = 500) -> list[Milestone]:
    """Milestones past their due date, not done and not yet escalated (the scheduler's work)."""
    return list(
        Milestone.objects.filter(
            due__lt=today,
            done_at__isnull=True,
            escalated_at__isnull=True,
            decision__status=DecisionStatus.ADOPTED,
        )
        .select_related("decision__meeting__area", "decision__topic")
        .order_by("id")[:limit]
    )


@dataclass(frozen=True)
class Rating:
    count: int
    average: Decimal | None  # one decimal; None before the first rating


def decision_rating(decision: Decision) -> Rating:
    row = decision.evaluations.aggregate(n=Count("id"), avg=Avg("score"))
    avg = row["avg"]
    return Rating(row["n"], None if avg is None else Decimal(avg).quantize(Decimal("0.1")))


def public_notice_photo(pk: int, today: date) -> Any:
    """A photo of a paper notice, while its decision is posted (the public page shows it), or NotFound."""
    from shequ.deliberation.models import PostingPhoto

    found = PostingPhoto.objects.filter(
        pk=pk, decision__posted_at__isnull=False, decision__posted_until__gte=today
    ).first()
    if found is None:
        raise NotFound()
    return found


# --- the public page ----------------------------------------------------------------------------------


def public_decisions(community: Area, today: date) -> QuerySet[Any]:
    """The community's posted decisions still within their period: read without login, so callers
    show only the anonymised text and the counts."""
    return (
        Decision.objects.filter(
            subtree_q(community.path, "meeting__area__path"), posted_at__isnull=False, posted_until__gte=today
        )
        .select_related("meeting__area")
        .annotate(rating_count=Count("evaluations", distinct=True), rating_avg=Avg("evaluations__score"))
        .prefetch_related("milestones", "posting_photos", "objections")
        .order_by("-posted_at", "-id")
    )
