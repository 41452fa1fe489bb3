from django.urls import path, register_converter

from shequ.registry import rights_views, views


class ImportKindConverter:
    regex = "residents|buildings|households|organisations"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ImportKindConverter, "importkind")
app_name = "registry"

urlpatterns = [
    path("residents/", views.resident_list, name="residents"),
    path("residents/search/", views.resident_search, name="resident_search"),
    path("residents/export.xlsx", views.resident_export, name="resident_export"),
    path("residents/import/", views.import_upload, name="resident_import"),  # = import_upload "residents"
    path("residents/<int:pk>/", views.resident_detail, name="resident"),
    path("residents/<int:pk>/reveal/", views.resident_reveal, name="resident_reveal"),
    path("residents/<int:pk>/edit/", views.resident_edit, name="resident_edit"),
    path("residents/<int:pk>/leave/", views.resident_leave, name="resident_leave"),
    path("residents/<int:pk>/return/", views.resident_return, name="resident_return"),
    path("residents/<int:pk>/groups/<str:group>/", views.resident_group, name="resident_group"),
    path("areas/<int:building_pk>/residents/new/", views.resident_register, name="resident_register"),
    # Every kind of import: upload and check, template, preview and commit, the rows handed back.
    path("<importkind:kind>/import/", views.import_upload, name="import_upload"),
    path("<importkind:kind>/import/template.xlsx", views.import_template, name="import_template"),
    path("<importkind:kind>/import/<int:pk>/", views.import_preview, name="import_job"),
    path("<importkind:kind>/import/<int:pk>/bad-rows.xlsx", views.import_bad_rows, name="import_bad_rows"),
    path("households/", views.household_list, name="households"),
    path("households/export.xlsx", views.household_export, name="household_export"),
    path("households/<int:pk>/", views.household_detail, name="household"),
    path("organisations/", views.organisation_list, name="organisations"),
    path("organisations/export.xlsx", views.organisation_export, name="organisation_export"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation"),
    path("organisations/<int:pk>/edit/", views.organisation_edit, name="organisation_edit"),
    path("areas/<int:area_pk>/organisations/new/", views.organisation_create, name="organisation_create"),
    path("areas/<int:pk>/building/", views.building_profile, name="building_profile"),
    # A person's rights: my data (see, download, ask to correct); the staff's correction requests.
    path("me/data/", rights_views.my_data, name="my_data"),
    path("me/data/reveal/", rights_views.my_data_reveal, name="my_data_reveal"),
    path("me/data/download/", rights_views.my_data_download, name="my_data_download"),
    path("me/data/correct/", rights_views.my_data_correct, name="my_data_correct"),
    path("corrections/", rights_views.correction_list, name="corrections"),
    path("corrections/<int:pk>/", rights_views.correction_detail, name="correction"),
    path("corrections/<int:pk>/reveal/", rights_views.correction_reveal, name="correction_reveal"),
    path("residents/<int:pk>/account/", rights_views.resident_account, name="resident_account"),
]
