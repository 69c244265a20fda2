"""Who may change specimens and storage: ``change_specimens`` on the biobank (technicians, partner LIS tokens)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from biobank.accounts.choices import Perm
from biobank.accounts.models import Biobank
from biobank.accounts.principals import Actor, principal_of
from biobank.accounts.selectors import user_has_biobank_perm
from biobank.errors import ForbiddenError


def require_change_specimens(actor: Actor, biobank: Biobank) -> None:
    """People and tokens need ``change_specimens`` on the biobank; system jobs (``None``/``"system:…"``) may act."""
    principal = principal_of(actor)
    if principal is None:
        return
    if not user_has_biobank_perm(user=principal, biobank=biobank, perm=Perm.CHANGE_SPECIMENS):
        raise ForbiddenError(_("You may not change specimens or storage in %(biobank)s.") % {"biobank": biobank.name})
