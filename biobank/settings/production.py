"""Production profile (docker-compose, gunicorn). Refuses to start without a real secret, hosts and database.

Never demo mode: ``seed_demo`` refuses to run here, and no demo password or token can exist unless someone loads
them by hand.
"""

import ipaddress

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", False)
if DEBUG:
    raise ImproperlyConfigured(
        "DEBUG must be false under production settings (biobank.settings.production): it shows stack traces "
        "and settings to anyone. Unset DEBUG or set DEBUG=false."
    )
DEMO_MODE = False

if not env.is_set("SECRET_KEY"):
    raise ImproperlyConfigured(
        "SECRET_KEY is required under production settings (no generated fallback). Set it to at least 50 random "
        "characters, e.g. the output of: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )
SECRET_KEY = env.str("SECRET_KEY")
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure"):
    raise ImproperlyConfigured(
        "SECRET_KEY must be at least 50 random characters under production settings "
        f"(it has {len(SECRET_KEY)}); generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
# gunicorn's workers keep their connection for a minute instead of opening one per request: twice the specimen list's
# requests per second (docs/performance.md, "Fourth pass"). The development server makes a thread per request, so
# development keeps Django's default of 0.
DATABASES = database_settings(allow_embedded=False, conn_max_age=60)  # noqa: F405
if not env.is_set("EMAIL_URL"):
    raise ImproperlyConfigured("EMAIL_URL is required under production settings (password resets are e-mailed).")
for _name in ("ENCRYPTION_KEY_FILE", "PSEUDONYM_KEY_FILE"):
    if not env.is_set(_name):
        raise ImproperlyConfigured(f"{_name} is required under production settings (keys live outside the database).")

# TLS ends at the reverse proxy in front of gunicorn, which sets X-Forwarded-Proto. gunicorn believes it only from the
# proxy's address (FORWARDED_ALLOW_IPS, biobank/ops/gunicorn_conf.py) and sets the request's scheme from it; so no
# SECURE_PROXY_SSL_HEADER here, with which Django would believe the header from any peer (issue 9, item 20).
SECURE_PROXY_SSL_HEADER = None
# X-Forwarded-For likewise counts only from the proxy (biobank.ops.client_address); unset, as gunicorn: 127.0.0.1.
TRUSTED_PROXY_ADDRESSES = env.list("FORWARDED_ALLOW_IPS", ["127.0.0.1"])
for _proxy in TRUSTED_PROXY_ADDRESSES:
    try:
        if _proxy != "*":
            ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"FORWARDED_ALLOW_IPS: {_proxy!r} is not an address or a network (e.g. 172.30.80.2 or 172.30.80.0/28)."
        ) from None
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", True)
# Load balancers and container healthchecks probe over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Audit trail: the checkpoint key must be provisioned (never generated on a server).
if not env.is_set("AUDIT_HMAC_KEY_FILE"):
    raise ImproperlyConfigured(
        "AUDIT_HMAC_KEY_FILE is required under production settings (it signs audit checkpoints)."
    )
AUDIT_HMAC_KEY_AUTOCREATE = False
