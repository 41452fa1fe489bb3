"""Pages of the core: sign-in, home, the area tree, people and roles, the audit log. Thin: parse,
call a service or selector, render."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequ.core import access, factors, selectors, services
from shequ.core.errors import AuthenticationFailed, DomainError, Forbidden, NotFound
from shequ.core.forms import (
    AreaForm,
    AuditFilterForm,
    GrantForm,
    LoginForm,
    PasswordChangeForm,
    PersonForm,
    SecondFactorForm,
)
from shequ.core.models import AREA_KIND_ORDER, CODED_KINDS, AreaKind, RoleAssignment, User
from shequ.core.pages import attach_error, form_status
from shequ.core.pagination import paginate
from shequ.core.panels import area_panels
from shequ.core.roles import Role


def login_view(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.login_attempt(
                username=form.cleaned_data["username"], password=form.cleaned_data["password"]
            )
        except factors.SecondFactorNeeded as need:
            request.session.cycle_key()
            request.session[PENDING] = {"user": need.user.pk, "at": time.time(), "next": next_url}
            return redirect("core:login_code" if need.enrolled else "core:login_enrol")
        except AuthenticationFailed as exc:
            form.add_error(None, str(exc.message))
        else:
            return _signed_in(request, user, next_url)
    return render(
        request, "core/login.html", {"form": form, "next": next_url, "public": selectors.public_links()}
    )


# A right password waits here for its second factor, for 5 minutes at most.
PENDING = "second_factor_pending"
PENDING_SECONDS = 300


def _signed_in(request: HttpRequest, user: Any, next_url: str) -> HttpResponse:
    request.session.pop(PENDING, None)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    # A language chosen on the sign-in page is the latest choice: keep it for the account.
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    if chosen in dict(settings.LANGUAGES) and chosen != user.language:
        services.user_set_language(user=user, language=chosen)
    return redirect(next_url or "core:home")


def _pending(request: HttpRequest) -> tuple[Any, str] | None:
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        return None
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    return (user, pending["next"]) if user is not None else None


def _back_to_sign_in(request: HttpRequest) -> HttpResponse:
    request.session.pop(PENDING, None)
    messages.info(request, _("Please sign in again."))
    return redirect("core:login")


def login_code(request: HttpRequest) -> HttpResponse:
    """The second step: the authenticator's code (or a recovery code)."""
    pending = _pending(request)
    if pending is None:
        return _back_to_sign_in(request)
    user, next_url = pending
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.login_second_step(user=user, code=form.cleaned_data["code"])
        except AuthenticationFailed as exc:
            form.add_error("code", str(exc.message))
        else:
            return _signed_in(request, user, next_url)
    return render(request, "core/login_code.html", {"form": form, "person": user})


def login_enrol(request: HttpRequest) -> HttpResponse:
    """First sign-in of a staff member: scan the QR code, type the code it shows, keep the recovery codes."""
    pending = _pending(request)
    if pending is None:
        return _back_to_sign_in(request)
    user, next_url = pending
    if factors.enrolled(user):
        return redirect("core:login_code")
    secret, uri = factors.enrolment_start(user=user)
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = factors.enrolment_confirm(user=user, code=form.cleaned_data["code"])
        except DomainError as exc:
            attach_error(form, exc)
        else:
            services.login_record(user=user)
            _signed_in(request, user, next_url)
            response = render(
                request,
                "core/recovery_codes.html",
                {"codes": codes, "next": next_url or reverse("core:home")},
            )
            response.headers["Cache-Control"] = "no-store"
            return response
    return render(
        request,
        "core/login_enrol.html",
        {
            "form": form,
            "person": user,
            "qr": mark_safe(factors.qr_svg(uri)),  # noqa: S308 -- segno's own SVG of our URI # nosec B308 B703
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        },
    )


