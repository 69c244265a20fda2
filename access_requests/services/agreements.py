"""Transfer agreements and accepting a resource's conditions (issue 14, item 6).

A biobank publishes versions of its Material/Data Transfer Agreement (``agreement_publish``); a version is never
edited, the next one is a new row. On a resource whose conditions the committee indicated, the researcher accepts
the conditions and the current agreement version electronically (typed full name + confirmation); the institution's
signatory does the same, by a one-time link sent by e-mail (no account needed). Each acceptance records who, when,
from which address, which version, and the SHA-256 of the exact text accepted. When both have accepted, the
resource's conditions are accepted; a researcher who declines them ends the resource, and the request is withdrawn
when none of its resources can still lead to access.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from biobank.accounts.choices import Perm
from biobank.accounts.emails import queue_email
from biobank.accounts.models import Biobank
from biobank.accounts.selectors import user_has_biobank_perm
from biobank.audit.services import audit_record
from biobank.errors import ConflictError, DomainError, ForbiddenError
from consent.receipt_font import receipt_text_check

from ..choices import AgreementKind, RequestStatus, ResourceStatus, SignatoryRole, TeamRole
from ..models import AgreementAcceptance, AgreementTemplate, RequestResource, SigningLink, TeamMember
from .workflow import event_record, request_transition, resource_transition

SIGNING_LINK_DAYS = 14
# Resource states from which access can still come; when none of a request's resources is in one, it is over.
STILL_POSSIBLE = frozenset(
    {
        ResourceStatus.CONTACTED,
        ResourceStatus.CHECKING_AVAILABILITY,
        ResourceStatus.AVAILABLE,
        ResourceStatus.CONDITIONS_INDICATED,
        ResourceStatus.CONDITIONS_ACCEPTED,
        ResourceStatus.ACCESS_GRANTED,
    }
)


def text_sha256(text: str) -> str:
    """The fingerprint of the exact agreement text accepted (UTF-8, as stored)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def may_publish_agreement(*, user: Any, biobank: Biobank) -> bool:
    """Biobank admins (member management) and DAC chairs (deciding requests) publish the biobank's agreements."""
    return user_has_biobank_perm(user=user, biobank=biobank, perm=Perm.MANAGE_MEMBERS) or user_has_biobank_perm(
        user=user, biobank=biobank, perm=Perm.DECIDE_REQUESTS
    )


@transaction.atomic
def agreement_publish(*, actor: Any, biobank: Biobank, kind: str, title: str, body: str) -> AgreementTemplate:
    """Publish the next version of the biobank's agreement of ``kind``; earlier versions stay as they were."""
    if not may_publish_agreement(user=actor, biobank=biobank):
        raise ForbiddenError(
            _("Only a biobank admin or the DAC chair of %(biobank)s publishes its agreements.")
            % {"biobank": biobank.name}
        )
    if kind not in AgreementKind.values:
        raise DomainError(
            _("Unknown agreement kind “%(kind)s”; use one of: %(kinds)s.")
            % {"kind": kind, "kinds": ", ".join(AgreementKind.values)},
            field="kind",
        )
    title, body = title.strip(), body.strip()
    if not title:
        raise DomainError(_("The agreement needs a title."), field="title", code="required")
    if len(body) < 50:
        raise DomainError(
            _("The agreement text is missing or too short (at least 50 characters)."), field="body", code="required"
        )
    receipt_text_check(body, field="body", where="agreement text")
    receipt_text_check(title, field="title", where="agreement title")
    Biobank.objects.select_for_update().get(pk=biobank.pk)  # one publisher at a time per biobank
    last = AgreementTemplate.objects.filter(biobank=biobank, kind=kind).order_by("-version").first()
    try:
        with transaction.atomic():
            template = AgreementTemplate.objects.create(
                biobank=biobank,
                kind=kind,
                version=(last.version + 1) if last else 1,
                title=title,
                body=body,
                created_by=actor,
            )
    except IntegrityError:
        raise ConflictError(_("Another version was published at the same time; reload and try again.")) from None
    audit_record(
        actor=actor,
        action="access_request.agreement_published",
        obj=template,
        biobank=biobank,
        details={"kind": kind, "version": template.version, "sha256": text_sha256(body)},
    )
    return template


