"""Pages of needs, phone first: logging a home visit in a few taps (pick the person from one's own
grid, the rest is filled in), the needs found and their closing, satisfaction surveys with their
figures, staff typing in paper answers, and a resident answering for themselves.
Thin: parse, call a service or selector, render."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequ.core import access
from shequ.core import selectors as core_selectors
from shequ.core.errors import DomainError, Forbidden
from shequ.core.models import Area
from shequ.core.pages import area_param, form_status, submit
from shequ.core.pagination import paginate
from shequ.core.places import place_choices
from shequ.core.views import attach_error
from shequ.needs import selectors, services
from shequ.needs.forms import AnswerForm, NeedCloseForm, NeedForm, PaperAnswerForm, SurveyForm, VisitForm
from shequ.needs.models import (
    NeedCategory,
    NeedStatus,
    Respondents,
    Survey,
    VisitPurpose,
)
from shequ.registry import selectors as registry
from shequ.registry import selectors as registry_selectors
from shequ.registry.models import SPECIAL_GROUPS, Household, Organisation, OrganisationKind, Resident

PICK_LIMIT = 30
AREA_CHOICES_LIMIT = 300


# --- shared parsing -------------------------------------------------------------------------------


def _date_param(request: HttpRequest, name: str) -> date | None:
    try:
        return date.fromisoformat(request.GET.get(name, "")[:10])
    except ValueError:
        return None


def _filters(request: HttpRequest) -> dict[str, Any]:
    """area, from and to: the filters every list takes, so other pages can link to its rows."""
    return {
        "area": area_param(request),
        "date_from": _date_param(request, "from"),
        "date_to": _date_param(request, "to"),
    }


def _month_start(today: date) -> date:
    return today.replace(day=1)


def _subject(request: HttpRequest) -> dict[str, Any]:
    """The resident, household or unit a visit or need is about, from ?resident=, ?household= or
    ?organisation= (or the same posted); outside the user's view it does not exist."""
    user = request.user
    data = request.POST if request.method == "POST" else request.GET
    found: dict[str, Any] = {}
    for key in ("resident", "household", "organisation"):
        value = str(data.get(key, ""))
        if not value.isdigit():
            continue
        if key == "resident":
            found[key] = registry.resident_for(user, int(value), full=False)
        elif key == "household":
            found[key] = access.get_for(user, "household", "view", pk=int(value))
        else:
            found[key] = access.get_for(user, "organisation", "view", pk=int(value))
    return found


def subject_card(subject: dict[str, Any]) -> dict[str, Any]:
    """What the form shows of the person or unit visited: their name, where, their groups, and their
    phone masked (the full number is revealed on the registry's page, audited)."""
    resident: Resident | None = subject.get("resident")
    household: Household | None = subject.get("household")
    organisation: Organisation | None = subject.get("organisation")
    if resident is not None:
        return {
            "name": selectors.shown_name(resident),
            "place": resident.household.address if resident.household else resident.area.name,
            "phone": registry.masked_phone(resident) if not selectors.is_child(resident) else "",
            "tags": [SPECIAL_GROUPS[t] for t in registry.group_tags(resident) if t in SPECIAL_GROUPS],
            "age": resident.age(),
        }
    if household is not None:
        return {
            "name": _("Household at %(address)s") % {"address": household.address},
            "place": household.area.name,
            "phone": "",
            "tags": registry.household_tag_labels(household),
            "age": None,
        }
    assert organisation is not None
    return {"name": organisation.name, "place": organisation.area.name, "phone": "", "tags": [], "age": None}


# --- visits ---------------------------------------------------------------------------------------


@login_required
def visit_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not access.paths_for(user, "visit", "view"):
        raise Forbidden()
    f = _filters(request)
    purpose = request.GET.get("purpose", "")
    mine = request.GET.get("mine") == "1"
    page = paginate(request, selectors.visits_for(user, purpose=purpose, mine=mine, **f))
    return render(
        request,
        "needs/visit_list.html",
        {
            "page": page,
            "f": f,
            "purpose": purpose,
            "mine": mine,
            "purposes": VisitPurpose.choices,
            "can_log": bool(access.paths_for(user, "visit", "create")),
        },
    )


def _kept_filters(request: HttpRequest) -> str:
    """The pick list's filters (place, group, search) as a query string, carried through the form
    so that after each save the list is the one the worker was walking."""
    kept = {k: request.GET.get(k, "")[:50] for k in ("area", "group", "q")}
    return urlencode({k: v for k, v in kept.items() if v})


def _next_person(request: HttpRequest, today: date) -> Resident | None:
    """The first of the filtered list not yet visited this month: where the worker goes next."""
    area = area_param(request)
    group = request.GET.get("group", "")
    q = request.GET.get("q", "")[:50]
    candidates = selectors.visit_subjects(
        request.user, area=area, q=q, group=group, since=_month_start(today)
    )
    return candidates.filter(seen=0).first()  # type: ignore[misc] # "seen" is annotated by visit_subjects


