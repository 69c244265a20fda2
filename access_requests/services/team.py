"""The request's team: co-applicants (who must confirm by a one-time link before submission), collaborators and an
institutional signatory. A confirmed member may read the request."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from biobank.accounts.emails import queue_email
from biobank.errors import ConflictError, DomainError, InvalidFields

from ..choices import TeamRole
from ..models import AccessRequest, TeamMember
from .requests import _editable, _researcher_only
from .workflow import event_record

TOKEN_VALID = timedelta(days=14)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _invite(member: TeamMember, request: AccessRequest) -> None:
    token = secrets.token_urlsafe(32)
    member.token_hash = token_hash(token)
    member.invited_at = timezone.now()
    member.save(update_fields=["token_hash", "invited_at"])
    queue_email(
        template="access_requests/team_invite",
        to=member.email,
        context={
            "name": member.name,
            "researcher": request.researcher.full_name or request.researcher.email,
            "title": request.title,
            "number": request.number,
            "link": settings.SITE_URL.rstrip("/") + reverse("access_requests:team_confirm", args=[token]),
        },
    )


@transaction.atomic
def team_member_add(
    *,
    actor: Any,
    request: AccessRequest,
    name: str,
    email: str,
    institution: str = "",
    role: str = TeamRole.CO_APPLICANT,
) -> TeamMember:
    """Name a person on the request; a co-applicant gets the one-time confirmation link by e-mail (after commit)."""
    request = _researcher_only(actor, request)
    _editable(request)
    problems: dict[str, list[str]] = {}
    name, email, institution = name.strip(), email.strip().lower(), institution.strip()
    if not name:
        problems["name"] = [_("Give the team member's name.")]
    try:
        validate_email(email)
    except ValidationError:
        problems["email"] = [_("%(value)r is not an e-mail address.") % {"value": email}]
    if role not in TeamRole.values:
        problems["role"] = [_("Choose a role: %(allowed)s.") % {"allowed": ", ".join(TeamRole.values)}]
    if email and email == request.researcher.email.lower():
        problems["email"] = [_("That is your own address: you are the applicant already.")]
    if problems:
        raise InvalidFields(problems)
    try:
        with transaction.atomic():
            member = TeamMember.objects.create(
                request=request, name=name, email=email, institution=institution, role=role
            )
    except IntegrityError:
        raise ConflictError(
            _("%(email)s is on the team already.") % {"email": email}, field="email", code="duplicate"
        ) from None
    if role == TeamRole.CO_APPLICANT:
        _invite(member, request)
    event_record(
        request=request, actor=actor, kind="team.added", data={"member": member.pk, "role": role}, audit_obj=member
    )
    return member


@transaction.atomic
def team_member_remove(*, actor: Any, request: AccessRequest, member_id: int) -> None:
    request = _researcher_only(actor, request)
    _editable(request)
    member = TeamMember.objects.get(request=request, pk=member_id)
    event_record(request=request, actor=actor, kind="team.removed", data={"member": member.pk, "role": member.role})
    member.delete()


@transaction.atomic
def team_confirm(*, actor: Any, token: str) -> TeamMember:
    """The invited person, signed in with the invited address, confirms; the link works once and for 14 days."""
    member = (
        TeamMember.objects.select_for_update().select_related("request").filter(token_hash=token_hash(token)).first()
    )
    if member is None or member.invited_at is None or member.invited_at < timezone.now() - TOKEN_VALID:
        raise DomainError(
            _("This confirmation link is unknown, used or older than 14 days; ask the applicant to invite you again."),
            field="token",
            code="token",
        )
    if (actor.email or "").lower() != member.email.lower():
        raise DomainError(
            _("You are signed in as %(you)s, but the invitation went to %(email)s: sign in with that address.")
            % {"you": actor.email, "email": member.email},
            field="token",
            code="wrong_account",
        )
    member.user = actor
    member.confirmed_at = timezone.now()
    member.token_hash = ""
    member.save(update_fields=["user", "confirmed_at", "token_hash"])
    event_record(
        request=member.request, actor=actor, kind="team.confirmed", data={"member": member.pk}, audit_obj=member
    )
    return member


def team_reinvite(*, actor: Any, request: AccessRequest, member_id: int) -> TeamMember:
    with transaction.atomic():
        request = _researcher_only(actor, request)
        member = TeamMember.objects.get(request=request, pk=member_id, confirmed_at__isnull=True)
        _invite(member, request)
        event_record(request=request, actor=actor, kind="team.invited", data={"member": member.pk}, audit_obj=member)
    return member
