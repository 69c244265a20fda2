from __future__ import annotations

import pytest

from tests.pseudonyms.keyfiles import point_key_files_to


@pytest.fixture(autouse=True)
def key_files(settings, tmp_path):
    """As in tests/pseudonyms/ and tests/consent/: key files in the test's own directory, never under var/keys/."""
    return point_key_files_to(settings, tmp_path)
