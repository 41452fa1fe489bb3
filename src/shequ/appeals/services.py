"""Every write of appeals: report, the closed loop's transitions, escalation, evaluation, publication.

Each service checks access, checks that the transition is legal from the appeal's current stage,
compares the version the user saw (a stale edit raises Conflict), writes the appeal and its step,
audits and notifies — in one transaction. by=None is the scheduled job (or the operator's demo).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.appeals.models import (
    DEADLINE_STAGES,
    FINISHED_STAGES,
    LEVEL_DEPTH,
    LEVEL_ORDER,
    OPEN_STAGES,
    Appeal,
    AppealStep,
    Category,
    Channel,
    Evaluation,
    HandlerKind,
    Level,
    Photo,
    Priority,
    Stage,
    StageDeadline,
)
from shequ.appeals.notify import notify
from shequ.appeals.photos import CleanPhoto, clean_photos
from shequ.appeals.text import anonymise
from shequ.core import access
from shequ.core.audit import audit_log
from shequ.core.crypto import encrypt
from shequ.core.errors import Conflict, DomainError, Forbidden, NotFound
from shequ.core.models import PATH_STEP, Area, AreaKind, AuditAction, User
from shequ.core.policy import ADMINS
from shequ.core.roles import Role
from shequ.registry.models import Organisation, OrganisationKind

Action = AppealStep.Action
CONTACT_CONTEXT = "appeals.appeal.contact_phone"
MAX_DESCRIPTION = 2000
MAX_NOTE = 1000
WARN_FRACTION = 0.8  # the handler is warned when 80% of a stage's time has passed

# Hours per stage when a category has no row of its own (normal / urgent / emergency).
DEFAULT_HOURS: dict[str, dict[str, int]] = {
    Priority.NORMAL: {
        Stage.REPORTED: 24,
        Stage.ACCEPTED: 24,
        Stage.DISPATCHED: 24,
        Stage.IN_PROGRESS: 120,
        Stage.HANDLED: 72,
    },
    Priority.URGENT: {
        Stage.REPORTED: 4,
        Stage.ACCEPTED: 4,
        Stage.DISPATCHED: 4,
        Stage.IN_PROGRESS: 48,
        Stage.HANDLED: 24,
    },
    Priority.EMERGENCY: {
        Stage.REPORTED: 1,
        Stage.ACCEPTED: 1,
        Stage.DISPATCHED: 1,
        Stage.IN_PROGRESS: 12,
        Stage.HANDLED: 12,
    },
}

# The closed loop: action -> (stages it may start from, stage it leads to).
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    Action.ACCEPT: ((Stage.REPORTED,), Stage.ACCEPTED),
    Action.REJECT: ((Stage.REPORTED, Stage.ACCEPTED), Stage.REJECTED),
    Action.MERGE: ((Stage.REPORTED, Stage.ACCEPTED), Stage.MERGED),
    Action.DISPATCH: ((Stage.ACCEPTED, Stage.DISPATCHED, Stage.IN_PROGRESS), Stage.DISPATCHED),
    Action.START: ((Stage.DISPATCHED,), Stage.IN_PROGRESS),
    Action.HANDLE: ((Stage.IN_PROGRESS,), Stage.HANDLED),
    Action.REWORK: ((Stage.HANDLED,), Stage.IN_PROGRESS),
    Action.VERIFY: ((Stage.HANDLED,), Stage.VERIFIED),
    Action.CLOSE: ((Stage.VERIFIED,), Stage.CLOSED),
    Action.REOPEN: ((Stage.CLOSED,), Stage.ACCEPTED),
    Action.EVALUATE: ((Stage.CLOSED,), Stage.EVALUATED),
}
ESCALATABLE = (Stage.REPORTED, Stage.ACCEPTED, Stage.DISPATCHED, Stage.IN_PROGRESS)
# Roles that accept, dispatch, close and escalate (the policy's "triage" rule, as a set of roles).
TRIAGE_ROLES = frozenset(ADMINS | {Role.GRID_WORKER})


# --- small helpers -------------------------------------------------------------------------------


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _text(value: str | None, *, field: str, limit: int, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(_("This field is required."), code="required", fields={field: "required"})
    if len(value) > limit:
        raise DomainError(
            _("At most %(n)d characters.") % {"n": limit}, code="too_long", fields={field: "long"}
        )
    return value


def deadline_hours(category: Category, priority: str, stage: str) -> int | None:
    if stage not in DEADLINE_STAGES:
        return None
    row = StageDeadline.objects.filter(category=category, priority=priority, stage=stage).first()
    if row is not None:
        return row.hours
    return DEFAULT_HOURS.get(priority, DEFAULT_HOURS[Priority.NORMAL]).get(stage)


def _start_clock(appeal: Appeal, now: datetime) -> None:
    """Give the appeal the deadline of its current stage, counted from now, and its warning time."""
    hours = deadline_hours(appeal.category, appeal.priority, appeal.stage)
    if hours is None:
        appeal.deadline_at = appeal.warn_at = None
    else:
        appeal.deadline_at = now + timedelta(hours=hours)
        appeal.warn_at = now + timedelta(hours=hours * WARN_FRACTION)
    appeal.overdue_noticed_at = None


def _enter(appeal: Appeal, stage: str, now: datetime) -> int:
    """Move to `stage`; returns the seconds spent in the stage it leaves."""
    spent = max(0, int((now - appeal.stage_started_at).total_seconds()))
    if appeal.deadline_at is not None and now > appeal.deadline_at:
        appeal.was_overdue = True
    appeal.stage = stage
    appeal.stage_started_at = now
    _start_clock(appeal, now)
    return spent


def _locked(appeal: Appeal, version: int | None) -> Appeal:
    current = Appeal.objects.select_for_update().select_related("category").get(pk=appeal.pk)
    if version is not None and current.version != version:
        raise Conflict(
            _(
                "Someone else acted on this appeal first (it is now: %(stage)s). "
                "Reload the page to see what changed, then try again."
            )
            % {"stage": current.get_stage_display()}
        )
    return current


def _check_from(appeal: Appeal, action: str) -> str:
    sources, target = TRANSITIONS[action]
    if appeal.stage not in sources:
        raise DomainError(
            _("This cannot be done to an appeal that is %(stage)s.") % {"stage": appeal.get_stage_display()},
            code="illegal_transition",
        )
    return target


def _actor_name(by: Any) -> str:
    return str(by) if by is not None else "系统"


def _step(
    appeal: Appeal,
    *,
    by: Any,
    action: str,
    from_stage: str,
    from_level: str,
    now: datetime,
    note: str = "",
    stage_seconds: int | None = None,
) -> AppealStep:
    return AppealStep.objects.create(
        appeal=appeal,
        at=now,
        actor=by,
        actor_name=_actor_name(by),
        action=action,
        from_stage=from_stage,
        to_stage=appeal.stage,
        from_level=from_level,
        to_level=appeal.level,
        note=note,
        stage_seconds=stage_seconds,
    )


def _save(appeal: Appeal, *, by: Any, action: str, changes: dict[str, Any]) -> None:
    appeal.version += 1
    appeal.save()
    audit_log(
        action=AuditAction.UPDATE,
        actor=by,
        obj=appeal,
        area_path=appeal.area_path,
        changes={"action": action, **changes},
        actor_name=None if by is not None else "系统",
    )


def answering_users(appeal: Appeal) -> list[User]:
    """Those who hold a triage role on the area answering for the appeal now."""
    return list(
        User.objects.filter(
            is_active=True,
            assignments__area_id=appeal.handling_area_id,
            assignments__role__in=[r.value for r in TRIAGE_ROLES],
        ).distinct()
    )


def _tell(appeal: Appeal, *, action: str, now: datetime, by: Any, answering: bool = False) -> None:
    users: list[Any] = [appeal.reporter, appeal.handler_user]
    if answering or appeal.handler_user_id is None:
        users += answering_users(appeal)
    notify(users=users, appeal=appeal, action=action, at=now, actor=by)


# --- who may do what to this appeal -------------------------------------------------------------


def is_triager(by: Any, appeal: Appeal) -> bool:
    """May accept, dispatch, close and escalate: a triage role at the answering level or above."""
    if by is None:
        return True
    if not access.can(by, "appeal", "triage", path=appeal.area_path):
        return False
    return any(appeal.handling_path.startswith(p) for p in access.paths_for(by, "appeal", "triage"))


def _require_triage(by: Any, appeal: Appeal) -> None:
    if by is None:
        return
    access.require(by, "appeal", "triage", path=appeal.area_path)
    if not is_triager(by, appeal):
        raise Forbidden(
            _("This appeal now lies with the %(level)s level; only that level or above can act on it.")
            % {"level": appeal.get_level_display()}
        )


def may_handle(by: Any, appeal: Appeal) -> bool:
    if by is None:
        return True
    if not access.can(by, "appeal", "handle", path=appeal.area_path):
        return False
    if appeal.handler_user_id is not None and appeal.handler_user_id != by.pk:
        return is_triager(by, appeal)
    return True


def _require_handler(by: Any, appeal: Appeal) -> None:
    if by is None:
        return
    access.require(by, "appeal", "handle", path=appeal.area_path)
    if not may_handle(by, appeal):
        raise Forbidden(
            _("Only the person it was dispatched to, or the level answering for it, can do this.")
        )


def is_reporter(by: Any, appeal: Appeal) -> bool:
    return by is not None and appeal.reporter_id is not None and appeal.reporter_id == by.pk


def may_verify(by: Any, appeal: Appeal) -> bool:
    return by is None or is_reporter(by, appeal) or access.can(by, "appeal", "verify", path=appeal.area_path)


def _require_verifier(by: Any, appeal: Appeal) -> None:
    if not may_verify(by, appeal):
        access.require(by, "appeal", "verify", path=appeal.area_path)


def is_staff_over(by: Any, path: str) -> bool:
    """Community staff, street officials and district administrators of this place."""
    return any(h.role in ADMINS and path.startswith(h.path) for h in access.held_roles(by))


def may_evaluate(by: Any, appeal: Appeal) -> bool:
    """The reporter evaluates; staff record it on a call-back for a caller or visitor (回访)."""
    if is_reporter(by, appeal):
        return True
    on_behalf = appeal.reporter_id is None or appeal.channel in (Channel.HOTLINE, Channel.VISIT)
    return on_behalf and is_staff_over(by, appeal.area_path)


def may_see_contact(by: Any, appeal: Appeal) -> bool:
    if is_reporter(by, appeal):
        return True
    # A third-party evaluator sees de-identified data only (issue 9; PIPL art. 28): never a contact.
    if all(h.role == Role.EVALUATOR for h in access.held_roles(by)):
        return False
    if appeal.contact_withheld:
        return is_staff_over(by, appeal.area_path)
    return access.can(by, "appeal", "view", path=appeal.area_path)


# --- report --------------------------------------------------------------------------------------


def _answering_area(area: Area, level: str) -> Area:
    depth = LEVEL_DEPTH[Level(level)]
    return Area.objects.get(path=area.path[: depth * PATH_STEP])


def _starting_level(area: Area, category: Category) -> str:
    """The category's starting level, but never below the place itself (a community-wide issue
    cannot stay in one estate)."""
    level = category.default_level
    if area.kind == AreaKind.COMMUNITY and level == Level.ESTATE:
        level = Level.COMMUNITY
    return level


def allowed_channels(by: Any, area: Area) -> list[str]:
    """Residents and volunteers report for themselves; front-line workers on patrol; staff take
    calls and visits (and patrol too)."""
    roles = {h.role for h in access.held_roles(by) if area.path.startswith(h.path)}
    channels: list[str] = []
    if roles & {Role.RESIDENT, Role.VOLUNTEER}:
        channels.append(Channel.RESIDENT)
    if roles & {Role.GRID_WORKER, Role.BUILDING_HEAD, Role.SOCIAL_WORKER, *ADMINS}:
        channels.append(Channel.PATROL)
    if roles & {*ADMINS, Role.SOCIAL_WORKER, Role.GRID_WORKER}:
        channels += [Channel.HOTLINE, Channel.VISIT]
    return channels


def _coordinate(value: Any, *, field: str, bound: int) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except ArithmeticError:
        number = None
    if number is None or not -bound <= number <= bound:
        raise DomainError(
            _("This position is not valid."), code="position_invalid", fields={field: "invalid"}
        )
    return number


def _save_photos(appeal: Appeal, photos: Sequence[CleanPhoto], *, kind: str, by: Any) -> None:
    for p in photos:
        photo = Photo(appeal=appeal, kind=kind, width=p.width, height=p.height, size=p.size, uploaded_by=by)
        photo.image.save(p.content.name or "photo.jpg", p.content, save=False)
        photo.save()


def appeal_report(
    *,
    by: Any,
    area: Area,
    category: Category,
    description: str,
    title: str = "",
    channel: str | None = None,
    priority: str = Priority.NORMAL,
    latitude: Any = None,
    longitude: Any = None,
    contact_name: str = "",
    contact_phone: str = "",
    contact_withheld: bool = False,
    photos: Iterable[Any] = (),
    now: datetime | None = None,
) -> Appeal:
    """A new appeal about `area` (a building, grid or community), from any channel. Photos are
    uploads (checked and re-encoded here)."""
    from shequ.resources.services import clean_phone

    now = _now(now)
    if by is not None:
        access.require(by, "appeal", "create", path=area.path)
    if area.kind not in (AreaKind.BUILDING, AreaKind.GRID, AreaKind.COMMUNITY):
        raise DomainError(
            _("Choose the building, grid or community the appeal is about."),
            code="area_kind",
            fields={"area": "kind"},
        )
    if not category.active:
        raise DomainError(_("Choose a category."), code="category_invalid", fields={"category": "invalid"})
    if priority not in Priority.values:
        raise DomainError(_("Choose a priority."), code="priority_invalid", fields={"priority": "invalid"})
    if by is not None:
        choices = allowed_channels(by, area)
        channel = channel or (choices[0] if choices else None)
        if channel not in choices:
            raise DomainError(
                _("You cannot report through this channel."), code="channel_invalid", fields={"channel": "x"}
            )
    elif channel not in Channel.values:
        raise DomainError(_("Choose a channel."), code="channel_invalid", fields={"channel": "invalid"})
    description = _text(description, field="description", limit=MAX_DESCRIPTION, required=True)
    title = _text(title, field="title", limit=80) or description.replace("\n", " ")[:30]
    contact_name = _text(contact_name, field="contact_name", limit=50)
    if channel in (Channel.HOTLINE, Channel.VISIT) and not contact_name:
        raise DomainError(
            _("Write the name of the caller or visitor."),
            code="required",
            fields={"contact_name": "required"},
        )
    if channel == Channel.RESIDENT and not contact_name and by is not None:
        contact_name = str(by)
    phone = clean_phone(contact_phone or "", field="contact_phone")
    lat = _coordinate(latitude, field="latitude", bound=90)
    lng = _coordinate(longitude, field="longitude", bound=180)
    if (lat is None) != (lng is None):
        raise DomainError(
            _("Give both latitude and longitude, or neither."),
            code="position_invalid",
            fields={"latitude": "x"},
        )
    cleaned = clean_photos(list(photos))
    level = _starting_level(area, category)
    answering = _answering_area(area, level)
    with transaction.atomic():
        appeal = Appeal(
            area=area,
            area_path=area.path,
            latitude=lat,
            longitude=lng,
            category=category,
            title=title,
            description=description,
            channel=channel,
            priority=priority,
            reporter=by,
            contact_name=contact_name,
            contact_phone_encrypted=encrypt(phone, context=CONTACT_CONTEXT) if phone else "",
            contact_withheld=bool(contact_withheld),
            stage=Stage.REPORTED,
            level=level,
            handling_area=answering,
            handling_path=answering.path,
            stage_started_at=now,
            reported_at=now,
        )
        _start_clock(appeal, now)
        appeal.save()
        _save_photos(appeal, cleaned, kind=Photo.Kind.REPORT, by=by)
        _step(appeal, by=by, action=Action.REPORT, from_stage="", from_level="", now=now)
        audit_log(
            action=AuditAction.CREATE,
            actor=by,
            obj=appeal,
            area_path=area.path,
            changes={
                "category": [None, category.code],
                "channel": [None, channel],
                "priority": [None, priority],
                "level": [None, level],
                "photos": [0, len(cleaned)],
            },
        )
        notify(users=answering_users(appeal), appeal=appeal, action=Action.REPORT, at=now, actor=by)
        return appeal


# --- the closed loop -----------------------------------------------------------------------------


def _transition(
    *,
    appeal: Appeal,
    by: Any,
    version: int | None,
    action: str,
    check: Any,
    note: str = "",
    now: datetime | None = None,
    apply: Any = None,
    answering: bool = False,
) -> Appeal:
    """The shape every transition shares: lock, compare version, check the stage and the actor, move,
    record the step, audit and notify."""
    now = _now(now)
    note = _text(note, field="note", limit=MAX_NOTE)
    with transaction.atomic():
        current = _locked(appeal, version)
        check(by, current)
        target = _check_from(current, action)
        from_stage, from_level = current.stage, current.level
        extra: dict[str, Any] = apply(current, now) if apply is not None else {}
        spent = _enter(current, target, now)
        _save(current, by=by, action=action, changes={"stage": [from_stage, target], **extra})
        _step(
            current,
            by=by,
            action=action,
            from_stage=from_stage,
            from_level=from_level,
            now=now,
            note=note,
            stage_seconds=spent,
        )
        _tell(current, action=action, now=now, by=by, answering=answering)
        return current


def appeal_accept(
    *, appeal: Appeal, by: Any, version: int | None, note: str = "", now: datetime | None = None
) -> Appeal:
    def apply(a: Appeal, at: datetime) -> dict[str, Any]:
        a.accepted_at = a.accepted_at or at
        return {}

    return _transition(
        appeal=appeal,
        by=by,
        version=version,
        action=Action.ACCEPT,
        check=_require_triage,
        note=note,
        now=now,
        apply=apply,
    )


def appeal_reject(
    *, appeal: Appeal, by: Any, version: int | None, reason: str, now: datetime | None = None
) -> Appeal:
    reason = _text(reason, field="reason", limit=MAX_NOTE, required=True)

    def apply(a: Appeal, at: datetime) -> dict[str, Any]:
        a.rejection_reason = reason
        return {}

    return _transition(
        appeal=appeal,
        by=by,
        version=version,
        action=Action.REJECT,
        check=_require_triage,
        note=reason,
        now=now,
        apply=apply,
    )


def appeal_merge(
    *, appeal: Appeal, by: Any, version: int | None, into: Appeal, note: str = "", now: datetime | None = None
) -> Appeal:
    """A duplicate joins the appeal it repeats; its reporter follows that one from now on."""
    if into.pk == appeal.pk:
        raise DomainError(
            _("An appeal cannot be merged into itself."), code="merge_self", fields={"into": "self"}
        )
    if by is not None and not access.can(by, "appeal", "view", path=into.area_path):
        raise NotFound()
    target = Appeal.objects.get(pk=into.pk)
    if target.stage not in OPEN_STAGES:
        raise DomainError(
            _("Merge only into an appeal that is still open."),
            code="merge_target_closed",
            fields={"into": "closed"},
        )

    def apply(a: Appeal, at: datetime) -> dict[str, Any]:
        a.merged_into = target
        return {"merged_into": [None, target.pk]}

    return _transition(
        appeal=appeal,
        by=by,
        version=version,
        action=Action.MERGE,
        check=_require_triage,
        note=note or f"#{target.pk}",
        now=now,
        apply=apply,
    )


def handler_kind_of(organisation: Organisation) -> str:
    if organisation.kind in (OrganisationKind.UNIT, OrganisationKind.PROPERTY_COMPANY):
        return HandlerKind.UNIT
    return HandlerKind.TEAM


def appeal_dispatch(
    *,
    appeal: Appeal,
    by: Any,
    version: int | None,
    to_user: User | None = None,
    to_organisation: Organisation | None = None,
    note: str = "",
    now: datetime | None = None,
) -> Appeal:
    """Send the appeal to a person (who must work where it is), or to a team or unit (an
    organisation of the registry, e.g. the property company)."""
    if (to_user is None) == (to_organisation is None):
        raise DomainError(
            _("Choose one handler: a person, or a team or unit."),
            code="handler_required",
            fields={"handler": "x"},
        )
    if to_user is not None and not access.can(to_user, "appeal", "handle", path=appeal.area_path):
        raise DomainError(
            _("%(name)s does not work where this appeal is.") % {"name": to_user},
            code="handler_outside",
            fields={"handler": "outside"},
        )
    if (
        to_organisation is not None
        and by is not None
        and not access.can(by, "organisation", "view", path=to_organisation.area.path)
    ):
        raise NotFound()

    def apply(a: Appeal, at: datetime) -> dict[str, Any]:
        before = [a.handler_user_id, a.handler_organisation_id]
        a.handler_user = to_user
        a.handler_organisation = to_organisation
        a.handler_kind = HandlerKind.PERSON if to_user is not None else handler_kind_of(to_organisation)  # type: ignore[arg-type]
        return {"handler": [before, [a.handler_user_id, a.handler_organisation_id]]}

    handler_name = str(to_user or to_organisation)
    return _transition(
        appeal=appeal,
        by=by,
        version=version,
        action=Action.DISPATCH,
        check=_require_triage,
        note=(f"→ {handler_name}" + (f"：{note.strip()}" if note.strip() else ""))[:MAX_NOTE],
        now=now,
        apply=apply,
    )


def appeal_start(
    *, appeal: Appeal, by: Any, version: int | None, note: str = "", now: datetime | None = None
) -> Appeal:
    return _transition(
        appeal=appeal, by=by, version=version, action=Action.START, check=_require_handler, note=note, now=now
    )


def appeal_handle(
    *,
    appeal: Appeal,
    by: Any,
    version: int | None,
    result: str,
    photos: Iterable[Any] = (),
    now: datetime | None = None,
) -> Appeal:
    """The handler reports what was done, with photos of the result."""
    result = _text(result, field="result", limit=MAX_DESCRIPTION, required=True)
    cleaned = clean_photos(list(photos))

    def apply(a: Appeal, at: datetime) -> dict[str, Any]:
        a.result = result
        a.handled_at = at
        _save_photos(a, cleaned, kind=Photo.Kind.RESULT, by=by)
        return {"photos": [0, len(cleaned)]}

    return _transition(
        appeal=appeal,
        by=by,
        version=version,
        action=Action.HANDLE,
        check=_require_handler,
        note=result,
        now=now,
        apply=apply,
        answering=True,
    )


def appeal_rework(
    *, appeal: Appeal, by: Any, version: int | None, reason: str, now: datetime | None = None
) -> Appeal:
    """The verifier (the reporter or the grid worker) finds the work not done: back to the handler."""
    reason = _text(reason, field="reason", limit=MAX_NOTE, required=True)
    return _transition(
        appeal=appeal,
        by=by,
        version=version,
        action=Action.REWORK,
        check=_require_verifier,
        note=reason,
        now=now,
    )


def appeal_verify(
    *, appeal: Appeal, by: Any, version: int | None, note: str = "", now: datetime | None = None
) -> Appeal:
    return _transition(
        appeal=appeal,
        by=by,
        version=version,
        action=Action.VERIFY,
        check=_require_verifier,
        note=note,
        now=now,
        answering=True,
    )


def appeal_close(
    *, appeal: Appeal, by: Any, version: int | None, note: str = "", now: datetime | None = None
) -> Appeal:
    def apply(a: Appeal, at: datetime) -> dict[str, Any]:
        a.closed_at = at
        return {}

    return _transition(
        appeal=appeal,
        by=by,
        version=version,
        action=Action.CLOSE,
        check=_require_triage,
        note=note,
        now=now,
        apply=apply,
    )


def appeal_reopen(
    *, appeal: Appeal, by: Any, version: int | None, reason: str, now: datetime | None = None
) -> Appeal:
    reason = _text(reason, field="reason", limit=MAX_NOTE, required=True)

    def apply(a: Appeal, at: datetime) -> dict[str, Any]:
        a.closed_at = None
        a.published_at = None
        return {}

    return _transition(
        appeal=appeal,
        by=by,
        version=version,
        action=Action.REOPEN,
        check=_require_triage,
        note=reason,
        now=now,
        apply=apply,
    )


def appeal_evaluate(
    *,
    appeal: Appeal,
    by: Any,
    version: int | None,
    score: int,
    comment: str = "",
    now: datetime | None = None,
) -> Appeal:
    """The reporter's satisfaction, 1 (very unsatisfied) to 5 (very satisfied)."""
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise DomainError(_("Choose 1 to 5 stars."), code="score_invalid", fields={"score": "invalid"})
    comment = _text(comment, field="comment", limit=MAX_NOTE)

    def check(actor: Any, a: Appeal) -> None:
        if actor is not None and not may_evaluate(actor, a):
            if not access.can(actor, "appeal", "view", path=a.area_path):
                raise NotFound()
            raise Forbidden(_("Only the person who reported it can evaluate it."))

    def apply(a: Appeal, at: datetime) -> dict[str, Any]:
        Evaluation.objects.create(
            appeal=a, score=score, comment=comment, by=by, on_behalf=not is_reporter(by, a), at=at
        )
        return {"score": [None, score]}

    return _transition(
        appeal=appeal,
        by=by,
        version=version,
        action=Action.EVALUATE,
        check=check,
        note=comment,
        now=now,
        apply=apply,
        answering=True,
    )


