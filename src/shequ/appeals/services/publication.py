"""Publication on the community's public board (公示), anonymised, and the seam to deliberation
(marking an appeal for the next joint meeting)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from shequ.appeals.models import LEVEL_DEPTH, Appeal, AppealStep, Level, Stage
from shequ.appeals.notify import notify
from shequ.appeals.services._base import (
    MAX_DESCRIPTION,
    Action,
    _enter,
    _locked,
    _now,
    _save,
    _step,
    _tell,
    _text,
)
from shequ.appeals.text import anonymise
from shequ.appeals.workflow import APPEAL
from shequ.core.models import PATH_STEP, AreaKind


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


def _places_near(appeal: Appeal) -> list[str]:
    """The names of the places of the appeal's community (its grids and buildings) and of the areas
    above: they name a place, not a person, and stay on the board ("布匹市场1座")."""
    from shequ.core.models import Area, subtree_q

    depth = LEVEL_DEPTH[Level.COMMUNITY] * PATH_STEP
    base = appeal.area_path[:depth] if len(appeal.area_path) >= depth else appeal.area_path
    above = [appeal.area_path[:i] for i in range(PATH_STEP, len(base) + 1, PATH_STEP)]
    inside = Area.objects.filter(subtree_q(base)).values_list("name", flat=True)[:5000]
    return [*inside, *Area.objects.filter(path__in=above).values_list("name", flat=True)]


def public_texts(appeal: Appeal, *, summary: str = "", result: str = "") -> tuple[str, str]:
    names, places = _names_near(appeal), _places_near(appeal)
    return (
        anonymise(summary or appeal.description, names=names, places=places),
        anonymise(result or appeal.result, names=names, places=places),
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
        APPEAL.check(by, current, "publish")
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
        APPEAL.check(by, current, "unpublish")
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
        APPEAL.check(by, current, "mark_for_meeting" if on else "unmark_for_meeting")
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


# The stages an appeal may still be in when the decision taken on it is implemented: it then moves on
# to "handled", and the reporter or the grid worker verifies it as after any handling.
BEFORE_HANDLED = (Stage.REPORTED, Stage.ACCEPTED, Stage.DISPATCHED, Stage.IN_PROGRESS)


def appeal_implemented(*, appeal: Appeal, by: Any, result: str, now: datetime | None = None) -> Appeal:
    """The seam from deliberation: the decision taken on the appeal is implemented, so the appeal
    moves to its next stage (handled, with the decision's text as its result) and its timeline says
    so. The caller (deliberation) has checked its own permission, in its transaction. An appeal past
    handling (verified, closed …) keeps its stage and only gains the step."""
    now = _now(now)
    current = Appeal.objects.select_for_update().select_related("category").get(pk=appeal.pk)
    from_stage, from_level = current.stage, current.level
    spent = None
    if current.stage in BEFORE_HANDLED:
        current.result = result[:MAX_DESCRIPTION]
        current.handled_at = now
        spent = _enter(current, Stage.HANDLED, now)
        _save(current, by=by, action=Action.HANDLE, changes={"stage": [from_stage, Stage.HANDLED.value]})
    _step(
        current,
        by=by,
        action=Action.HANDLE if spent is not None else Action.DECIDED,
        from_stage=from_stage,
        from_level=from_level,
        now=now,
        note=result[:1000],
        stage_seconds=spent,
    )
    if spent is not None:
        _tell(current, action=Action.HANDLE, now=now, by=by, answering=True)
    return current
