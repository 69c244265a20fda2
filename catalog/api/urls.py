"""/api/v1/ routes of the catalogue app."""

from django.urls import path

from . import views

urlpatterns = [
    path("collections/", views.CollectionListView.as_view(), name="api-collection-list"),
    path("collections/<int:pk>/", views.CollectionDetailView.as_view(), name="api-collection-detail"),
]
