from django.urls import include, path

from .views import biobanks, dashboard, members, search, tokens

app_name = "web"

biobank_patterns = [
    path("", biobanks.overview, name="biobank"),
    path("members/", members.member_list, name="members"),
    path("members/add/", members.member_add, name="member_add"),
    path("members/<int:user_id>/", members.member_row, name="member_row"),
    path("members/<int:user_id>/roles/", members.member_edit, name="member_edit"),
    path("members/<int:user_id>/remove/", members.member_remove, name="member_remove"),
    path(
        "members/requests/<int:grant_id>/approve/",
        members.role_grant_decide,
        {"decision": "approve"},
        name="role_grant_approve",
    ),
    path(
        "members/requests/<int:grant_id>/reject/",
        members.role_grant_decide,
        {"decision": "reject"},
        name="role_grant_reject",
    ),
    path("tokens/", tokens.token_list, name="tokens"),
    path("tokens/new/", tokens.token_create, name="token_create"),
    path("tokens/<int:token_id>/revoke/", tokens.token_revoke, name="token_revoke"),
]

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("search/", search.search, name="search"),
    path("biobanks/<slug:code>/", include(biobank_patterns)),
]
