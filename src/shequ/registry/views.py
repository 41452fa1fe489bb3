"""Registry pages: residents (list, search, export, register, edit, leave, special groups, history),
households, organisations, and the Excel import. Thin: parse, call a service or selector, render."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from shequ.core import access, grants
from shequ.core import selectors as core_selectors
from shequ.core.errors import DomainError, Forbidden, NotFound
from shequ.core.models import Area, AreaKind, ImportJob
from shequ.core.options import select
from shequ.core.pages import area_param, form_status, submit
from shequ.core.pagination import paginate
from shequ.core.panels import resident_panels
from shequ.core.views import attach_error
from shequ.core.workflow import int_value
from shequ.registry import history, importing, search, selectors, services
from shequ.registry.forms import (
    GROUP_FORMS,
    BuildingProfileForm,
    ImportForm,
    LeaveForm,
    OrganisationForm,
    ResidentEditForm,
    ResidentFilterForm,
    ResidentForm,
)
from shequ.registry.models import SPECIAL_GROUPS, Household, OrganisationKind, ResidentStatus

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WEB_IMPORT_MAX_ROWS = 20_000  # larger files go through `shequ import-residents`, which shows progress


def _filtered(request: HttpRequest) -> tuple[Any, ResidentFilterForm, Any, dict[str, str]]:
    if not access.paths_for(request.user, "resident", "view"):
        raise Forbidden()
    area = area_param(request)
    values, expired = search.filters_of(request, request.GET)
    if expired:
        messages.info(request, _("That search has expired. Please search again."))
    form = ResidentFilterForm(
        {k: v for k, v in values.items() if v} or None, initial={"status": ResidentStatus.ACTIVE}
    )
    f = form.cleaned_data if form.is_valid() else {}
    qs = selectors.residents_for(
        request.user,
        area=area,
        q=f.get("q", ""),
        group=f.get("group", ""),
        age_band=f.get("age", ""),
        status=f.get("status") or ResidentStatus.ACTIVE,
    )
    if expired:  # a token from another session or an hour ago: find nothing rather than everyone
        qs = qs.none()
    return qs, form, area, {**values, "q": f.get("q", "")}


@login_required
@require_POST
def resident_search(request: HttpRequest) -> HttpResponse:
    """The search form is POSTed here; the answer is a redirect to the list whose URL holds no number
    (a whole ID number or phone goes into the session behind a token)."""
    form = ResidentFilterForm(request.POST)
    values = {k: request.POST.get(k, "") for k in search.FILTERS}
    if form.is_valid():
        values |= {k: str(v or "") for k, v in form.cleaned_data.items()}
    query = search.safe_query(request, values)
    return redirect(reverse("registry:residents") + (f"?{query}" if query else ""))


def _import_area(user: Any, area: Any) -> Any:
    """Where the list's import button imports into: the area filtered on, or else the user's own area
    when there is one (a community worker's community), so the import is one tap from the list."""
    if area is not None:
        return area if access.can(user, "resident", "import", path=area.path) else None
    paths = list(access.paths_for(user, "resident", "import"))
    return Area.objects.filter(path=paths[0]).first() if len(paths) == 1 else None


@login_required
def resident_list(request: HttpRequest) -> HttpResponse:
    qs, form, area, values = _filtered(request)
    page = paginate(request, selectors.residents_listed(qs))
    # One URL reversal per page rather than one per row (a quarter of the page's rendering time):
    # the rows' links differ only in the id at the end.
    detail = reverse("registry:resident", args=[0]).removesuffix("0/")
    rows = [
        (r, shown, f"{detail}{r.pk}/")
        for r, shown in zip(
            page.object_list, selectors.shown_rows(request.user, page.object_list), strict=True
        )
    ]
    can_register = (
        area is not None
        and area.kind == AreaKind.BUILDING
        and access.can(request.user, "resident", "create", path=area.path)
    )
    selectors.audit_minors_listed(request.user, [m for _r, m, _u in rows], what="list")
    query = search.safe_query(request, values, token=request.GET.get("s", ""))
    return render(
        request,
        "registry/resident_list.html",
        {
            "page": page,
            "rows": rows,
            "form": form,
            "selects": {name: select(form, name) for name in ("group", "age", "status")},
            "area": area,
            "can_export": bool(access.paths_for(request.user, "resident", "export")),
            "can_import": bool(access.paths_for(request.user, "resident", "import")),
            "import_area": _import_area(request.user, area),
            "can_register": can_register,
            "query": query,
            "pager_query": f"{query}&" if query else "",
        },
    )


@login_required
def resident_export(request: HttpRequest) -> HttpResponse:
    """The list as the user sees it (scoped, filtered, masked) as .xlsx; audited. More rows than
    SHEQU_BULK_EXPORT_ROWS need an approved bulk-export grant (services)."""
    qs, _form, area, values = _filtered(request)
    if not access.paths_for(request.user, "resident", "export"):
        raise Forbidden()
    content = services.residents_export(
        by=request.user, residents=qs, area_path=area.path if area else "", filters=search.redacted(values)
    )
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="residents.xlsx"'
    return response


@login_required
def resident_detail(request: HttpRequest, pk: int, values: dict | None = None) -> HttpResponse:
    user = request.user
    resident = selectors.resident_for(user, pk, full=False)
    mode, grant = selectors.minor_access(user, resident)
    if mode == "minimal":
        # A child under 14 without an approved grant for minors: the minimal form only.
        return render(
            request,
            "registry/resident_minimal.html",
            {
                "resident": resident,
                "name": selectors.mask_name(resident.name),
                "crumbs": core_selectors.breadcrumbs(user, resident.area),
                "grant_link": f"{reverse('core:grant_request')}?kind=minors&area={resident.area_id}",
            },
        )
    if grant is not None and values is None:
        grants.audit_use(user=user, grant=grant, obj=resident, area_path=resident.area.path, what="record")
    path = resident.area.path
    return render(
        request,
        "registry/resident_detail.html",
        {
            "resident": resident,
            "values": values,
            "masked": selectors.masked(resident),
            "crumbs": core_selectors.breadcrumbs(user, resident.area),
            "can_reveal": access.can(user, "resident", "reveal", path=path),
            "can_update": access.can(user, "resident", "update", path=path),
            "can_groups": access.can(user, "special_group", "update", path=path),
            "tags": [(t, SPECIAL_GROUPS[t]) for t in selectors.group_tags(resident)],
            "details": selectors.group_details(user, resident),
            "group_choices": [(g, SPECIAL_GROUPS[g]) for g in GROUP_FORMS],
            "household_members": resident.household.members.order_by("id") if resident.household else [],
            "events": history.history_of(resident),
            "panels": resident_panels(user, resident),
            "grant": grant,
        },
    )


@login_required
@require_POST
def resident_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    resident = selectors.resident_for(request.user, pk)
    values = services.resident_reveal(by=request.user, resident=resident)
    if request.headers.get("HX-Request"):
        return render(request, "registry/_revealed.html", {"values": values})
    return resident_detail(request, pk, values=values)


@login_required
def resident_register(request: HttpRequest, building_pk: int) -> HttpResponse:
    building = access.get_for(request.user, "area", "view", pk=building_pk)
    access.require(request.user, "resident", "create", path=building.path)
    if building.kind != AreaKind.BUILDING:
        raise DomainError(_("Residents live in a building or lane."))
    households = Household.objects.filter(area=building).order_by("room", "id")
    form = ResidentForm(request.POST or None)
    household_field: Any = form.fields["household"]
    household_field.choices = [("", _("A new household")), *[(str(h.pk), h.address) for h in households]]

    def register(d: dict[str, Any]) -> Any:
        household = households.get(pk=int(d["household"])) if d["household"] else None
        return services.resident_register(
            by=request.user,
            building=building,
            household=household,
            new_household_room=None if household else d["room"],
            **{
                k: d[k]
                for k in (
                    "name",
                    "id_type",
                    "id_number",
                    "phone",
                    "birth_date",
                    "gender",
                    "relation",
                    "registration",
                    "political_status",
                    "living_alone",
                    "skills",
                    "interests",
                )
            },
        )

    resident = submit(request, form, register)
    if resident is not None:
        messages.success(request, _("%(name)s was registered.") % {"name": resident.name})
        return redirect("registry:resident", pk=resident.pk)
    context = {"form": form, "building": building}
    return render(request, "registry/resident_form.html", context, status=form_status(form))


@login_required
def resident_edit(request: HttpRequest, pk: int) -> HttpResponse:
    resident = selectors.resident_for(request.user, pk)
    access.require(request.user, "resident", "update", path=resident.area.path)
    initial = {
        f: getattr(resident, f)
        for f in ("name", "relation", "registration", "political_status", "living_alone")
    }
    initial |= {
        "skills": "、".join(resident.skills),
        "interests": "、".join(resident.interests),
        "version": resident.version,
    }
    # The phone is shown masked like everywhere else: the full number only through the audited reveal.
    # Sent back as shown, it was not touched and the stored number stays.
    initial["phone"] = selectors.masked_phone(resident)
    form = ResidentEditForm(request.POST or None, initial=initial)
    if initial["phone"]:
        form.fields["phone"].help_text = _(
            "Shown masked. Type a new number to change it; the full number is on the person's page "
            "(Show in full, logged)."
        )

    def update(data: dict[str, Any]) -> Any:
        data = dict(data)
        if initial["phone"] and data.get("phone") == initial["phone"]:
            del data["phone"]
        return services.resident_update(by=request.user, resident=resident, **data)

    if submit(request, form, update):
        return _saved(request, "registry:resident", resident.pk)
    context = {"form": form, "resident": resident}
    return render(request, "registry/resident_edit.html", context, status=form_status(form))


@login_required
def resident_leave(request: HttpRequest, pk: int) -> HttpResponse:
    resident = selectors.resident_for(request.user, pk)
    access.require(request.user, "resident", "update", path=resident.area.path)
    form = LeaveForm(request.POST or None, initial={"version": resident.version})
    if submit(
        request, form, lambda data: services.resident_leave(by=request.user, resident=resident, **data)
    ):
        return _saved(request, "registry:resident", resident.pk)
    context = {"form": form, "resident": resident}
    return render(request, "registry/resident_leave.html", context, status=form_status(form))


@login_required
@require_POST
def resident_return(request: HttpRequest, pk: int) -> HttpResponse:
    resident = selectors.resident_for(request.user, pk)
    access.require(request.user, "resident", "update", path=resident.area.path)
    version = int_value(request.POST.get("version") or 0, field="version")
    services.resident_return(by=request.user, resident=resident, version=version)
    return _saved(request, "registry:resident", pk)


@login_required
def resident_group(request: HttpRequest, pk: int, group: str) -> HttpResponse:
    resident = selectors.resident_for(request.user, pk)
    # The resident is visible (their groups' names are on their page): refusing the details is a 403.
    if not access.can(request.user, "special_group", "update", path=resident.area.path):
        raise Forbidden()
    if group not in GROUP_FORMS:
        raise NotFound()
    form = GROUP_FORMS[group](request.POST or None)
    if request.method == "POST" and request.POST.get("clear"):
        services.special_group_clear(by=request.user, resident=resident, group=group)
        return _saved(request, "registry:resident", pk)
    if submit(
        request,
        form,
        lambda data: services.special_group_set(by=request.user, resident=resident, group=group, **data),
    ):
        return _saved(request, "registry:resident", pk)
    return render(
        request,
        "registry/resident_group.html",
        {"form": form, "resident": resident, "group_label": SPECIAL_GROUPS[group]},
        status=form_status(form),
    )


def _households_filtered(request: HttpRequest) -> tuple[Any, Any, str]:
    if not access.paths_for(request.user, "household", "view"):
        raise Forbidden()
    area = area_param(request)
    q = request.GET.get("q", "").strip()[:50]
    return selectors.households_for(request.user, area=area, q=q), area, q


@login_required
def household_list(request: HttpRequest) -> HttpResponse:
    qs, area, q = _households_filtered(request)
    page = paginate(request, qs)
    user = request.user
    rows = [(h, selectors.visible_head(user, h), selectors.household_tag_labels(h)) for h in page.object_list]
    return render(
        request,
        "registry/household_list.html",
        {
            "page": page,
            "rows": rows,
            "q": q,
            "area": area,
            "can_export": bool(access.paths_for(user, "household", "export")),
            "can_import": area is not None and access.can(user, "household", "import", path=area.path),
            "can_import_buildings": area is not None
            and area.kind in (AreaKind.COMMUNITY, AreaKind.GRID)
            and access.can(user, "area", "import", path=area.path),
            "query": request.GET.urlencode(),
        },
    )


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def household_export(request: HttpRequest) -> HttpResponse:
    """The households list as the user sees it (scoped, filtered) as .xlsx; audited."""
    qs, area, _q = _households_filtered(request)
    if not access.paths_for(request.user, "household", "export"):
        raise Forbidden()
    content = services.households_export(
        by=request.user, households=qs, area_path=area.path if area else "", filters=request.GET.urlencode()
    )
    return _xlsx_response(content, "households.xlsx")


@login_required
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    household = selectors.household_for(request.user, pk)
    people = list(selectors.residents_for(request.user, status="").filter(household=household))
    shown = selectors.shown_rows(request.user, people)
    selectors.audit_minors_listed(request.user, shown, what="household")
    members = list(zip(people, shown, strict=True))
    return render(
        request,
        "registry/household_detail.html",
        {
            "household": household,
            "members": members,
            "crumbs": core_selectors.breadcrumbs(request.user, household.area),
        },
    )


def _organisations_filtered(request: HttpRequest) -> tuple[Any, Any, str, str]:
    if not access.paths_for(request.user, "organisation", "view"):
        raise Forbidden()
    area = area_param(request)
    q = request.GET.get("q", "").strip()[:50]
    kind = request.GET.get("kind", "")
    kind = kind if kind in OrganisationKind.values else ""
    return selectors.organisations_for(request.user, area=area, kind=kind, q=q), area, q, kind


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    qs, area, q, kind = _organisations_filtered(request)
    user = request.user
    return render(
        request,
        "registry/organisation_list.html",
        {
            "page": paginate(request, qs),
            "q": q,
            "kind": kind,
            "kinds": OrganisationKind.choices,
            "area": area,
            "can_create": area is not None and access.can(user, "organisation", "create", path=area.path),
            "can_export": bool(access.paths_for(user, "organisation", "export")),
            "can_import": area is not None and access.can(user, "organisation", "import", path=area.path),
            "query": request.GET.urlencode(),
        },
    )


@login_required
def organisation_export(request: HttpRequest) -> HttpResponse:
    """The organisations list as the user sees it (scoped, filtered, phones masked) as .xlsx; audited."""
    qs, area, _q, _kind = _organisations_filtered(request)
    if not access.paths_for(request.user, "organisation", "export"):
        raise Forbidden()
    content = services.organisations_export(
        by=request.user,
        organisations=qs,
        area_path=area.path if area else "",
        filters=request.GET.urlencode(),
    )
    return _xlsx_response(content, "organisations.xlsx")


# --- imports: one set of pages for every kind (residents, buildings, households, organisations) ----


@dataclass(frozen=True)
class ImportPage:
    heading: Any  # "%(name)s" is the area's name
    hint: Any  # what one row of the template is
    done: Any  # "%(n)d" is how many were created


IMPORT_PAGES = {
    "residents": ImportPage(
        gettext_lazy("Import residents into %(name)s"),
        gettext_lazy("and fill one row per person (grid and building names as in Shequ)."),
        gettext_lazy("%(n)d residents were registered."),
    ),
    "buildings": ImportPage(
        gettext_lazy("Import buildings into %(name)s"),
        gettext_lazy("and fill one row per building or lane (grid names as in Shequ)."),
        gettext_lazy("%(n)d buildings were added."),
    ),
    "households": ImportPage(
        gettext_lazy("Import households into %(name)s"),
        gettext_lazy("and fill one row per household (grid and building names as in Shequ)."),
        gettext_lazy("%(n)d households were added."),
    ),
    "organisations": ImportPage(
        gettext_lazy("Import organisations into %(name)s"),
        gettext_lazy("and fill one row per organisation (grid and building names as in Shequ, or empty)."),
        gettext_lazy("%(n)d organisations were added."),
    ),
}


def _job_url(job: ImportJob) -> str:
    return reverse("registry:import_job", kwargs={"kind": job.kind, "pk": job.pk})


@login_required
def import_upload(request: HttpRequest, kind: str = "residents") -> HttpResponse:
    """Upload and check. `area` is the community (or grid) the file is for."""
    what = importing.kind_of(kind)
    area = area_param(request)
    if area is None:
        raise DomainError(_("Open the import from a community or grid page."), code="import_area")
    access.require(request.user, what.resource, "import", path=area.path)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = importing.validate(
                user=request.user,
                area=area,
                data=upload.file,
                filename=upload.name,
                kind=what,
                max_rows=WEB_IMPORT_MAX_ROWS,
            )
        except DomainError as exc:
            attach_error(form, exc)
        else:
            return redirect(_job_url(job))
    return render(
        request,
        "registry/import_upload.html",
        {
            "form": form,
            "area": area,
            "kind": kind,
            "page": IMPORT_PAGES[kind],
            "heading": IMPORT_PAGES[kind].heading % {"name": area.name},
            "max_rows": WEB_IMPORT_MAX_ROWS,
        },
    )


def _job(request: HttpRequest, pk: int, kind: str) -> ImportJob:
    job = (
        ImportJob.objects.select_related("area")
        .filter(pk=pk, kind=kind, user_id=request.user.pk or 0)
        .first()
    )
    if job is None:
        raise NotFound()
    return job


@login_required
def import_preview(request: HttpRequest, pk: int, kind: str = "residents") -> HttpResponse:
    job = _job(request, pk, kind)
    if request.method == "POST" and job.status == ImportJob.Status.VALIDATED:
        try:
            created = importing.commit(
                user=request.user, job=job, good_rows_only=bool(request.POST.get("good_rows_only"))
            )
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, IMPORT_PAGES[kind].done % {"n": created})
        return redirect(_job_url(job))
    return render(
        request,
        "registry/import_preview.html",
        {
            "job": job,
            "problems": importing.problems_of(job),
            "listed": importing.PROBLEM_ROWS_LISTED,
            "good_rows": job.total_rows - job.error_rows,
            "will_create": job.total_rows - job.error_rows - job.duplicate_rows,
        },
    )


