"""Pages of appeals: the queue (or a resident's own appeals), the report form that works on a phone,
an appeal with its history and the buttons its reader may use, notifications, and the public board.
Thin: parse, call a service or selector, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequ.appeals import resolvers, rules, selectors, services, suggest
from shequ.appeals.forms import DeadlineForm, QueueFilterForm, ReportForm
from shequ.appeals.models import DEADLINE_STAGES, Appeal, AppealStep, Level, Priority, Stage
from shequ.appeals.workflow import APPEAL
from shequ.core import access
from shequ.core import selectors as core_selectors
from shequ.core.crypto import decrypt
from shequ.core.errors import DomainError, Forbidden
from shequ.core.models import Area, AreaKind
from shequ.core.options import select_options
from shequ.core.pages import area_param, form_status, submit
from shequ.core.pagination import paginate
from shequ.core.places import place_choices
from shequ.core.workflow import Action, int_value, version_of

REPORT_AREA_LIMIT = 500


def _category_choices() -> list[tuple[str, str]]:
    return [(c.code, c.name) for c in selectors.categories()]


@login_required
def appeal_list(request: HttpRequest) -> HttpResponse:
    """Staff and front-line workers: the queue of their areas. Residents: the appeals they reported."""
    user = request.user
    if not access.paths_for(user, "appeal", "view"):
        page = paginate(request, selectors.appeals_reported_by(user))
        context = {"page": page, "now": timezone.now(), "unread": selectors.unread_count(user)}
        return render(request, "appeals/appeal_mine.html", context)
    area = area_param(request)
    data = request.GET.copy()
    if not any(k in data for k in ("waiting", "category", "stage", "level", "overdue", "q", "order", "page")):
        data["waiting"] = "on"  # first visit: what waits for me
    form = QueueFilterForm(data, categories=_category_choices())
    f = form.cleaned_data if form.is_valid() else {}
    qs = selectors.appeals_for(
        user,
        area=area,
        waiting=bool(f.get("waiting")),
        category=f.get("category", ""),
        stage=f.get("stage", ""),
        level=f.get("level", ""),
        overdue=bool(f.get("overdue")),
        q=f.get("q", ""),
        order=f.get("order") or "deadline",
    )
    page = paginate(request, selectors.queue_listed(qs))
    homes = core_selectors.home_areas(user)
    map_area = area or (homes[0] if homes else None)
    grids = selectors.open_by_grid(user, map_area) if map_area is not None and map_area.depth <= 3 else []
    return render(
        request,
        "appeals/appeal_list.html",
        {
            "page": page,
            "rows": _queue_rows(page.object_list),
            "form": form,
            "options": {name: select_options(form, name) for name in ("category", "stage", "level", "order")},
            "area": area,
            "grids": grids,
            "map_area": map_area,
            "unread": selectors.unread_count(user),
            "may_configure": rules.may_configure(user),
        },
    )


def _queue_rows(appeals: Any) -> list[dict[str, Any]]:
    """What each row of the queue shows, worked out once in Python: the template then only prints.
    Per row, a template `{% url %}`, an `{% include %}` and three `get_…_display` calls were most
    of the page's time (docs/performance.md, "Appeals: the queue page")."""
    now = timezone.now()
    detail = reverse("appeals:detail", args=[0]).removesuffix("0/")
    stages = {str(k): str(v) for k, v in Stage.choices}
    levels = {str(k): str(v) for k, v in Level.choices}
    priorities = {str(k): str(v) for k, v in Priority.choices}
    rows = []
    for a in appeals:
        handler = a.handler_user or a.handler_team or a.handler_organisation
        rows.append(
            {
                "pk": a.pk,
                "url": f"{detail}{a.pk}/",
                "title": a.title,
                "priority": priorities[a.priority] if a.priority != Priority.NORMAL else "",
                "category": a.category.name,
                "stage": a.stage,
                "stage_label": stages.get(a.stage, a.stage),
                "overdue": a.is_overdue(now),
                "level": levels.get(a.level, a.level),
                "deadline": timezone.localtime(a.deadline_at) if a.deadline_at and a.is_open else None,
                "place": a.area.name,
                "handler": str(handler) if handler is not None else "—",
            }
        )
    return rows


