"""Browser routes of the access-requests app (under /requests/), one block per screen family."""

from django.urls import path

from .views import agreements, entitlements, reports

app_name = "access_requests"
urlpatterns: list = []

# --- entitle (agreements, entitlements, reports) ---
urlpatterns += [
    path("agreements/<slug:code>/", agreements.agreement_list, name="agreement_list"),
    path("agreements/<slug:code>/<int:pk>/", agreements.agreement_detail, name="agreement_detail"),
    path("<int:pk>/resources/<int:resource_pk>/conditions/", agreements.conditions, name="conditions"),
    path("<int:pk>/resources/<int:resource_pk>/decline/", agreements.decline, name="conditions_decline"),
    path("sign/<str:token>/", agreements.sign, name="sign"),
    path("<int:pk>/access/", entitlements.access, name="access"),
    path("<int:pk>/resources/<int:resource_pk>/grant/", entitlements.grant, name="grant"),
    path("<int:pk>/entitlements/<int:entitlement_pk>/revoke/", entitlements.revoke, name="revoke"),
    path("<int:pk>/renew/", entitlements.renew, name="renew"),
    path("<int:pk>/close/", entitlements.close, name="close"),
    path("<int:pk>/reports/", reports.reports, name="reports"),
    path("<int:pk>/compliance.pdf", reports.compliance, name="compliance"),
]
