"""Pages of deliberation: meetings listed, called and run. Thin: parse, call the same services and
selectors as the API, render. Every action of the MEETING table posts to one URL and is drawn from
the table."""

from __future__ import annotations

from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequ.core import access
from shequ.core import selectors as core_selectors
from shequ.core.errors import DomainError, Forbidden, NotFound
from shequ.core.models import Area
from shequ.core.pages import area_param, form_status, submit
from shequ.core.pagination import paginate
from shequ.core.workflow import Workflow
from shequ.deliberation import resolvers, selectors
from shequ.deliberation.actions import (
    DECISION_ACTS,
    MEETING_ACTS,
    MILESTONE_ACTS,
    MINUTES_ACTS,
    PROPOSAL_ACTS,
    VOTE_ACTS,
    Acts,
    perform,
)
from shequ.deliberation.forms import MeetingForm, ProposalForm, action_form
from shequ.deliberation.models import Base, Decision, Meeting, MeetingStatus, Minutes, ProposalStatus, Vote
from shequ.deliberation.notice import notice_late, notice_pdf
from shequ.deliberation.services import attendance, meetings, proposals
from shequ.deliberation.workflow import DECISION, MEETING, MILESTONE, MINUTES, PROPOSAL, VOTE


@login_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not access.paths_for(user, "meeting", "view"):
        raise Forbidden()
    area = area_param(request)
    status = request.GET.get("status", "")
    q = request.GET.get("q", "")[:50]
    page = paginate(request, selectors.meetings_for(user, area=area, status=status, q=q))
    targets = [area] if area is not None else list(access.areas_held(user))
    create_in = [a for a in targets if access.can(user, "meeting", "manage", path=a.path)]
    return render(
        request,
        "deliberation/meeting_list.html",
        {
            "page": page,
            "area": area,
            "status": status,
            "q": q,
            "statuses": MeetingStatus.choices,
            "create_in": create_in,
        },
    )


def _venue_choices(user: Any, area: Area) -> list[tuple[int, str]]:
    from shequ.resources.selectors import resources_for

    community = area.path[:12]  # the venues of the meeting's community (or street)
    return [
        (r.venue.pk, f"{r.name}（{r.area.name}）")
        for r in resources_for(user, venues_only=True).filter(area__path__startswith=community)[:300]
    ]


@login_required
def meeting_create(request: HttpRequest, area_pk: int) -> HttpResponse:
    area = core_selectors.area_for(request.user, area_pk)
    access.require(request.user, "meeting", "manage", path=area.path)
    form = MeetingForm(request.POST or None)
    form.set_venues(_venue_choices(request.user, area))

    def call(data: dict[str, Any]) -> Meeting:
        venue_pk = data.pop("venue")
        if data.get("notice_days") is None:
            data.pop("notice_days", None)  # the default days ahead
        venue = resolvers.venue(request.user, None, venue_pk) if venue_pk else None
        return meetings.meeting_create(by=request.user, area=area, venue=venue, **data)

    meeting = submit(request, form, call)
    if meeting is not None:
        messages.success(request, _("The meeting was called."))
        return redirect("deliberation:detail", pk=meeting.pk)
    return render(
        request, "deliberation/meeting_form.html", {"form": form, "area": area}, status=form_status(form)
    )


def _forms(user: Any, table: Workflow, obj: Any, url: str, refused: Any = None) -> list[Any]:
    """The forms of the actions the user may take on obj now, each posting to `url` + its name; a
    refused form is drawn again with what was typed and why."""
    forms = []
    for action in table.available(user, obj):
        if refused is not None and refused.action.name == action.name:
            form = refused
        else:
            form = action_form(action, None)
        forms.append(form)
    if refused is not None and refused not in forms:
        forms.insert(0, refused)  # refused because it moved on: say why, keep what was typed
    for form in forms:
        form.post_url = f"{url}{form.action.name}/"
        form.obj_version = obj.version
    return forms


