"""Pages of the resource register: list with filters, detail, create under an area, edit, delete.
Thin: parse, call a service or selector, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from shequ.core import access
from shequ.core import selectors as core_selectors
from shequ.core.errors import DomainError, Forbidden
from shequ.core.models import Area
from shequ.core.pages import area_param
from shequ.core.pagination import paginate
from shequ.core.views import attach_error
from shequ.registry.models import Organisation
from shequ.resources import selectors, services
from shequ.resources.forms import ResourceFilterForm, ResourceForm
from shequ.resources.models import Resource


@login_required
def resource_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not access.paths_for(user, "resource", "view"):
        raise Forbidden()
    area = area_param(request)
    form = ResourceFilterForm(request.GET or None)
    f = form.cleaned_data if form.is_valid() else {}
    qs = selectors.resources_for(
        user,
        area=area,
        kind=f.get("kind", ""),
        status=f.get("status", ""),
        q=f.get("q", ""),
        venues_only=bool(f.get("venues")),
    )
    page = paginate(request, qs)
    # Where this user can add a resource: the area being looked at, else the areas they hold.
    targets = [area] if area is not None else list(access.areas_held(user))
    create_in = [a for a in targets if access.can(user, "resource", "create", path=a.path)]
    return render(
        request,
        "resources/resource_list.html",
        {"page": page, "form": form, "area": area, "create_in": create_in},
    )


@login_required
def resource_detail(request: HttpRequest, pk: int) -> HttpResponse:
    resource = selectors.resource_for(request.user, pk)
    path = resource.area.path
    return render(
        request,
        "resources/resource_detail.html",
        {
            "resource": resource,
            "venue": getattr(resource, "venue", None),
            "can_update": access.can(request.user, "resource", "update", path=path),
            "can_delete": access.can(request.user, "resource", "delete", path=path),
        },
    )


def _organisation_choices(user: Any, area: Area, resource: Resource | None = None) -> list[tuple[int, str]]:
    choices = [(o.pk, f"{o.name}（{o.area.name}）") for o in selectors.organisation_choices(user, area)]
    # Keep the organisations already linked, even when they lie outside the list offered.
    venue = getattr(resource, "venue", None) if resource else None
    for org in (
        resource.provider_organisation if resource else None,
        venue.owner_organisation if venue else None,
    ):
        if org is not None and org.pk not in {pk for pk, _label in choices}:
            choices.append((org.pk, org.name))
    return choices


def _submitted(request: HttpRequest, form: ResourceForm) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The form's data as service arguments: resource fields, and venue fields or None."""
    data = dict(form.cleaned_data)
    is_venue = data.pop("is_venue")
    data.pop("version", None)
    for key in ("provider_organisation", "owner_organisation"):
        if data.get(key) is not None:
            data[key] = Organisation.objects.select_related("area").filter(pk=data[key]).first()
    venue = {k: data.pop(k) for k in ResourceForm.VENUE_FIELDS}
    return data, (venue if is_venue else None)


@login_required
def resource_create(request: HttpRequest, area_pk: int) -> HttpResponse:
    area = core_selectors.area_for(request.user, area_pk)
    access.require(request.user, "resource", "create", path=area.path)
    form = ResourceForm(request.POST or None)
    form.set_organisations(_organisation_choices(request.user, area))
    if request.method == "POST" and form.is_valid():
        try:
            data, venue = _submitted(request, form)
            resource = services.resource_create(by=request.user, area=area, venue=venue, **data)
        except DomainError as exc:
            attach_error(form, exc)
        else:
            messages.success(request, _("%(name)s was added to the register.") % {"name": resource.name})
            return redirect("resources:detail", pk=resource.pk)
    return render(request, "resources/resource_form.html", {"form": form, "area": area, "resource": None})


def _initial(resource: Resource) -> dict[str, Any]:
    initial = {name: getattr(resource, name) for name in services.RESOURCE_FIELDS}
    initial["phone"] = resource.shown_phone  # a private mobile stays masked in the form too
    initial["provider_organisation"] = resource.provider_organisation_id
    initial["version"] = resource.version
    venue = getattr(resource, "venue", None)
    if venue is not None:
        initial |= {name: getattr(venue, name) for name in services.VENUE_FIELDS}
        initial["owner_organisation"] = venue.owner_organisation_id
        initial["is_venue"] = True
    return initial


@login_required
def resource_edit(request: HttpRequest, pk: int) -> HttpResponse:
    resource = selectors.resource_for(request.user, pk)
    access.require(request.user, "resource", "update", path=resource.area.path)
    form = ResourceForm(request.POST or None, initial=_initial(resource))
    form.set_organisations(_organisation_choices(request.user, resource.area, resource))
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data.get("version") or 0
        try:
            data, venue = _submitted(request, form)
            if data.get("phone") == resource.shown_phone:
                data["phone"] = resource.phone  # sent back masked as shown: not touched
            services.resource_update(
                by=request.user,
                resource=resource,
                version=version,
                venue=venue,
                drop_venue=venue is None and hasattr(resource, "venue"),
                **data,
            )
        except DomainError as exc:
            attach_error(form, exc)
        else:
            messages.success(request, _("Your changes were saved."))
            return redirect("resources:detail", pk=resource.pk)
    return render(
        request, "resources/resource_form.html", {"form": form, "area": resource.area, "resource": resource}
    )


@login_required
def resource_delete(request: HttpRequest, pk: int) -> HttpResponse:
    resource = selectors.resource_for(request.user, pk)
    access.require(request.user, "resource", "delete", path=resource.area.path)
    error = None
    if request.method == "POST":
        try:
            services.resource_delete(by=request.user, resource=resource)
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, _("%(name)s was deleted.") % {"name": resource.name})
            return redirect(f"{reverse('resources:list')}?area={resource.area_id}")
    return render(
        request,
        "resources/resource_delete.html",
        {"resource": resource, "error": error},
        status=400 if error else 200,
    )
