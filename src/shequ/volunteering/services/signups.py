"""Signing up for an activity and cancelling, decided under a lock on the activity's row so that two
concurrent requests cannot both take the last place; a cancelled place goes to the next one waiting."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from shequ.core import access
from shequ.core.errors import Conflict, DomainError, NotFound
from shequ.core.models import AuditAction
from shequ.registry.models import PoliticalStatus
from shequ.volunteering.models import (
    Activity,
    ActivityStatus,
    Attendance,
    Eligibility,
    Shift,
    SignUp,
    SignUpStatus,
    Volunteer,
)
from shequ.volunteering.services.common import _audit, _local, _locked_activity, _now
from shequ.volunteering.services.teams import _team_volunteer


def _volunteer_of(user: Any) -> Volunteer:
    pk = getattr(user, "pk", None)
    volunteer = (
        Volunteer.objects.select_related("resident", "area").filter(user_id=pk).first() if pk else None
    )
    if volunteer is None:
        raise DomainError(
            _("You are not registered as a volunteer yet. Ask your community's social worker."),
            code="not_volunteer",
        )
    return volunteer


def _check_eligible(activity: Activity, volunteer: Volunteer) -> None:
    political = volunteer.resident.political_status if volunteer.resident is not None else None
    if activity.eligibility == Eligibility.VERIFIED and not volunteer.is_verified:
        raise DomainError(
            _("Only verified volunteers may sign up; your registration is not verified yet."),
            code="not_verified",
        )
    if activity.eligibility == Eligibility.LEAGUE_MEMBERS and political != PoliticalStatus.LEAGUE_MEMBER:
        raise DomainError(_("This activity is for youth-league members."), code="not_league_member")
    if activity.eligibility == Eligibility.PARTY_MEMBERS and political not in (
        PoliticalStatus.PARTY_MEMBER,
        PoliticalStatus.ACTIVIST,
    ):
        raise DomainError(_("This activity is for party members and activists."), code="not_party_member")


def signup_create(
    *,
    by: Any,
    activity: Activity,
    volunteer: Volunteer | None = None,
    shift: Shift | None = None,
    now: datetime | None = None,
) -> SignUp:
    """Sign up for a published activity: a confirmed place while places are left, else a place on the
    waiting list. Without `volunteer` it is the signed-in volunteer; an organiser may sign up others."""
    from shequ.volunteering.selectors import activity_visible

    now = _now(now)
    if volunteer is None:
        volunteer = _volunteer_of(by)
    elif by is not None:
        access.require(by, "activity", "manage", path=activity.area.path)
        _team_volunteer(by, volunteer, activity.area)
    if by is not None and not activity_visible(by, activity):
        raise NotFound()
    if shift is not None and shift.activity_id != activity.pk:
        raise NotFound()
    with transaction.atomic():
        current = _locked_activity(activity)
        if current.status != ActivityStatus.PUBLISHED:
            raise DomainError(_("This activity is not open for sign-up."), code="not_open")
        if now >= current.starts_at:
            raise DomainError(_("Sign-up closed when the activity started."), code="started")
        if current.shifts.exists() and shift is None:
            raise DomainError(_("Choose a shift."), code="shift_required", fields={"shift": "required"})
        _check_eligible(current, volunteer)
        if (
            SignUp.objects.filter(activity=current, volunteer=volunteer)
            .exclude(status=SignUpStatus.CANCELLED)
            .exists()
        ):
            raise Conflict(_("You have already signed up for this activity."), code="already_signed_up")
        limit = shift.capacity if shift is not None else current.capacity
        taken = SignUp.objects.filter(activity=current, shift=shift, status=SignUpStatus.CONFIRMED).count()
        status = SignUpStatus.CONFIRMED if taken < limit else SignUpStatus.WAITLISTED
        try:
            with transaction.atomic():
                signup = SignUp.objects.create(
                    activity=current,
                    volunteer=volunteer,
                    shift=shift,
                    status=status,
                    created_at=now,
                    confirmed_at=now if status == SignUpStatus.CONFIRMED else None,
                )
        except IntegrityError:
            raise Conflict(
                _("You have already signed up for this activity."), code="already_signed_up"
            ) from None
        _audit(
            AuditAction.CREATE,
            by,
            signup,
            current.area.path,
            {"activity": [None, current.pk], "volunteer": [None, volunteer.pk], "status": [None, status]},
        )
        return signup


def signup_cancel(*, by: Any, signup: SignUp, now: datetime | None = None) -> SignUp:
    """Cancel a sign-up: the volunteer before the activity's deadline, the organiser at any time before
    it ends. A freed place goes to the first on the waiting list."""
    now = _now(now)
    activity = signup.activity
    own = by is None or signup.volunteer.user_id == by.pk
    if not own:
        access.require(by, "activity", "manage", path=activity.area.path)
    with transaction.atomic():
        current_activity = _locked_activity(activity)
        current = SignUp.objects.select_for_update().get(pk=signup.pk)
        if current.status == SignUpStatus.CANCELLED:
            raise DomainError(_("This sign-up is already cancelled."), code="already_cancelled")
        if current_activity.status not in (ActivityStatus.PUBLISHED, ActivityStatus.DRAFT):
            raise DomainError(_("The activity is closed; its sign-ups stay as they are."), code="closed")
        if Attendance.objects.filter(signup=current).exists():
            raise DomainError(_("Someone who has checked in cannot cancel."), code="checked_in")
        organiser = by is not None and access.can(by, "activity", "manage", path=current_activity.area.path)
        if own and not organiser and now > current_activity.cancel_deadline:
            raise DomainError(
                _("Sign-ups could be cancelled until %(time)s. Please tell the organiser you cannot come.")
                % {"time": _local(current_activity.cancel_deadline)},
                code="cancel_deadline",
            )
        was = current.status
        current.status, current.cancelled_at, current.cancelled_by = SignUpStatus.CANCELLED, now, by
        current.save(update_fields=["status", "cancelled_at", "cancelled_by"])
        _audit(AuditAction.UPDATE, by, current, current_activity.area.path, {"status": [was, current.status]})
        if was == SignUpStatus.CONFIRMED:
            _promote_next(by, current_activity, current.shift_id, now)
        return current


def _promote_next(by: Any, activity: Activity, shift_id: int | None, now: datetime) -> SignUp | None:
    following = (
        SignUp.objects.select_for_update()
        .filter(activity=activity, shift=shift_id, status=SignUpStatus.WAITLISTED)
        .order_by("created_at", "id")
        .first()
    )
    if following is None:
        return None
    following.status, following.confirmed_at = SignUpStatus.CONFIRMED, now
    following.save(update_fields=["status", "confirmed_at"])
    _audit(
        AuditAction.UPDATE,
        by,
        following,
        activity.area.path,
        {"status": [SignUpStatus.WAITLISTED, SignUpStatus.CONFIRMED]},
    )
    return following
