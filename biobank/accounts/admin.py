"""Superuser-only admin views of accounts data (read-only: memberships and tokens change through services)."""

import django.contrib.auth.admin  # noqa: F401  # registers Group first, so the swap below works in any app order
from django.contrib import admin
from django.contrib.admin.exceptions import NotRegistered
from django.contrib.auth.models import Group

from biobank.admin_readonly import ReadOnlyAdmin

from .models import ApiToken, Biobank, IdempotencyKey, Membership, Network, RoleGrant, User

# Role groups are derived from memberships (``services.role_groups_sync``, ``manage.py sync_roles``): editing one in
# the admin would change who may do what with no audit event (issue 9, item 11). Shown, never changed.
admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(ReadOnlyAdmin):
    list_display = ("name",)
    search_fields = ("name",)
    exclude = ("permissions",)  # global permissions are never used: roles are object permissions on the biobank


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    list_display = ("email", "full_name", "is_active", "is_researcher", "is_donor", "is_superuser", "last_login")
    list_filter = ("is_active", "is_researcher", "is_donor", "is_superuser")
    search_fields = ("email", "full_name")
    exclude = ("password",)


@admin.register(Network)
class NetworkAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "created_at")


@admin.register(Biobank)
class BiobankAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "country", "network", "is_active")
    list_filter = ("country", "is_active", "network")
    search_fields = ("code", "name")


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ("user", "biobank", "role", "granted_by", "granted_at")
    list_filter = ("role", "biobank")
    search_fields = ("user__email",)
    list_select_related = ("user", "biobank", "granted_by")


@admin.register(RoleGrant)
class RoleGrantAdmin(ReadOnlyAdmin):
    list_display = ("user", "biobank", "role", "status", "requested_by", "requested_at", "decided_by", "decided_at")
    list_filter = ("status", "role", "biobank")
    search_fields = ("user__email",)
    list_select_related = ("user", "biobank", "requested_by", "decided_by")


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ("name", "key_prefix", "biobank", "expires_at", "revoked_at", "last_used_at")
    list_filter = ("biobank",)
    exclude = ("key_hash",)
    list_select_related = ("biobank",)


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(ReadOnlyAdmin):
    """The API's kept answers (``biobank.api.idempotency``), to see what a partner system's retry was answered."""

    list_display = ("principal", "key", "response_status", "created_at")
    search_fields = ("principal", "key")


def _hide_otp_devices() -> None:
    """django-otp's own admin pages show authenticator keys (as QR codes) and delete devices without an audit
    event or the separation of duties of ``mfa.mfa_reset``: superusers use the portal's reset instead.

    Their admin modules are imported here first, as ``django.contrib.auth.admin`` is above: this app comes first in
    ``INSTALLED_APPS`` (its createsuperuser/changepassword win), so the admin's autodiscovery reaches django-otp's
    modules after this one; already imported, they do not run (and register) again, whatever the app order.
    """
    import contextlib
    import importlib

    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    for module in ("django_otp.plugins.otp_totp.admin", "django_otp.plugins.otp_static.admin"):
        importlib.import_module(module)
    for model in (TOTPDevice, StaticDevice):
        with contextlib.suppress(NotRegistered):
            admin.site.unregister(model)


_hide_otp_devices()