def agreement_kind_for(resource: RequestResource) -> str:
    """MTA for material only, DTA for data only, MDTA for both (or when the request does not say)."""
    request = resource.request
    wants_material, wants_data = bool(request.material), bool(request.data_categories)
    if wants_material and not wants_data:
        return AgreementKind.MTA
    if wants_data and not wants_material:
        return AgreementKind.DTA
    return AgreementKind.MDTA


def agreement_for_resource(resource: RequestResource) -> AgreementTemplate | None:
    """The current (latest) version of the agreement the resource needs; the biobank's MDTA covers both kinds."""
    versions = AgreementTemplate.objects.filter(biobank_id=resource.biobank_id).order_by("-version")
    wanted = agreement_kind_for(resource)
    return versions.filter(kind=wanted).first() or versions.filter(kind=AgreementKind.MDTA).first()


def _signatory(resource: RequestResource) -> TeamMember | None:
    return resource.request.team.filter(role=TeamRole.INSTITUTIONAL_SIGNATORY).order_by("id").first()


def _accepted_roles(resource: RequestResource, template: AgreementTemplate) -> set[str]:
    return set(AgreementAcceptance.objects.filter(resource=resource, template=template).values_list("role", flat=True))


def _check_signature(*, name: str, confirm: bool) -> str:
    name = " ".join(name.split())
    if len(name) < 3:
        raise DomainError(_("Type your full name as your signature."), field="name", code="required")
    if not confirm:
        raise DomainError(
            _("Tick the box to confirm that you accept the conditions and the agreement."),
            field="confirm",
            code="required",
        )
    return name


def _current_template(resource: RequestResource, version: int | None) -> AgreementTemplate:
    template = agreement_for_resource(resource)
    if template is None:
        raise ConflictError(
            _("%(biobank)s has not published a transfer agreement yet; it cannot be accepted.")
            % {"biobank": resource.biobank.name},
            code="no_agreement",
        )
    if version is not None and version != template.version:
        raise ConflictError(
            _(
                "You were shown version %(shown)s of the agreement, but version %(current)s is now current; "
                "read it and accept again."
            )
            % {"shown": version, "current": template.version},
            field="version",
            code="stale_version",
        )
    return template


def _record_acceptance(
    *,
    actor: Any,
    resource: RequestResource,
    template: AgreementTemplate,
    role: str,
    name: str,
    email: str,
    ip: str | None,
) -> AgreementAcceptance:
    try:
        with transaction.atomic():
            acceptance = AgreementAcceptance.objects.create(
                resource=resource,
                template=template,
                role=role,
                user=actor if getattr(actor, "is_authenticated", False) else None,
                name=name,
                email=email,
                text_sha256=text_sha256(template.body),
                ip=ip or None,
            )
    except IntegrityError:
        raise ConflictError(
            _("The agreement was already accepted for this resource as %(role)s.")
            % {"role": SignatoryRole(role).label},
            code="already_accepted",
        ) from None
    event_record(
        request=resource.request,
        resource=resource,
        actor=actor,
        kind="agreement.accepted",
        data={
            "role": role,
            "name": name,
            "version": template.version,
            "template": template.pk,
            "sha256": acceptance.text_sha256,
        },
        audit_obj=acceptance,
    )
    if _accepted_roles(resource, template) >= {SignatoryRole.RESEARCHER, SignatoryRole.INSTITUTION}:
        resource_transition(resource=resource, to=ResourceStatus.CONDITIONS_ACCEPTED, actor=actor)
    return acceptance