def report_areas(user: Any, within: Area | None) -> list[tuple[int, str]]:
    """The buildings, grids and communities the user may report about (under `within` if given)."""
    paths = access.paths_for(user, "appeal", "create")
    if within is not None:
        access.require(user, "appeal", "create", path=within.path)
        paths = [within.path]
    qs = Area.objects.filter(
        access.path_q("path", paths), kind__in=[AreaKind.COMMUNITY, AreaKind.GRID, AreaKind.BUILDING]
    ).order_by("path")[:REPORT_AREA_LIMIT]
    return place_choices(qs)


def _default_area(user: Any, areas: list[tuple[int, str]]) -> int | None:
    """Where the user last reported about, else where they live or work: the deepest area they hold
    that can be reported about."""
    offered = {pk for pk, _label in areas}
    last = selectors.last_reported_area_id(user)
    if last in offered:
        return last
    held = [h for h in access.held_roles(user) if h.area_id in offered]
    return max(held, key=lambda h: len(h.path)).area_id if held else None


def _category_code(chosen: str, description: str) -> str:
    """The category the reporter chose, else the one the description suggests, else 其他."""
    if chosen:
        return chosen
    codes = [code for code, _name in _category_choices()]
    found = suggest.suggest(description, codes=codes)
    return found or (suggest.FALLBACK if suggest.FALLBACK in codes else (codes[-1] if codes else ""))


@login_required
def appeal_report(request: HttpRequest) -> HttpResponse:
    user = request.user
    within = area_param(request)
    areas = report_areas(user, within)
    if not areas:
        raise Forbidden()
    first_area = Area.objects.get(pk=_default_area(user, areas) or areas[0][0])
    channels = services.allowed_channels(user, first_area)
    initial = {"area": first_area.pk, "channel": channels[0] if channels else ""}
    form = ReportForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        areas=areas,
        categories=_category_choices(),
        channels=[c.value if hasattr(c, "value") else c for c in channels] or ["resident"],
    )

    def report(data: dict[str, Any]) -> Appeal:
        return services.appeal_report(
            by=user,
            area=core_selectors.area_for(user, data["area"]),
            category=resolvers.category(_category_code(data["category"], data["description"])),
            description=data["description"],
            title=data["title"],
            channel=data.get("channel") or None,
            priority=data["priority"] or "normal",
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
            contact_name=data["contact_name"],
            contact_phone=data["contact_phone"],
            contact_withheld=data["contact_withheld"],
            photos=data.get("photos") or [],
        )

    appeal = submit(request, form, report)
    if appeal is not None:
        messages.success(
            request, _("Appeal #%(n)d was reported. You will be told of each step.") % {"n": appeal.pk}
        )
        return redirect("appeals:detail", pk=appeal.pk)
    # A worker on patrol reports what they found: nobody to contact, nothing to ask about the call.
    on_patrol = bool(channels) and channels[0] == "patrol"
    extra_errors = any(
        form[name].errors for name in ("priority", "channel", "title", "latitude", "longitude")
    )
    return render(
        request,
        "appeals/appeal_report.html",
        {
            "form": form,
            "within": within,
            "on_patrol": on_patrol,
            "open_more": extra_errors
            or (on_patrol and any(form[n].errors for n in ("contact_name", "contact_phone"))),
        },
        status=form_status(form),
    )


