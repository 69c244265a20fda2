"""`manage.py mfa_demo_code`: the current code of the demo authenticator key (demo mode only; see seed_demo)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp

from .seed_demo import DEMO_TOTP_KEY, demo_totp_secret


class Command(BaseCommand):
    help = "Print the current two-step sign-in code of the demo staff accounts (demo mode only)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_MODE:
            raise CommandError("mfa_demo_code only runs in demo mode; the demo key is published, never use it live.")
        code = totp(bytes.fromhex(DEMO_TOTP_KEY))
        self.stdout.write(f"{code:06d}")
        self.stderr.write(f"(demo key {demo_totp_secret()}; the code changes every 30 seconds)")