def _detail(
    request: HttpRequest, meeting: Meeting, refused: Any = None, status: int = 200, refused_on: Any = None
) -> HttpResponse:
    user = request.user
    url = reverse("deliberation:detail", args=[meeting.pk])
    forms = _forms(user, MEETING, meeting, f"{url}act/", refused if refused_on is None else None)
    vote_rows = []
    for vote in meeting.votes.select_related("topic"):
        mine = refused if refused_on is not None and refused_on == vote else None
        vote_rows.append(
            (vote, selectors.vote_result(vote), _forms(user, VOTE, vote, f"/votes/{vote.pk}/act/", mine))
        )
    decision_rows = []
    for decision in meeting.decisions.select_related("topic", "vote").prefetch_related("milestones__photos"):
        mine = refused if refused_on is not None and refused_on == decision else None
        milestone_rows = []
        for milestone in decision.milestones.all():
            theirs = refused if refused_on is not None and refused_on == milestone else None
            url = f"/milestones/{milestone.pk}/act/"
            milestone_rows.append((milestone, _forms(user, MILESTONE, milestone, url, theirs)))
        decision_rows.append(
            (
                decision,
                _forms(user, DECISION, decision, f"/decisions/{decision.pk}/act/", mine),
                milestone_rows,
                selectors.decision_rating(decision),
            )
        )
    minutes_rows = []
    for record in meeting.minutes.select_related("corrects").prefetch_related("amendments"):
        mine = refused if refused_on is not None and refused_on == record else None
        minutes_rows.append((record, _forms(user, MINUTES, record, f"/minutes/{record.pk}/act/", mine)))
    return render(
        request,
        "deliberation/meeting_detail.html",
        {
            "meeting": meeting,
            "quorum": selectors.meeting_quorum(meeting),
            "topics": list(meeting.topics.select_related("appeal")),
            "attendances": list(selectors.attendances_for(meeting)),
            "action_forms": forms,
            "votes": vote_rows,
            "decisions": decision_rows,
            "minutes": minutes_rows,
            "notice_late": notice_late(meeting),
            "may_attend": access.can(user, "meeting", "attend", path=meeting.area.path),
            "candidates": list(selectors.agenda_candidates(user, meeting)[:50])
            if access.can(user, "meeting", "manage", path=meeting.area.path)
            else [],
        },
        status=status,
    )


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.meeting_for(request.user, pk))


@login_required
@require_POST
def meeting_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    meeting = selectors.meeting_for(request.user, pk)
    if action not in MEETING_ACTS.services:
        raise NotFound()
    form = action_form(MEETING.action(action), request.POST)

    def call(_data: dict[str, Any]) -> Any:
        return perform(MEETING_ACTS, action, by=request.user, obj=meeting, data=request.POST)

    done = submit(request, form, call)  # a 404 in the input (another area's appeal) stays a 404
    if done is not None:
        messages.success(request, _("Done: %(action)s.") % {"action": MEETING.action(action).label})
        return redirect("deliberation:detail", pk=meeting.pk)
    meeting = selectors.meeting_for(request.user, pk)
    return _detail(request, meeting, refused=form, status=form_status(form))


