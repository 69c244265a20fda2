"""``{% mfa_status_of user as mfa %}``: the profile page's two-step sign-in panel reads its status here."""

from __future__ import annotations

from django import template

from biobank.accounts.mfa import MfaStatus, mfa_status

register = template.Library()


@register.simple_tag
def mfa_status_of(user: object) -> MfaStatus:
    return mfa_status(user=user)  # type: ignore[arg-type]
