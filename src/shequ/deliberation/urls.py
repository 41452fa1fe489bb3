from django.urls import path

from shequ.deliberation import views

app_name = "deliberation"

urlpatterns = [
    path("meetings/", views.meeting_list, name="list"),
    path("meetings/<int:pk>/", views.meeting_detail, name="detail"),
    path("meetings/<int:pk>/act/<slug:action>/", views.meeting_act, name="act"),
    path("areas/<int:area_pk>/meetings/new/", views.meeting_create, name="create"),
    path("meetings/<int:pk>/notice.pdf", views.meeting_notice, name="notice"),
    path("meetings/<int:pk>/qr/", views.meeting_qr, name="qr"),
    path("meeting-sign-in/<str:token>/", views.sign_in, name="sign_in"),
    path("votes/<int:pk>/", views.vote_detail, name="vote"),
    path("votes/<int:pk>/act/<slug:action>/", views.vote_act, name="vote_act"),
    path("decisions/<int:pk>/", views.decision_detail, name="decision"),
    path("milestones/<int:pk>/act/<slug:action>/", views.milestone_act, name="milestone_act"),
    path("milestone-photos/<int:pk>/", views.milestone_photo, name="milestone_photo"),
    path("decisions/<int:pk>/act/<slug:action>/", views.decision_act, name="decision_act"),
    path("minutes/<int:pk>/", views.minutes_detail, name="minutes"),
    path("minutes/<int:pk>/act/<slug:action>/", views.minutes_act, name="minutes_act"),
    path("public/<str:code>/decisions/", views.public_decisions, name="public_decisions"),
    path("public/notice-photos/<int:pk>/", views.public_notice_photo, name="public_notice_photo"),
    path("proposals/", views.proposal_list, name="proposals"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal"),
    path("proposals/<int:pk>/act/<slug:action>/", views.proposal_act, name="proposal_act"),
    path("areas/<int:area_pk>/proposals/new/", views.proposal_create, name="proposal_create"),
]
