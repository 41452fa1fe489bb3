from django.urls import path

from shequ.resources import views

app_name = "resources"

urlpatterns = [
    path("resources/", views.resource_list, name="list"),
    path("resources/<int:pk>/", views.resource_detail, name="detail"),
    path("resources/<int:pk>/edit/", views.resource_edit, name="edit"),
    path("resources/<int:pk>/delete/", views.resource_delete, name="delete"),
    path("areas/<int:area_pk>/resources/new/", views.resource_create, name="create"),
]
