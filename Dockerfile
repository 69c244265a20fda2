# The Biobank Portal image: gunicorn web, Celery worker and beat all run from it (see docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=biobank.settings.production \
    BIOBANK_VAR_DIR=/var/lib/biobank \
    STATIC_ROOT=/app/staticfiles \
    PORT=8000

RUN groupadd --system --gid 10001 biobank \
    && useradd --system --uid 10001 --gid biobank --home-dir /app --shell /usr/sbin/nologin biobank

WORKDIR /app

# Dependencies first, from the lock file only, so a code change does not reinstall them.
COPY requirements/lock.txt requirements/lock.txt
RUN pip install --requirement requirements/lock.txt

COPY . .

# Static files are collected into the image (served by whitenoise). Production settings need their variables even
# for this; the placeholders below exist only during this build step and are not kept in the image.
RUN SECRET_KEY=build-only-placeholder-not-used-at-run-time-0123456789abcdefghijkl \
    ALLOWED_HOSTS=build.invalid \
    DATABASE_URL=postgres://build@build.invalid:5432/build \
    EMAIL_URL=consolemail:// \
    ENCRYPTION_KEY_FILE=/nonexistent/encryption.keys \
    PSEUDONYM_KEY_FILE=/nonexistent/pseudonym.keys \
    AUDIT_HMAC_KEY_FILE=/nonexistent/audit-hmac.key \
    python manage.py collectstatic --noinput --verbosity 0 \
    && mkdir -p /var/lib/biobank /var/lib/biobank-keys \
    && chown -R biobank:biobank /var/lib/biobank /var/lib/biobank-keys

USER biobank
# Reached by the TLS proxy only (docker-compose.yml publishes no port of this image); gunicorn believes forwarded
# headers from FORWARDED_ALLOW_IPS alone (biobank/ops/gunicorn_conf.py).
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 CMD ["python", "-m", "biobank.ops.probe", "/readyz"]

CMD ["gunicorn", "biobank.wsgi", "--config", "python:biobank.ops.gunicorn_conf"]
