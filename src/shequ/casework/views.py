"""Pages of casework: the case list, opening a case, a case with the buttons of its rule table, its
notes, and who supervises whom. Thin: parse, call the same services and selectors as the API."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from shequ.casework import resolvers, selectors, services
from shequ.casework.group_workflow import GROUP
from shequ.casework.maps import maps_of
from shequ.casework.models import DOMAINS, SCALE_RANGE, GroupStage, PlanTask, Risk, Scale, Source, Stage
from shequ.casework.services.notes import may_read_notes
from shequ.casework.summary import case_summary_pdf
from shequ.casework.workflow import CASE
from shequ.core import access
from shequ.core.errors import DomainError, Forbidden, NotFound
from shequ.core.pages import form_status, submit
from shequ.core.pagination import paginate
from shequ.core.workflow import Action, int_value, version_of


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not access.paths_for(user, "case", "view"):
        raise Forbidden()
    f: dict[str, Any] = {
        "stage": request.GET.get("stage", "open"),
        "risk": request.GET.get("risk", ""),
        "mine": request.GET.get("mine", "") == "1",
        "q": request.GET.get("q", "")[:50],
    }
    page = paginate(request, selectors.cases_for(user, **f))
    return render(
        request,
        "casework/case_list.html",
        {
            "page": page,
            "f": f,
            "stages": [("open", _("All open cases")), *Stage.choices],
            "risks": Risk.choices,
            "can_open": bool(access.paths_for(user, "case", "create")),
        },
    )


class CaseForm(forms.Form):
    source = forms.ChoiceField(label=gettext_lazy("Source"), choices=Source.choices)
    resident = forms.IntegerField(
        label=gettext_lazy("Client (resident)"), required=False, widget=forms.HiddenInput
    )
    household = forms.IntegerField(label=gettext_lazy("Household"), required=False, widget=forms.HiddenInput)
    appeal = forms.IntegerField(label=gettext_lazy("Appeal no."), required=False, min_value=1)
    referred_by = forms.CharField(label=gettext_lazy("Referred by"), required=False, max_length=100)
    problem = forms.CharField(
        label=gettext_lazy("Presenting problem"), max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )


def _open(user: Any, data: dict[str, Any]) -> Any:
    def ref(name: str, resolve: Any) -> Any:
        return resolve(user, None, data[name]) if data.get(name) else None

    return services.case_open(
        by=user,
        source=data["source"],
        problem=data["problem"],
        resident=ref("resident", resolvers.resident),
        household=ref("household", resolvers.household),
        appeal=ref("appeal", resolvers.appeal),
        referred_by=data.get("referred_by") or "",
    )


@login_required
def case_new(request: HttpRequest) -> HttpResponse:
    """Open a case: find the client by name, then say where the case comes from."""
    user = request.user
    if not access.paths_for(user, "case", "create"):
        raise Forbidden()
    initial = {k: request.GET[k] for k in ("resident", "household", "appeal", "source") if k in request.GET}
    if "appeal" in initial and "source" not in initial:
        initial["source"] = Source.APPEAL
    form = CaseForm(request.POST or None, initial=initial)
    case = submit(request, form, lambda data: _open(user, data))
    if case is not None:
        messages.success(request, _("Case opened."))
        return redirect("casework:detail", pk=case.pk)
    q = request.GET.get("q", "").strip()[:50]
    found = (
        access.scope(user, "resident", "view")
        .filter(name__icontains=q)
        .select_related("area")
        .order_by("name", "id")[:20]
        if q
        else []
    )
    chosen_id = form["resident"].value()
    chosen = None
    if chosen_id and str(chosen_id).isdigit():
        chosen = access.scope(user, "resident", "view").filter(pk=int(str(chosen_id))).first()
    return render(
        request,
        "casework/case_form.html",
        {"form": form, "q": q, "found": found, "chosen": chosen},
        status=form_status(form),
    )


def _ref_choices(case: Any, name: str) -> list[tuple[str, str]]:
    """The objects a ref input of the case may name, offered as options on the page."""
    if name == "task":
        tasks = PlanTask.objects.filter(
            plan__case=case, plan__approved_at__isnull=False, done_on__isnull=True
        )
        return [(str(t.pk), f"{t.due_on:%Y-%m-%d} {t.text}") for t in tasks]
    if name == "tie":
        return [(str(t.pk), f"{t.name} · {t.get_kind_display()}") for t in case.ties.all()]
    if name == "referral":
        return [
            (str(r.pk), f"#{r.pk} {r.get_to_kind_display()}") for r in case.referrals.filter(revoked_at=None)
        ]
    return []


def _action_forms(
    user: Any,
    obj: Any,
    refused: str = "",
    data: Any = None,
    error: DomainError | None = None,
    *,
    table: Any = CASE,
    url: str = "casework:act",
    choices: Any = _ref_choices,
) -> list[dict]:
    """The buttons of the rule table the user may press now, each with its inputs; the refused one
    carries what was typed and the refusal."""
    drawn = []
    for action in table.available(user, obj):
        mine = action.name == refused
        fields = []
        for f in action.fields:
            value = (data.get(f.name, "") if data is not None else "") if mine else ""
            if not mine and f.name in ("on", "held_on"):
                value = timezone.localdate().isoformat()
            options = list(f.choices()) if f.choices else choices(obj, f.name)
            fields.append(
                {
                    "f": f,
                    "value": value,
                    "checked": (bool(value) if mine else f.name == "service"),
                    "choices": options,
                    "multi": f.name == "present",
                    "error": str(error.message)
                    if (mine and error is not None and f.name in error.fields)
                    else "",
                }
            )
        form_error = (
            str(error.message)
            if mine and error is not None and not (set(error.fields) & {f.name for f in action.fields})
            else ""
        )
        drawn.append(
            {
                "action": action,
                "fields": fields,
                "error": form_error,
                "open": mine,
                "url": reverse(url, args=[obj.pk, action.name]),
            }
        )
    return drawn


def _history(case: Any) -> list[Any]:
    """The case's history with each step and stage in the reader's language."""
    labels = {name: a.label for name, a in CASE.actions.items()} | {
        "open": gettext_lazy("Case opened"),
        "task_overdue": gettext_lazy("A task is overdue: escalated to the supervisor"),
    }
    stages = dict(Stage.choices)
    events = list(case.events.select_related("by"))
    for e in events:
        e.label = labels.get(e.action, e.action)
        e.stage_label = stages.get(e.to_stage, "") if e.to_stage != e.from_stage else ""
    return events


def _detail(
    request: HttpRequest, case: Any, *, refused: str = "", error: DomainError | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    plan = case.plans.prefetch_related("goals", "tasks").order_by("-submitted_at", "-id").first()
    assessment = case.assessments.first()
    ecomap, genogram = maps_of(case)
    return render(
        request,
        "casework/case_detail.html",
        {
            "case": case,
            "plan": plan,
            "today": timezone.localdate(),
            "assessment": assessment,
            "domains": [(label, getattr(assessment, key)) for key, label in DOMAINS] if assessment else [],
            "contacts": case.contacts.select_related("recorded_by")[:50],
            "events": _history(case),
            "actions": _action_forms(user, case, refused, request.POST if refused else None, error),
            "can_read_notes": may_read_notes(user, case),
            "transfers": case.transfers.select_related("from_user", "to_user"),
            "referrals": case.referrals.select_related("receiver"),
            "ties": case.ties.all(),
            "ecomap": ecomap,
            "genogram": genogram,
        },
        status=status,
    )


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.case_for(request.user, pk))


@login_required
@require_POST
def case_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One action of the rule table, posted from its button: the same parse and service as the API."""
    user = request.user
    case = selectors.case_for(user, pk)
    step: Action = CASE.action(action)
    try:
        values = CASE.parse(step.name, request.POST, user=user, obj=case)
        services.ACTIONS[step.name](by=user, case=case, version=version_of(request.POST), **values)
    except DomainError as exc:
        if isinstance(exc, NotFound | Forbidden):  # the access layer's answer: an error page
            raise
        status = exc.status
        return _detail(request, selectors.case_for(user, pk), refused=step.name, error=exc, status=status)
    messages.success(request, _("Saved: %(action)s.") % {"action": step.label})
    return redirect("casework:detail", pk=pk)


