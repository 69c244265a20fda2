"""Dynamic consent: the donor portal's writes (``docs/dynamic-consent.md``).

``accounts``: invitations and one-time links. ``changes``: what the donor does (change a choice, re-consent,
withdraw, preferences, receipts). ``campaigns``: re-consent campaigns. ``messages``: donor messages in the donor's
language (e-mailed and kept in the portal) and the wording staff edit. ``confirmation``: the donor's confirmation,
the last effect of a withdrawal's propagation.
"""

from .accounts import donor_invitation_peek, donor_invitation_redeem, donor_invite, invitation_send
from .campaigns import campaign_candidates, reconsent_campaign_create
from .changes import (
    CONSEQUENCES,
    donor_choice_change,
    donor_preferences_update,
    donor_receipt_read,
    donor_reconsent,
    donor_self_withdraw,
    family_ids,
    module_states,
)
from .confirmation import donor_notifications_stop, donor_withdrawal_confirm
from .messages import (
    LANGUAGES,
    SAMPLE,
    VARIABLES,
    donor_message_mark_read,
    donor_message_send,
    message_render,
    message_template_reset,
    message_template_save,
)

__all__ = [
    "CONSEQUENCES",
    "LANGUAGES",
    "SAMPLE",
    "VARIABLES",
    "campaign_candidates",
    "donor_choice_change",
    "donor_invitation_peek",
    "donor_invitation_redeem",
    "donor_invite",
    "donor_message_mark_read",
    "donor_message_send",
    "donor_notifications_stop",
    "donor_preferences_update",
    "donor_receipt_read",
    "donor_reconsent",
    "donor_self_withdraw",
    "donor_withdrawal_confirm",
    "family_ids",
    "invitation_send",
    "message_render",
    "message_template_reset",
    "message_template_save",
    "module_states",
    "reconsent_campaign_create",
]