def _invite_signatory(
    *, actor: Any, resource: RequestResource, template: AgreementTemplate, signatory: TeamMember
) -> SigningLink:
    SigningLink.objects.filter(resource=resource, used_at__isnull=True).update(expires_at=timezone.now())
    token = secrets.token_urlsafe(32)
    link = SigningLink.objects.create(
        resource=resource,
        template=template,
        signatory=signatory,
        token_hash=token_hash(token),
        expires_at=timezone.now() + timedelta(days=SIGNING_LINK_DAYS),
        created_by=actor,
    )
    url = settings.SITE_URL.rstrip("/") + reverse("access_requests:sign", kwargs={"token": token})
    queue_email(
        template="access_requests_sign",
        to=signatory.email,
        context={
            "signatory": signatory,
            "resource": resource,
            "request": resource.request,
            "link": url,
            "days": SIGNING_LINK_DAYS,
            "template_version": template,
        },
    )
    event_record(
        request=resource.request,
        resource=resource,
        actor=actor,
        kind="agreement.signatory_invited",
        data={"signatory": signatory.name, "email": signatory.email},
        audit_obj=link,
    )
    return link


@transaction.atomic
def agreement_accept(
    *,
    actor: Any,
    resource: RequestResource,
    role: str,
    name: str,
    confirm: bool,
    version: int | None = None,
    ip: str | None = None,
    signatory_name: str = "",
    signatory_email: str = "",
) -> AgreementAcceptance:
    """Accept the resource's conditions and current agreement as ``role``.

    As researcher: the request's researcher; the institutional signatory (the team member with that role, or the one
    named here) then gets a one-time link. As institution with an account: the signatory's own account."""
    resource = RequestResource.objects.select_for_update().select_related("request", "biobank").get(pk=resource.pk)
    request = resource.request
    if role not in SignatoryRole.values:
        raise DomainError(_("Sign as researcher or institution."), field="role")
    signatory = _signatory(resource)
    if role == SignatoryRole.RESEARCHER and request.researcher_id != actor.pk:
        raise ForbiddenError(_("Only the researcher who made the request accepts its conditions as researcher."))
    if role == SignatoryRole.INSTITUTION and not (
        signatory is not None
        and (signatory.user_id == actor.pk or signatory.email.lower() == (actor.email or "").lower())
    ):
        raise ForbiddenError(_("Only the request's institutional signatory accepts as the institution."))
    if resource.status != ResourceStatus.CONDITIONS_INDICATED:
        raise ConflictError(
            _("The conditions of this resource can be accepted only while they are indicated; it is %(status)s.")
            % {"status": resource.get_status_display()},
            field="status",
            code="transition",
        )
    name = _check_signature(name=name, confirm=confirm)
    template = _current_template(resource, version)
    if role == SignatoryRole.RESEARCHER and signatory is None:
        signatory_name, signatory_email = " ".join(signatory_name.split()), signatory_email.strip()
        if not signatory_name or "@" not in signatory_email:
            raise DomainError(
                _(
                    "Name your institution's signatory (full name and e-mail address): they accept the agreement "
                    "for the institution."
                ),
                field="signatory_email",
                code="required",
            )
        signatory = TeamMember.objects.create(
            request=request, name=signatory_name, email=signatory_email, role=TeamRole.INSTITUTIONAL_SIGNATORY
        )
    acceptance = _record_acceptance(
        actor=actor, resource=resource, template=template, role=role, name=name, email=actor.email, ip=ip
    )
    if role == SignatoryRole.RESEARCHER and SignatoryRole.INSTITUTION not in _accepted_roles(resource, template):
        assert signatory is not None
        _invite_signatory(actor=actor, resource=resource, template=template, signatory=signatory)
    return acceptance


def signing_link_get(token: str) -> SigningLink:
    """The valid, unused link for ``token``; ``SigningLink.DoesNotExist`` (→ 404) otherwise."""
    return SigningLink.objects.select_related("resource__request", "resource__biobank", "template", "signatory").get(
        token_hash=token_hash(token), used_at__isnull=True, expires_at__gt=timezone.now()
    )


