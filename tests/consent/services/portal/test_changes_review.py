"""Adversarial review of issue 13 (branch ``review``): the donor's own changes. Each test reproduces a finding;
Each finding is fixed; the test keeps it so."""

from __future__ import annotations

import pytest

from consent import services
from consent.models import Consent, WithdrawalPropagation
from consent.services.portal import donor_choice_change, donor_self_withdraw
from tests.consent.factories import make_donor

pytestmark = pytest.mark.django_db


def test_a_donor_whose_record_was_merged_away_can_still_change_a_choice(jane, biobank_a, consent_officer_a):
    donor_choice_change(account=jane.account, consent=jane.consent, module_code="research", choice="declined")
    duplicate = make_donor(biobank_a)
    services.donor_merge(actor=consent_officer_a, source=jane.donor, target=duplicate, reason="Duplicate record")
    jane.account.refresh_from_db()

    consent = donor_choice_change(
        account=jane.account,
        consent=Consent.objects.get(pk=jane.consent.pk),
        module_code="research",
        choice="accepted",
        signer_name="Jane Schmidt",
    )

    assert isinstance(consent, Consent) and consent.donor_id == duplicate.pk


def test_a_withdrawal_is_not_refused_because_of_the_donors_words(jane):
    propagation = donor_self_withdraw(
        account=jane.account, level="no_further_contact", words="I, Jane Schmidt, decided this on 1 December 2026."
    )
    assert WithdrawalPropagation.objects.filter(pk=propagation.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_withdrawals_of_one_module_through_two_forms_are_recorded_once(
    jane, consent_officer_a, monkeypatch
):
    import threading
    import time

    from django.db import connection

    from consent.services import acts
    from tests.consent.factories import record

    second = record(consent_officer_a, jane.donor, jane.template)  # a second valid form carrying the same module
    original = acts._recorded_already
    checked = threading.Event()

    def check_slowly(*args, **kwargs):
        found = original(*args, **kwargs)
        checked.set()
        time.sleep(0.5)  # the window of two concurrent POSTs: the other one checks meanwhile, unless it waits
        return found

    monkeypatch.setattr(acts, "_recorded_already", check_slowly)
    errors: list[BaseException] = []

    def submit(consent):
        try:
            donor_self_withdraw(account=jane.account, consent=consent, module_code="research")
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(c,)) for c in (jane.consent, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert WithdrawalPropagation.objects.filter(donor=jane.donor, module_code="research").count() == 1, errors
    assert [type(e).__name__ for e in errors] == ["ConflictError"]  # the second one is told, nothing doubled
