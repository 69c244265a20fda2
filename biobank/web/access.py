"""What the signed-in person may do in each of their biobanks, read once per request.

Navigation, the dashboard and the biobank pages all need it; it is one query (memberships with their biobank),
turned into permissions with ``ROLE_PERMISSIONS``, and cached on the request. It only decides what to *show*;
every page still asks the accounts selectors (django-guardian) before it reads or writes anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from biobank.accounts.choices import BIOBANK_PERMISSIONS, ROLE_PERMISSIONS, Perm, Role
from biobank.accounts.models import Biobank, Membership
from biobank.accounts.principals import AuthenticatedHttpRequest
from biobank.accounts.selectors import AUDITOR_READ_PERMISSIONS, biobank_get_for, user_has_biobank_perm


@dataclass
class BiobankAccess:
    biobank: Biobank
    roles: list[str] = field(default_factory=list)
    perms: set[str] = field(default_factory=set)

    @property
    def role_labels(self) -> list[str]:
        return [str(Role(role).label) for role in self.roles]

    @property
    def perm_labels(self) -> list[str]:
        return [str(label) for codename, label in BIOBANK_PERMISSIONS.items() if codename in self.perms]

    def can(self, perm: Perm) -> bool:
        return perm in self.perms


def biobank_access(request: HttpRequest) -> list[BiobankAccess]:
    """The person's biobanks (by name) with their roles and the permissions those roles give. Cached per request."""
    cached = getattr(request, "_biobank_access", None)
    if cached is not None:
        return cached
    user = request.user
    accesses: dict[int, BiobankAccess] = {}
    if user.is_authenticated and user.is_active:
        if user.is_superuser:  # superusers may see every biobank (the selectors agree: with_superuser=True)
            for biobank in Biobank.objects.filter(is_active=True).select_related("network"):
                accesses[biobank.pk] = BiobankAccess(biobank, [], set(BIOBANK_PERMISSIONS))
        for membership in (
            Membership.objects.filter(user=user).select_related("biobank").order_by("biobank__name", "role")
        ):
            access = accesses.setdefault(membership.biobank_id, BiobankAccess(membership.biobank))
            access.roles.append(membership.role)
            access.perms |= ROLE_PERMISSIONS[membership.role]
        for pk, access in list(accesses.items()):  # a deactivated biobank: only its auditors keep reading (selectors)
            if not access.biobank.is_active:
                if "view_audit" in access.perms:
                    access.perms &= AUDITOR_READ_PERMISSIONS
                else:
                    del accesses[pk]
    for access in accesses.values():
        access.roles.sort(key=Role.values.index)  # the order of the Role enum: admin first
    result = sorted(accesses.values(), key=lambda a: a.biobank.name.lower())
    request._biobank_access = result  # type: ignore[attr-defined]
    return result


def biobank_for(request: AuthenticatedHttpRequest, code: str, perm: Perm = Perm.VIEW_BIOBANK) -> Biobank:
    """The biobank ``code`` for this request.

    A biobank the person does not belong to is a 404 (its existence is not revealed). A member whose roles lack
    ``perm`` gets a 403 page that says which permission is missing: they know the biobank exists already.
    """
    try:
        biobank = biobank_get_for(user=request.user, code=code)
    except Biobank.DoesNotExist:
        raise Http404(_("No biobank with this code is visible to you.")) from None
    if perm != Perm.VIEW_BIOBANK and not user_has_biobank_perm(user=request.user, biobank=biobank, perm=perm):
        raise PermissionDenied(
            _("Your roles in %(biobank)s do not allow this: it needs the permission “%(perm)s”.")
            % {"biobank": biobank.name, "perm": BIOBANK_PERMISSIONS[perm]}
        )
    return biobank
