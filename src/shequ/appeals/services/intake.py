"""Reporting an appeal (诉求): from a resident, a patrol, a call or a visit; its place, category,
starting level, contact (encrypted) and photos (checked and re-encoded)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shequ.appeals.models import LEVEL_DEPTH, Appeal, Category, Channel, Level, Photo, Priority, Stage
from shequ.appeals.notify import notify
from shequ.appeals.photos import CleanPhoto, clean_photos
from shequ.appeals.services._base import (
    CONTACT_CONTEXT,
    MAX_DESCRIPTION,
    Action,
    _now,
    _start_clock,
    _step,
    _text,
    answering_users,
)
from shequ.core import access
from shequ.core.audit import audit_log
from shequ.core.crypto import encrypt
from shequ.core.errors import DomainError
from shequ.core.models import PATH_STEP, Area, AreaKind, AuditAction
from shequ.core.policy import ADMINS
from shequ.core.roles import Role
from shequ.core.texts import cut_text

TITLE_FROM_DESCRIPTION = 30  # characters of a title made from the description, "…" included


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


# Who reports what they find on their rounds (a patrol) rather than for themselves.
PATROL_ROLES = frozenset({Role.GRID_WORKER, Role.BUILDING_HEAD, Role.SOCIAL_WORKER, *ADMINS})


def allowed_channels(by: Any, area: Area) -> list[str]:
    """Residents and volunteers report for themselves; front-line workers on patrol; staff take
    calls and visits (and patrol too)."""
    roles = {h.role for h in access.held_roles(by) if area.path.startswith(h.path)}
    channels: list[str] = []
    if roles & {Role.RESIDENT, Role.VOLUNTEER}:
        channels.append(Channel.RESIDENT)
    if roles & PATROL_ROLES:
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
    title = _text(title, field="title", limit=80) or cut_text(description, TITLE_FROM_DESCRIPTION)
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
