"""Roles and the permissions each role holds on its biobank.

Roles are per biobank: a person can be a technician in one biobank and an auditor in another. Each role maps to a
set of object permissions on ``accounts.Biobank`` (django-guardian); ``services.role_groups_sync`` keeps one group
per (biobank, role) holding exactly these permissions, and a membership puts the user into that group.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    BIOBANK_ADMIN = "biobank_admin", _("Biobank admin")
    TECHNICIAN = "technician", _("Technician")
    CONSENT_OFFICER = "consent_officer", _("Consent officer")
    DATA_MANAGER = "data_manager", _("Data manager")
    DAC_MEMBER = "dac_member", _("DAC member")
    DAC_CHAIR = "dac_chair", _("DAC chair")
    AUDITOR = "auditor", _("Auditor")
    IDENTITY_STEWARD = "identity_steward", _("Identity steward")


# Object permissions on accounts.Biobank (declared in Biobank.Meta.permissions). Later issues add their own here.
BIOBANK_PERMISSIONS: dict[str, str] = {
    "view_biobank": _("See the biobank and its team"),
    "manage_members": _("Add and remove members and change their roles"),
    "manage_api_tokens": _("Create and revoke API tokens for partner systems"),
    "view_specimens": _("See specimens and storage"),
    "change_specimens": _("Register and process specimens, manage storage"),
    "view_donors": _("See pseudonymous donors and their consents"),
    "manage_consent": _("Register donors and record consent"),
    "view_identity": _("See identifying data of donors (always with a reason, audited)"),
    "view_catalog": _("See the biobank's collections with exact counts"),
    "manage_catalog": _("Create and edit collections and publish the catalogue"),
    "review_requests": _("Review access requests and vote"),
    "decide_requests": _("Decide access requests for the committee"),
    "view_audit": _("Read the audit trail"),
}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.BIOBANK_ADMIN: frozenset(
        {
            "view_biobank",
            "manage_members",
            "manage_api_tokens",
            "view_specimens",
            "view_donors",
            "view_catalog",
            "manage_catalog",
        }
    ),
    Role.TECHNICIAN: frozenset({"view_biobank", "view_specimens", "change_specimens", "view_catalog"}),
    Role.CONSENT_OFFICER: frozenset({"view_biobank", "view_donors", "manage_consent", "view_specimens"}),
    Role.DATA_MANAGER: frozenset({"view_biobank", "view_specimens", "view_donors", "view_catalog", "manage_catalog"}),
    Role.DAC_MEMBER: frozenset({"view_biobank", "view_catalog", "review_requests"}),
    Role.DAC_CHAIR: frozenset({"view_biobank", "view_catalog", "review_requests", "decide_requests"}),
    Role.AUDITOR: frozenset({"view_biobank", "view_audit", "view_catalog", "view_specimens", "view_donors"}),
    Role.IDENTITY_STEWARD: frozenset({"view_biobank", "view_donors", "view_identity"}),
}

# What a partner system's API token may be granted: never identity or member management.
TOKEN_GRANTABLE_PERMISSIONS: tuple[str, ...] = (
    "view_biobank",
    "view_specimens",
    "change_specimens",
    "view_donors",
    "manage_consent",
    "view_catalog",
    "manage_catalog",
)