@login_required
@require_POST
def second_factor_reset(request: HttpRequest, user_pk: int) -> HttpResponse:
    # Only an account of the administrator's areas: another's answers as one that does not exist.
    person = selectors.account_for(request.user, "assignment", "create", pk=user_pk)
    factors.reset(by=request.user, user=person)
    messages.success(
        request, _("%(name)s will set up an authenticator at the next sign-in.") % {"name": person}
    )
    return redirect("core:people")


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        services.logout_record(user=request.user)
    logout(request)
    messages.info(request, _("You have signed out."))
    return redirect("core:login")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The day's work: each app's big buttons and lists of what waits for this user (the figures
    are on the dashboard), then the areas they work in."""
    user = request.user
    return render(
        request,
        "core/home.html",
        {
            "work": selectors.home_work_for(user),
            # Where they work, to find their way down the tree (the counts are on each area's page).
            "areas": [
                (area, selectors.children_with_counts(user, area)) for area in selectors.home_areas(user)[:3]
            ],
            "roles": selectors.roles_of(user),
        },
    )


@login_required
def area_detail(request: HttpRequest, pk: int) -> HttpResponse:
    area = selectors.area_for(request.user, pk)
    user = request.user
    return render(
        request,
        "core/area_detail.html",
        {
            "area": area,
            "crumbs": selectors.breadcrumbs(user, area),
            "headline": selectors.area_headline(user, area),
            "children": selectors.children_with_counts(user, area),
            "child_kind": _child_kind_label(area),
            "can_create": area.kind != AreaKind.BUILDING
            and access.can(user, "area", "create", path=area.path),
            "can_update": access.can(user, "area", "update", path=area.path),
            "can_delete": access.can(user, "area", "delete", path=area.path),
            "can_people": access.can(user, "assignment", "create", path=area.path),
            "can_register": access.can(user, "resident", "create", path=area.path),
            "can_organise": access.can(user, "organisation", "create", path=area.path),
            "can_import": area.kind in ("community", "grid")
            and access.can(user, "resident", "import", path=area.path),
            "panels": area_panels(user, area),
        },
    )


def _child_kind_label(area: Any) -> str:
    index = AREA_KIND_ORDER.index(AreaKind(area.kind))
    return str(AREA_KIND_ORDER[index + 1].label) if index + 1 < len(AREA_KIND_ORDER) else ""


@login_required
def area_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:50]
    kind = request.GET.get("kind", "")
    page = paginate(
        request, selectors.areas_for(request.user, q=q, kind=kind if kind in AreaKind.values else None)
    )
    return render(
        request, "core/area_list.html", {"page": page, "q": q, "kind": kind, "kinds": AreaKind.choices}
    )


@login_required
def area_create(request: HttpRequest, parent_pk: int) -> HttpResponse:
    parent = access.get_for(request.user, "area", "create", pk=parent_pk)
    form = AreaForm(request.POST or None)
    index = AREA_KIND_ORDER.index(AreaKind(parent.kind))
    if index + 1 >= len(AREA_KIND_ORDER):
        raise DomainError(_("A building or lane cannot have areas below it."))
    kind = AREA_KIND_ORDER[index + 1]
    if kind not in CODED_KINDS:
        del form.fields["code"]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            area = services.area_create(
                by=request.user,
                parent=parent,
                name=data["name"],
                code=data.get("code"),
                address=data["address"],
                latitude=data["latitude"],
                longitude=data["longitude"],
            )
        except DomainError as exc:
            attach_error(form, exc)
        else:
            messages.success(request, _("%(name)s was created.") % {"name": area.name})
            return redirect("core:area", pk=area.pk)
    return render(
        request,
        "core/area_form.html",
        {"form": form, "parent": parent, "kind_label": kind.label, "area": None},
    )


@login_required
def area_edit(request: HttpRequest, pk: int) -> HttpResponse:
    area = access.get_for(request.user, "area", "update", pk=pk)
    initial = {
        "name": area.name,
        "code": area.code,
        "address": area.address,
        "latitude": area.latitude,
        "longitude": area.longitude,
        "version": area.version,
    }
    form = AreaForm(request.POST or None, initial=initial)
    if area.kind not in CODED_KINDS:
        del form.fields["code"]
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version") or 0
        try:
            services.area_update(by=request.user, area=area, version=version, **data)
        except DomainError as exc:
            attach_error(form, exc)
        else:
            messages.success(request, _("Your changes were saved."))
            return redirect("core:area", pk=area.pk)
    return render(
        request,
        "core/area_form.html",
        {"form": form, "parent": area.parent, "kind_label": area.get_kind_display(), "area": area},
    )


@login_required
def area_delete(request: HttpRequest, pk: int) -> HttpResponse:
    area = access.get_for(request.user, "area", "delete", pk=pk)
    error = None
    if request.method == "POST":
        parent_pk = area.parent_id
        try:
            services.area_delete(by=request.user, area=area)
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, _("%(name)s was deleted.") % {"name": area.name})
            return redirect("core:area", pk=parent_pk) if parent_pk else redirect("core:home")
    return render(
        request, "core/area_delete.html", {"area": area, "error": error}, status=400 if error else 200
    )


@login_required
def people(request: HttpRequest) -> HttpResponse:
    area = None
    if request.GET.get("area", "").isdigit():
        area = selectors.area_for(request.user, int(request.GET["area"]))
    q = request.GET.get("q", "").strip()[:50]
    if not access.paths_for(request.user, "assignment", "view"):
        raise Forbidden()
    page = paginate(request, selectors.assignments_for(request.user, area=area, q=q))
    return render(request, "core/people.html", {"page": page, "area": area, "q": q})


@login_required
def person_create(request: HttpRequest, area_pk: int) -> HttpResponse:
    area = access.get_for(request.user, "area", "view", pk=area_pk)
    access.require(request.user, "assignment", "create", path=area.path)
    form = PersonForm(request.POST or None)
    grantable = access.grantable_roles(request.user, area)
    role_field: Any = form.fields["role"]
    role_field.choices = [(r.value, r.label) for r in Role if r in grantable]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.user_create(
                by=request.user,
                username=data["username"],
                password=data["password"],
                display_name=data["display_name"],
                role=data["role"],
                area=area,
            )
        except DomainError as exc:
            attach_error(form, exc)
        else:
            messages.success(request, _("The account %(u)s was created.") % {"u": data["username"]})
            return redirect(f"{reverse('core:people')}?area={area.pk}")
    return render(request, "core/person_form.html", {"form": form, "area": area})


@login_required
def assignment_grant(request: HttpRequest, area_pk: int) -> HttpResponse:
    """Give an account that exists a role here: only an account of the granter's own areas, resolved
    as the API resolves it, so another community's answers as an unknown user name."""
    area = access.get_for(request.user, "area", "view", pk=area_pk)
    access.require(request.user, "assignment", "create", path=area.path)
    form = GrantForm(request.POST or None)
    role_field: Any = form.fields["role"]
    role_field.choices = [(r.value, r.label) for r in Role if r in access.grantable_roles(request.user, area)]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account = selectors.account_for(request.user, "assignment", "create", username=data["username"])
            services.assignment_create(
                by=request.user, user=account, role=data["role"], area=area, ends_on=data["ends_on"]
            )
        except DomainError as exc:
            attach_error(form, exc)
        else:
            messages.success(request, _("The role was granted to %(u)s.") % {"u": account.username})
            return redirect(f"{reverse('core:people')}?area={area.pk}")
    return render(
        request, "core/assignment_grant.html", {"form": form, "area": area}, status=form_status(form)
    )


