"""Pages of volunteering, phone first: activities to sign up for, the QR code the organiser shows and
the page a scan opens (one tap checks in), the organiser's attendance list with hours, a volunteer's
record, and the staff's volunteers, teams and rankings. Thin: parse, call a service or selector, render."""

from __future__ import annotations

from datetime import date
from typing import Any

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequ.core import access
from shequ.core import selectors as core_selectors
from shequ.core.errors import DomainError, Forbidden, NotFound
from shequ.core.idnumber import mask_name
from shequ.core.models import PATH_STEP, Area, AreaKind
from shequ.core.pages import area_param, form_status, submit
from shequ.core.pagination import paginate
from shequ.core.views import attach_error
from shequ.core.workflow import int_value
from shequ.registry import selectors as registry_selectors
from shequ.registry.models import Household
from shequ.resources.models import Venue
from shequ.volunteering import selectors, services, youth
from shequ.volunteering.forms import (
    ActivityEditForm,
    ActivityFilterForm,
    ActivityForm,
    BriefForm,
    CancelForm,
    CorrectionForm,
    FinishForm,
    LinkAccountForm,
    PeriodForm,
    RecognitionForm,
    RedemptionForm,
    SelfRegistrationForm,
    TeamForm,
    VolunteerForm,
)
from shequ.volunteering.models import Activity, ActivityStatus

FORM_CHOICES_LIMIT = 300
RECOGNITION_LIMIT = 500  # rows printed; the star counts cover the whole list


def _managed_areas(user: Any, resource: str, kinds: tuple[str, ...]) -> list[Area]:
    """Areas of the given kinds inside those where the user may manage `resource`."""
    paths = access.paths_for(user, resource, "manage")
    if not paths:
        return []
    return list(
        Area.objects.filter(access.path_q("path", paths), kind__in=kinds).order_by("path")[
            :FORM_CHOICES_LIMIT
        ]
    )


def _posted_area(request: HttpRequest, resource: str) -> None:
    """A posted area the user may not manage `resource` in is refused (404/403), not offered back."""
    value = request.POST.get("area", "")
    if request.method == "POST" and value.isdigit():
        area = core_selectors.area_for(request.user, int(value))
        access.require(request.user, resource, "manage", path=area.path)


# --- activities -----------------------------------------------------------------------------------


@login_required
def activity_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    area = area_param(request)
    form = ActivityFilterForm(request.GET or None)
    f = form.cleaned_data if form.is_valid() else {}
    when = f.get("when") or "upcoming"
    qs = selectors.activities_for(user, area=area, when="" if when == "all" else when, q=f.get("q", ""))
    page = paginate(request, qs)
    volunteer = selectors.volunteer_of(user)
    mine = {}
    if volunteer is not None:
        mine = {
            s.activity_id: s
            for s in volunteer.signups.filter(activity_id__in=[a.pk for a in page]).exclude(
                status="cancelled"
            )
        }
    return render(
        request,
        "volunteering/activity_list.html",
        {
            "page": page,
            "rows": [(a, mine.get(a.pk)) for a in page],
            "form": form,
            "when": when,
            "area": area,
            "can_create": bool(access.paths_for(user, "activity", "manage")),
            "volunteer": volunteer,
            "can_join": volunteer is None and services.home_community(user) is not None,
            "now": timezone.now(),
        },
    )


def _detail_context(request: HttpRequest, activity: Activity) -> dict[str, Any]:
    user = request.user
    signup = selectors.my_signup(user, activity)
    manage = selectors.can_manage(user, activity)
    return {
        "activity": activity,
        "shifts": list(activity.shifts.all()),
        "signup": signup,
        "position": selectors.waitlist_position(signup) if signup and signup.status == "waitlisted" else None,
        "volunteer": selectors.volunteer_of(user),
        "manage": manage,
        "places_left": max(0, activity.capacity - getattr(activity, "confirmed_count", 0)),
        "counts": selectors.counts_of(activity) if activity.status == ActivityStatus.FINISHED else None,
        "report": selectors.brief_of(activity),
        "read_report": access.can(user, "activity", "report", path=activity.area.path),
        "can_join": services.home_community(user) is not None,
        "cancel_form": CancelForm(initial={"version": activity.version}) if manage else None,
        "now": timezone.now(),
        "can_cancel_signup": signup is not None
        and (manage or timezone.now() <= activity.cancel_deadline)
        and not hasattr(signup, "attendance"),
    }


@login_required
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_for(request.user, pk)
    return render(request, "volunteering/activity_detail.html", _detail_context(request, activity))


