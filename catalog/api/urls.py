"""/api/v1/ routes of the catalogue app."""

from django.urls import path

from . import public_search, views

urlpatterns = [
    path("collections/", views.CollectionListView.as_view(), name="api-collection-list"),
    path("collections/<int:pk>/", views.CollectionDetailView.as_view(), name="api-collection-detail"),
    # the public catalogue search, no login (public_search.py)
    path(
        "catalog/collections/",
        public_search.PublicCollectionSearchView.as_view(),
        name="api-catalog-collection-search",
    ),
]
