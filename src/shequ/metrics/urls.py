from django.urls import path

from shequ.metrics import views

app_name = "metrics"

urlpatterns = [
    path("metrics/", views.dashboard_home_view, name="home"),
    path("metrics/definitions/", views.definitions, name="definitions"),
    path("metrics/area/<int:pk>/", views.dashboard, name="dashboard"),
    path("metrics/area/<int:pk>/targets/", views.targets, name="targets"),
    path("metrics/<slug:key>/<slug:side>/", views.drill_down, name="drill"),
]
