"""Consent app models, one module per family: donors and their identity vault; the consent catalogue; consents."""

from .donors import Donor
from .identity import DuplicateCandidate, DuplicateReview, IdentityRecord
from .pid_history import DonorPid

__all__ = ["Donor", "DonorPid", "DuplicateCandidate", "DuplicateReview", "IdentityRecord"]
from .catalogue import Module, Policy, Template, TemplateModule, TemplateText
from .consents import Consent, ConsentInvalidation, ConsentModuleChoice, PolicyState

__all__ += ["Consent", "ConsentModuleChoice", "Module", "Policy", "PolicyState", "Template", "TemplateModule"]
__all__ += ["ConsentInvalidation", "TemplateText"]
from .signatures import ConsentSignature  # noqa: E402

__all__ += ["ConsentSignature"]
from .portal import (  # noqa: E402
    CampaignTarget,
    DonorAccount,
    DonorInvitation,
    DonorMessage,
    MessageTemplate,
    ReconsentCampaign,
    WithdrawalPropagation,
)

__all__ += ["CampaignTarget", "DonorAccount", "DonorInvitation", "DonorMessage", "MessageTemplate"]
__all__ += ["ReconsentCampaign", "WithdrawalPropagation"]