@login_required
@require_POST
def assignment_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    assignment: RoleAssignment = access.get_for(request.user, "assignment", "delete", pk=pk)
    services.assignment_delete(by=request.user, assignment=assignment)
    messages.success(request, _("The role was revoked."))
    return redirect(f"{reverse('core:people')}?area={assignment.area_id}")


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    if not access.paths_for(request.user, "audit", "view"):
        raise Forbidden()
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.audit_entries_for(
        request.user,
        action=filters.get("action") or "",
        actor=filters.get("actor") or "",
        since=filters.get("since"),
        until=filters.get("until"),
    )
    page = paginate(request, qs)
    return render(request, "core/audit_list.html", {"form": form, "page": page})


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(
                user=request.user,  # type: ignore[arg-type]
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except DomainError as exc:
            form.add_error(
                "old_password" if exc.code == "authentication_failed" else "new_password", str(exc.message)
            )
        else:
            from django.contrib.auth import update_session_auth_hash

            update_session_auth_hash(request, request.user)  # type: ignore[arg-type]
            messages.success(request, _("Your password was changed."))
            return redirect("core:home")
    return render(request, "core/password_change.html", {"form": form})


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        raise DomainError(_("Unknown language."))
    if request.user.is_authenticated:
        services.user_set_language(user=request.user, language=language)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("core:home")
    response = redirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=True,
    )
    return response


def healthz(request: HttpRequest) -> HttpResponse:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """An address that matches no page: the API answers its JSON {code, message}, pages the error page."""
    error = NotFound()
    if request.path.startswith("/api/"):
        return JsonResponse({"code": error.code, "message": str(error.message)}, status=404)
    return render(request, "core/error.html", {"message": error.message, "code": error.code}, status=404)
