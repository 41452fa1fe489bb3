from django.urls import include, path

from shequ.api import api

urlpatterns = [
    path("api/", api.urls),
    path("", include("shequ.registry.urls")),
    path("", include("shequ.resources.urls")),
    path("", include("shequ.appeals.urls")),
    path("", include("shequ.volunteering.urls")),
    path("", include("shequ.needs.urls")),
    path("", include("shequ.metrics.urls")),
    path("", include("shequ.reports.urls")),
    path("", include("shequ.core.urls")),
]

handler404 = "shequ.core.views.not_found"
