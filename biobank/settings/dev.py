"""Development profile: `make run`. Demo data and the embedded PostgreSQL are allowed here."""

from .base import *  # noqa: F403
from .base import env, lazy_dev_secret_key

DEBUG = env.bool("DEBUG", True)
DEMO_MODE = True
SECRET_KEY = SECRET_KEY or lazy_dev_secret_key()  # noqa: F405

DATABASES = database_settings(allow_embedded=True)  # noqa: F405
