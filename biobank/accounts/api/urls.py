"""/api/v1/ routes of the accounts app."""

from django.urls import path

from . import views

urlpatterns = [
    path("me/", views.MeView.as_view(), name="api-me"),
    path("biobanks/", views.BiobankListView.as_view(), name="api-biobank-list"),
    path("biobanks/<slug:code>/", views.BiobankDetailView.as_view(), name="api-biobank-detail"),
    path("biobanks/<slug:code>/members/", views.MemberListView.as_view(), name="api-member-list"),
    path(
        "biobanks/<slug:code>/members/<int:membership_id>/",
        views.MemberDetailView.as_view(),
        name="api-member-detail",
    ),
    path("biobanks/<slug:code>/role-grants/", views.RoleGrantListView.as_view(), name="api-role-grant-list"),
    path(
        "biobanks/<slug:code>/role-grants/<int:grant_id>/approve/",
        views.RoleGrantApproveView.as_view(),
        name="api-role-grant-approve",
    ),
    path(
        "biobanks/<slug:code>/role-grants/<int:grant_id>/reject/",
        views.RoleGrantRejectView.as_view(),
        name="api-role-grant-reject",
    ),
]