@login_required
def import_bad_rows(request: HttpRequest, pk: int, kind: str = "residents") -> HttpResponse:
    job = _job(request, pk, kind)
    return _xlsx_response(importing.bad_rows_export(user=request.user, job=job), "rows-not-imported.xlsx")


@login_required
def import_template(request: HttpRequest, kind: str = "residents") -> HttpResponse:
    return _xlsx_response(importing.template_xlsx(importing.kind_of(kind)), f"{kind}-template.xlsx")


def _saved(request: HttpRequest, to: str, pk: int) -> HttpResponse:
    """What a saved form answers: the message, and the page of what was saved."""
    messages.success(request, _("Your changes were saved."))
    return redirect(to, pk=pk)


def _organisation_form_save(request: HttpRequest, form: Any, save: Any) -> Any:
    def call(data: dict[str, Any]) -> Any:
        data = dict(data)
        version = data.pop("version") or 0
        return save(data, version)

    org = submit(request, form, call)
    return _saved(request, "registry:organisation", org.pk) if org is not None else None


@login_required
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    org = access.get_for(request.user, "organisation", "view", pk=pk)
    members = selectors.residents_for(request.user, status="").filter(organisations=org)
    return render(
        request,
        "registry/organisation_detail.html",
        {
            "org": org,
            "members": paginate(request, members),
            "can_update": access.can(request.user, "organisation", "update", path=org.area.path),
            "crumbs": core_selectors.breadcrumbs(request.user, org.area),
        },
    )