@transaction.atomic
def agreement_accept_by_link(
    *, token: str, name: str, confirm: bool, ip: str | None = None, actor: Any = None
) -> AgreementAcceptance:
    """The institutional signatory accepts through the e-mailed link (no account needed; the link is the proof)."""
    link = SigningLink.objects.select_for_update().get(pk=signing_link_get(token).pk)
    resource = RequestResource.objects.select_for_update().select_related("request", "biobank").get(pk=link.resource_id)
    if resource.status != ResourceStatus.CONDITIONS_INDICATED:
        raise ConflictError(_("These conditions are no longer open for acceptance."), code="transition")
    name = _check_signature(name=name, confirm=confirm)
    template = _current_template(resource, link.template.version)
    SigningLink.objects.filter(pk=link.pk).update(used_at=timezone.now())
    signed_by = actor if getattr(actor, "is_authenticated", False) else None
    return _record_acceptance(
        actor=signed_by,
        resource=resource,
        template=template,
        role=SignatoryRole.INSTITUTION,
        name=name,
        email=link.signatory.email,
        ip=ip,
    )


@transaction.atomic
def conditions_decline(*, actor: Any, resource: RequestResource, reason: str) -> RequestResource:
    """The researcher declines the resource's conditions; the request is withdrawn if nothing else can come of it."""
    resource = RequestResource.objects.select_for_update().select_related("request").get(pk=resource.pk)
    request = resource.request
    if request.researcher_id != actor.pk:
        raise ForbiddenError(_("Only the researcher who made the request declines its conditions."))
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Say why you decline the conditions."), field="reason", code="required")
    resource_transition(resource=resource, to=ResourceStatus.CONDITIONS_DECLINED, actor=actor, reason=reason)
    still = request.resources.filter(status__in=STILL_POSSIBLE).exists()
    if not still and request.status == RequestStatus.DECIDED:
        request_transition(
            request=request,
            to=RequestStatus.WITHDRAWN,
            actor=actor,
            reason=_("The conditions of every approved resource were declined."),
        )
    return resource


DEMO_MDTA_TITLE = "Material and Data Transfer Agreement"
DEMO_MDTA_BODY = """1. Parties and purpose. This agreement is made between the Biobank named in the approved access \
request (the Provider) and the Recipient researcher and the Recipient's institution. The Provider transfers the human \
biological material and/or the pseudonymised data described in the approval (the Resource) solely for the research \
project described in the request and approved by the Provider's data-access committee.

2. Use. The Recipient shall use the Resource only for the approved purpose, only within the approved project team, \
and in compliance with the conditions attached to the approval, applicable law (including the GDPR) and the ethics \
approval of the project. The Resource shall not be passed on to third parties, sold or used for commercial purposes \
unless the approval expressly allows it.

3. Confidentiality and re-identification. The Recipient shall keep the Resource secure and confidential and shall \
not attempt to re-identify any donor, nor link the Resource to other data in a way that could identify a donor.

4. Publication and acknowledgement. The Recipient shall acknowledge the Provider in every publication using the \
Resource, report publications (with their DOI) to the Provider, and return results as the approval requires.

5. Duration, return and destruction. Access ends on the date stated in the entitlement. At the end of the project, \
or when access is revoked, the Recipient shall destroy or return all material and data received and confirm the \
destruction in writing (a destruction certificate).

6. Liability. The Resource is provided as is, without warranty. The Recipient is responsible for its use of the \
Resource. This agreement is governed by the law of the Provider's seat."""


def agreement_default_publish(*, actor: Any, biobank: Biobank) -> AgreementTemplate:
    """Publish the demo MDTA as version 1 for a biobank that has none yet (the demo seeder calls this)."""
    existing = AgreementTemplate.objects.filter(biobank=biobank, kind=AgreementKind.MDTA).order_by("-version").first()
    if existing is not None:
        return existing
    return agreement_publish(
        actor=actor, biobank=biobank, kind=AgreementKind.MDTA, title=DEMO_MDTA_TITLE, body=DEMO_MDTA_BODY
    )