# --- escalation ----------------------------------------------------------------------------------


def next_level(level: str) -> str | None:
    index = LEVEL_ORDER.index(Level(level))
    return LEVEL_ORDER[index + 1] if index + 1 < len(LEVEL_ORDER) else None


def _escalate(current: Appeal, *, by: Any, now: datetime, note: str) -> Appeal:
    """Move a locked appeal one level up. The receiving level must accept or dispatch it again."""
    upper = next_level(current.level)
    if upper is None:
        raise DomainError(
            _("The district is the top level; there is no level to escalate to."), code="top_level"
        )
    if current.stage not in ESCALATABLE:
        raise DomainError(
            _("This cannot be done to an appeal that is %(stage)s.") % {"stage": current.get_stage_display()},
            code="illegal_transition",
        )
    from_stage, from_level = current.stage, current.level
    answering = _answering_area(current.area, upper)
    current.level = upper
    current.handling_area = answering
    current.handling_path = answering.path
    current.handler_kind = ""
    current.handler_user = None
    current.handler_organisation = None
    spent = None
    if current.stage in (Stage.DISPATCHED, Stage.IN_PROGRESS):
        spent = _enter(current, Stage.ACCEPTED, now)
    else:
        if current.deadline_at is not None and now > current.deadline_at:
            current.was_overdue = True
        _start_clock(current, now)
    _save(current, by=by, action=Action.ESCALATE, changes={"level": [from_level, upper]})
    _step(
        current,
        by=by,
        action=Action.ESCALATE,
        from_stage=from_stage,
        from_level=from_level,
        now=now,
        note=note,
        stage_seconds=spent,
    )
    _tell(current, action=Action.ESCALATE, now=now, by=by, answering=True)
    return current


