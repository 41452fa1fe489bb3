"""Pages of appeals: the queue (or a resident's own appeals), the report form that works on a phone,
an appeal with its history and the buttons its reader may use, notifications, and the public board.
Thin: parse, call a service or selector, render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequ.appeals import selectors, services
from shequ.appeals.forms import QueueFilterForm, ReportForm
from shequ.appeals.models import Appeal, AppealStep, Notification
from shequ.core import access
from shequ.core import selectors as core_selectors
from shequ.core.crypto import decrypt
from shequ.core.errors import DomainError, Forbidden, NotFound
from shequ.core.models import Area, AreaKind
from shequ.core.pagination import paginate
from shequ.core.places import place_choices
from shequ.core.views import attach_error

REPORT_AREA_LIMIT = 500


def _area_param(request: HttpRequest) -> Area | None:
    value = request.GET.get("area", "")
    return core_selectors.area_for(request.user, int(value)) if value.isdigit() else None


def _category_choices() -> list[tuple[str, str]]:
    return [(c.code, c.name) for c in selectors.categories()]


@login_required
def appeal_list(request: HttpRequest) -> HttpResponse:
    """Staff and front-line workers: the queue of their areas. Residents: the appeals they reported."""
    user = request.user
    if not access.paths_for(user, "appeal", "view"):
        page = paginate(request, selectors.appeals_reported_by(user))
        return render(request, "appeals/appeal_mine.html", {"page": page, "now": timezone.now()})
    area = _area_param(request)
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
    page = paginate(request, qs)
    homes = core_selectors.home_areas(user)
    map_area = area or (homes[0] if homes else None)
    grids = selectors.open_by_grid(user, map_area) if map_area is not None and map_area.depth <= 3 else []
    return render(
        request,
        "appeals/appeal_list.html",
        {
            "page": page,
            "form": form,
            "area": area,
            "now": timezone.now(),
            "grids": grids,
            "map_area": map_area,
        },
    )


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
    """Where the user lives or works: the deepest area they hold that can be reported about."""
    offered = {pk for pk, _label in areas}
    held = [h for h in access.held_roles(user) if h.area_id in offered]
    return max(held, key=lambda h: len(h.path)).area_id if held else None


@login_required
def appeal_report(request: HttpRequest) -> HttpResponse:
    user = request.user
    within = _area_param(request)
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
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            area = core_selectors.area_for(user, data["area"])
            category = selectors.categories().filter(code=data["category"]).first()
            if category is None:
                raise DomainError(_("Choose a category."), code="category_invalid", fields={"category": "x"})
            appeal = services.appeal_report(
                by=user,
                area=area,
                category=category,
                description=data["description"],
                title=data["title"],
                channel=data.get("channel") or None,
                priority=data["priority"],
                latitude=data.get("latitude"),
                longitude=data.get("longitude"),
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                contact_withheld=data["contact_withheld"],
                photos=data.get("photos") or [],
            )
        except DomainError as exc:
            attach_error(form, exc)
        else:
            messages.success(
                request, _("Appeal #%(n)d was reported. You will be told of each step.") % {"n": appeal.pk}
            )
            return redirect("appeals:detail", pk=appeal.pk)
    return render(
        request,
        "appeals/appeal_report.html",
        {"form": form, "within": within},
        status=400 if form.errors else 200,
    )


@login_required
def appeal_similar(request: HttpRequest) -> HttpResponse:
    """The duplicate suggestions under the report form (htmx, as the user types)."""
    user = request.user
    area_id, code = request.GET.get("area", ""), request.GET.get("category", "")
    text = request.GET.get("description", "")[:2000]
    found: list[selectors.Similar] = []
    if area_id.isdigit() and code and len(text.strip()) >= 4:
        area = core_selectors.area_for(user, int(area_id))
        access.require(user, "appeal", "create", path=area.path)
        category = selectors.categories().filter(code=code).first()
        if category is not None:
            found = selectors.similar_appeals(area=area, category=category, text=text)
    items = [
        {
            "pk": s.appeal.pk,
            "title": services.public_texts(s.appeal, summary=s.appeal.title)[0],
            "stage": s.appeal.get_stage_display(),
            "reported_at": s.appeal.reported_at,
            "score": s.score,
            "visible": services.is_reporter(user, s.appeal)
            or access.can(user, "appeal", "view", path=s.appeal.area_path),
        }
        for s in found
    ]
    return render(request, "appeals/_similar.html", {"items": items})


def _detail_context(request: HttpRequest, appeal: Appeal, **extra: Any) -> dict[str, Any]:
    user = request.user
    actions = selectors.available_actions(user, appeal)
    see_contact = services.may_see_contact(user, appeal)
    phone = ""
    if see_contact and appeal.contact_phone_encrypted:
        phone = decrypt(appeal.contact_phone_encrypted, context=services.CONTACT_CONTEXT)
    context: dict[str, Any] = {
        "appeal": appeal,
        "steps": selectors.steps_for(user, appeal),
        "photos": list(selectors.photos_of(appeal)),
        "evaluation": getattr(appeal, "evaluation", None),
        "actions": actions,
        "see_contact": see_contact,
        "contact_phone": phone,
        "now": timezone.now(),
        "people": selectors.dispatch_people(user, appeal) if "dispatch" in actions else [],
        "organisations": selectors.dispatch_organisations(user, appeal) if "dispatch" in actions else [],
        "community": selectors.community_of(appeal.area),
        "posted": {},
        "error": None,
        "error_action": "",
    }
    context.update(extra)
    return context


@login_required
def appeal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = selectors.appeal_for(request.user, pk)
    Notification.objects.filter(
        user_id=int(request.user.pk or 0), appeal=appeal, read_at__isnull=True
    ).update(read_at=timezone.now())
    return render(request, "appeals/appeal_detail.html", _detail_context(request, appeal))


def _version(request: HttpRequest) -> int:
    value = request.POST.get("version", "")
    if not value.isdigit():
        raise DomainError(_("The form is out of date. Reload the page."), code="version_required")
    return int(value)


def _dispatch(request: HttpRequest, appeal: Appeal, version: int) -> Appeal:
    to = request.POST.get("to", "")
    kind, _sep, number = to.partition(":")
    to_user = to_org = None
    if kind == "user" and number.isdigit():
        to_user = services.dispatch_person(request.user, int(number))
    elif kind == "org" and number.isdigit():
        to_org = access.get_for(request.user, "organisation", "view", pk=int(number))
    return services.appeal_dispatch(
        appeal=appeal,
        by=request.user,
        version=version,
        to_user=to_user,
        to_organisation=to_org,
        note=request.POST.get("note", ""),
    )


def _merge(request: HttpRequest, appeal: Appeal, version: int) -> Appeal:
    number = request.POST.get("into", "").strip().lstrip("#")
    if not number.isdigit():
        raise DomainError(
            _("Give the number of the appeal it repeats."), code="merge_target", fields={"into": "x"}
        )
    into = selectors.appeal_for(request.user, int(number))
    return services.appeal_merge(
        appeal=appeal, by=request.user, version=version, into=into, note=request.POST.get("note", "")
    )


def _score(request: HttpRequest) -> int:
    value = request.POST.get("score", "")
    return int(value) if value.isdigit() else 0


ActionFn = Callable[[HttpRequest, Appeal, int], Any]
ACTIONS: dict[str, ActionFn] = {
    "accept": lambda r, a, v: services.appeal_accept(
        appeal=a, by=r.user, version=v, note=r.POST.get("note", "")
    ),
    "reject": lambda r, a, v: services.appeal_reject(
        appeal=a, by=r.user, version=v, reason=r.POST.get("reason", "")
    ),
    "merge": _merge,
    "dispatch": _dispatch,
    "start": lambda r, a, v: services.appeal_start(
        appeal=a, by=r.user, version=v, note=r.POST.get("note", "")
    ),
    "handle": lambda r, a, v: services.appeal_handle(
        appeal=a, by=r.user, version=v, result=r.POST.get("result", ""), photos=r.FILES.getlist("photos")
    ),
    "rework": lambda r, a, v: services.appeal_rework(
        appeal=a, by=r.user, version=v, reason=r.POST.get("reason", "")
    ),
    "verify": lambda r, a, v: services.appeal_verify(
        appeal=a, by=r.user, version=v, note=r.POST.get("note", "")
    ),
    "close": lambda r, a, v: services.appeal_close(
        appeal=a, by=r.user, version=v, note=r.POST.get("note", "")
    ),
    "reopen": lambda r, a, v: services.appeal_reopen(
        appeal=a, by=r.user, version=v, reason=r.POST.get("reason", "")
    ),
    "evaluate": lambda r, a, v: services.appeal_evaluate(
        appeal=a, by=r.user, version=v, score=_score(r), comment=r.POST.get("comment", "")
    ),
    "escalate": lambda r, a, v: services.appeal_escalate(
        appeal=a, by=r.user, version=v, reason=r.POST.get("reason", "")
    ),
    "publish": lambda r, a, v: services.appeal_publish(
        appeal=a,
        by=r.user,
        version=v,
        summary=r.POST.get("summary", ""),
        result=r.POST.get("public_result", ""),
    ),
    "unpublish": lambda r, a, v: services.appeal_unpublish(appeal=a, by=r.user, version=v),
}


@login_required
@require_POST
def appeal_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One step of the closed loop from a button on the appeal's page. A refusal shows the page again
    with the reason and with what was typed."""
    appeal = selectors.appeal_for(request.user, pk)
    fn = ACTIONS.get(action)
    if fn is None:
        raise NotFound()
    try:
        fn(request, appeal, _version(request))
    except DomainError as exc:
        if exc.status == 404:
            raise
        fresh = selectors.appeal_for(request.user, pk)
        context = _detail_context(request, fresh, posted=request.POST, error=exc.message, error_action=action)
        return render(request, "appeals/appeal_detail.html", context, status=exc.status)
    label = dict(AppealStep.Action.choices).get(action, "")
    messages.success(request, _("Done: %(step)s.") % {"step": label or action})
    if not services.is_reporter(request.user, appeal) and not access.can(
        request.user, "appeal", "view", path=appeal.area_path
    ):
        return redirect("appeals:list")
    return redirect("appeals:detail", pk=pk)


@login_required
def photo(request: HttpRequest, pk: int) -> FileResponse:
    found = selectors.photo_for(request.user, pk)
    response = FileResponse(found.image.open("rb"), content_type="image/jpeg")
    response["Content-Disposition"] = f'inline; filename="appeal-{found.appeal_id}-{found.pk}.jpg"'
    return response


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        Notification.objects.filter(user_id=int(request.user.pk or 0), read_at__isnull=True).update(
            read_at=timezone.now()
        )
        return redirect("appeals:notifications")
    page = paginate(request, selectors.notifications_for(request.user))
    return render(request, "appeals/notifications.html", {"page": page})


def public_board(request: HttpRequest, code: str) -> HttpResponse:
    """The community's public notices (公示), anonymised, readable without signing in."""
    community = selectors.public_community(code[:12])
    page = paginate(request, selectors.public_board(community))
    return render(request, "appeals/public_board.html", {"community": community, "page": page})
