"""Pages of a person's rights: "my data" (see, download, ask to correct) and the staff's side of
correction requests. Thin: every read and write is in registry/rights.py."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from shequ.core import access
from shequ.core.errors import DomainError, Forbidden
from shequ.core.pages import form_status
from shequ.core.pagination import paginate
from shequ.core.views import attach_error
from shequ.registry import rights, selectors
from shequ.registry.models import SPECIAL_GROUPS, CorrectionRequest


class CorrectionForm(forms.Form):
    field = forms.ChoiceField(label=gettext_lazy("What is wrong"), choices=CorrectionRequest.Field.choices)
    details = forms.CharField(
        label=gettext_lazy("What should it say"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ResolveForm(forms.Form):
    corrected = forms.TypedChoiceField(
        label=gettext_lazy("Outcome"),
        coerce=lambda v: v == "yes",
        choices=[("yes", gettext_lazy("Corrected")), ("no", gettext_lazy("Not corrected"))],
        widget=forms.RadioSelect,
    )
    answer = forms.CharField(label=gettext_lazy("Answer to the resident"), max_length=300, required=False)


class LinkForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("User name of the resident's account"), max_length=150)


def _my_page(
    request: HttpRequest, *, reveal: bool = False, form: CorrectionForm | None = None
) -> HttpResponse:
    data = rights.my_data(user=request.user, reveal=reveal)
    resident = rights.own_record(request.user)
    groups = [(SPECIAL_GROUPS[g], data[g]) for g in SPECIAL_GROUPS if isinstance(data.get(g), dict)]
    return render(
        request,
        "registry/my_data.html",
        {
            "data": data,
            "resident": resident,
            "revealed": reveal,
            "groups": groups,
            "tags": [SPECIAL_GROUPS[t] for t in selectors.group_tags(resident)],
            "corrections": rights.my_corrections(request.user),
            "form": form or CorrectionForm(),
        },
    )


@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    return _my_page(request)


@login_required
@require_POST
def my_data_reveal(request: HttpRequest) -> HttpResponse:
    return _my_page(request, reveal=True)


@login_required
@require_POST
def my_data_download(request: HttpRequest) -> HttpResponse:
    data = rights.my_data_download(user=request.user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2, default=str),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="my-data.json"'
    return response


@login_required
@require_POST
def my_data_correct(request: HttpRequest) -> HttpResponse:
    form = CorrectionForm(request.POST)
    if form.is_valid():
        try:
            rights.correction_request(by=request.user, **form.cleaned_data)
        except DomainError as exc:
            attach_error(form, exc)
        else:
            messages.success(request, _("Your request was sent to your community's staff."))
            return redirect("registry:my_data")
    return _my_page(request, form=form)


@login_required
def correction_list(request: HttpRequest) -> HttpResponse:
    if not access.paths_for(request.user, "correction", "view"):
        raise Forbidden()
    status = request.GET.get("status", CorrectionRequest.Status.OPEN)
    status = (
        status if status in CorrectionRequest.Status.values or status == "" else CorrectionRequest.Status.OPEN
    )
    page = paginate(request, rights.corrections_for(request.user, status=status))
    rows = [
        (c, selectors.mask_name(c.resident.name) if selectors.is_minor(c.resident) else c.resident.name)
        for c in page.object_list
    ]
    return render(
        request,
        "registry/correction_list.html",
        {"page": page, "rows": rows, "status": status, "statuses": CorrectionRequest.Status.choices},
    )


def _correction_page(
    request: HttpRequest, pk: int, *, reveal: bool = False, form: Any = None
) -> HttpResponse:
    correction = rights.correction_for(request.user, pk)
    path = correction.resident.area.path
    return render(
        request,
        "registry/correction_detail.html",
        {
            "c": correction,
            "details": rights.correction_details(by=request.user, correction=correction, reveal=reveal),
            "revealed": reveal,
            "can_resolve": access.can(request.user, "correction", "resolve", path=path)
            and correction.status == CorrectionRequest.Status.OPEN,
            "form": form or ResolveForm(),
        },
    )


@login_required
def correction_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method == "POST":
        correction = rights.correction_for(request.user, pk)
        access.require(request.user, "correction", "resolve", path=correction.resident.area.path)
        form = ResolveForm(request.POST)
        if form.is_valid():
            try:
                rights.correction_resolve(by=request.user, correction=correction, **form.cleaned_data)
            except DomainError as exc:
                attach_error(form, exc)
            else:
                messages.success(request, _("The request was resolved."))
                return redirect("registry:corrections")
        return _correction_page(request, pk, form=form)
    return _correction_page(request, pk)


@login_required
@require_POST
def correction_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    return _correction_page(request, pk, reveal=True)


@login_required
def resident_account(request: HttpRequest, pk: int) -> HttpResponse:
    resident = selectors.resident_for(request.user, pk)
    access.require(request.user, "resident", "update", path=resident.area.path)
    form = LinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rights.resident_link_account(
                by=request.user, resident=resident, username=form.cleaned_data["username"]
            )
        except DomainError as exc:
            attach_error(form, exc)
        else:
            messages.success(request, _("The account was linked: the resident now sees their own data."))
            return redirect("registry:resident", pk=pk)
    return render(
        request,
        "registry/resident_account.html",
        {"form": form, "resident": resident},
        status=form_status(form),
    )
