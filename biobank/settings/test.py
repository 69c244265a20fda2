"""Test profile: `make test`. Tasks always run eagerly; the broker URL (if any) is kept for readiness checks."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import lazy_dev_secret_key

DEBUG = False
DEMO_MODE = True
SECRET_KEY = SECRET_KEY or lazy_dev_secret_key()  # noqa: F405
CELERY_TASK_ALWAYS_EAGER = True
AUDIT_DRAIN_INLINE = True  # tests see the chain the moment a change commits (tests/audit covers the thread too)
AUDIT_CHECKPOINT_EVERY = None  # checkpoints only when a test writes one (tests/audit/test_tail_window.py times them)
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast hashing in tests only
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

DATABASES = database_settings(allow_embedded=True)  # noqa: F405

# One test database per test process, so several test runs (developers, CI, helpers) can share one server.
DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}"}

# Signed audit checkpoints of test databases never go into the developer's var/audit-checkpoints.log. The directory is
# made by the first checkpoint written (audit.checkpoints), not here: importing the settings writes nothing.
AUDIT_CHECKPOINT_PATH = str(
    Path(tempfile.gettempdir()) / f"biobank-test-checkpoints-{os.getpid()}" / "audit-checkpoints.log"
)
