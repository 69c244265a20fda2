from __future__ import annotations

import pytest

from tests.pseudonyms.keyfiles import point_key_files_to


@pytest.fixture(autouse=True)
def key_files(settings, tmp_path):
    return point_key_files_to(settings, tmp_path)


from tests.consent.clock import clock  # noqa: E402, F401  (the portal's and the database's clock)
from tests.consent.donor_fixtures import *  # noqa: E402, F403  (donor-registry personas and donors)
from tests.consent.portal_fixtures import jane, karl  # noqa: E402, F401  (donors with a portal account)
from tests.consent.timeline_helpers import catalogue, checker, officer  # noqa: E402, F401  (timeline scenarios)
