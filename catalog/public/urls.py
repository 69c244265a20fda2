"""/catalogue/: the public catalogue (no login)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("search.csv", views.export, name="export"),
    path("collections/<int:pk>/", views.collection, name="collection"),
    path("biobanks/<slug:code>/", views.biobank, name="biobank"),
    path("networks/<int:network_id>/", views.network, name="network"),
    path("cart/", views.cart, name="cart"),
]
