"""``manage.py donor_portal_link``: a fresh one-time link for one donor, printed once, working once."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from consent.models import DonorInvitation
from consent.services.portal import donor_invitation_redeem

pytestmark = pytest.mark.django_db


def test_the_printed_link_signs_the_donor_in_once(jane, biobank_a):
    out = StringIO()
    call_command("donor_portal_link", biobank_a.code, jane.donor.pid_display, stdout=out)
    link = out.getvalue().strip()
    assert link.startswith("http") and "/my/welcome/" in link
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert donor_invitation_redeem(token=token) == jane.account
    assert DonorInvitation.objects.filter(account=jane.account).count() == 2


def test_an_unknown_donor_or_biobank_is_a_clear_error(biobank_a):
    with pytest.raises(CommandError, match="No donor"):
        call_command("donor_portal_link", biobank_a.code, "AAAAA-AAAAA-A")
    with pytest.raises(CommandError, match="No biobank"):
        call_command("donor_portal_link", "nowhere", "AAAAA-AAAAA-A")


def test_a_donor_without_an_email_is_refused_with_the_reason(biobank_a):
    from tests.consent.factories import make_donor

    donor = make_donor(biobank_a)
    with pytest.raises(CommandError, match="no e-mail address"):
        call_command("donor_portal_link", biobank_a.code, donor.pid)
