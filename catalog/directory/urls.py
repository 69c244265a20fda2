"""Staff pages of the Directory exchange; included under ``/catalogue/manage/directory/``."""

from django.urls import path

from . import views

app_name = "catalog_directory"
urlpatterns = [
    path("export/", views.directory_export_view, name="export"),
    path("import/", views.directory_import_view, name="import"),
]
