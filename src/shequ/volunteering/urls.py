from django.urls import path

from shequ.volunteering import views

app_name = "volunteering"

urlpatterns = [
    path("activities/", views.activity_list, name="list"),
    path("activities/new/", views.activity_create, name="create"),
    path("activities/<int:pk>/", views.activity_detail, name="detail"),
    path("activities/<int:pk>/edit/", views.activity_edit, name="edit"),
    path("activities/<int:pk>/report/", views.brief_read, name="report"),
    path("activities/<int:pk>/report/write/", views.brief_write, name="report_write"),
    path("activity-reports/photos/<int:pk>/", views.brief_photo, name="report_photo"),
    path("activities/<int:pk>/publish/", views.activity_publish, name="publish"),
    path("activities/<int:pk>/cancel/", views.activity_cancel, name="cancel"),
    path("activities/<int:pk>/finish/", views.activity_finish, name="finish"),
    path("activities/<int:pk>/sign-up/", views.signup_create, name="sign_up"),
    path("activities/<int:pk>/qr/", views.activity_qr, name="qr"),
    path("activities/<int:pk>/attendance/", views.attendance, name="attendance"),
    path("activities/<int:pk>/attendees/", views.attendees, name="attendees"),
    path("activities/<int:pk>/attendance/check-in-all/", views.check_in_all, name="check_in_all"),
    path("activities/<int:pk>/hours/confirm/", views.hours_confirm_all, name="hours_confirm_all"),
    path("check-in/<str:token>/", views.scan, name="scan"),
    path("sign-ups/<int:pk>/cancel/", views.signup_cancel, name="cancel_signup"),
    path("sign-ups/<int:pk>/<slug:action>/", views.attendance_action, name="attendance_action"),
    path("service-hours/<int:pk>/confirm/", views.hours_confirm, name="hours_confirm"),
    path("service-hours/<int:pk>/correct/", views.hours_correct, name="hours_correct"),
    path("volunteering/me/", views.my_record, name="me"),
    path("volunteering/join/", views.volunteer_join, name="join"),
    path("volunteers/", views.volunteer_list, name="volunteers"),
    path("volunteers/new/", views.volunteer_create, name="volunteer_create"),
    path("volunteers/<int:pk>/", views.volunteer_detail, name="volunteer"),
    path("volunteers/<int:pk>/certificate.pdf", views.certificate, name="certificate"),
    path("volunteer-teams/", views.team_list, name="teams"),
    path("volunteer-ranking/", views.ranking, name="ranking"),
    path("volunteer-recognition/", views.recognition, name="recognition"),
    path("youth-groups/", views.youth_group_list, name="youth_groups"),
    path("youth-groups/<int:pk>/", views.youth_group_detail, name="youth_group"),
]
