"""Staff editing of the catalogue, under /catalogue/manage/ (``catalog.editing``)."""

from django.urls import path

from .editing import directory_views, views

app_name = "catalog_manage"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:code>/", views.biobank_page, name="biobank"),
    path("<slug:code>/profile/", views.profile_edit, name="profile"),
    path("<slug:code>/collections/<int:pk>/", views.collection_edit, name="collection"),
    path("<slug:code>/collections/<int:pk>/state/", views.collection_state, name="collection_state"),
    path("<slug:code>/diseases/", views.disease_search, name="disease_search"),
    path("<slug:code>/persons/new/", directory_views.person_edit, name="person_new"),
    path("<slug:code>/persons/<int:person_id>/", directory_views.person_edit, name="person"),
    path("<slug:code>/networks/new/", directory_views.network_edit, name="network_new"),
    path("<slug:code>/networks/<int:network_id>/", directory_views.network_edit, name="network"),
    path("<slug:code>/resources/new/", directory_views.resource_edit, name="resource_new"),
    path("<slug:code>/resources/<int:resource_id>/", directory_views.resource_edit, name="resource"),
]