@login_required
def appeal_similar(request: HttpRequest) -> HttpResponse:
    """The duplicate suggestions under the report form (htmx, as the user types)."""
    user = request.user
    area_id, code = request.GET.get("area", ""), request.GET.get("category", "")
    text = request.GET.get("description", "")[:2000]
    found: list[selectors.Similar] = []
    guessed = None
    if not code and len(text.strip()) >= 2:
        guessed = selectors.categories().filter(code=suggest.suggest(text) or suggest.FALLBACK).first()
        code = guessed.code if guessed is not None else ""
    if area_id and code and len(text.strip()) >= 4:
        area = core_selectors.area_for(user, int_value(area_id, field="area"))
        access.require(user, "appeal", "create", path=area.path)
        category = selectors.categories().filter(code=code[:40]).first()  # none yet: nothing to suggest
        if category is not None:
            found = selectors.similar_appeals(area=area, category=category, text=text)
    items = [
        {
            "pk": s.appeal.pk,
            "title": services.public_texts(s.appeal, summary=s.appeal.title)[0],
            "stage": s.appeal.get_stage_display(),
            "reported_at": s.appeal.reported_at,
            "score": s.score,
            "visible": rules.is_reporter(user, s.appeal)
            or access.can(user, "appeal", "view", path=s.appeal.area_path),
        }
        for s in found
    ]
    return render(request, "appeals/_similar.html", {"items": items, "guessed": guessed})


def _widgets(
    action: Action, *, people: list[Any], organisations: list[Any], teams: list[Any], posted: Any
) -> list[dict]:
    """How the page draws the inputs of one action of the rule table, with what was typed when it
    was refused. The dispatch's three inputs (a person, a volunteer team, a team or unit) are one list
    on the page."""
    out: list[dict[str, Any]] = []
    value = (lambda name: posted.get(name, "")) if posted is not None else (lambda name: "")
    for f in action.fields:
        spec: dict[str, Any] = {"field": f, "name": f.name, "value": value(f.name)}
        if f.name in ("organisation_id", "team_id") and action.name == "dispatch":
            continue
        if f.name == "user_id" and action.name == "dispatch":
            spec.update(
                widget="handler",
                name="to",
                value=value("to"),
                people=[(f"user:{p.pk}", str(p)) for p in people],
                organisations=[(f"org:{o.pk}", o.name) for o in organisations],
                teams=[(f"team:{t.pk}", t.name) for t in teams],
            )
        elif f.kind == "textarea":
            spec["widget"] = "textarea"
        elif f.kind == "files":
            spec["widget"] = "files"
        elif f.kind == "int" and f.min_value is not None and f.max_value is not None:
            spec.update(widget="stars", options=[str(n) for n in range(f.min_value, f.max_value + 1)])
        else:
            spec["widget"] = "number" if f.kind in ("int", "ref") else "text"
        out.append(spec)
    return out


def _detail_context(
    request: HttpRequest, appeal: Appeal, *, posted: Any = None, error: Any = None, error_action: str = ""
) -> dict[str, Any]:
    user = request.user
    actions = APPEAL.available(user, appeal)
    names = [a.name for a in actions]
    see_contact = rules.may_see_contact(user, appeal)
    phone = ""
    if see_contact and appeal.contact_phone_encrypted:
        phone = decrypt(appeal.contact_phone_encrypted, context=services.CONTACT_CONTEXT)
    people = selectors.dispatch_people(user, appeal) if "dispatch" in names else []
    organisations = selectors.dispatch_organisations(user, appeal) if "dispatch" in names else []
    teams = selectors.dispatch_teams(user, appeal) if "dispatch" in names else []
    forms = [
        {
            "action": a,
            "error": a.name == error_action,
            "inputs": _widgets(
                a,
                people=people,
                organisations=organisations,
                teams=teams,
                posted=posted if a.name == error_action else None,
            ),
        }
        for a in actions
    ]
    return {
        "appeal": appeal,
        "steps": selectors.steps_for(user, appeal),
        "photos": list(selectors.photos_of(appeal)),
        "evaluation": getattr(appeal, "evaluation", None),
        "actions": names,
        "forms": forms,
        "see_contact": see_contact,
        "contact_phone": phone,
        "now": timezone.now(),
        "community": selectors.community_of(appeal.area),
        "error": error,
        "error_action": error_action,
    }


