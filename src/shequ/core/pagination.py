"""The one pagination for pages (the API uses ninja's with the same page size)."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest


def paginate(request: HttpRequest, qs: QuerySet, per_page: int | None = None) -> Page:
    paginator = Paginator(qs, per_page or settings.NINJA_PAGINATION_PER_PAGE)
    return paginator.get_page(request.GET.get("page"))