@login_required
def organisation_create(request: HttpRequest, area_pk: int) -> HttpResponse:
    area = access.get_for(request.user, "area", "view", pk=area_pk)
    access.require(request.user, "organisation", "create", path=area.path)
    form = OrganisationForm(request.POST or None)
    done = _organisation_form_save(
        request, form, lambda data, _v: services.organisation_create(by=request.user, area=area, **data)
    )
    return done or render(
        request, "registry/organisation_form.html", {"form": form, "area": area, "org": None}
    )


@login_required
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    org = access.get_for(request.user, "organisation", "update", pk=pk)
    initial = {f: getattr(org, f) for f in services.ORGANISATION_FIELDS} | {"version": org.version}
    form = OrganisationForm(request.POST or None, initial=initial)
    done = _organisation_form_save(
        request,
        form,
        lambda data, v: services.organisation_update(by=request.user, organisation=org, version=v, **data),
    )
    return done or render(
        request, "registry/organisation_form.html", {"form": form, "area": org.area, "org": org}
    )


@login_required
def building_profile(request: HttpRequest, pk: int) -> HttpResponse:
    edit = selectors.building_profile_for(request.user, pk)
    building, profile, companies, people = edit.building, edit.profile, edit.companies, edit.people
    form = BuildingProfileForm(
        request.POST or None,
        initial={
            "estate": profile.estate if profile else "",
            "property_company": str(profile.property_company_id or "") if profile else "",
            "head": str(profile.head_id or "") if profile else "",
        },
    )
    company_field: Any = form.fields["property_company"]
    company_field.choices = [("", "—"), *[(str(c.pk), c.name) for c in companies]]
    head_field: Any = form.fields["head"]
    head_field.choices = [("", "—"), *[(str(p.pk), p.name) for p in people.order_by("name")]]

    def update(d: dict[str, Any]) -> Any:
        return services.building_profile_update(
            by=request.user,
            building=building,
            estate=d["estate"],
            property_company=companies.filter(pk=d["property_company"]).first()
            if d["property_company"]
            else None,
            head=people.filter(pk=d["head"]).first() if d["head"] else None,
        )

    if submit(request, form, update):
        return _saved(request, "core:area", building.pk)
    context = {"form": form, "building": building}
    return render(request, "registry/building_profile.html", context, status=form_status(form))