def appeal_escalate(
    *, appeal: Appeal, by: Any, version: int | None, reason: str, now: datetime | None = None
) -> Appeal:
    """By hand: estate → community → street → district (乡呼县应). The receiving level sees it in its
    queue, with the whole history."""
    reason = _text(reason, field="reason", limit=MAX_NOTE, required=True)
    now = _now(now)
    with transaction.atomic():
        current = _locked(appeal, version)
        _require_triage(by, current)
        return _escalate(current, by=by, now=now, note=reason)


# --- publication and the deliberation seam --------------------------------------------------------


def _names_near(appeal: Appeal) -> list[str]:
    """Names that must not reach the public board: the reporter, the contact, the handler, and the
    residents registered in the place the appeal is about (a building has a few hundred at most)."""
    from shequ.registry.models import Resident

    names = [appeal.contact_name, str(appeal.reporter or ""), str(appeal.handler_user or "")]
    for user in (appeal.reporter, appeal.handler_user):
        if user is not None:
            names += [user.display_name, user.username]
    if appeal.area.kind == AreaKind.BUILDING:
        names += list(Resident.objects.filter(area_id=appeal.area_id).values_list("name", flat=True)[:2000])
    return names


def public_texts(appeal: Appeal, *, summary: str = "", result: str = "") -> tuple[str, str]:
    names = _names_near(appeal)
    return (
        anonymise(summary or appeal.description, names=names),
        anonymise(result or appeal.result, names=names),
    )


