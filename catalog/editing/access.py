"""Who may use the catalogue management pages of a biobank.

Reading needs view_catalog there (a viewer sees the pages without the buttons), changing needs manage_catalog (403
otherwise). A biobank the person does not belong to, and any object of another biobank, is a 404.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from biobank.accounts.choices import Perm
from biobank.accounts.models import Biobank
from biobank.accounts.principals import AuthenticatedHttpRequest
from biobank.accounts.selectors import user_has_biobank_perm
from biobank.web.access import biobank_for


def catalog_biobank(request: AuthenticatedHttpRequest, code: str) -> Biobank:
    return biobank_for(request, code, Perm.VIEW_CATALOG)


def managed_biobank(request: AuthenticatedHttpRequest, code: str) -> Biobank:
    biobank = catalog_biobank(request, code)
    if not can_manage(request, biobank):
        raise PermissionDenied(
            _("You may see the catalogue of %(biobank)s but not change it: this needs the permission to manage it.")
            % {"biobank": biobank.name}
        )
    return biobank


def can_manage(request: AuthenticatedHttpRequest, biobank: Biobank) -> bool:
    cached: dict[int, bool] = request.__dict__.setdefault("_catalog_manage", {})
    if biobank.pk not in cached:
        cached[biobank.pk] = user_has_biobank_perm(user=request.user, biobank=biobank, perm=Perm.MANAGE_CATALOG)
    return cached[biobank.pk]
