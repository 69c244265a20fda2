"""The demo seeder publishes each demo biobank's MDTA once."""

from __future__ import annotations

import pytest

from access_requests.choices import AgreementKind
from access_requests.demo import seed_agreements
from access_requests.models import AgreementTemplate
from biobank.demo import DemoContext

pytestmark = pytest.mark.django_db


def test_each_biobank_with_an_admin_gets_version_one_once(biobank_a, biobank_b, admin_a):
    context = DemoContext(biobanks={"a": biobank_a, "b": biobank_b}, people={}, first_biobank=biobank_a)
    seed_agreements(context)
    seed_agreements(context)
    template = AgreementTemplate.objects.get()  # biobank B has no admin: nothing there
    assert (template.biobank, template.kind, template.version) == (biobank_a, AgreementKind.MDTA, 1)
    assert "destruction" in template.body
