from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("", views.collection_list, name="collection_list"),
    path("new/", views.collection_create, name="collection_create"),
    path("<int:pk>/edit/", views.collection_edit, name="collection_edit"),
]
