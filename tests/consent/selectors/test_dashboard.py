"""The consent app's dashboard loaders: scoped to the person's permissions, whatever biobanks they are asked for."""

import pytest

from consent.selectors.dashboard import (
    consent_status_by_biobank,
    consent_work_by_biobank,
    sensitive_reads_by_biobank,
    steward_work_by_biobank,
)
from tests.specimens.factories import consented_donor
from tests.specimens.withdrawal_helpers import withdraw

pytestmark = pytest.mark.django_db


def test_another_biobank_s_consents_withdrawals_and_reads_stay_hidden(admin_a, steward_a, auditor_a, biobank_b):
    withdraw(consented_donor(biobank_b), level="no_further_contact")
    ids = [biobank_b.pk]
    assert consent_status_by_biobank(user=admin_a, biobank_ids=ids)[biobank_b.pk].empty
    work = consent_work_by_biobank(user=admin_a, biobank_ids=ids)[biobank_b.pk]
    assert (work.to_qc, work.withdrawals, work.campaigns) == (0, 0, [])
    assert steward_work_by_biobank(user=steward_a, biobank_ids=ids)[biobank_b.pk].pending_reviews == 0
    assert sensitive_reads_by_biobank(user=auditor_a, biobank_ids=ids)[biobank_b.pk] == []


def test_the_consent_status_chart_counts_every_status(admin_a, biobank_a):
    consented_donor(biobank_a)
    consented_donor(biobank_a)
    chart = consent_status_by_biobank(user=admin_a, biobank_ids=[biobank_a.pk])[biobank_a.pk]
    assert dict(row[:2] for row in chart.rows) == {
        "Pending QC": "0",
        "Valid": "2",
        "Rejected in QC": "0",
        "Invalidated (recorded in error)": "0",
    }
