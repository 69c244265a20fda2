"""Who may change consent records, shared by the catalogue, capture, scan and act services."""

from __future__ import annotations

from django.utils.translation import gettext as _

from biobank.accounts.choices import Perm
from biobank.accounts.models import Biobank
from biobank.accounts.principals import Actor, principal_of
from biobank.accounts.selectors import user_has_biobank_perm
from biobank.errors import ForbiddenError


def require_manage_consent(actor: Actor, biobank: Biobank | None) -> None:
    """People need ``manage_consent`` on the biobank; network-wide entries are for superusers and system jobs."""
    principal = principal_of(actor)
    if principal is None:
        return
    if biobank is None:
        if not getattr(principal, "is_superuser", False):
            raise ForbiddenError(_("Only a superuser may change the network-wide consent catalogue."))
        return
    if not user_has_biobank_perm(user=principal, biobank=biobank, perm=Perm.MANAGE_CONSENT):
        raise ForbiddenError(_("You may not manage consent in %(biobank)s.") % {"biobank": biobank.name})
