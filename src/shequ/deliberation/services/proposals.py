"""Residents' proposals (居民提议): made by a resident for their area, co-signed on a phone (one
signature per person, or per household), and put on the next agenda of the area by themselves once
they reach their threshold — by default the law's 1/5 (城市居民委员会组织法 art. 9: 1/5 of the
residents aged 18+ or of the households can ask for a residents' meeting)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from shequ.core import access
from shequ.core.errors import Conflict, DomainError, Forbidden, NotFound
from shequ.core.models import Area, AreaKind
from shequ.deliberation import selectors
from shequ.deliberation.models import Base, Meeting, Proposal, ProposalStatus, Signature, TopicSource
from shequ.deliberation.services.common import audit, now_or
from shequ.deliberation.services.common import text as clean_text
from shequ.deliberation.services.topics import topic_add
from shequ.deliberation.workflow import PROPOSAL


def proposal_create(*, by: Any, area: Area, title: str, text: str, base: str = Base.PERSONS) -> Proposal:
    """A new proposal of a building, grid or community, open for co-signatures."""
    if by is not None:
        access.require(by, "proposal", "create", path=area.path)
    if area.kind in (AreaKind.DISTRICT, AreaKind.STREET):
        raise DomainError(
            _("A proposal belongs to a community, a grid or a building."),
            code="area_kind",
            fields={"area": "x"},
        )
    if base not in (Base.PERSONS, Base.HOUSEHOLDS):
        raise DomainError(_("Choose one of the options."), code="invalid_choice", fields={"base": "choice"})
    title = clean_text(title, field="title", limit=200, required=True)
    body = clean_text(text, field="text", limit=4000, required=True)
    with transaction.atomic():
        proposal = Proposal.objects.create(area=area, title=title, text=body, proposer=by, base=base)
        audit(by, proposal, path=area.path, action="create", changes={"title": title})
        return proposal


def _locked(proposal: Proposal, version: int | None) -> Proposal:
    current = Proposal.objects.select_for_update(of=("self",)).select_related("area").get(pk=proposal.pk)
    if version is not None and current.version != version:
        raise Conflict()
    return current


def _put_on(current: Proposal, meeting: Meeting, by: Any) -> None:
    topic = topic_add(
        by=by,
        meeting=meeting,
        title=current.title,
        description=current.text,
        participants_base=current.base,
        source=TopicSource.PROPOSAL,
    )
    current.topic = topic
    current.status = ProposalStatus.SCHEDULED


def proposal_sign(
    *, by: Any, proposal: Proposal, version: int | None = None, now: datetime | None = None
) -> Signature:
    """Co-sign as the resident the account belongs to. The signature that reaches the threshold puts
    the proposal on the next meeting of its area to come, or marks it as waiting for one."""
    now = now_or(now)
    with transaction.atomic():
        current = _locked(proposal, None)
        PROPOSAL.check(by, current, "sign")
        resident = getattr(by, "resident_record", None)
        if resident is None:
            raise Forbidden(
                _("Your account is not linked to a resident's record."), code="no_resident_record"
            )
        if not resident.area.path.startswith(current.area.path):
            raise NotFound()
        key = selectors.signer_key(current, resident)
        if key is None:
            raise DomainError(
                _("%(name)s belongs to no household: one vote per household needs one.")
                % {"name": resident.name},
                code="no_household",
            )
        try:
            with transaction.atomic():
                signature = Signature.objects.create(
                    proposal=current, signer=key, resident=resident, signed_at=now
                )
        except IntegrityError:
            raise Conflict(_("You have signed it."), code="already_signed") from None
        audit(by, signature, path=current.area.path, action="sign", changes={"proposal": current.pk})
        if current.status == ProposalStatus.OPEN and selectors.proposal_progress(current).reached:
            current.status = ProposalStatus.QUALIFIED
            meeting = selectors.next_meeting_for(current)
            if meeting is not None:
                _put_on(current, meeting, by=None)  # by itself: the rule, not the signer, puts it there
            current.version += 1
            current.save()
            audit(
                None, current, path=current.area.path, action="threshold", changes={"status": current.status}
            )
        return signature


def proposal_schedule(
    *, by: Any, proposal: Proposal, meeting: Meeting, version: int | None = None
) -> Proposal:
    """Staff put a proposal on a meeting's agenda (before or after it reached its threshold)."""
    with transaction.atomic():
        current = _locked(proposal, version)
        PROPOSAL.check(by, current, "schedule")
        _put_on(current, meeting, by=by)
        current.version += 1
        current.save()
        audit(by, current, path=current.area.path, action="schedule", changes={"meeting": meeting.pk})
        return current


def proposal_withdraw(*, by: Any, proposal: Proposal, version: int | None = None) -> Proposal:
    with transaction.atomic():
        current = _locked(proposal, version)
        PROPOSAL.check(by, current, "withdraw")
        current.status = PROPOSAL.next_state(current, "withdraw")
        current.version += 1
        current.save()
        audit(by, current, path=current.area.path, action="withdraw")
        return current