@login_required
def visit_new(request: HttpRequest) -> HttpResponse:
    """Step 1: pick the person from one's own grid (not yet visited this month first). Step 2: the
    visit's form with them filled in, and the needs found. After each save, the next person of the
    same filtered list (or the list itself when everyone is done)."""
    user = request.user
    if not access.paths_for(user, "visit", "create"):
        raise Forbidden()
    subject = _subject(request)
    today = timezone.localdate()
    if not subject:
        return render(request, "needs/visit_pick.html", _pick_context(request, today))
    card = subject_card(subject)
    first = subject.get("resident")
    tags = registry.group_tags(first) if first is not None else []
    initial = {"visited_on": today, "purpose": VisitPurpose.CARE if tags else VisitPurpose.ROUTINE}
    form = VisitForm(request.POST or None, initial=initial)
    keep = _kept_filters(request)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        drafts = [
            services.NeedDraft(data[f"need_{i}_category"], data[f"need_{i}_description"])
            for i in range(services.MAX_NEEDS_PER_VISIT)
        ]
        try:
            visit = services.visit_log(
                by=user,
                visited_on=data["visited_on"],
                purpose=data["purpose"],
                notes=data["notes"],
                needs=drafts,
                key=data["key"],
                **subject,
            )
        except DomainError as exc:
            if exc.status in (403, 404):
                raise
            attach_error(form, exc)
        else:
            raised = visit.needs.count()
            name = selectors.subject_name(visit)
            if raised:
                messages.success(
                    request,
                    _("Visit to %(name)s logged, with %(n)d need(s) raised.") % {"name": name, "n": raised},
                )
            else:
                messages.success(request, _("Visit to %(name)s logged.") % {"name": name})
            following = _next_person(request, today)
            target = reverse("needs:visit_new")
            if following is not None:
                return redirect(
                    f"{target}?{urlencode({'resident': following.pk})}{'&' + keep if keep else ''}"
                )
            return redirect(f"{target}?{keep}" if keep else target)
    return render(
        request,
        "needs/visit_form.html",
        {"form": form, "card": card, "subject": subject, "today": today, "keep": keep},
        status=400 if form.errors else 200,
    )


def _pick_context(request: HttpRequest, today: date) -> dict[str, Any]:
    user = request.user
    area = area_param(request)
    group = request.GET.get("group", "")
    q = request.GET.get("q", "")[:50]
    since = _month_start(today)
    residents = list(selectors.visit_subjects(user, area=area, q=q, group=group, since=since)[:PICK_LIMIT])
    return {
        "residents": residents,
        "area": area,
        "areas": selectors.visit_areas(user),
        "group": group,
        "groups": [(g, SPECIAL_GROUPS[g]) for g in ("living_alone", "aged_60", "disabled", "dibao")],
        "q": q,
        "since": since,
        "keep": _kept_filters(request),
        "recent": list(selectors.visits_for(user, mine=True)[:10]),
        "units": list(
            access.scope(user, "organisation", "view")
            .filter(access.path_q("area__path", access.paths_for(user, "visit", "create")))
            .filter(kind=OrganisationKind.UNIT)
            .order_by("name")[:50]
        ),
    }


@login_required
def visit_pick(request: HttpRequest) -> HttpResponse:
    """The pick list alone, refreshed by htmx as the worker types or filters."""
    if not access.paths_for(request.user, "visit", "create"):
        raise Forbidden()
    return render(request, "needs/_pick.html", _pick_context(request, timezone.localdate()))


SERVICE_WORKER = Path(__file__).resolve().parent / "static" / "needs" / "visit-sw.js"


def visit_service_worker(request: HttpRequest) -> HttpResponse:
    """The visits' service worker (static/needs/visit-sw.js) with its words in the reader's language,
    served from /visits/ so that it may keep the visit form's posts made without network."""
    words = {
        "lang": "zh-CN" if get_language() == "zh-hans" else get_language(),
        "title": _("Saved on this phone"),
        "explain": _(
            "There is no network here. The visit is kept on this phone and sent by itself when the "
            "network is back; it is saved once, however often it is sent."
        ),
        "back": _("Back to the list"),
        "waiting": _("{n} visit(s) saved on this phone: they are sent when the network is back."),
        "sent": _("{s} visit(s) saved on this phone have been sent."),
        "login": _("{n} visit(s) wait on this phone: sign in again to send them."),
        "refused": _("{r} visit(s) were refused by the server: log them again."),
    }
    source = SERVICE_WORKER.read_text(encoding="utf-8")
    body = source.replace("/*WORDS*/{}", json.dumps(words, ensure_ascii=False), 1)
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