def appeal_publish(
    *,
    appeal: Appeal,
    by: Any,
    version: int | None,
    summary: str = "",
    result: str = "",
    now: datetime | None = None,
) -> Appeal:
    """Post a closed appeal on the community's public board (公示), anonymised: whatever staff write,
    names, phones, ID and room numbers are taken out before it is stored."""
    now = _now(now)
    summary = _text(summary, field="summary", limit=MAX_DESCRIPTION)
    result = _text(result, field="result", limit=MAX_DESCRIPTION)
    with transaction.atomic():
        current = _locked(appeal, version)
        if by is not None:
            access.require(by, "appeal", "publish", path=current.area_path)
        if current.stage not in FINISHED_STAGES:
            raise DomainError(_("Only a closed appeal can be published."), code="publish_not_closed")
        current.public_summary, current.public_result = public_texts(current, summary=summary, result=result)
        was = current.published_at
        current.published_at = now
        _save(
            current,
            by=by,
            action=Action.PUBLISH,
            changes={"published_at": [str(was) if was else None, str(now)]},
        )
        _step(
            current, by=by, action=Action.PUBLISH, from_stage=current.stage, from_level=current.level, now=now
        )
        notify(users=[current.reporter], appeal=current, action=Action.PUBLISH, at=now, actor=by)
        return current


