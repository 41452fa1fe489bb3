from django.urls import path

from shequ.casework import views

app_name = "casework"

urlpatterns = [
    path("casework/", views.case_list, name="list"),
    path("casework/new/", views.case_new, name="new"),
    path("casework/supervision/", views.supervision_list, name="supervision"),
    path("casework/supervision/sessions/new/", views.session_new, name="session_new"),
    path("casework/supervision/sessions/<int:pk>/sign/", views.session_sign, name="session_sign"),
    path("casework/caseload/", views.caseload, name="caseload"),
    path("casework/supervision/<int:pk>/delete/", views.supervision_delete, name="supervision_delete"),
    path("casework/referred/", views.referral_list, name="referrals"),
    path("casework/referred/<int:pk>/", views.referral_detail, name="referral"),
    path("casework/groups/", views.group_list, name="groups"),
    path("casework/groups/new/", views.group_new, name="group_new"),
    path("casework/groups/<int:pk>/", views.group_detail, name="group"),
    path("casework/groups/<int:pk>/<slug:action>/", views.group_act, name="group_act"),
    path("casework/<int:pk>/", views.case_detail, name="detail"),
    path("casework/<int:pk>/notes/", views.case_notes, name="notes"),
    path("casework/<int:pk>/summary.pdf", views.case_pdf, name="pdf"),
    path("casework/<int:pk>/<slug:action>/", views.case_act, name="act"),
]
