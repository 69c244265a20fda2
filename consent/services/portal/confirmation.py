"""The last effect of a withdrawal's propagation: the donor is told, by e-mail and in the portal, what now happens
(only when the donor has a portal account; staff who record a withdrawal by letter answer the letter)."""

from __future__ import annotations

from django.utils import translation

from biobank.accounts.principals import Actor

from ...choices import MessageKind, WithdrawalLevel
from ...models import DonorAccount, Module
from ...withdrawal_effects import Withdrawal
from .changes import CONSEQUENCES
from .messages import donor_message_send


def donor_withdrawal_confirm(*, actor: Actor, withdrawal: Withdrawal) -> dict[str, object]:
    """Send the confirmation (once: the propagation marks this step done in the same transaction)."""
    account = (
        DonorAccount.objects.select_related("user", "biobank")
        .filter(donor_id__in=withdrawal.donor_ids, user__is_active=True)
        .first()
    )
    if account is None:
        return {"confirmation": "no portal account"}
    with translation.override(account.language):
        if withdrawal.level:
            what = str(WithdrawalLevel(withdrawal.level).label)
            consequences = str(translation.gettext(CONSEQUENCES[WithdrawalLevel(withdrawal.level)]))
        else:
            module = Module.objects.filter(code=withdrawal.module_code).order_by("-version").first()
            what = module.title_in(account.language) if module else withdrawal.module_code
            consequences = str(
                translation.gettext("We no longer use your samples or data for what this part of your consent covered.")
            )
    message = donor_message_send(
        account=account,
        kind=MessageKind.WITHDRAWAL_CONFIRMATION,
        context={"what": what, "effective": withdrawal.effective.isoformat(), "consequences": consequences},
    )
    return {"confirmation": "sent", "message": message.pk}
