"""Models of the access-requests app: requests and their resources, committees, agreements and entitlements,
releases and shipments."""

from .agreements import (
    AgreementAcceptance,
    AgreementTemplate,
    Condition,
    Entitlement,
    Report,
    WebhookDelivery,
    WebhookEndpoint,
)
from .committees import (
    Committee,
    CommitteeComment,
    CommitteeMember,
    ConflictDeclaration,
    Decision,
    RequestMessage,
    ReviewAssignment,
    Vote,
)
from .fulfilment import Download, DownloadLink, Release, ReleaseDonor, Shipment, ShipmentItem
from .notifications import EventDispatch, Notification
from .requests import AccessRequest, RequestAttachment, RequestEvent, RequestResource, ResearcherProfile, TeamMember
from .signing import SigningLink

__all__ = [
    "AccessRequest",
    "AgreementAcceptance",
    "AgreementTemplate",
    "Committee",
    "CommitteeComment",
    "CommitteeMember",
    "Condition",
    "ConflictDeclaration",
    "Decision",
    "Download",
    "DownloadLink",
    "Entitlement",
    "EventDispatch",
    "Notification",
    "Release",
    "ReleaseDonor",
    "Report",
    "RequestAttachment",
    "RequestEvent",
    "RequestMessage",
    "RequestResource",
    "ResearcherProfile",
    "ReviewAssignment",
    "Shipment",
    "ShipmentItem",
    "SigningLink",
    "TeamMember",
    "Vote",
    "WebhookDelivery",
    "WebhookEndpoint",
]
