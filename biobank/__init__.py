"""Biobank Portal project package and platform core (accounts, audit, pseudonyms)."""

from .celery import app as celery_app

__all__ = ["celery_app"]
