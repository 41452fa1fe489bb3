"""Pages for sensitive-access grants: ask (with a reason), see, approve or refuse, revoke. Thin."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from shequ.core import access, grants, selectors
from shequ.core.errors import DomainError, Forbidden
from shequ.core.models import GrantKind, GrantStatus
from shequ.core.pagination import paginate
from shequ.core.views import attach_error


class GrantRequestForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What for"))
    area = forms.ChoiceField(label=gettext_lazy("Area"))
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Why you need it, e.g. the case or the report it is for."),
    )
    days = forms.IntegerField(label=gettext_lazy("Days"), min_value=1)


@login_required
def grant_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not access.paths_for(user, "sensitive_grant", "view"):
        raise Forbidden()
    status = request.GET.get("status", "")
    status = status if status in GrantStatus.values else ""
    qs = grants.grants_for(user, status=status)
    page = paginate(request, qs)
    return render(
        request,
        "core/grant_list.html",
        {
            "page": page,
            "rows": [
                (g, grants.may_decide(user, g) and g.status == GrantStatus.PENDING) for g in page.object_list
            ],
            "status": status,
            "statuses": GrantStatus.choices,
            "can_request": bool(access.paths_for(user, "sensitive_grant", "request")),
        },
    )


@login_required
def grant_request(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not access.paths_for(user, "sensitive_grant", "request"):
        raise Forbidden()
    areas = list(grants.grant_areas(user))
    initial = {
        "kind": request.GET.get("kind", GrantKind.MINORS),
        "area": request.GET.get("area", ""),
        "days": settings.GRANT_MAX_DAYS,
    }
    form = GrantRequestForm(request.POST or None, initial=initial)
    kind_field: Any = form.fields["kind"]
    kind_field.choices = [(k, GrantKind(k).label) for k in grants.KINDS]
    area_field: Any = form.fields["area"]
    area_field.choices = [(str(a.pk), f"{a.name}（{a.get_kind_display()}）") for a in areas]
    days_field: Any = form.fields["days"]
    days_field.max_value = settings.GRANT_MAX_DAYS
    days_field.widget.attrs["max"] = settings.GRANT_MAX_DAYS
    area = None
    if request.method == "POST":
        # An area outside the user's view is not found; one they see but may not ask for, refused.
        posted = request.POST.get("area", "")
        area = selectors.area_for(user, int(posted)) if posted.isdigit() else None
        if area is not None and area not in areas:
            area_field.choices = [*area_field.choices, (str(area.pk), area.name)]
    if request.method == "POST" and form.is_valid() and area is not None:
        d = form.cleaned_data
        try:
            grant = grants.grant_request(
                by=user, kind=d["kind"], area=area, reason=d["reason"], days=d["days"]
            )
        except Forbidden:
            raise  # a refusal is a 403, not a form error
        except DomainError as exc:
            attach_error(form, exc)
        else:
            messages.success(request, _("Your request was sent for approval."))
            return redirect("core:grant", pk=grant.pk)
    return render(request, "core/grant_form.html", {"form": form, "max_days": settings.GRANT_MAX_DAYS})


@login_required
def grant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    grant = grants.grant_for(user, pk)
    return render(
        request,
        "core/grant_detail.html",
        {
            "grant": grant,
            "active": grant.is_active(),
            "may_decide": grant.status == GrantStatus.PENDING and grants.may_decide(user, grant),
            "may_revoke": grants.may_revoke(user, grant),
        },
    )


@login_required
@require_POST
def grant_decide(request: HttpRequest, pk: int) -> HttpResponse:
    grant = grants.grant_for(request.user, pk)
    approve = request.POST.get("decision") == "approve"
    grants.grant_decide(by=request.user, grant=grant, approve=approve)
    messages.success(request, _("The request was approved.") if approve else _("The request was refused."))
    return redirect("core:grant", pk=pk)


@login_required
@require_POST
def grant_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    grant = grants.grant_for(request.user, pk)
    grants.grant_revoke(by=request.user, grant=grant)
    messages.success(request, _("The grant was revoked."))
    return redirect("core:grant", pk=pk)
