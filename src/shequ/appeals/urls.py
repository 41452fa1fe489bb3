from django.urls import path

from shequ.appeals import views

app_name = "appeals"

urlpatterns = [
    path("appeals/", views.appeal_list, name="list"),
    path("appeals/new/", views.appeal_report, name="report"),
    path("appeals/similar/", views.appeal_similar, name="similar"),
    path("appeals/notifications/", views.notifications, name="notifications"),
    path("appeals/notifications/<int:pk>/open/", views.notification_open, name="notification_open"),
    path("appeals/deadlines/", views.deadlines, name="deadlines"),
    path("appeals/photos/<int:pk>/", views.photo, name="photo"),
    path("appeals/<int:pk>/", views.appeal_detail, name="detail"),
    path("appeals/<int:pk>/<slug:action>/", views.appeal_action, name="action"),
    path("public/<str:code>/appeals/", views.public_board, name="public_board"),
]