@login_required
def case_notes(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_for(request.user, pk)
    notes = services.notes_read(by=request.user, case=case)
    return render(request, "casework/case_notes.html", {"case": case, "notes": notes})


@login_required
def case_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The case's PDF summary (audited; its notes only for a reader who may read them)."""
    case = selectors.case_for(request.user, pk)
    response = HttpResponse(case_summary_pdf(by=request.user, case=case), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="case-{case.pk}.pdf"'
    return response


# --- referrals, as their receiver sees them ---------------------------------------------------


@login_required
def referral_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "casework/referral_list.html", {"referrals": selectors.referrals_received_for(request.user)}
    )


@login_required
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    referral = services.referral_received(by=request.user, referral_id=pk)
    assessment = referral.case.assessments.first() if referral.consent.sensitive else None
    return render(
        request,
        "casework/referral_detail.html",
        {
            "referral": referral,
            "case": referral.case,
            "domains": [(label, getattr(assessment, key)) for key, label in DOMAINS] if assessment else [],
        },
    )


# --- supervision --------------------------------------------------------------------------------


class LinkForm(forms.Form):
    area = forms.IntegerField(label=gettext_lazy("Area"), widget=forms.Select)
    supervisor = forms.CharField(label=gettext_lazy("Supervisor (user name)"), max_length=150)
    worker = forms.CharField(label=gettext_lazy("Supervisee (user name)"), max_length=150)


def _link(user: Any, data: dict[str, Any]) -> Any:
    return services.supervision_link(
        by=user,
        area=resolvers.area(user, None, data["area"]),
        supervisor=resolvers.user_by_name(user, None, data["supervisor"]),
        worker=resolvers.user_by_name(user, None, data["worker"]),
    )


class SessionForm(forms.Form):
    link = forms.IntegerField(label=gettext_lazy("Supervisee"), widget=forms.Select)
    held_on = forms.DateField(
        label=gettext_lazy("Held on"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    hours = forms.CharField(label=gettext_lazy("Hours"), max_length=4)
    topics = forms.CharField(label=gettext_lazy("Topics"), max_length=500)
    case_ids = forms.CharField(
        label=gettext_lazy("Cases discussed"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("Case numbers, separated by commas."),
    )


def case_numbers(raw: str) -> list[int]:
    return [int_value(p, field="case_ids") for p in raw.replace("，", ",").split(",") if p.strip()]


def _record(user: Any, data: dict[str, Any]) -> Any:
    return services.session_record(
        by=user,
        link=selectors.link_for(user, data["link"]),
        held_on=data["held_on"],
        hours=data["hours"],
        topics=data["topics"],
        case_ids=case_numbers(data.get("case_ids") or ""),
    )


@login_required
def session_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not access.paths_for(user, "supervision", "record"):
        raise Forbidden()
    form = SessionForm(request.POST or None, initial={"held_on": timezone.localdate()})
    mine = selectors.links_for(user).filter(supervisor_id=user.pk)
    form.fields["link"].widget.choices = [(link.pk, str(link.worker)) for link in mine]
    if submit(request, form, lambda data: _record(user, data)) is not None:
        messages.success(request, _("Session recorded: your supervisee signs it next."))
        return redirect("casework:supervision")
    return render(request, "casework/session_form.html", {"form": form}, status=form_status(form))


@login_required
@require_POST
def session_sign(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.sessions_for(request.user).filter(pk=pk).first()
    if session is None:
        raise NotFound()
    services.session_sign(by=request.user, session=session)
    messages.success(request, _("Session signed."))
    return redirect("casework:supervision")


@login_required
def caseload(request: HttpRequest) -> HttpResponse:
    """The supervisor's view: each supervisee's open cases by risk, overdue tasks, hours this month."""
    if not access.paths_for(request.user, "supervision", "view"):
        raise Forbidden()
    return render(request, "casework/caseload.html", {"rows": selectors.caseloads_for(request.user)})


@login_required
def supervision_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not access.paths_for(user, "supervision", "view"):
        raise Forbidden()
    can_manage = bool(access.paths_for(user, "supervision", "manage"))
    form = LinkForm(request.POST or None)
    areas = access.scope(user, "area", "view").filter(kind__in=("street", "community")).order_by("path")
    form.fields["area"].widget.choices = [(a.pk, a.name) for a in areas[:300]] if can_manage else []
    if request.method == "POST" and not can_manage:
        raise Forbidden()
    link = submit(request, form, lambda data: _link(user, data))
    if link is not None:
        messages.success(request, _("Supervision recorded."))
        return redirect("casework:supervision")
    return render(
        request,
        "casework/supervision.html",
        {
            "links": selectors.links_for(user)[:500],
            "form": form if can_manage else None,
            "sessions": selectors.sessions_for(user)[:100],
            "can_record": selectors.links_for(user).filter(supervisor_id=user.pk).exists(),
        },
        status=form_status(form),
    )


@login_required
@require_POST
def supervision_delete(request: HttpRequest, pk: int) -> HttpResponse:
    services.supervision_unlink(by=request.user, link=selectors.link_for(request.user, pk))
    messages.success(request, _("Supervision removed."))
    return redirect("casework:supervision")


# --- group work (小组工作) ------------------------------------------------------------------------


def _group_choices(group: Any, name: str) -> list[tuple[str, str]]:
    if name in ("member", "present"):
        return [(str(m.pk), m.shown_name) for m in selectors.group_members(group) if m.left_at is None]
    return []


@login_required
def group_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not access.paths_for(user, "group", "view"):
        raise Forbidden()
    f = {"stage": request.GET.get("stage", "open"), "q": request.GET.get("q", "")[:50]}
    return render(
        request,
        "casework/group_list.html",
        {
            "page": paginate(request, selectors.groups_for(user, **f)),
            "f": f,
            "stages": [("open", _("All open groups")), *GroupStage.choices],
            "can_open": bool(access.paths_for(user, "group", "create")),
        },
    )


class GroupForm(forms.Form):
    area = forms.IntegerField(label=gettext_lazy("Community"), widget=forms.Select)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    aims = forms.CharField(
        label=gettext_lazy("Aims"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    planned_sessions = forms.IntegerField(label=gettext_lazy("Sessions planned"), min_value=1, max_value=50)
    scale = forms.ChoiceField(label=gettext_lazy("Scale scored before and after"), choices=Scale.choices)


@login_required
def group_new(request: HttpRequest) -> HttpResponse:
    """Plan a group (筹备): its area, name, aims, sessions and the scale its members are scored on."""
    user = request.user
    paths = access.paths_for(user, "group", "create")
    if not paths:
        raise Forbidden()
    form = GroupForm(request.POST or None, initial={"planned_sessions": 6})
    areas = access.scope(user, "area", "view").filter(kind__in=("street", "community")).order_by("path")
    form.fields["area"].widget.choices = [(a.pk, a.name) for a in areas[:300]]

    def _open_group(data: dict[str, Any]) -> Any:
        return services.group_open(
            by=user,
            area=resolvers.area(user, None, data["area"]),
            name=data["name"],
            aims=data["aims"],
            planned_sessions=data["planned_sessions"],
            scale=data["scale"],
        )

    group = submit(request, form, _open_group)
    if group is not None:
        messages.success(request, _("Group planned: add its members next."))
        return redirect("casework:group", pk=group.pk)
    return render(request, "casework/group_form.html", {"form": form}, status=form_status(form))


def _group_detail(
    request: HttpRequest,
    group: Any,
    *,
    refused: str = "",
    error: DomainError | None = None,
    status: int = 200,
) -> HttpResponse:
    members = selectors.group_members(group)
    return render(
        request,
        "casework/group_detail.html",
        {
            "group": group,
            "members": members,
            "sessions": group.sessions.prefetch_related("attended__resident"),
            "actions": _action_forms(
                request.user,
                group,
                refused,
                request.POST if refused else None,
                error,
                table=GROUP,
                url="casework:group_act",
                choices=_group_choices,
            ),
            "scale_range": SCALE_RANGE[group.scale],
        },
        status=status,
    )


@login_required
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _group_detail(request, selectors.group_for(request.user, pk))


@login_required
@require_POST
def group_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One action of the group's rule table: the same parse and service as the API."""
    user = request.user
    group = selectors.group_for(user, pk)
    step: Action = GROUP.action(action)
    data = request.POST.copy()
    data["present"] = ",".join(request.POST.getlist("present"))
    try:
        values = GROUP.parse(step.name, data, user=user, obj=group)
        services.GROUP_ACTIONS[step.name](by=user, group=group, version=version_of(request.POST), **values)
    except DomainError as exc:
        if isinstance(exc, NotFound | Forbidden):
            raise
        return _group_detail(
            request, selectors.group_for(user, pk), refused=step.name, error=exc, status=exc.status
        )
    messages.success(request, _("Saved: %(action)s.") % {"action": step.label})
    return redirect("casework:group", pk=pk)
