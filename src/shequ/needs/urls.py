from django.urls import path

from shequ.needs import views

app_name = "needs"

urlpatterns = [
    path("visits/", views.visit_list, name="visit_list"),
    path("visits/new/", views.visit_new, name="visit_new"),
    path("visits/pick/", views.visit_pick, name="visit_pick"),
    path("visits/sw.js", views.visit_service_worker, name="visit_service_worker"),
    path("visits/<int:pk>/", views.visit_detail, name="visit_detail"),
    path("needs/", views.need_list, name="need_list"),
    path("needs/new/", views.need_new, name="need_new"),
    path("needs/<int:pk>/", views.need_detail, name="need_detail"),
    path("needs/<int:pk>/close/", views.need_close, name="need_close"),
    path("surveys/", views.survey_list, name="survey_list"),
    path("surveys/new/", views.survey_new, name="survey_new"),
    path("surveys/responses/", views.response_list, name="response_list"),
    path("surveys/<int:pk>/", views.survey_detail, name="survey_detail"),
    path("surveys/<int:pk>/responses/new/", views.survey_paper_answer, name="survey_paper_answer"),
    path("surveys/<int:pk>/answer/", views.survey_answer, name="survey_answer"),
]
