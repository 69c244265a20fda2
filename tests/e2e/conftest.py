"""Browser tests: Playwright drives Debian's chromium (never a downloaded browser) against the live server.

Without /usr/bin/chromium the tests are skipped on a developer's machine, but fail under CI=true or
E2E_REQUIRED=1, so CI cannot pass by silently skipping them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def _required() -> bool:
    return os.environ.get("CI", "").lower() == "true" or os.environ.get("E2E_REQUIRED") == "1"


@pytest.fixture(scope="package", autouse=True)
def _allow_orm_beside_playwright() -> Iterator[None]:
    """The sync Playwright API keeps an event loop in this thread while tests use the ORM (live_server).

    Only while the browser tests run: a process-wide setting would leak into later tests' subprocesses, and
    ``check --deploy`` rightly refuses it. The browser is package-scoped so its loop ends with this package too.
    """
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="package")
def browser(_allow_orm_beside_playwright) -> Iterator[object]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing; install Debian's chromium (apt-get install chromium)."
        if _required():
            pytest.fail(message + " Browser tests are required under CI=true / E2E_REQUIRED=1.")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server) -> Iterator[object]:
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot():
    def take(page, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def sign_in(page, email: str, password: str) -> None:
    """Through the real login form, as a person would, and through the second step when the person has one.

    Staff must use MFA (issue 9, item 4): they get an authenticator here if they have none yet, and the code it
    shows now is typed in like a person would. Enrolment itself is tested in tests/e2e/test_mfa.py.
    """
    device = _authenticator_for(email, password)
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    if device is not None:
        page.wait_for_url("**/accounts/mfa/**", timeout=30_000)  # a loaded CI machine: the password hash is slow
        page.get_by_label("Code").fill(current_code(device))
        page.get_by_role("button", name="Verify").click()


def _authenticator_for(email: str, password: str):
    """The confirmed authenticator the person signs in with, or ``None`` when no second step follows."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from biobank.accounts.mfa import mfa_device, mfa_required
    from biobank.accounts.models import User

    user = User.objects.filter(email__iexact=email).first()
    if user is None or not user.is_active or not user.check_password(password):
        return None
    device = mfa_device(user=user)
    if device is None and not mfa_required(user=user):
        return None
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Test authenticator", confirmed=True)
    return device


def current_code(device) -> str:
    """The code an authenticator app shows now; a code of this 30-second step may be entered again in tests."""
    from django_otp.oath import totp

    device.refresh_from_db()
    device.last_t = -1
    device.save(update_fields=["last_t"])
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):0{device.digits}d}"
