from django.urls import path

from shequ.core import grant_views, views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_view, name="login"),
    path("login/code/", views.login_code, name="login_code"),
    path("login/enrol/", views.login_enrol, name="login_enrol"),
    path("people/<int:user_pk>/second-factor/reset/", views.second_factor_reset, name="second_factor_reset"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("language/", views.set_language, name="set_language"),
    path("healthz", views.healthz, name="healthz"),
    path("areas/", views.area_list, name="areas"),
    path("areas/<int:pk>/", views.area_detail, name="area"),
    path("areas/<int:parent_pk>/new/", views.area_create, name="area_create"),
    path("areas/<int:pk>/edit/", views.area_edit, name="area_edit"),
    path("areas/<int:pk>/delete/", views.area_delete, name="area_delete"),
    path("people/", views.people, name="people"),
    path("areas/<int:area_pk>/people/new/", views.person_create, name="person_create"),
    path("areas/<int:area_pk>/people/grant/", views.assignment_grant, name="assignment_grant"),
    path("people/roles/<int:pk>/revoke/", views.assignment_revoke, name="assignment_revoke"),
    path("audit/", views.audit_list, name="audit"),
    path("grants/", grant_views.grant_list, name="grants"),
    path("grants/new/", grant_views.grant_request, name="grant_request"),
    path("grants/<int:pk>/", grant_views.grant_detail, name="grant"),
    path("grants/<int:pk>/decide/", grant_views.grant_decide, name="grant_decide"),
    path("grants/<int:pk>/revoke/", grant_views.grant_revoke, name="grant_revoke"),
]
