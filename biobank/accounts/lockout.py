"""Sign-in throttling: at most ``SIGNIN_FAILURE_LIMIT`` failed sign-ins per hour per account and per client address.

Without it a password can be guessed at the speed of the server (issue 9: 360 wrong passwords in a row met no
lockout). The counters live in the cache like those of the e-mail forms (``ratelimit.py``; shared Redis in
production through ``CACHE_URL``, so several web processes share one count).

How the count works, and why:

* Failures are counted in 6-minute slots; a sign-in is let through only while the failures of the last 10 slots plus
  the current one stay under the limit. Any 60 minutes lie within 11 consecutive slots, so no hour ever sees more
  than 10 failures for one account or one address — a fixed hourly window would allow 19 around its edge. A failure
  stops counting 60 to 66 minutes after it happened; that is the cool-off.
* Each attempt first *reserves* its failure (an atomic ``incr``), then checks the password, and gives the reservation
  back if the password was right. Parallel guesses from many connections therefore cannot overshoot the limit.
* The account key is the typed e-mail address whether or not an account has it, so the pause (and its message) says
  nothing about which addresses have accounts.
* A successful sign-in resets neither count: an attacker who sprays many accounts from one address, and signs in to
  their own account in between, still meets the per-address limit; and an account's limit is on failures per hour,
  whoever makes them.
* While paused, attempts are refused before the password is checked (even the right one), are not counted (the pause
  does not grow while the person waits as told) and are not audited one by one: one ``auth.lockout`` event is
  recorded when a pause starts.
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from .ratelimit import ratelimit_key

SIGNIN_FAILURE_LIMIT = 10  # failed sign-ins per account and per client address ...
SIGNIN_FAILURE_WINDOW = 60 * 60  # ... in any period of this many seconds
SLOT_SECONDS = 6 * 60
SLOTS = SIGNIN_FAILURE_WINDOW // SLOT_SECONDS  # earlier slots looked at besides the current one


@dataclass(frozen=True)
class _Counter:
    """Failures of one account (``scope="account"``) or one client address (``scope="address"``)."""

    scope: str
    ident: str

    def key(self, slot: int) -> str:
        return ratelimit_key(f"signin:{self.scope}", f"{self.ident}:{slot}")

    def counts(self, current: int) -> list[int]:
        """Failures per slot, oldest first, of the slots that count at slot ``current``."""
        slots = range(current - SLOTS, current + 1)
        found = cache.get_many([self.key(slot) for slot in slots])
        return [int(found.get(self.key(slot), 0)) for slot in slots]

    def reserve(self, slot: int) -> None:
        key = self.key(slot)
        if cache.add(key, 1, (SLOTS + 2) * SLOT_SECONDS):
            return
        try:
            cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.set(key, 1, (SLOTS + 2) * SLOT_SECONDS)

    def release(self, slot: int) -> None:
        with contextlib.suppress(ValueError):  # already expired: nothing left to give back
            cache.decr(self.key(slot))


def _slot_of(moment: datetime) -> int:
    return int(moment.timestamp()) // SLOT_SECONDS


def _paused_until(counts: list[int], current: int) -> datetime | None:
    """When failures counted in ``counts`` (slots ``current - SLOTS`` .. ``current``) fall under the limit again."""
    remaining = sum(counts)
    if remaining < SIGNIN_FAILURE_LIMIT:
        return None
    for offset, count in enumerate(counts):
        remaining -= count
        if remaining < SIGNIN_FAILURE_LIMIT:
            # Slot ``s`` stops counting when slot ``s + SLOTS + 1`` begins.
            slot = current - SLOTS + offset
            return datetime.fromtimestamp((slot + SLOTS + 1) * SLOT_SECONDS, tz=UTC)
    raise AssertionError("unreachable: every slot dropped leaves nothing")  # pragma: no cover


@dataclass
class SigninAttempt:
    """One sign-in attempt that went through the throttle: ``refused_for`` is how long to wait, or ``None``."""

    email: str
    client: str
    slot: int
    refused_for: timedelta | None = None
    _counters: list[_Counter] = field(default_factory=list)
    _open: bool = True

    @property
    def wait_minutes(self) -> int:
        assert self.refused_for is not None
        return max(1, math.ceil(self.refused_for.total_seconds() / 60))

    def succeeded(self) -> None:
        """The password was right (or the attempt ended without checking one): give the reserved failure back."""
        if self._open:
            self._open = False
            for counter in self._counters:
                counter.release(self.slot)

    def failed(self) -> None:
        """The password was wrong: the reservation stays; record the pause if this failure starts one."""
        if not self._open:
            return
        self._open = False
        now = timezone.now()
        current = _slot_of(now)
        for counter in self._counters:
            until = _paused_until(counter.counts(current), current)
            if until is None:
                continue
            # One event per pause, even when parallel requests see the limit reached at once.
            marker = ratelimit_key(f"signin:{counter.scope}:paused", f"{counter.ident}:{until.timestamp()}")
            if cache.add(marker, 1, max(1, math.ceil((until - now).total_seconds()))):
                signin_lockout_record(scope=counter.scope, email=self.email, client=self.client, until=until)


def signin_attempt_begin(*, email: str, client: str | None) -> SigninAttempt:
    """Reserve a failure for ``email`` from ``client``; refuse (``refused_for`` set) when either count is full.

    The caller checks the password only when not refused, then calls ``succeeded()`` or ``failed()``.
    """
    email = email.strip().lower()
    client = client or "unknown"
    now = timezone.now()
    current = _slot_of(now)
    counters = [_Counter("account", email), _Counter("address", client)]
    attempt = SigninAttempt(email=email, client=client, slot=current, _counters=counters)
    for counter in counters:
        counter.reserve(current)
    waits = []
    for counter in counters:
        counts = counter.counts(current)
        if sum(counts) > SIGNIN_FAILURE_LIMIT:  # our own reservation does not fit
            counts[-1] -= 1
            until = _paused_until(counts, current)
            waits.append((until - now) if until is not None else timedelta(seconds=1))
    if waits:
        attempt.succeeded()  # a refused attempt is not counted
        attempt.refused_for = max(waits)
    return attempt


@transaction.atomic
def signin_lockout_record(*, scope: str, email: str, client: str, until: datetime) -> None:
    """Audit the start of a pause (``auth.lockout``), once per pause rather than once per refused attempt.

    The account, if one has the e-mail address, is the event's object; the typed address is masked. The client's
    address is in the event's ``client_ip`` like every event's.
    """
    from django.contrib.auth.models import AnonymousUser

    from biobank.audit.choices import AuditAction
    from biobank.audit.services import audit_record, mask_value

    from .models import User

    details = {
        "scope": scope,
        "limit": SIGNIN_FAILURE_LIMIT,
        "window_minutes": SIGNIN_FAILURE_WINDOW // 60,
        "paused_until": until.isoformat(),
    }
    account = None
    if scope == "account":
        details["attempted_email"] = mask_value(email)
        account = User.objects.filter(email__iexact=email).values_list("pk", flat=True).first()
    audit_record(
        actor=AnonymousUser(),
        action=AuditAction.AUTH_LOCKOUT,
        object_type="accounts.user" if scope == "account" else None,
        object_id=account,
        details=details,
    )
