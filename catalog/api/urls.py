"""/api/v1/ routes of the catalogue app."""

from django.urls import path

from . import catalogue_views, public_search, reference_views, views

urlpatterns = [
    path("collections/", views.CollectionListView.as_view(), name="api-collection-list"),
    path("collections/<int:pk>/", views.CollectionDetailView.as_view(), name="api-collection-detail"),
    # the public catalogue (catalog/api/catalogue_views.py, reference_views.py)
    path("catalog/biobanks/", catalogue_views.CatalogBiobankListView.as_view(), name="api-catalog-biobank-list"),
    path(
        "catalog/biobanks/<str:code>/",
        catalogue_views.CatalogBiobankDetailView.as_view(),
        name="api-catalog-biobank-detail",
    ),
    path(
        "catalog/collections/<str:id>/",
        catalogue_views.CatalogCollectionDetailView.as_view(),
        name="api-catalog-collection-detail",
    ),
    path(
        "catalog/collections/<str:id>/state/",
        catalogue_views.CatalogCollectionStateView.as_view(),
        name="api-catalog-collection-state",
    ),
    path("catalog/networks/", catalogue_views.CatalogNetworkListView.as_view(), name="api-catalog-network-list"),
    path(
        "catalog/networks/<str:id>/",
        catalogue_views.CatalogNetworkDetailView.as_view(),
        name="api-catalog-network-detail",
    ),
    path("catalog/facts/", reference_views.CatalogFactListView.as_view(), name="api-catalog-fact-list"),
    path("catalog/vocabularies/", reference_views.VocabularyListView.as_view(), name="api-catalog-vocabulary-list"),
    path(
        "catalog/vocabularies/<str:name>/",
        reference_views.VocabularyTermListView.as_view(),
        name="api-catalog-vocabulary-terms",
    ),
    # the public catalogue search, no login (public_search.py)
    path(
        "catalog/collections/",
        public_search.PublicCollectionSearchView.as_view(),
        name="api-catalog-collection-search",
    ),
]
