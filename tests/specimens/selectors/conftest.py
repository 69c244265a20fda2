"""Storage fixtures (tests/specimens/storage_fixtures.py)."""

from tests.specimens.storage_fixtures import *  # noqa: F403