@login_required
def appeal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An appeal with its history and its buttons. Reading it writes nothing: its notifications are
    marked read from the notifications page (a POST)."""
    appeal = selectors.appeal_for(request.user, pk)
    return render(request, "appeals/appeal_detail.html", _detail_context(request, appeal))


def _posted(action: str, post: Any) -> dict[str, Any]:
    """The post as the rule table names its inputs: the dispatch list sends "user:12", "team:5" or "org:3"."""
    data: dict[str, Any] = {k: post.get(k) for k in post}
    if action == "dispatch":
        kind, _sep, number = str(data.pop("to", "") or "").partition(":")
        data["user_id"] = number if kind == "user" else None
        data["organisation_id"] = number if kind == "org" else None
        data["team_id"] = number if kind == "team" else None
    return data


@login_required
@require_POST
def appeal_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One action of the rule table from a button on the appeal's page: parsed by the table, done by
    the same service as the API's. A refusal shows the page again with the reason and what was typed,
    with the refusal's status (400 for the input, 403 not allowed, 409 someone acted first); "not
    yours" stays "not found"."""
    appeal = selectors.appeal_for(request.user, pk)
    step = APPEAL.action(action)  # an unknown action is not found
    try:
        version = version_of(request.POST)
        data = _posted(action, request.POST)
        values = APPEAL.parse(action, data, user=request.user, obj=appeal, files=request.FILES)
        services.appeal_act(action=action, appeal=appeal, by=request.user, version=version, **values)
    except DomainError as exc:
        if exc.status == 404:
            raise
        fresh = selectors.appeal_for(request.user, pk)
        context = _detail_context(request, fresh, posted=request.POST, error=exc.message, error_action=action)
        return render(request, "appeals/appeal_detail.html", context, status=exc.status)
    label = dict(AppealStep.Action.choices).get(action, "") or step.button_label
    messages.success(request, _("Done: %(step)s.") % {"step": label})
    if not rules.is_reporter(request.user, appeal) and not access.can(
        request.user, "appeal", "view", path=appeal.area_path
    ):
        return redirect("appeals:list")
    return redirect("appeals:detail", pk=pk)


@login_required
def deadlines(request: HttpRequest) -> HttpResponse:
    """The taxonomy's stage deadlines; district administrators change one at a time."""
    user = request.user
    form = DeadlineForm(request.POST or None, categories=_category_choices())
    saved = submit(
        request,
        form,
        lambda d: services.category_set_deadline(
            by=user,
            category=resolvers.category(d["category"]),
            priority=d["priority"],
            stage=d["stage"],
            hours=d["hours"],
        ),
    )
    if saved is not None:
        messages.success(request, _("Done: %(step)s.") % {"step": _("Stage deadlines")})
        return redirect("appeals:deadlines")
    context = {
        "rows": selectors.deadlines_for(user),
        "stages": [s.label for s in DEADLINE_STAGES],
        "form": form,
        "may_configure": rules.may_configure(user),
    }
    return render(request, "appeals/deadlines.html", context, status=form_status(form))


@login_required
def photo(request: HttpRequest, pk: int) -> FileResponse:
    found = selectors.photo_for(request.user, pk)
    response = FileResponse(found.image.open("rb"), content_type="image/jpeg")
    response["Content-Disposition"] = f'inline; filename="appeal-{found.appeal_id}-{found.pk}.jpg"'
    return response


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        services.notifications_read(by=request.user)
        return redirect("appeals:notifications")
    page = paginate(request, selectors.notifications_for(request.user))
    return render(request, "appeals/notifications.html", {"page": page})


@login_required
@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Open a notification: it (and the others of its appeal) is read, then the appeal is shown."""
    appeal_id = services.notification_open(by=request.user, notification_id=pk)
    return redirect("appeals:detail", pk=appeal_id) if appeal_id else redirect("appeals:notifications")


def public_board(request: HttpRequest, code: str) -> HttpResponse:
    """The community's public notices (公示), anonymised, readable without signing in."""
    community = selectors.public_community(code[:12])
    page = paginate(request, selectors.public_board(community))
    return render(request, "appeals/public_board.html", {"community": community, "page": page})