def appeal_unpublish(*, appeal: Appeal, by: Any, version: int | None) -> Appeal:
    with transaction.atomic():
        current = _locked(appeal, version)
        if by is not None:
            access.require(by, "appeal", "publish", path=current.area_path)
        if current.published_at is None:
            return current
        was = current.published_at
        current.published_at = None
        _save(current, by=by, action="unpublish", changes={"published_at": [str(was), None]})
        return current


def appeal_mark_for_deliberation(*, appeal: Appeal, by: Any, version: int | None, on: bool = True) -> Appeal:
    """The seam to deliberation: mark an appeal for the agenda of the next joint meeting. The
    meetings issue reads `selectors.appeals_for_agenda` and links its agenda items back here."""
    with transaction.atomic():
        current = _locked(appeal, version)
        _require_triage(by, current)
        if current.for_deliberation == on:
            return current
        current.for_deliberation = on
        _save(current, by=by, action="deliberation", changes={"for_deliberation": [not on, on]})
        return current


def appeal_note_meeting(*, appeal: Appeal, by: Any, note: str, decided: bool = False) -> AppealStep:
    """The seam from deliberation: the appeal's timeline shows the meeting whose agenda it is on, and
    later the decision taken on it. The caller (deliberation) has checked its own permission, in its
    transaction; the appeal's stage does not change here."""
    current = Appeal.objects.select_for_update().get(pk=appeal.pk)
    return _step(
        current,
        by=by,
        action=Action.DECIDED if decided else Action.MEETING,
        from_stage=current.stage,
        from_level=current.level,
        now=_now(None),
        note=note[:1000],
    )


