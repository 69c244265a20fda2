"""Roles and the permissions each role holds on its biobank.

Roles are per biobank: a person can be a technician in one biobank and an auditor in another. Each role maps to a
set of object permissions on ``accounts.Biobank`` (django-guardian); ``services.role_groups_sync`` keeps one group
per (biobank, role) holding exactly these permissions, and a membership puts the user into that group.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Role(models.TextChoices):
    BIOBANK_ADMIN = "biobank_admin", _("Biobank admin")
    TECHNICIAN = "technician", _("Technician")
    CONSENT_OFFICER = "consent_officer", _("Consent officer")
    DATA_MANAGER = "data_manager", _("Data manager")
    DAC_MEMBER = "dac_member", _("DAC member")
    DAC_CHAIR = "dac_chair", _("DAC chair")
    AUDITOR = "auditor", _("Auditor")
    IDENTITY_STEWARD = "identity_steward", _("Identity steward")


class Perm(StrEnum):
    """The codenames of the object permissions on ``accounts.Biobank``: a misspelt permission is a type error.

    The values are stored as ``auth.Permission`` codenames (``Biobank.Meta.permissions``): never rename one.
    """

    VIEW_BIOBANK = "view_biobank"
    MANAGE_MEMBERS = "manage_members"
    MANAGE_API_TOKENS = "manage_api_tokens"
    VIEW_SPECIMENS = "view_specimens"
    CHANGE_SPECIMENS = "change_specimens"
    VIEW_DONORS = "view_donors"
    MANAGE_CONSENT = "manage_consent"
    VIEW_IDENTITY = "view_identity"
    VIEW_CATALOG = "view_catalog"
    MANAGE_CATALOG = "manage_catalog"
    REVIEW_REQUESTS = "review_requests"
    DECIDE_REQUESTS = "decide_requests"
    VIEW_AUDIT = "view_audit"


# Object permissions on accounts.Biobank (declared in Biobank.Meta.permissions). Later issues add their own here.
BIOBANK_PERMISSIONS: dict[Perm, StrOrPromise] = {
    Perm.VIEW_BIOBANK: _("See the biobank and its team"),
    Perm.MANAGE_MEMBERS: _("Add and remove members and change their roles"),
    Perm.MANAGE_API_TOKENS: _("Create and revoke API tokens for partner systems"),
    Perm.VIEW_SPECIMENS: _("See specimens and storage"),
    Perm.CHANGE_SPECIMENS: _("Register and process specimens, manage storage"),
    Perm.VIEW_DONORS: _("See pseudonymous donors and their consents"),
    Perm.MANAGE_CONSENT: _("Register donors and record consent"),
    Perm.VIEW_IDENTITY: _("See identifying data of donors (always with a reason, audited)"),
    Perm.VIEW_CATALOG: _("See the biobank's collections with exact counts"),
    Perm.MANAGE_CATALOG: _("Create and edit collections and publish the catalogue"),
    Perm.REVIEW_REQUESTS: _("Review access requests and vote"),
    Perm.DECIDE_REQUESTS: _("Decide access requests for the committee"),
    Perm.VIEW_AUDIT: _("Read the audit trail"),
}

ROLE_PERMISSIONS: dict[str, frozenset[Perm]] = {
    Role.BIOBANK_ADMIN: frozenset(
        {
            Perm.VIEW_BIOBANK,
            Perm.MANAGE_MEMBERS,
            Perm.MANAGE_API_TOKENS,
            Perm.VIEW_SPECIMENS,
            Perm.VIEW_DONORS,
            Perm.VIEW_CATALOG,
            Perm.MANAGE_CATALOG,
        }
    ),
    Role.TECHNICIAN: frozenset({Perm.VIEW_BIOBANK, Perm.VIEW_SPECIMENS, Perm.CHANGE_SPECIMENS, Perm.VIEW_CATALOG}),
    Role.CONSENT_OFFICER: frozenset({Perm.VIEW_BIOBANK, Perm.VIEW_DONORS, Perm.MANAGE_CONSENT, Perm.VIEW_SPECIMENS}),
    Role.DATA_MANAGER: frozenset(
        {Perm.VIEW_BIOBANK, Perm.VIEW_SPECIMENS, Perm.VIEW_DONORS, Perm.VIEW_CATALOG, Perm.MANAGE_CATALOG}
    ),
    Role.DAC_MEMBER: frozenset({Perm.VIEW_BIOBANK, Perm.VIEW_CATALOG, Perm.REVIEW_REQUESTS}),
    Role.DAC_CHAIR: frozenset({Perm.VIEW_BIOBANK, Perm.VIEW_CATALOG, Perm.REVIEW_REQUESTS, Perm.DECIDE_REQUESTS}),
    Role.AUDITOR: frozenset(
        {Perm.VIEW_BIOBANK, Perm.VIEW_AUDIT, Perm.VIEW_CATALOG, Perm.VIEW_SPECIMENS, Perm.VIEW_DONORS}
    ),
    Role.IDENTITY_STEWARD: frozenset({Perm.VIEW_BIOBANK, Perm.VIEW_DONORS, Perm.VIEW_IDENTITY}),
}


def perm_label(codename: str) -> StrOrPromise:
    """The label of a stored permission codename; the codename itself if it names no ``Perm``."""
    try:
        return BIOBANK_PERMISSIONS[Perm(codename)]
    except ValueError:
        return codename


# What a partner system's API token may be granted: never identity or member management.
TOKEN_GRANTABLE_PERMISSIONS: tuple[Perm, ...] = (
    Perm.VIEW_BIOBANK,
    Perm.VIEW_SPECIMENS,
    Perm.CHANGE_SPECIMENS,
    Perm.VIEW_DONORS,
    Perm.MANAGE_CONSENT,
    Perm.VIEW_CATALOG,
    Perm.MANAGE_CATALOG,
)
