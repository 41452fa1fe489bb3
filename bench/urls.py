"""The product's URLs and the HTTP baseline: the smallest view Django can serve through the same stack."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def minimal(request: HttpRequest) -> HttpResponse:
    # Same middleware, session and user lookup as any signed-in page; no query or template of its own.
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/minimal", minimal, name="bench-minimal"),
    path("", include("shequ.urls")),
]