# --- deadlines (the scheduled job) -------------------------------------------------------------------


def appeals_to_warn(now: datetime) -> Any:
    return Appeal.objects.filter(stage__in=DEADLINE_STAGES, warn_at__lte=now, deadline_at__gt=now)


def appeals_overdue(now: datetime) -> Any:
    return Appeal.objects.filter(
        stage__in=DEADLINE_STAGES, deadline_at__lte=now, overdue_noticed_at__isnull=True
    )


def appeal_warn(*, appeal: Appeal, now: datetime) -> bool:
    """Warn the handler (or the answering level) that a deadline approaches. Once per stage."""
    with transaction.atomic():
        current = Appeal.objects.select_for_update().get(pk=appeal.pk)
        if current.warn_at is None or current.warn_at > now or current.stage not in DEADLINE_STAGES:
            return False
        current.warn_at = None
        current.save(update_fields=["warn_at", "updated_at"])
        _step(
            current, by=None, action=Action.WARN, from_stage=current.stage, from_level=current.level, now=now
        )
        users = [current.handler_user] if current.handler_user_id else answering_users(current)
        notify(users=users, appeal=current, action=Action.WARN, at=now)
        return True


def appeal_deadline_missed(*, appeal: Appeal, now: datetime) -> str:
    """An appeal past its stage's deadline: escalated one level, or (at the district, or waiting for
    verification) marked overdue and its answering level told. Returns what was done ("" if nothing:
    someone acted first)."""
    with transaction.atomic():
        current = Appeal.objects.select_for_update().select_related("category", "area").get(pk=appeal.pk)
        if (
            current.stage not in DEADLINE_STAGES
            or current.deadline_at is None
            or current.deadline_at > now
            or current.overdue_noticed_at is not None
        ):
            return ""
        if current.stage in ESCALATABLE and next_level(current.level) is not None:
            _escalate(current, by=None, now=now, note=str(_("The deadline of this stage passed.")))
            return "escalated"
        current.was_overdue = True
        current.overdue_noticed_at = now
        current.warn_at = None
        current.save(update_fields=["was_overdue", "overdue_noticed_at", "warn_at", "updated_at"])
        _step(
            current,
            by=None,
            action=Action.OVERDUE,
            from_stage=current.stage,
            from_level=current.level,
            now=now,
        )
        _tell(current, action=Action.OVERDUE, now=now, by=None, answering=True)
        return "overdue"


# --- the taxonomy ------------------------------------------------------------------------------------


def category_set_deadline(
    *, by: Any, category: Category, priority: str, stage: str, hours: int
) -> StageDeadline:
    """Configure a stage deadline. District administrators only (the taxonomy is district-wide)."""
    if by is not None and not any(h.role == Role.DISTRICT_ADMIN for h in access.held_roles(by)):
        raise Forbidden()
    if priority not in Priority.values or stage not in DEADLINE_STAGES:
        raise DomainError(_("Choose a priority and a stage that has a deadline."), code="deadline_invalid")
    if not isinstance(hours, int) or not 0 < hours <= 24 * 365:
        raise DomainError(_("Hours must be between 1 and 8760."), code="hours_invalid", fields={"hours": "x"})
    with transaction.atomic():
        row, _created = StageDeadline.objects.update_or_create(
            category=category, priority=priority, stage=stage, defaults={"hours": hours}
        )
        audit_log(
            action=AuditAction.UPDATE,
            actor=by,
            obj=category,
            changes={"deadline": [None, f"{priority}/{stage}={hours}h"]},
        )
        return row
