from django.urls import path

from shequ.reports import views

app_name = "reports"

urlpatterns = [
    path("reports/", views.report_list, name="list"),
    path("reports/jobs/", views.job_rows, name="jobs"),
    path("reports/<int:pk>/download/", views.download, name="download"),
    path("reports/monthly/", views.handin_list, name="handins"),
    path("reports/monthly/<int:area>/<int:year>/<int:month>/", views.handin_detail, name="handin"),
    path(
        "reports/monthly/<int:area>/<int:year>/<int:month>/act/<slug:action>/",
        views.handin_act,
        name="handin_act",
    ),
]
