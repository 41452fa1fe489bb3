from django.urls import path

from shequ.reports import views

app_name = "reports"

urlpatterns = [
    path("reports/", views.report_list, name="list"),
    path("reports/jobs/", views.job_rows, name="jobs"),
    path("reports/<int:pk>/download/", views.download, name="download"),
]
