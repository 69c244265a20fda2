from __future__ import annotations

import pytest

from biobank.pseudonyms import services
from biobank.pseudonyms.choices import DomainKind
from tests.pseudonyms.keyfiles import point_key_files_to


@pytest.fixture(autouse=True)
def key_files(settings, tmp_path):
    return point_key_files_to(settings, tmp_path)


@pytest.fixture
def pid_domain_a(biobank_a):
    return services.domain_create(actor=None, code="pid-biobank-a", kind=DomainKind.BIOBANK_PID, biobank=biobank_a)


@pytest.fixture
def release_domain_a(biobank_a):
    return services.domain_create(actor=None, code="release-2026-001", kind=DomainKind.RELEASE, biobank=biobank_a)
