"""The researcher's profile: institution, department, country and ORCID iD, asked right after the first sign-in
(the core's self-registration verifies the e-mail and cannot know about requests)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from biobank.audit.services import audit_record
from biobank.errors import ForbiddenError, InvalidFields
from catalog import vocabularies

from ..models import ResearcherProfile
from ..validation import orcid_normalise, orcid_problem


@transaction.atomic
def researcher_profile_save(
    *, actor: Any, institution: str, department: str = "", country: str = "", orcid: str = ""
) -> ResearcherProfile:
    """Create or change ``actor``'s profile; every problem is reported at once."""
    if not getattr(actor, "is_researcher", False):
        raise ForbiddenError(_("Only researchers have a researcher profile."))
    problems: dict[str, list[str]] = {}
    institution, department, country = institution.strip(), department.strip(), country.strip().upper()
    if not institution:
        problems["institution"] = [_("Give your institution (university, hospital or company).")]
    elif len(institution) > 200:
        problems["institution"] = [_("The institution may have at most 200 characters.")]
    if len(department) > 200:
        problems["department"] = [_("The department may have at most 200 characters.")]
    if country and country not in vocabularies.terms("Directory.Countries"):
        problems["country"] = [
            _("%(value)r is not an ISO 3166-1 country code (two letters, e.g. DE, SE).") % {"value": country}
        ]
    if message := orcid_problem(orcid):
        problems["orcid"] = [message]
    if problems:
        raise InvalidFields(problems)
    values = {"institution": institution, "department": department, "country": country, "orcid": orcid_normalise(orcid)}
    profile, created = ResearcherProfile.objects.update_or_create(user=actor, defaults=values)
    audit_record(
        actor=actor,
        action="access_request.profile_created" if created else "access_request.profile_updated",
        obj=profile,
        changes={name: [None, value] for name, value in values.items()},
    )
    return profile
