"""Browser pages of the consent app (donors, identity vault, consent catalogue, capture). Included at /consent/."""

from django.urls import path

app_name = "consent"

urlpatterns: list = []

# --- consent catalogue, capture and signed consents (consent/views/{templates,capture,consents}.py) ---
from .views import capture as capture_views  # noqa: E402
from .views import consents as consent_views  # noqa: E402
from .views import templates as template_views  # noqa: E402

urlpatterns += [
    path("<slug:code>/templates/", template_views.template_list, name="template_list"),
    path("<slug:code>/templates/<int:template_id>/", template_views.template_detail, name="template_detail"),
    path(
        "<slug:code>/templates/<int:template_id>/new-version/",
        template_views.template_new_version,
        name="template_new_version",
    ),
    path(
        "<slug:code>/templates/<int:template_id>/activate/", template_views.template_activate, name="template_activate"
    ),
    path("<slug:code>/templates/<int:template_id>/diff/", template_views.template_diff_view, name="template_diff"),
    path("<slug:code>/record/", capture_views.capture, name="capture"),
    path("<slug:code>/scans/new/", capture_views.scan_upload, name="scan_upload"),
    path("<slug:code>/scans/qc/", capture_views.qc_queue, name="qc_queue"),
    path("<slug:code>/scans/qc/<int:consent_id>/", capture_views.qc_decide, name="qc_decide"),
    path("<slug:code>/consents/<int:consent_id>/", consent_views.consent_detail, name="consent_detail"),
    path("<slug:code>/consents/<int:consent_id>/receipt.pdf", consent_views.receipt_download, name="receipt"),
    path("<slug:code>/consents/<int:consent_id>/scan/", consent_views.scan_download, name="scan"),
    path("<slug:code>/consents/<int:consent_id>/withdraw/", consent_views.withdraw_module, name="withdraw_module"),
    path(
        "<slug:code>/consents/<int:consent_id>/invalidate/",
        consent_views.invalidation_request,
        name="invalidation_request",
    ),
    path(
        "<slug:code>/consents/<int:consent_id>/invalidate/decide/",
        consent_views.invalidation_decide,
        name="invalidation_decide",
    ),
]

# --- donor registry and identity vault (consent/views/donors.py) ---
from .views import donors as donor_views  # noqa: E402

urlpatterns += [
    path("<slug:code>/donors/", donor_views.donor_list, name="donor_list"),
    path("<slug:code>/donors/new/", donor_views.donor_register, name="donor_register"),
    path("<slug:code>/donors/<str:pid>/", donor_views.donor_detail, name="donor_detail"),
    path("<slug:code>/donors/<str:pid>/identity/", donor_views.donor_identity, name="donor_identity"),
    path("<slug:code>/donors/<str:pid>/merge/", donor_views.donor_merge, name="donor_merge"),
    path("<slug:code>/donors/<str:pid>/withdraw/", donor_views.donor_withdraw, name="donor_withdraw"),
    path("<slug:code>/duplicates/", donor_views.duplicate_list, name="duplicate_list"),
    path("<slug:code>/duplicates/<int:review_id>/", donor_views.duplicate_review, name="duplicate_review"),
    path("<slug:code>/identity/lookup/", donor_views.identity_lookup, name="identity_lookup"),
]

# --- the catalogue itself: policies, modules and new templates (consent/views/catalogue.py) ---
from .views import catalogue as catalogue_views  # noqa: E402

urlpatterns += [
    path("<slug:code>/policies/", catalogue_views.policy_list, name="policy_list"),
    path("<slug:code>/policies/new/", catalogue_views.policy_create, name="policy_create"),
    path("<slug:code>/modules/", catalogue_views.module_list, name="module_list"),
    path("<slug:code>/modules/new/", catalogue_views.module_create, name="module_create"),
    path("<slug:code>/templates/new/", catalogue_views.template_create, name="template_create"),
]

# --- dynamic consent, staff side: portal invitations, re-consent campaigns, donor messages (views/portal_staff.py) ---
from .views import portal_staff as portal_staff_views  # noqa: E402

urlpatterns += [
    path("<slug:code>/donors/<str:pid>/invite/", portal_staff_views.donor_invite_view, name="donor_invite"),
    path("<slug:code>/campaigns/", portal_staff_views.campaign_list, name="campaign_list"),
    path("<slug:code>/campaigns/new/", portal_staff_views.campaign_new, name="campaign_new"),
    path("<slug:code>/campaigns/<int:campaign_id>/", portal_staff_views.campaign_detail, name="campaign_detail"),
    path("<slug:code>/messages/", portal_staff_views.message_list, name="message_list"),
    path("<slug:code>/messages/<slug:kind>/<slug:language>/", portal_staff_views.message_edit, name="message_edit"),
]