def _activity_choices(user: Any, form: ActivityForm, area: Area | None) -> None:
    areas = _managed_areas(
        user, "activity", (AreaKind.STREET, AreaKind.COMMUNITY, AreaKind.GRID, AreaKind.BUILDING)
    )
    if not areas:
        raise Forbidden()
    target = area or areas[0]
    form.set_choices(
        areas=[(a.pk, a.name) for a in areas],
        teams=[(t.pk, t.name) for t in selectors.teams_for(user)[:FORM_CHOICES_LIMIT]],
        organisations=[
            (o.pk, f"{o.name}（{o.get_kind_display()}）")
            for o in selectors.organisation_choices(user, target)
        ],
        venues=[(v.pk, f"{v.resource.name}（{v.capacity}）") for v in selectors.venue_choices(user, target)],
    )


@login_required
def activity_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    area = area_param(request)
    if area is not None:
        access.require(user, "activity", "manage", path=area.path)
    _posted_area(request, "activity")
    form = ActivityForm(request.POST or None, initial={"area": area.pk if area else None})
    _activity_choices(user, form, area)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            target = core_selectors.area_for(user, data["area"])
            activity = services.activity_create(
                by=user,
                area=target,
                title=data["title"],
                description=data["description"],
                kind=data["kind"],
                organiser_kind=data["organiser_kind"],
                team=selectors.team_for(user, data["team"]) if data.get("team") else None,
                organisation=access.get_for(user, "organisation", "view", pk=data["organisation"])
                if data.get("organisation")
                else None,
                venue=Venue.objects.select_related("resource__area").filter(pk=data["venue"]).first()
                if data.get("venue")
                else None,
                place=data["place"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                capacity=data["capacity"],
                eligibility=data["eligibility"],
                target_groups=data["target_groups"],
                cancel_deadline=data.get("cancel_deadline"),
            )
        except DomainError as exc:
            attach_error(form, exc)
        else:
            messages.success(request, _("The activity was saved as a draft. Publish it when it is ready."))
            return redirect("volunteering:detail", pk=activity.pk)
    return render(
        request, "volunteering/activity_form.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
@require_POST
def activity_publish(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_for(request.user, pk)
    version = int_value(request.POST.get("version") or 0, field="version")
    services.activity_publish(by=request.user, activity=activity, version=version)
    messages.success(request, _("The activity is published to the residents and volunteers of its area."))
    return redirect("volunteering:detail", pk=pk)


@login_required
@require_POST
def activity_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_for(request.user, pk)
    form = CancelForm(request.POST)
    if submit(
        request, form, lambda data: services.activity_cancel(by=request.user, activity=activity, **data)
    ):
        messages.success(request, _("The activity is cancelled."))
        return redirect("volunteering:detail", pk=pk)
    context = _detail_context(request, activity) | {"cancel_form": form}
    return render(request, "volunteering/activity_detail.html", context, status=form_status(form))


@login_required
def activity_finish(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    activity = selectors.activity_for(user, pk)
    access.require(user, "activity", "manage", path=activity.area.path)
    form = FinishForm(request.POST or None, initial={"version": activity.version})
    households = (
        access.scope(user, "household", "view")
        .filter(access.path_q("area__path", [activity.area.path]))
        .order_by("address")[:FORM_CHOICES_LIMIT]
    )
    units = selectors.organisation_choices(user, activity.area)
    form.set_choices(
        households=[(h.pk, h.address) for h in households], units=[(o.pk, o.name) for o in units]
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.activity_finish(
                by=user,
                activity=activity,
                version=data["version"],
                beneficiary_households=list(
                    Household.objects.filter(pk__in=data["households"]).select_related("area")
                ),
                beneficiary_organisations=[o for o in units if o.pk in set(data["benefited_units"])],
                participant_organisations=[o for o in units if o.pk in set(data["units"])],
            )
        except DomainError as exc:
            attach_error(form, exc)
        else:
            messages.success(request, _("The activity is finished and its service records are written."))
            return redirect("volunteering:detail", pk=pk)
    return render(
        request,
        "volunteering/activity_finish.html",
        {"activity": activity, "form": form},
        status=400 if form.errors else 200,
    )


# --- sign-up and check-in -------------------------------------------------------------------------


@login_required
@require_POST
def signup_create(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_for(request.user, pk)
    shift_id = request.POST.get("shift", "")
    shift = activity.shifts.filter(pk=int(shift_id)).first() if shift_id.isdigit() else None
    try:
        signup = services.signup_create(by=request.user, activity=activity, shift=shift)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        if signup.status == "confirmed":
            messages.success(request, _("You are signed up. Scan the QR code at the activity to check in."))
        else:
            messages.info(
                request,
                _("All places are taken: you are number %(n)d on the waiting list.")
                % {"n": selectors.waitlist_position(signup)},
            )
    return redirect("volunteering:detail", pk=pk)


@login_required
@require_POST
def signup_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    signup = selectors.signup_for(request.user, pk)
    try:
        services.signup_cancel(by=request.user, signup=signup)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The sign-up is cancelled."))
    if request.POST.get("next") == "attendance":
        return redirect("volunteering:attendance", pk=signup.activity_id)
    return redirect("volunteering:detail", pk=signup.activity_id)


@login_required
def activity_qr(request: HttpRequest, pk: int) -> HttpResponse:
    """The code the organiser shows at the door; the page renews itself before the code expires."""
    activity = selectors.activity_for(request.user, pk)
    access.require(request.user, "activity", "manage", path=activity.area.path)
    url = request.build_absolute_uri(reverse("volunteering:scan", args=[services.qr_token(activity)]))
    svg = segno.make(url, error="m").svg_inline(scale=6, title="QR")
    refresh = int(services.QR_MAX_AGE.total_seconds() // 3)
    return render(
        request,
        "volunteering/activity_qr.html",
        {"activity": activity, "svg": svg, "url": url, "refresh": refresh},
    )


@login_required
def scan(request: HttpRequest, token: str) -> HttpResponse:
    """Where a scan lands. GET shows the activity and one button; the POST checks in (or out)."""
    try:
        activity_id = services.activity_of_token(token)
        activity = selectors.activity_for(request.user, activity_id)
    except DomainError as exc:
        return render(request, "volunteering/scan.html", {"error": exc.message}, status=exc.status)
    signup = selectors.my_signup(request.user, activity)
    if request.method != "POST":
        return render(
            request, "volunteering/scan.html", {"activity": activity, "signup": signup, "token": token}
        )
    try:
        result = services.attendance_scan(by=request.user, token=token)
    except DomainError as exc:
        return render(
            request,
            "volunteering/scan.html",
            {"activity": activity, "error": exc.message, "signup": signup},
            status=exc.status,
        )
    return render(request, "volunteering/scan.html", {"activity": activity, "result": result})


@login_required
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """The organiser's list: who signed up, who came, their hours; check-in (one tap a person, the row
    swapped by htmx, no reload), "check in all", check-out and hours from here."""
    activity = selectors.activity_for(request.user, pk)
    access.require(request.user, "activity", "manage", path=activity.area.path)
    signups = selectors.attendance_rows(activity)
    pending = [s for s in signups if hasattr(s, "hours") and s.hours.status == "pending"]
    waiting = [s for s in signups if s.status == "confirmed" and not hasattr(s, "attendance")]
    return render(
        request,
        "volunteering/attendance.html",
        {
            "activity": activity,
            "signups": signups,
            "pending": len(pending),
            "waiting": len(waiting),
            "now": timezone.now(),
        },
    )


def _row(request: HttpRequest, signup_pk: int, error: DomainError | None = None) -> HttpResponse:
    """One row of the check-in list, as htmx swaps it in after a tap (with the refusal, if any)."""
    signup = selectors.signup_for(request.user, signup_pk)
    row = next(s for s in selectors.attendance_rows(signup.activity) if s.pk == signup.pk)
    return render(
        request,
        "volunteering/_attendance_row.html",
        {"s": row, "activity": signup.activity, "row_error": str(error.message) if error else ""},
        status=error.status if error else 200,
    )


@login_required
@require_POST
def attendance_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    signup = selectors.signup_for(request.user, pk)
    swapped = request.headers.get("HX-Request") == "true"
    try:
        if action == "check-in":
            services.attendance_check_in(by=request.user, signup=signup)
        elif action == "check-out":
            services.attendance_check_out(by=request.user, signup=signup)
        else:
            raise NotFound()
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        if swapped:
            return _row(request, pk, exc)
        messages.error(request, str(exc.message))
    if swapped:
        return _row(request, pk)
    return redirect("volunteering:attendance", pk=signup.activity_id)


@login_required
@require_POST
def check_in_all(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Check in all signed-up" from the list: the same rule for each person as one by one."""
    activity = selectors.activity_for(request.user, pk)
    result = services.attendance_check_in_all(by=request.user, activity=activity)
    messages.success(request, _("%(n)d checked in.") % {"n": len(result.checked_in)})
    for signup, why in result.refused:
        messages.error(request, f"{signup.volunteer.name}: {why}")
    return redirect("volunteering:attendance", pk=pk)


@login_required
@require_POST
def hours_confirm_all(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_for(request.user, pk)
    n = services.hours_confirm_all(by=request.user, activity=activity)
    messages.success(request, _("%(n)d entries of hours confirmed.") % {"n": n})
    return redirect("volunteering:attendance", pk=pk)


@login_required
@require_POST
def hours_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    hours = selectors.hours_for(request.user, pk)
    services.hours_confirm(by=request.user, hours=hours)
    messages.success(request, _("Hours confirmed."))
    return redirect("volunteering:attendance", pk=hours.activity_id)


@login_required
def hours_correct(request: HttpRequest, pk: int) -> HttpResponse:
    hours = selectors.hours_for(request.user, pk)
    form = CorrectionForm(request.POST or None, initial={"version": hours.version, "minutes": hours.minutes})
    if submit(request, form, lambda data: services.hours_correct(by=request.user, hours=hours, **data)):
        messages.success(request, _("The correction is recorded."))
        return redirect("volunteering:attendance", pk=hours.activity_id)
    return render(
        request,
        "volunteering/hours_correct.html",
        {"hours": hours, "form": form, "corrections": list(hours.corrections.all())},
        status=form_status(form),
    )


# --- a volunteer's record -------------------------------------------------------------------------


def _record_context(volunteer: Any) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "volunteer": volunteer,
        "record": selectors.record_of(volunteer),
        "signups": list(selectors.signups_of_volunteer(volunteer)[:100]),
        "redemptions": list(volunteer.redemptions.order_by("-at")[:50]),
        "period": PeriodForm(initial={"start": date(today.year, 1, 1), "end": today}),
        "practice": volunteer.signups.filter(activity__kind="youth_social_practice").exists(),
    }


@login_required
def my_record(request: HttpRequest) -> HttpResponse:
    volunteer = selectors.volunteer_of(request.user)
    if volunteer is None:
        context = {"can_join": services.home_community(request.user) is not None}
        return render(request, "volunteering/not_volunteer.html", context, status=404)
    return render(request, "volunteering/record.html", _record_context(volunteer) | {"own": True})


# --- staff: volunteers, teams, rankings -----------------------------------------------------------


@login_required
def volunteer_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not access.paths_for(user, "volunteer", "view"):
        raise Forbidden()
    area = area_param(request)
    q = request.GET.get("q", "")[:50]
    verified = {"yes": True, "no": False}.get(request.GET.get("verified", ""))
    page = paginate(request, selectors.volunteers_for(user, area=area, q=q, verified=verified))
    return render(
        request,
        "volunteering/volunteer_list.html",
        {
            "page": page,
            "q": q,
            "verified": request.GET.get("verified", ""),
            "area": area,
            "can_register": bool(access.paths_for(user, "volunteer", "manage")),
        },
    )


@login_required
def volunteer_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    areas = _managed_areas(user, "volunteer", (AreaKind.STREET, AreaKind.COMMUNITY))
    if not areas:
        raise Forbidden()
    _posted_area(request, "volunteer")
    resident = None
    resident_id = request.POST.get("resident") or request.GET.get("resident") or ""
    if str(resident_id).isdigit():
        resident = access.get_for(user, "resident", "view", pk=int(resident_id))
    community = next(
        (a for a in areas if resident is not None and resident.area.path.startswith(a.path)), None
    )
    form = VolunteerForm(
        request.POST or None,
        initial={"area": (community or areas[0]).pk, "resident": resident.pk if resident else None},
    )
    area_field = form.fields["area"]
    assert isinstance(area_field, forms.ChoiceField)
    area_field.choices = [(a.pk, a.name) for a in areas]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account = None
            if data["username"].strip():
                account = core_selectors.account_for(user, "volunteer", "manage", username=data["username"])
            volunteer = services.volunteer_register(
                by=user,
                area=core_selectors.area_for(user, data["area"]),
                resident=resident,
                name=data["name"],
                phone=data["phone"],
                id_number=data["id_number"],
                skills=form.skill_list(),
                availability=data["availability"],
                user=account,
            )
        except DomainError as exc:
            attach_error(form, exc)
        else:
            messages.success(request, _("%(name)s is registered as a volunteer.") % {"name": volunteer.name})
            return redirect("volunteering:volunteer", pk=volunteer.pk)
    return render(
        request,
        "volunteering/volunteer_form.html",
        {"form": form, "resident": resident},
        status=form_status(form),
    )


@login_required
def volunteer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = selectors.volunteer_for(request.user, pk)
    manage = access.can(request.user, "volunteer", "manage", path=volunteer.area.path)
    form = RedemptionForm(request.POST or None) if manage else None
    link_form = LinkAccountForm(request.POST if request.POST.get("link") else None) if manage else None
    if request.method == "POST":
        if not manage:
            raise Forbidden()
        assert form is not None
        if request.POST.get("link"):
            assert link_form is not None
            linked = _link_account(request, volunteer, link_form)
            if linked:
                return redirect("volunteering:volunteer", pk=pk)
            own = volunteer.user_id == request.user.pk
            context = _record_context(volunteer) | {
                "own": own,
                "manage": manage,
                "redeem_form": RedemptionForm(),
                "link_form": link_form,
            }
            return render(request, "volunteering/record.html", context, status=form_status(link_form))
        if request.POST.get("verify"):
            services.volunteer_verify(by=request.user, volunteer=volunteer)
            messages.success(request, _("The volunteer is verified."))
            return redirect("volunteering:volunteer", pk=pk)
        if request.POST.get("unlink"):
            services.volunteer_unlink_account(by=request.user, volunteer=volunteer)
            messages.success(request, _("The account is no longer linked to this volunteer."))
            return redirect("volunteering:volunteer", pk=pk)
        if form.is_valid():
            try:
                services.points_redeem(
                    by=request.user,
                    volunteer=volunteer,
                    item=form.cleaned_data["item"],
                    points=form.cleaned_data["points"],
                )
            except DomainError as exc:
                attach_error(form, exc)
            else:
                messages.success(request, _("The redemption is recorded."))
                return redirect("volunteering:volunteer", pk=pk)
    own = volunteer.user_id == request.user.pk
    context = _record_context(volunteer) | {
        "own": own,
        "manage": manage,
        "redeem_form": form,
        "link_form": link_form or (LinkAccountForm() if manage else None),
    }
    return render(request, "volunteering/record.html", context, status=400 if form and form.errors else 200)


def _link_account(request: HttpRequest, volunteer: Any, form: LinkAccountForm) -> bool:
    """Link the volunteer record to an account of the worker's areas (the same calls as the API's
    PUT /api/volunteers/{id}/account); an account outside them answers as an unknown name."""
    if not form.is_valid():
        form.refusal_status = 400  # type: ignore[attr-defined]
        return False
    try:
        account = core_selectors.account_for(
            request.user, "volunteer", "manage", username=form.cleaned_data["username"]
        )
        services.volunteer_link_account(by=request.user, volunteer=volunteer, user=account)
    except DomainError as exc:
        attach_error(form, exc)
        return False
    messages.success(request, _("The account is linked: it sees this service record as its own."))
    return True


@login_required
def team_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not access.paths_for(user, "team", "view"):
        raise Forbidden()
    areas = _managed_areas(user, "team", (AreaKind.STREET, AreaKind.COMMUNITY))
    form = TeamForm(request.POST or None) if areas else None
    if form is not None:
        area_field, org_field = form.fields["area"], form.fields["organisation"]
        assert isinstance(area_field, forms.ChoiceField) and isinstance(org_field, forms.ChoiceField)
        area_field.choices = [(a.pk, a.name) for a in areas]
        org_field.choices = [
            ("", "—"),
            *[
                (o.pk, o.name)
                for o in selectors.organisation_choices(user, areas[0])
                if o.kind == "social_organisation"
            ],
        ]
    if request.method == "POST":
        if form is None:
            raise Forbidden()
        _posted_area(request, "team")
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.team_create(
                    by=user,
                    area=core_selectors.area_for(user, data["area"]),
                    name=data["name"],
                    kind=data["kind"],
                    level=data["level"],
                    organisation=access.get_for(user, "organisation", "view", pk=data["organisation"])
                    if data.get("organisation")
                    else None,
                )
            except DomainError as exc:
                attach_error(form, exc)
            else:
                messages.success(request, _("The team is created."))
                return redirect("volunteering:teams")
    return render(
        request,
        "volunteering/team_list.html",
        {
            "teams": selectors.teams_for(user, area=area_param(request))[:200],
            "form": form,
            "figures_only": access.figures_only(user),  # an evaluator: no leader's name
        },
        status=400 if form is not None and form.errors else 200,
    )


@login_required
def ranking(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not access.paths_for(user, "volunteer", "view"):
        raise Forbidden()
    today = timezone.localdate()
    form = PeriodForm(request.GET or None, initial={"start": date(today.year, 1, 1), "end": today})
    start, end = date(today.year, 1, 1), today
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    rows = selectors.ranking(user, area=area_param(request), start=start, end=end, limit=100)
    return render(
        request, "volunteering/ranking.html", {"form": form, "rows": rows, "start": start, "end": end}
    )


@login_required
def certificate(request: HttpRequest, pk: int) -> HttpResponse:
    """The PDF certificate of a volunteer's confirmed hours over a period (?start=&end=&kind=)."""
    from shequ.volunteering.certificates import certificate_issue

    volunteer = selectors.volunteer_for(request.user, pk)
    today = timezone.localdate()
    form = PeriodForm(request.GET or None)
    start, end = date(today.year, 1, 1), today
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    elif request.GET:
        raise DomainError(_("Enter the period as two dates."), code="period_invalid")
    kind = request.GET.get("kind", "hours")
    issued = certificate_issue(by=request.user, volunteer=volunteer, start=start, end=end, kind=kind)
    response = HttpResponse(issued.pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{issued.number}.pdf"'
    return response


# --- party leads youth ----------------------------------------------------------------------------


@login_required
def youth_group_list(request: HttpRequest) -> HttpResponse:
    from shequ.volunteering import youth
    from shequ.volunteering.forms import YouthGroupForm

    user = request.user
    if not access.paths_for(user, "youth_group", "view"):
        raise Forbidden()
    areas = _managed_areas(user, "youth_group", (AreaKind.COMMUNITY,))
    area = area_param(request) or (areas[0] if areas else None)
    form = None
    if area is not None and access.can(user, "youth_group", "manage", path=area.path):
        _posted_area(request, "youth_group")
        form = YouthGroupForm(
            request.POST or None, initial={"area": area.pk, "formed_on": timezone.localdate()}
        )
        people = youth.candidates(user, area)
        choices = {
            "area": [(a.pk, a.name) for a in areas],
            "party_member": [(p.pk, p.name) for p in people["party_member"]],
            "activist": [(p.pk, p.name) for p in people["activist"]],
            "backbones": [(p.pk, f"{p.name}（{p.age()}）") for p in people["league_member"]],
        }
        for name, values in choices.items():
            field = form.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = values
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            residents = access.scope(user, "resident", "view").select_related("area")
            try:
                group = youth.youth_group_create(
                    by=user,
                    area=core_selectors.area_for(user, data["area"]),
                    name=data["name"],
                    party_member=residents.get(pk=data["party_member"]),
                    activist=residents.get(pk=data["activist"]),
                    backbones=list(residents.filter(pk__in=data["backbones"])),
                    formed_on=data["formed_on"],
                )
            except DomainError as exc:
                attach_error(form, exc)
            else:
                messages.success(request, _("The 1+1+5 group is formed."))
                return redirect("volunteering:youth_group", pk=group.pk)
    elif request.method == "POST":
        raise Forbidden()
    return render(
        request,
        "volunteering/youth_group_list.html",
        {"groups": youth.youth_groups_for(user)[:200], "form": form},
        status=400 if form is not None and form.errors else 200,
    )


@login_required
def youth_group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from shequ.volunteering import youth
    from shequ.volunteering.forms import ActionForm, MeetingForm, ProblemForm

    user = request.user
    group = youth.youth_group_for(user, pk)
    manage = access.can(user, "youth_group", "manage", path=group.area.path)
    members = youth.members_of(group)
    which = request.POST.get("form", "") if request.method == "POST" else ""
    if which and not manage:
        raise Forbidden()
    meeting_form = MeetingForm(request.POST if which == "meeting" else None)
    attendees = meeting_form.fields["attendees"]
    assert isinstance(attendees, forms.ChoiceField)
    attendees.choices = [(m.pk, m.name) for m in members]
    problem_form = ProblemForm(request.POST if which == "problem" else None)
    action_form = ActionForm(request.POST if which == "action" else None)
    try:
        if which == "meeting" and meeting_form.is_valid():
            data = meeting_form.cleaned_data
            youth.meeting_record(
                by=user,
                group=group,
                held_on=data["held_on"],
                topic=data["topic"],
                notes=data["notes"],
                attendees=[m for m in members if m.pk in set(data["attendees"])],
            )
            messages.success(request, _("The meeting is recorded."))
            return redirect("volunteering:youth_group", pk=pk)
        if which == "problem" and problem_form.is_valid():
            data = problem_form.cleaned_data
            youth.problem_record(
                by=user, group=group, description=data["description"], found_on=data["found_on"]
            )
            messages.success(request, _("The problem is recorded."))
            return redirect("volunteering:youth_group", pk=pk)
        if which == "action" and action_form.is_valid():
            data = action_form.cleaned_data
            problem = group.problems.filter(pk=data["problem"]).first()
            if problem is None:
                raise NotFound()
            youth.action_record(
                by=user,
                problem=problem,
                description=data["description"],
                done_on=data["done_on"],
                solved=data["solved"],
            )
            messages.success(request, _("The action is recorded."))
            return redirect("volunteering:youth_group", pk=pk)
    except DomainError as exc:
        if exc.status == 404:
            raise
        attach_error({"meeting": meeting_form, "problem": problem_form, "action": action_form}[which], exc)
    return render(
        request,
        "volunteering/youth_group_detail.html",
        {
            "group": group,
            "members": members,
            "backbones": members[2:],
            "meetings": list(group.meetings.prefetch_related("attendees")),
            "problems": list(group.problems.prefetch_related("actions")),
            "manage": manage,
            "meeting_form": meeting_form,
            "problem_form": problem_form,
            "action_form": action_form,
            "today": timezone.localdate(),
        },
        status=400 if which else 200,
    )


# --- editing an activity, and its report (简报) ----------------------------------------------------


@login_required
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The organiser changes title, time, venue, places…; the rules of creation hold, and a stale form
    (someone else saved in between) is refused with 409 and shown again with what was typed."""
    user = request.user
    activity = selectors.activity_for(user, pk)
    access.require(user, "activity", "manage", path=activity.area.path)
    initial = {
        "version": activity.version,
        "title": activity.title,
        "kind": activity.kind,
        "starts_at": timezone.localtime(activity.starts_at),
        "ends_at": timezone.localtime(activity.ends_at),
        "venue": activity.venue_id,
        "place": activity.place,
        "capacity": activity.capacity,
        "eligibility": activity.eligibility,
        "target_groups": activity.target_groups,
        "cancel_deadline": timezone.localtime(activity.cancel_deadline),
        "description": activity.description,
    }
    form = ActivityEditForm(request.POST or None, initial=initial)
    venues = list(selectors.venue_choices(user, activity.area))
    form.set_venues([(v.pk, f"{v.resource.name}（{v.capacity}）") for v in venues])

    def update(data: dict[str, Any]) -> Any:
        venue = (
            activity.venue
            if data.get("venue") is not None and data.get("venue") == activity.venue_id
            else next((v for v in venues if v.pk == data.get("venue")), None)
        )
        return services.activity_update(by=user, activity=activity, **{**data, "venue": venue})

    if submit(request, form, update):
        messages.success(request, _("The activity is saved."))
        return redirect("volunteering:detail", pk=pk)
    context = {"form": form, "activity": activity}
    return render(request, "volunteering/activity_edit.html", context, status=form_status(form))


@login_required
def brief_write(request: HttpRequest, pk: int) -> HttpResponse:
    """The organiser writes the report once the activity is finished: text and photos. The numbers of
    participants and beneficiaries are shown from the service records, never typed again."""
    user = request.user
    activity = selectors.activity_for(user, pk)
    access.require(user, "activity", "manage", path=activity.area.path)
    report = selectors.brief_of(activity)
    initial = {"text": report.text, "version": report.version} if report else {}
    form = BriefForm(request.POST or None, request.FILES or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.brief_save(
                by=user,
                activity=activity,
                text=form.cleaned_data["text"],
                photos=form.cleaned_data.get("photos") or [],
                version=form.cleaned_data.get("version"),
            )
        except DomainError as exc:
            attach_error(form, exc)
            status = exc.status
        else:
            messages.success(request, _("The report is saved."))
            return redirect("volunteering:report", pk=pk)
    elif form.errors:
        status = 400
    return render(
        request,
        "volunteering/report_form.html",
        {
            "activity": activity,
            "form": form,
            "report": report,
            "counts": selectors.counts_of(activity),
            "finished": activity.status == ActivityStatus.FINISHED,
        },
        status=status,
    )


@login_required
def brief_read(request: HttpRequest, pk: int) -> HttpResponse:
    """The report as funders and supervisors read (and print) it."""
    activity, report = selectors.brief_for(request.user, pk)
    return render(
        request,
        "volunteering/report.html",
        {
            "activity": activity,
            "report": report,
            "counts": selectors.counts_of(activity),
            "manage": selectors.can_manage(request.user, activity),
            "hours": selectors.hours_total(activity),
        },
    )


def _community_of(area: Area) -> Area:
    """The community an activity's place lies in (itself when it is a street or the community)."""
    depth = 3 * PATH_STEP
    if len(area.path) <= depth:
        return area
    return Area.objects.filter(path=area.path[:depth]).first() or area


@login_required
def attendees(request: HttpRequest, pk: int) -> HttpResponse:
    """Residents recorded as attending without a volunteer's sign-up: find a walk-in or a youth without
    an account by name and add them, or add the members of a 1+1+5 group (the same services as
    /api/activities/{id}/attendees)."""
    activity = selectors.activity_for(request.user, pk)
    access.require(request.user, "activity", "manage", path=activity.area.path)
    error: DomainError | None = None
    if request.method == "POST":
        try:
            if request.POST.get("resident"):
                resident = access.get_for(
                    request.user, "resident", "view", pk=int_value(request.POST["resident"], field="resident")
                )
                services.attendee_add(by=request.user, activity=activity, residents=[resident])
            elif request.POST.get("group"):
                group = youth.youth_group_for(request.user, int_value(request.POST["group"], field="group"))
                services.attendee_add_group(by=request.user, activity=activity, youth_group=group)
            elif request.POST.get("remove"):
                resident = access.get_for(
                    request.user, "resident", "view", pk=int_value(request.POST["remove"], field="remove")
                )
                services.attendee_remove(by=request.user, activity=activity, resident=resident)
        except DomainError as exc:
            if exc.status == 404:
                raise
            error = exc
        else:
            messages.success(request, _("The attendance is recorded."))
            return redirect("volunteering:attendees", pk=pk)
    q = request.GET.get("q", "").strip()[:50]
    community = _community_of(activity.area)
    found = [
        (r.pk, mask_name(r.name) if registry_selectors.is_minor(r) else r.name, r.area.name)
        for r in (registry_selectors.residents_for(request.user, area=community, q=q)[:20] if q else [])
    ]
    context = {
        "activity": activity,
        "attendees": selectors.attendees_of(activity),
        "q": q,
        "found": found,
        "groups": list(youth.youth_groups_for(request.user, area=community)[:50])
        if access.can(request.user, "youth_group", "view", path=community.path)
        else [],
        "error": error,
    }
    return render(request, "volunteering/attendees.html", context, status=error.status if error else 200)


@login_required
def brief_photo(request: HttpRequest, pk: int) -> FileResponse:
    photo = selectors.brief_photo_for(request.user, pk)
    response = FileResponse(photo.image.open("rb"), content_type="image/jpeg")
    response["Content-Disposition"] = f'inline; filename="report-{photo.report_id}-{photo.pk}.jpg"'
    return response


# --- a resident registers themselves --------------------------------------------------------------


@login_required
def volunteer_join(request: HttpRequest) -> HttpResponse:
    """A signed-in resident becomes a volunteer in a few taps: skills and free times as buttons, name
    from their registry record; a social worker verifies the registration."""
    user = request.user
    own = selectors.volunteer_of(user)
    if own is not None:
        return redirect("volunteering:me")
    community = services.home_community(user)
    if community is None:
        raise Forbidden(
            _(
                "Only a resident with an account of their community can register here. Ask your"
                " community's social worker to register you."
            )
        )
    resident = registry_selectors.resident_on_account(user, recognise=True)
    form = SelfRegistrationForm(
        request.POST or None,
        known=resident is not None,
        extra_skills=[str(s) for s in (resident.skills if resident else [])],
        initial={
            "skills": [str(s) for s in (resident.skills if resident else [])],
            "name": getattr(user, "display_name", ""),
            "phone": user.get_username() if user.get_username().isdigit() else "",
        },
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.volunteer_register_self(
                by=user,
                skills=form.skill_list(),
                availability=form.availability(),
                name=form.cleaned_data.get("name", ""),
                phone=form.cleaned_data.get("phone", ""),
            )
        except DomainError as exc:
            attach_error(form, exc)
            status = exc.status
        else:
            messages.success(
                request,
                _("You are registered. A social worker of %(area)s will verify it; then you can sign up.")
                % {"area": community.name},
            )
            return redirect("volunteering:me")
    elif form.errors:
        status = 400
    return render(
        request,
        "volunteering/join.html",
        {"form": form, "resident": resident, "community": community},
        status=status,
    )


# --- the yearly recognition list ------------------------------------------------------------------


@login_required
def recognition(request: HttpRequest) -> HttpResponse:
    """年度表彰名单: the volunteers of the viewer's areas (or of ?area=) ranked by the year's confirmed
    hours, with their star level; printable."""
    user = request.user
    if not access.paths_for(user, "volunteer", "view"):
        raise Forbidden()
    today = timezone.localdate()
    form = RecognitionForm(request.GET or None, initial={"year": today.year})
    year = form.cleaned_data["year"] if form.is_valid() else today.year
    area = area_param(request)
    listing = selectors.recognition(user, year=year, area=area, limit=RECOGNITION_LIMIT)
    return render(
        request,
        "volunteering/recognition.html",
        {
            "form": form,
            "listing": listing,
            "stars": [(n, hours, listing.star_counts[n]) for n, hours in enumerate(selectors.STAR_HOURS, 1)],
            "limit": RECOGNITION_LIMIT,
        },
    )
