"""The last effect of a withdrawal's propagation: the donor is told, by e-mail and in the portal, what now happens
(only when the donor has a portal account; staff who record a withdrawal by letter answer the letter)."""

from __future__ import annotations

from django.utils import translation

from biobank.accounts.principals import Actor
from biobank.audit.services import audit_record

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


def donor_notifications_stop(*, actor: Actor, withdrawal: Withdrawal) -> dict[str, object]:
    """A donor-level withdrawal (any level: each stops contacting the donor) turns off news, study results and
    recontact invitations; the donor can turn them on again after signing anew."""
    if not withdrawal.level:
        return {"notifications": "unchanged"}
    accounts = DonorAccount.objects.filter(donor_id__in=withdrawal.donor_ids).select_for_update()
    changed = 0
    for account in accounts:
        if account.notify_news or account.notify_results or account.notify_recontact:
            before = [account.notify_news, account.notify_results, account.notify_recontact]
            account.notify_news = account.notify_results = account.notify_recontact = False
            account.save(update_fields=["notify_news", "notify_results", "notify_recontact"])
            audit_record(
                actor=actor,
                action="donor.portal_preferences",
                obj=account.donor,
                changes={"notifications": [before, [False, False, False]]},
                details={"propagation": withdrawal.propagation_id},
            )
            changed += 1
    return {"notifications": "off" if changed else "were off"}
