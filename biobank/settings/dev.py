"""Development profile: `make run`. Demo data and the embedded PostgreSQL are allowed here."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", True)
DEMO_MODE = True

DATABASES = database_settings(allow_embedded=True)  # noqa: F405