@login_required
def meeting_notice(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable notice (A4 PDF) for the board."""
    meeting = selectors.meeting_for(request.user, pk)
    response = HttpResponse(notice_pdf(meeting), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="meeting-{meeting.pk}-notice.pdf"'
    return response


@login_required
def meeting_qr(request: HttpRequest, pk: int) -> HttpResponse:
    """The code shown at the door: residents scan it to sign in; the page renews itself."""
    meeting = selectors.meeting_for(request.user, pk)
    access.require(request.user, "meeting", "attend", path=meeting.area.path)
    delegates = request.GET.get("delegates") == "1"
    token = attendance.sign_in_token(meeting, delegates=delegates)
    url = request.build_absolute_uri(reverse("deliberation:sign_in", args=[token]))
    svg = segno.make(url, error="m").svg_inline(scale=6, title="QR")
    refresh = int(attendance.SIGN_IN_MAX_AGE.total_seconds() // 3)
    return render(
        request,
        "deliberation/meeting_qr.html",
        {"meeting": meeting, "svg": svg, "url": url, "refresh": refresh},
    )


@login_required
def sign_in(request: HttpRequest, token: str) -> HttpResponse:
    """Where a scan lands: GET shows the meeting and one button; the POST signs the resident in."""
    context: dict[str, Any] = {"token": token}
    try:
        meeting_pk = attendance.meeting_of_token(token)
        context["meeting"] = selectors.meeting_to_sign_in(request.user, meeting_pk)
        if request.method == "POST":
            context["attendance"] = attendance.attendance_sign_in(by=request.user, token=token)
    except DomainError as exc:
        context["error"] = exc.message
        return render(request, "deliberation/sign_in.html", context, status=exc.status)
    return render(request, "deliberation/sign_in.html", context)


@login_required
def vote_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A vote on a phone: the question, the resident's own ballot, the result once it is closed."""
    vote = selectors.vote_for(request.user, pk)
    return _vote_page(request, vote)


def _vote_page(request: HttpRequest, vote: Vote, refused: Any = None, status: int = 200) -> HttpResponse:
    forms = [
        f
        for f in _forms(request.user, VOTE, vote, f"/votes/{vote.pk}/act/", refused)
        if f.action.name == "cast"
    ]
    return render(
        request,
        "deliberation/vote_detail.html",
        {"vote": vote, "result": selectors.vote_result(vote), "forms": forms},
        status=status,
    )


@login_required
@require_POST
def vote_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    vote = selectors.vote_for(request.user, pk)
    if action not in VOTE_ACTS.services:
        raise NotFound()
    form = action_form(VOTE.action(action), request.POST)

    def call(_data: dict[str, Any]) -> Any:
        return perform(VOTE_ACTS, action, by=request.user, obj=vote, data=request.POST)

    done = submit(request, form, call)
    seen = access.can(request.user, "meeting", "view", path=vote.meeting.area.path)
    if done is not None:
        messages.success(request, _("Done: %(action)s.") % {"action": VOTE.action(action).label})
        return (
            redirect("deliberation:detail", pk=vote.meeting_id)
            if seen
            else redirect("deliberation:vote", pk=pk)
        )
    vote = selectors.vote_for(request.user, pk)
    if action == "cast" or not seen:
        return _vote_page(request, vote, refused=form, status=form_status(form))
    return _detail(request, vote.meeting, refused=form, status=form_status(form), refused_on=vote)


@login_required
def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A decision on a phone: its text, its follow-up, its rating, and the resident's own rating."""
    return _decision_page(request, selectors.decision_for(request.user, pk))


def _decision_page(
    request: HttpRequest, decision: Decision, refused: Any = None, status: int = 200
) -> HttpResponse:
    forms = [
        f
        for f in _forms(request.user, DECISION, decision, f"/decisions/{decision.pk}/act/", refused)
        if f.action.name in ("evaluate", "object")
    ]
    return render(
        request,
        "deliberation/decision_detail.html",
        {
            "decision": decision,
            "milestones": list(decision.milestones.all()),
            "rating": selectors.decision_rating(decision),
            "forms": forms,
        },
        status=status,
    )


def _act(
    request: HttpRequest, acts: Acts, obj: Any, action: str, meeting_id: int, page: Any = None
) -> HttpResponse:
    """A post to an action of a decision, a milestone or the minutes: back to the meeting when done,
    its page drawn again with the refused form when not (`page`: the page of one who does not see
    the meeting)."""
    if action not in acts.services:
        raise NotFound()
    form = action_form(acts.table.action(action), request.POST)

    def call(_data: dict[str, Any]) -> Any:
        return perform(acts, action, by=request.user, obj=obj, data=request.POST, files=request.FILES)

    done = submit(request, form, call)
    seen = access.can(request.user, "meeting", "view", path=obj.area.path)
    if done is not None:
        messages.success(request, _("Done: %(action)s.") % {"action": acts.table.action(action).label})
        if not seen and page is not None:
            return redirect(request.path.split("/act/")[0] + "/")
        return redirect("deliberation:detail", pk=meeting_id)
    if not seen and page is not None:
        return page(request, obj, refused=form, status=form_status(form))
    return _detail(
        request,
        selectors.meeting_for(request.user, meeting_id),
        refused=form,
        status=form_status(form),
        refused_on=obj,
    )


@login_required
@require_POST
def decision_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    decision = selectors.decision_for(request.user, pk)
    return _act(request, DECISION_ACTS, decision, action, decision.meeting_id, page=_decision_page)


@login_required
@require_POST
def milestone_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    milestone = selectors.milestone_for(request.user, pk)
    return _act(request, MILESTONE_ACTS, milestone, action, milestone.decision.meeting_id)


@login_required
def milestone_photo(request: HttpRequest, pk: int) -> FileResponse:
    found = selectors.milestone_photo_for(request.user, pk)
    response = FileResponse(found.image.open("rb"), content_type="image/jpeg")
    response["Content-Disposition"] = f'inline; filename="milestone-{found.milestone_id}-{found.pk}.jpg"'
    return response


@login_required
def minutes_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The minutes on a phone, for those who attended: the text, the amendments, and their own."""
    return _minutes_page(request, selectors.minutes_for(request.user, pk))


def _minutes_page(
    request: HttpRequest, record: Minutes, refused: Any = None, status: int = 200
) -> HttpResponse:
    forms = [
        f
        for f in _forms(request.user, MINUTES, record, f"/minutes/{record.pk}/act/", refused)
        if f.action.name == "propose_amendment"
    ]
    return render(
        request,
        "deliberation/minutes_detail.html",
        {"record": record, "amendments": list(record.amendments.all()), "forms": forms},
        status=status,
    )


@login_required
@require_POST
def minutes_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    record = selectors.minutes_for(request.user, pk)
    return _act(request, MINUTES_ACTS, record, action, record.meeting_id, page=_minutes_page)


# --- proposals ----------------------------------------------------------------------------------------


@login_required
def proposal_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    area = area_param(request)
    status = request.GET.get("status", "")
    page = paginate(request, selectors.proposals_for(user, area=area, status=status))
    targets = [area] if area is not None else list(access.areas_held(user))
    create_in = [a for a in targets if access.can(user, "proposal", "create", path=a.path)]
    return render(
        request,
        "deliberation/proposal_list.html",
        {
            "open_votes": list(selectors.votes_to_cast_for(user).filter(status="open")[:20]),
            "page": page,
            "area": area,
            "status": status,
            "statuses": ProposalStatus.choices,
            "create_in": create_in,
        },
    )


@login_required
def proposal_create(request: HttpRequest, area_pk: int) -> HttpResponse:
    area = core_selectors.area_for(request.user, area_pk)
    access.require(request.user, "proposal", "create", path=area.path)
    form = ProposalForm(request.POST or None)
    proposal = submit(
        request, form, lambda data: proposals.proposal_create(by=request.user, area=area, **data)
    )
    if proposal is not None:
        messages.success(request, _("Your proposal is open for co-signatures."))
        return redirect("deliberation:proposal", pk=proposal.pk)
    return render(
        request, "deliberation/proposal_form.html", {"form": form, "area": area}, status=form_status(form)
    )


def _proposal_page(
    request: HttpRequest, proposal: Any, refused: Any = None, status: int = 200
) -> HttpResponse:
    url = reverse("deliberation:proposal", args=[proposal.pk])
    return render(
        request,
        "deliberation/proposal_detail.html",
        {
            "proposal": proposal,
            "progress": selectors.proposal_progress(proposal),
            "forms": _forms(request.user, PROPOSAL, proposal, f"{url}act/", refused),
            "households": proposal.base == Base.HOUSEHOLDS,
        },
        status=status,
    )


@login_required
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _proposal_page(request, selectors.proposal_for(request.user, pk))


@login_required
@require_POST
def proposal_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    proposal = selectors.proposal_for(request.user, pk)
    if action not in PROPOSAL_ACTS.services:
        raise NotFound()
    form = action_form(PROPOSAL.action(action), request.POST)

    def call(_data: dict[str, Any]) -> Any:
        return perform(PROPOSAL_ACTS, action, by=request.user, obj=proposal, data=request.POST)

    done = submit(request, form, call)
    if done is not None:
        messages.success(request, _("Done: %(action)s.") % {"action": PROPOSAL.action(action).label})
        return redirect("deliberation:proposal", pk=pk)
    return _proposal_page(
        request, selectors.proposal_for(request.user, pk), refused=form, status=form_status(form)
    )


def public_notice_photo(request: HttpRequest, pk: int) -> FileResponse:
    """The photo of a paper notice, readable without signing in while its decision is posted."""
    from django.utils import timezone

    found = selectors.public_notice_photo(pk, timezone.localdate())
    response = FileResponse(found.image.open("rb"), content_type="image/jpeg")
    response["Content-Disposition"] = f'inline; filename="notice-{found.decision_id}-{found.pk}.jpg"'
    return response


def public_decisions(request: HttpRequest, code: str) -> HttpResponse:
    """The community's posted decisions (公示), anonymised, readable without signing in."""
    from django.utils import timezone

    from shequ.appeals.selectors import public_community

    community = public_community(code[:12])
    today = timezone.localdate()
    page = paginate(request, selectors.public_decisions(community, today))
    for decision in page:
        decision.days_left = (decision.posted_until - today).days
    return render(
        request, "deliberation/public_decisions.html", {"community": community, "page": page, "today": today}
    )
