"""One way from a posted page form to a service, the same for every app.

A view builds its form, then `result = submit(request, form, lambda data: services.x(by=…, **data))`.
A refusal lands on the field it names (DomainError.fields) or on the form, nothing typed is lost (the
form is drawn again with its values), and the page answers with one status convention:
400 for input the form or the service refused, the error's own status otherwise (403 not allowed,
409 someone changed it first); 404 is raised on, so "not yours" stays "not found".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.http import HttpRequest

from shequ.core.errors import DomainError
from shequ.core.models import Area
from shequ.core.selectors import area_for
from shequ.core.workflow import int_value

T = TypeVar("T")


def attach_error(form: forms.Form, error: DomainError) -> None:
    """Put a service's refusal on the form field it concerns, or on the form as a whole."""
    fields = [f for f in error.fields if f in form.fields]
    form.add_error(fields[0] if fields else None, str(error.message))
    form.refusal_status = error.status  # type: ignore[attr-defined]


def submit(request: HttpRequest, form: forms.Form, call: Callable[[dict[str, Any]], T]) -> T | None:
    """Validate a posted form and call the service with its cleaned data; None when not posted or
    refused (the form then carries the errors and its status)."""
    if request.method != "POST":
        return None
    if not form.is_valid():
        form.refusal_status = 400  # type: ignore[attr-defined]
        return None
    try:
        return call(form.cleaned_data)
    except DomainError as exc:
        if exc.status == 404:
            raise
        attach_error(form, exc)
        return None


def area_param(request: HttpRequest, name: str = "area") -> Area | None:
    """The area a page is asked about (`?area=<id>`): None when not asked, refused on the field (400)
    when it is not a number, and "not found" when it is not the user's to see."""
    value = request.GET.get(name, "").strip()
    return area_for(request.user, int_value(value, field=name)) if value else None


def form_status(*forms_: forms.Form | None) -> int:
    """The status of a page that shows these forms: 200, or that of the first refusal."""
    for form in forms_:
        if form is not None and form.is_bound and form.errors:
            return int(getattr(form, "refusal_status", 400))
    return 200
