"""seed_demo makes donor@example.org the portal account of a demo donor who signed and did not withdraw."""

from io import StringIO

import pytest
from django.core.management import call_command

from consent.models import DonorAccount, PolicyState

pytestmark = pytest.mark.django_db


def test_the_demo_donor_login_has_a_donor_of_its_own(settings, django_capture_on_commit_callbacks):
    settings.DEMO_MODE = True
    for _ in range(2):  # idempotent
        with django_capture_on_commit_callbacks(execute=True):
            call_command("seed_demo", stdout=StringIO())
    account = DonorAccount.objects.select_related("donor").get(user__email="donor@example.org")
    assert account.donor.consents.filter(status="valid").exists()
    assert not PolicyState.objects.filter(donor=account.donor, state="withdrawn").exists()