@login_required
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = selectors.visit_for(request.user, pk)
    return render(
        request,
        "needs/visit_detail.html",
        {
            "visit": visit,
            "name": selectors.subject_name(visit),
            "needs": list(visit.needs.order_by("id")),
        },
    )


# --- needs ----------------------------------------------------------------------------------------


@login_required
def need_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not access.paths_for(user, "need", "view"):
        raise Forbidden()
    f = _filters(request)
    status = request.GET.get("status", "")
    category = request.GET.get("category", "")
    page = paginate(request, selectors.needs_for(user, status=status, category=category, **f))
    return render(
        request,
        "needs/need_list.html",
        {
            "page": page,
            "f": f,
            "status": status,
            "category": category,
            "statuses": [*NeedStatus.choices, (selectors.CLOSED, _("Closed (any outcome)"))],
            "categories": NeedCategory.choices,
            "can_raise": bool(access.paths_for(user, "need", "create")),
        },
    )


@login_required
def need_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not access.paths_for(user, "need", "create"):
        raise Forbidden()
    subject = _subject(request)
    if not subject:
        return redirect("needs:visit_new")
    today = timezone.localdate()
    form = NeedForm(request.POST or None, initial={"raised_on": today})
    need = submit(request, form, lambda data: services.need_raise(by=user, **data, **subject))
    if need is not None:
        messages.success(request, _("Need raised."))
        return redirect("needs:need_detail", pk=need.pk)
    return render(
        request,
        "needs/need_form.html",
        {"form": form, "card": subject_card(subject), "subject": subject},
        status=form_status(form),
    )


def _need_context(request: HttpRequest, need: Any, form: NeedCloseForm | None = None) -> dict[str, Any]:
    user = request.user
    can_close = need.status == NeedStatus.OPEN and access.can(user, "need", "close", path=need.area_path)
    if form is None and can_close:
        form = NeedCloseForm(
            initial={"status": NeedStatus.MET, "closed_on": timezone.localdate(), "version": need.version}
        )
    return {"need": need, "name": selectors.subject_name(need), "form": form, "can_close": can_close}


@login_required
def need_detail(request: HttpRequest, pk: int) -> HttpResponse:
    need = selectors.need_for(request.user, pk)
    return render(request, "needs/need_detail.html", _need_context(request, need))


@login_required
@require_POST
def need_close(request: HttpRequest, pk: int) -> HttpResponse:
    need = selectors.need_for(request.user, pk)
    form = NeedCloseForm(request.POST)
    if submit(request, form, lambda data: services.need_close(by=request.user, need=need, **data)):
        messages.success(request, _("Need closed."))
        return redirect("needs:need_detail", pk=pk)
    need = selectors.need_for(request.user, pk)
    context = _need_context(request, need, form)
    context["can_close"] = True
    return render(request, "needs/need_detail.html", context, status=form_status(form))


# --- surveys --------------------------------------------------------------------------------------


@login_required
def survey_list(request: HttpRequest) -> HttpResponse:
    """Staff: the surveys of their areas with their figures. A resident: the surveys of their home."""
    user = request.user
    staff = bool(access.paths_for(user, "survey", "view"))
    mine = selectors.surveys_of_home(user)
    if not staff and not mine and registry_selectors.resident_on_account(user, living_here=True) is None:
        raise Forbidden()
    f = _filters(request)
    respondents = request.GET.get("respondents", "")
    page = paginate(request, selectors.surveys_for(user, respondents=respondents, **f)) if staff else None
    return render(
        request,
        "needs/survey_list.html",
        {
            "page": page,
            "staff": staff,
            "mine": mine,
            "f": f,
            "respondents": respondents,
            "respondent_choices": Respondents.choices,
            "can_create": bool(access.paths_for(user, "survey", "manage")),
            "can_see_responses": bool(access.paths_for(user, "survey_response", "view")),
        },
    )


def _survey_areas(user: Any) -> list[Area]:
    paths = access.paths_for(user, "survey", "manage")
    if not paths:
        return []
    return list(Area.objects.filter(access.path_q("path", paths)).order_by("path")[:AREA_CHOICES_LIMIT])


@login_required
def survey_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    areas = _survey_areas(user)
    if not areas:
        raise Forbidden()
    value = request.POST.get("area", "")
    if request.method == "POST" and value.isdigit():
        access.require(user, "survey", "manage", path=core_selectors.area_for(user, int(value)).path)
    today = timezone.localdate()
    form = SurveyForm(
        request.POST or None,
        initial={"area": areas[0].pk, "opens_on": today, "closes_on": today + timedelta(days=30)},
    )
    area_field = form.fields["area"]
    assert isinstance(area_field, forms.TypedChoiceField)
    area_field.choices = place_choices(areas)
    survey = submit(
        request,
        form,
        lambda data: services.survey_create(
            by=user, **{**data, "area": core_selectors.area_for(user, data["area"])}
        ),
    )
    if survey is not None:
        messages.success(request, _("Survey created."))
        return redirect("needs:survey_detail", pk=survey.pk)
    return render(request, "needs/survey_form.html", {"form": form}, status=form_status(form))


