"""Every write of needs: a home visit logged on the spot (with the needs it found), a need raised and
closed, a satisfaction survey and its answers.

Each service checks access through the policy, validates, writes and audits in one transaction, and
copies the area's path onto the row (areas never move). Every record names who made it, so `by` is
always a person (the demo acts as its demo accounts).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.appeals.models import Appeal
from shequ.core import access
from shequ.core.audit import audit_log
from shequ.core.errors import Conflict, DomainError, Forbidden, NotFound
from shequ.core.models import Area, AuditAction
from shequ.core.workflow import text_value
from shequ.needs.models import (
    Need,
    NeedCategory,
    NeedSource,
    NeedStatus,
    Respondents,
    Survey,
    SurveyResponse,
    Visit,
    VisitPurpose,
)
from shequ.registry.models import Household, Organisation, Resident, ResidentStatus
from shequ.registry.selectors import resident_on_account

MAX_NOTES = 2000
MAX_DESCRIPTION = 1000
MAX_OUTCOME = 1000
MAX_COMMENT = 500
MAX_NEEDS_PER_VISIT = 5
# A paper form or a notebook is typed in later, but not a year later.
MAX_BACKDATE = timedelta(days=366)
MAX_SURVEY_DAYS = 366


class AlreadyAnswered(Conflict):
    code = "already_answered"

    def default_message(self) -> object:
        return _("This survey has already been answered for this respondent; each answers once.")


@dataclass(frozen=True)
class NeedDraft:
    """A need noted during a visit: what kind, and what the person asked for."""

    category: str
    description: str


# --- small helpers -------------------------------------------------------------------------------


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def _day(value: Any, *, field: str, today: date, earliest: date | None = None) -> date:
    """A date that has happened (today at the latest) and is not older than the limit for typing in."""
    if not isinstance(value, date):
        raise DomainError(_("Give a date."), code="date_invalid", fields={field: "invalid"})
    if value > today:
        raise DomainError(_("This date lies in the future."), code="date_future", fields={field: "future"})
    if value < (earliest or today - MAX_BACKDATE):
        raise DomainError(_("This date is too far in the past."), code="date_past", fields={field: "past"})
    return value


def _visible(by: Any, resource: str, path: str) -> None:
    """The subject must be visible to the actor: otherwise it does not exist for them."""
    if by is not None and not access.can(by, resource, "view", path=path):
        raise NotFound()


@dataclass(frozen=True)
class Subject:
    """Who a visit or a need is about, and so where it lies."""

    area: Area
    resident: Resident | None
    household: Household | None
    organisation: Organisation | None

    def fields(self) -> dict[str, Any]:
        return {
            "area": self.area,
            "area_path": self.area.path,
            "resident": self.resident,
            "household": self.household,
            "organisation": self.organisation,
        }


def subject_of(
    *,
    by: Any,
    resident: Resident | None = None,
    household: Household | None = None,
    organisation: Organisation | None = None,
) -> Subject:
    """The place of a visit or a need comes from its subject, never from what was typed: a resident's
    building, a household's building, a unit's area. A resident's household is filled in from the
    registry."""
    if resident is None and household is None and organisation is None:
        raise DomainError(
            _("Choose the resident, household or unit."), code="subject_required", fields={"resident": "x"}
        )
    if organisation is not None and (resident is not None or household is not None):
        raise DomainError(
            _("Choose either a unit or a resident and household, not both."),
            code="subject_mixed",
            fields={"organisation": "x"},
        )
    if organisation is not None:
        _visible(by, "organisation", organisation.area.path)
        return Subject(organisation.area, None, None, organisation)
    if resident is not None:
        _visible(by, "resident", resident.area.path)
        if resident.status != ResidentStatus.ACTIVE:
            raise DomainError(
                _("This person no longer lives here."), code="resident_inactive", fields={"resident": "x"}
            )
        if household is not None and resident.household_id != household.pk:
            raise DomainError(
                _("The resident is not a member of this household."),
                code="household_mismatch",
                fields={"household": "x"},
            )
        household = household or resident.household
        return Subject(resident.area, resident, household, None)
    assert household is not None
    _visible(by, "household", household.area.path)
    return Subject(household.area, None, household, None)


def _category(value: str) -> str:
    if value not in NeedCategory.values:
        raise DomainError(_("Choose a category."), code="category_invalid", fields={"category": "invalid"})
    return value


def _make_need(
    *,
    by: Any,
    subject: Subject,
    category: str,
    description: str,
    source: str,
    raised_on: date,
    visit: Visit | None = None,
    appeal: Appeal | None = None,
) -> Need:
    need = Need.objects.create(
        **subject.fields(),
        category=category,
        description=description,
        source=source,
        raised_on=raised_on,
        visit=visit,
        appeal=appeal,
        recorded_by=by,
    )
    audit_log(
        action=AuditAction.CREATE,
        actor=by,
        obj=need,
        area_path=need.area_path,
        changes={"category": [None, category], "source": [None, source], "status": [None, need.status]},
    )
    return need


def _recorder(by: Any) -> Any:
    if by is None:
        raise DomainError(_("Someone must record this."), code="recorder_required")
    return by


# --- visits --------------------------------------------------------------------------------------


def visit_log(
    *,
    by: Any,
    resident: Resident | None = None,
    household: Household | None = None,
    organisation: Organisation | None = None,
    visited_on: date | None = None,
    purpose: str = VisitPurpose.ROUTINE,
    notes: str = "",
    needs: Iterable[NeedDraft] = (),
    today: date | None = None,
    key: UUID | None = None,
) -> Visit:
    """A home visit, logged on the spot: the subject picked from the worker's own area (its place and
    household come from the registry), the day (today unless typed in later), and the needs found,
    each raised in the same step.

    `key` is the phone's own name for this visit (a UUID): the same key sent again by the same
    worker — a visit queued offline and replayed, a tap twice — answers the visit already saved,
    unchanged, instead of saving a second one."""
    today = _today(today)
    by = _recorder(by)
    subject = subject_of(by=by, resident=resident, household=household, organisation=organisation)
    access.require(by, "visit", "create", path=subject.area.path)
    if key is not None and (earlier := _keyed_visit(by, key)) is not None:
        return earlier
    visited_on = _day(visited_on or today, field="visited_on", today=today)
    if purpose not in VisitPurpose.values:
        raise DomainError(_("Choose a purpose."), code="purpose_invalid", fields={"purpose": "invalid"})
    notes = text_value(notes, field="notes", limit=MAX_NOTES)
    drafts = [d for d in needs if (d.description or "").strip() or d.category]
    if len(drafts) > MAX_NEEDS_PER_VISIT:
        raise DomainError(
            _("At most %(n)d needs at one visit.") % {"n": MAX_NEEDS_PER_VISIT},
            code="too_many",
            fields={"needs": "many"},
        )
    cleaned = [
        (
            _category(d.category),
            text_value(d.description, field="need_description", limit=MAX_DESCRIPTION, required=True),
        )
        for d in drafts
    ]
    if cleaned:
        access.require(by, "need", "create", path=subject.area.path)
    try:
        return _visit_save(by, subject, visited_on, purpose, notes, cleaned, key)
    except IntegrityError:
        # The same key arrived twice at once: the other request saved it first.
        if key is not None and (earlier := _keyed_visit(by, key)) is not None:
            return earlier
        raise


def _keyed_visit(by: Any, key: UUID) -> Visit | None:
    return Visit.objects.filter(visited_by=by, client_key=key).first()


def _visit_save(
    by: Any,
    subject: Subject,
    visited_on: date,
    purpose: str,
    notes: str,
    cleaned: list[tuple[str, str]],
    key: UUID | None,
) -> Visit:
    with transaction.atomic():
        visit = Visit.objects.create(
            **subject.fields(),
            visited_on=visited_on,
            purpose=purpose,
            notes=notes,
            visited_by=by,
            client_key=key,
        )
        audit_log(
            action=AuditAction.CREATE,
            actor=by,
            obj=visit,
            area_path=visit.area_path,
            changes={
                "purpose": [None, purpose],
                "visited_on": [None, visited_on],
                "needs": [0, len(cleaned)],
            },
        )
        for category, description in cleaned:
            _make_need(
                by=by,
                subject=subject,
                category=category,
                description=description,
                source=NeedSource.VISIT,
                raised_on=visited_on,
                visit=visit,
            )
        return visit


# --- needs ---------------------------------------------------------------------------------------


def need_raise(
    *,
    by: Any,
    category: str,
    description: str,
    source: str,
    resident: Resident | None = None,
    household: Household | None = None,
    organisation: Organisation | None = None,
    raised_on: date | None = None,
    visit: Visit | None = None,
    appeal: Appeal | None = None,
    today: date | None = None,
) -> Need:
    """A need a resident, household or unit raised (at a visit, through an appeal, a needs survey, a
    walk-in or a call). A visit or appeal it came from must be about the same place."""
    today = _today(today)
    by = _recorder(by)
    subject = subject_of(by=by, resident=resident, household=household, organisation=organisation)
    access.require(by, "need", "create", path=subject.area.path)
    category = _category(category)
    if source not in NeedSource.values:
        raise DomainError(_("Choose a source."), code="source_invalid", fields={"source": "invalid"})
    description = text_value(description, field="description", limit=MAX_DESCRIPTION, required=True)
    raised_on = _day(raised_on or today, field="raised_on", today=today)
    if visit is not None:
        _visible(by, "visit", visit.area_path)
    if visit is not None and visit.area_path != subject.area.path:
        raise DomainError(
            _("The visit was about another place."), code="visit_mismatch", fields={"visit": "x"}
        )
    if appeal is not None:
        _visible(by, "appeal", appeal.area_path)
    with transaction.atomic():
        return _make_need(
            by=by,
            subject=subject,
            category=category,
            description=description,
            source=source,
            raised_on=raised_on,
            visit=visit,
            appeal=appeal,
        )


CLOSING_STATUSES = (NeedStatus.MET, NeedStatus.UNMET, NeedStatus.WITHDRAWN)


def need_close(
    *,
    by: Any,
    need: Need,
    version: int | None,
    status: str,
    outcome: str,
    closed_on: date | None = None,
    today: date | None = None,
) -> Need:
    """Close a need: met (what was done), could not be met (why, and where it was referred), or
    withdrawn by the person. A stale version (someone closed or changed it first) is a conflict."""
    today = _today(today)
    by = _recorder(by)
    access.require(by, "need", "close", path=need.area_path)
    if status not in CLOSING_STATUSES:
        raise DomainError(
            _("Choose met, could not be met, or withdrawn."), code="status_invalid", fields={"status": "x"}
        )
    outcome = text_value(outcome, field="outcome", limit=MAX_OUTCOME, required=True)
    with transaction.atomic():
        current = Need.objects.select_for_update().get(pk=need.pk)
        if version is not None and current.version != version:
            raise Conflict(
                _(
                    "Someone else changed this need first (it is now: %(status)s). "
                    "Reload the page to see what changed, then try again."
                )
                % {"status": current.get_status_display()}
            )
        if current.status != NeedStatus.OPEN:
            raise DomainError(
                _("This need is already closed (%(status)s).") % {"status": current.get_status_display()},
                code="need_closed",
            )
        closed_on = _day(closed_on or today, field="closed_on", today=today, earliest=current.raised_on)
        before = current.status
        current.status = status
        current.outcome = outcome
        current.closed_on = closed_on
        current.closed_by = by
        current.version += 1
        current.save()
        audit_log(
            action=AuditAction.UPDATE,
            actor=by,
            obj=current,
            area_path=current.area_path,
            changes={"status": [before, status], "closed_on": [None, closed_on]},
        )
        return current


# --- satisfaction surveys ------------------------------------------------------------------------


def survey_create(
    *,
    by: Any,
    area: Area,
    title: str,
    respondents: str,
    opens_on: date,
    closes_on: date,
) -> Survey:
    """A satisfaction survey of the residents or the units of an area, open between two days."""
    by = _recorder(by)
    access.require(by, "survey", "manage", path=area.path)
    title = text_value(title, field="title", limit=100, required=True)
    if respondents not in Respondents.values:
        raise DomainError(
            _("Choose who answers."), code="respondents_invalid", fields={"respondents": "invalid"}
        )
    if not isinstance(opens_on, date) or not isinstance(closes_on, date):
        raise DomainError(_("Give a date."), code="date_invalid", fields={"opens_on": "invalid"})
    if closes_on < opens_on:
        raise DomainError(
            _("The survey cannot close before it opens."), code="dates_order", fields={"closes_on": "x"}
        )
    if (closes_on - opens_on).days > MAX_SURVEY_DAYS:
        raise DomainError(
            _("A survey runs for a year at most."), code="dates_long", fields={"closes_on": "long"}
        )
    with transaction.atomic():
        survey = Survey.objects.create(
            area=area,
            area_path=area.path,
            title=title,
            respondents=respondents,
            opens_on=opens_on,
            closes_on=closes_on,
            created_by=by,
        )
        audit_log(
            action=AuditAction.CREATE,
            actor=by,
            obj=survey,
            area_path=survey.area_path,
            changes={
                "respondents": [None, respondents],
                "opens_on": [None, opens_on],
                "closes_on": [None, closes_on],
            },
        )
        return survey


def response_record(
    *,
    by: Any,
    survey: Survey,
    score: int,
    comment: str = "",
    resident: Resident | None = None,
    organisation: Organisation | None = None,
    answered_on: date | None = None,
    today: date | None = None,
) -> SurveyResponse:
    """One answer to a survey. A resident signed in with their own account answers for themselves
    online (resident and organisation left out); staff type in a paper answer of a resident or a
    unit of the area. Each respondent answers once, only while the survey is open, and only if they
    live (or the unit lies) in the survey's area."""
    today = _today(today)
    mine = resident_on_account(by, living_here=True)
    online = organisation is None and (resident is None or (mine is not None and resident.pk == mine.pk))
    if online:
        if mine is None:
            raise Forbidden(
                _(
                    "Your account is not linked to a resident's record. Ask your community's staff to "
                    "link it, or answer on paper."
                ),
                code="not_a_resident",
            )
        resident = mine
        answered_on = today
        recorded_by = None
    else:
        recorded_by = _recorder(by)
        answered_on = answered_on or today
    if (resident is None) == (organisation is None):
        raise DomainError(
            _("Choose the resident or the unit who answered."),
            code="respondent_required",
            fields={"resident": "x"},
        )
    place: Area
    if resident is not None:
        if not online:
            _visible(by, "resident", resident.area.path)
        if resident.status != ResidentStatus.ACTIVE:
            raise DomainError(
                _("This person no longer lives here."), code="resident_inactive", fields={"resident": "x"}
            )
        place = resident.area
    else:
        assert organisation is not None
        _visible(by, "organisation", organisation.area.path)
        place = organisation.area
    if not online:
        access.require(by, "survey_response", "record", path=place.path)
    expected = Respondents.RESIDENTS if resident is not None else Respondents.UNITS
    if survey.respondents != expected:
        raise DomainError(
            _("This survey is answered by %(who)s.") % {"who": survey.get_respondents_display()},
            code="respondent_kind",
            fields={"resident": "kind"},
        )
    if not place.path.startswith(survey.area_path):
        raise DomainError(
            _("Only those who live or work in %(area)s answer this survey.") % {"area": survey.area.name},
            code="respondent_area",
            fields={"resident": "area"},
        )
    if not isinstance(answered_on, date) or answered_on > today:
        raise DomainError(
            _("This date lies in the future."), code="date_future", fields={"answered_on": "future"}
        )
    if not survey.opens_on <= answered_on <= survey.closes_on:
        raise DomainError(
            _("The survey is open from %(opens)s to %(closes)s.")
            % {"opens": survey.opens_on.isoformat(), "closes": survey.closes_on.isoformat()},
            code="survey_closed",
            fields={"answered_on": "closed"},
        )
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise DomainError(_("Choose a score from 1 to 5."), code="score_invalid", fields={"score": "x"})
    comment = text_value(comment, field="comment", limit=MAX_COMMENT)
    respondent = {"resident": resident} if resident is not None else {"organisation": organisation}
    if SurveyResponse.objects.filter(survey=survey, **respondent).exists():
        raise AlreadyAnswered()
    try:
        with transaction.atomic():
            response = SurveyResponse.objects.create(
                survey=survey,
                area=place,
                area_path=place.path,
                resident=resident,
                organisation=organisation,
                score=score,
                comment=comment,
                answered_on=answered_on,
                recorded_by=recorded_by,
            )
            audit_log(
                action=AuditAction.CREATE,
                actor=by,
                obj=response,
                area_path=response.area_path,
                changes={"survey": [None, survey.pk], "score": [None, score], "online": [None, online]},
            )
    except IntegrityError as exc:  # the same respondent at the same moment, on another device
        raise AlreadyAnswered() from exc
    return response