def _respondent_choices(user: Any, survey: Survey, q: str) -> list[tuple[int, str]]:
    """Whom staff may type a paper answer in for: units of the area, or residents found by name."""
    paths = [p for p in access.paths_for(user, "survey_response", "record")]
    if not paths:
        return []
    if survey.respondents == Respondents.UNITS:
        units = (
            access.scope(user, "organisation", "view")
            .filter(access.path_q("area__path", paths))
            .filter(area__path__startswith=survey.area_path)
            .exclude(survey_responses__survey=survey)
            .order_by("kind", "name")[:100]
        )
        return [(o.pk, o.name) for o in units]
    if not q:
        return []
    found = (
        registry.residents_for(user, q=q)
        .filter(access.path_q("area__path", paths), area__path__startswith=survey.area_path)
        .select_related("household")[:20]
    )
    return [
        (r.pk, f"{selectors.shown_name(r)} · {r.household.address if r.household else r.area.name}")
        for r in found
    ]


def _survey_context(
    request: HttpRequest, survey: Survey, form: PaperAnswerForm | None = None
) -> dict[str, Any]:
    user = request.user
    area = area_param(request)
    can_record = access.can(user, "survey_response", "record", path=survey.area_path) or any(
        p.startswith(survey.area_path) for p in access.paths_for(user, "survey_response", "record")
    )
    q = request.GET.get("q", "")[:50] or request.POST.get("q", "")[:50]
    today = timezone.localdate()
    if form is None and can_record:
        form = PaperAnswerForm(initial={"answered_on": min(today, survey.closes_on)})
    responses = (
        list(selectors.responses_for(user, survey=survey, area=area)[:50])
        if access.paths_for(user, "survey_response", "view")
        else None
    )
    return {
        "survey": survey,
        "summary": selectors.survey_summary(survey, area=area),
        "area": area,
        "responses": responses,
        "form": form,
        "can_record": can_record,
        "choices": _respondent_choices(user, survey, q) if can_record else [],
        "q": q,
        "is_open": survey.opens_on <= today <= survey.closes_on,
    }


@login_required
def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.survey_for(request.user, pk)
    return render(request, "needs/survey_detail.html", _survey_context(request, survey))


@login_required
@require_POST
def survey_paper_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff type in a paper answer; a refusal shows the page again with what was typed."""
    user = request.user
    survey = selectors.survey_for(user, pk)
    form = PaperAnswerForm(request.POST)

    def record(data: dict[str, Any]) -> Any:
        answer = {k: v for k, v in data.items() if k != "respondent"}
        if survey.respondents == Respondents.UNITS:
            answer["organisation"] = access.get_for(user, "organisation", "view", pk=data["respondent"])
        else:
            answer["resident"] = registry.resident_for(user, data["respondent"], full=False)
        return services.response_record(by=user, survey=survey, **answer)

    if submit(request, form, record):
        messages.success(request, _("Answer recorded."))
        return redirect("needs:survey_detail", pk=pk)
    context = _survey_context(request, survey, form)
    return render(request, "needs/survey_detail.html", context, status=form_status(form))


@login_required
def survey_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """A resident answers a survey of their home for themselves (once)."""
    user = request.user
    item = selectors.survey_to_answer(user, pk)
    form = AnswerForm(request.POST or None)
    status = 200
    if request.method == "POST" and item.answered is None and form.is_valid():
        try:
            services.response_record(
                by=user,
                survey=item.survey,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
            )
        except DomainError as exc:
            if exc.status == 404:
                raise
            attach_error(form, exc)
            status = exc.status
        else:
            messages.success(request, _("Thank you: your answer was recorded."))
            return redirect("needs:survey_answer", pk=pk)
    elif request.method == "POST" and item.answered is not None:
        form.add_error(None, str(services.AlreadyAnswered().message))
        status = 409
    elif form.errors:
        status = 400
    return render(request, "needs/survey_answer.html", {"item": item, "form": form}, status=status)


@login_required
def response_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not access.paths_for(user, "survey_response", "view"):
        raise Forbidden()
    f = _filters(request)
    survey = None
    value = request.GET.get("survey", "")
    if value.isdigit():
        survey = selectors.survey_for(user, int(value))
    satisfied = {"yes": True, "no": False}.get(request.GET.get("satisfied", ""))
    page = paginate(request, selectors.responses_for(user, survey=survey, satisfied=satisfied, **f))
    return render(
        request,
        "needs/response_list.html",
        {"page": page, "f": f, "survey": survey, "satisfied": request.GET.get("satisfied", "")},
    )
