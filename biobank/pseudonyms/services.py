"""Writes of pseudonym data: domains, minting pseudonyms, key rotation, and re-identification by a steward.

Minting (``pseudonym_for``, ``pseudonyms_for_many``) is not audited on its own: it reveals nothing, and the service
that registers a donor or builds a release audits its own act. Creating a domain, rotating its key and
re-identifying are audited here, in the same transaction (``biobank.audit``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from biobank.accounts.choices import Perm
from biobank.accounts.models import Biobank
from biobank.accounts.principals import Actor, Principal
from biobank.accounts.selectors import user_has_biobank_perm
from biobank.audit.reasons import steward_reason_clean
from biobank.audit.services import audit_record
from biobank.crypto.keys import pseudonym_keyring
from biobank.errors import ConflictError, DomainError, ForbiddenError, validate_model
from biobank.ops.after_commit import after_commit

from .checkchar import pseudonym_validate
from .choices import DomainKind
from .engine import Pseudonymiser, domain_key
from .models import Pseudonym, PseudonymDomain, PseudonymKey, subject_validator

REPSEUDONYMISE_BATCH = 5000
_MAX_ATTEMPTS = 8


class PseudonymNotFound(DomainError):
    """No subject has this pseudonym in the domain (in any key version): 404."""

    status_code = 404
    title = "Not found"


def _audit(
    *,
    actor: Actor,
    action: str,
    obj: Any = None,
    biobank: Biobank | None = None,
    changes: dict | None = None,
    details: dict | None = None,
    reason: str | None = None,
) -> None:
    """Record an audit event in the caller's transaction (every audited act of this app goes through here)."""
    audit_record(actor=actor, action=action, obj=obj, biobank=biobank, changes=changes, details=details, reason=reason)


def pseudonymiser(*, domain: PseudonymDomain, version: int | None = None) -> Pseudonymiser:
    """The computation for one domain and key version (the current one by default)."""
    version = version or domain.current_key_version
    try:
        master_key_id = PseudonymKey.objects.values_list("master_key_id", flat=True).get(domain=domain, version=version)
    except PseudonymKey.DoesNotExist:
        raise DomainError(
            _("Pseudonym domain %(domain_code)s has no key version %(version)s.")
            % {"domain_code": domain.code, "version": version},
            field="version",
        ) from None
    master = pseudonym_keyring().get(master_key_id)
    return Pseudonymiser(domain_key(master, domain_code=domain.code, version=version))


@transaction.atomic
def domain_create(*, actor: Actor, code: str, kind: str, biobank: Biobank | None = None) -> PseudonymDomain:
    """A new pseudonym domain with key version 1 derived from the current master key.

    A biobank has exactly one PID domain; a release domain names the biobank whose identity steward may resolve
    it (a release drawing on several biobanks gets one domain per biobank).
    """
    if kind not in DomainKind.values:
        raise DomainError(
            _("Unknown domain kind %(kind)r; allowed: %(values)s.")
            % {"kind": kind, "values": ", ".join(DomainKind.values)},
            field="kind",
            code="invalid_choice",
        )
    if kind == DomainKind.BIOBANK_PID and biobank is None:
        raise DomainError(_("A biobank PID domain needs its biobank."), field="biobank", code="required")
    domain = PseudonymDomain(code=code, kind=kind, biobank=biobank)
    validate_model(domain)
    try:
        with transaction.atomic():
            domain.save()
    except IntegrityError:
        if PseudonymDomain.objects.filter(code=code).exists():
            raise ConflictError(
                _("A pseudonym domain with code %(code)r exists already.") % {"code": code}, field="code"
            ) from None
        raise ConflictError(
            _("Biobank %(biobank)s already has a PID domain.") % {"biobank": biobank}, field="biobank"
        ) from None
    master_key_id = pseudonym_keyring().current_id
    PseudonymKey.objects.create(domain=domain, version=1, master_key_id=master_key_id)
    _audit(
        actor=actor,
        action="pseudonym_domain.create",
        obj=domain,
        biobank=biobank,
        details={"domain": code, "kind": kind, "key_version": 1, "master_key_id": master_key_id},
    )
    return domain


_SUBJECT = re.compile(subject_validator.regex)  # the validator's own pattern, compiled once


def _check_subjects(subjects: Iterable[str]) -> list[str]:
    unique = list(dict.fromkeys(subjects))
    for subject in unique:
        if not isinstance(subject, str) or not _SUBJECT.match(subject):
            raise DomainError(
                _("Subject reference %(subject)r is not valid: use 1 to 100 letters, digits and . _ : -.")
                % {"subject": subject},
                field="subject",
            )
    return unique


# ``held``: what the subjects have already: their pseudonym in ``version``, or (``keep_held``) the newest one not
# retired in any earlier version. Only subjects holding nothing get a new row.
_INSERT_SQL = """
WITH input(subject, pseudonym) AS (SELECT * FROM unnest(%(subjects)s::text[], %(pseudonyms)s::text[])),
held AS (
    SELECT DISTINCT ON (existing.subject) existing.subject, existing.pseudonym
    FROM {table} existing JOIN input USING (subject)
    WHERE existing.domain_id = %(domain)s AND existing.key_version <= %(version)s
    AND (existing.key_version = %(version)s OR (%(keep_held)s AND existing.retired_at IS NULL))
    ORDER BY existing.subject, existing.key_version DESC
),
inserted AS (
    INSERT INTO {table} (domain_id, key_version, subject, pseudonym, created_at)
    SELECT %(domain)s, %(version)s, subject, pseudonym, %(now)s FROM input
    WHERE subject NOT IN (SELECT subject FROM held)
    ON CONFLICT DO NOTHING
    RETURNING subject, pseudonym
)
SELECT subject, pseudonym FROM inserted
UNION ALL
SELECT subject, pseudonym FROM held
"""


def _mint(*, domain: PseudonymDomain, version: int, subjects: Sequence[str], keep_held: bool = False) -> dict[str, str]:
    """Insert-or-read the pseudonyms of ``subjects`` in ``version``: one statement per round, set-based.

    ``keep_held``: a subject that holds a pseudonym not retired in an earlier version keeps it (minting for use);
    without it, every subject gets its own row in ``version`` (the re-pseudonymisation job).

    Round 1 almost always settles everything. A subject still missing either lost a race with a concurrent insert
    of itself (the next round reads it) or its pseudonym collides with another subject's (the next round tries its
    next candidate, ``attempt`` + 1). The stored mapping keeps whatever was minted, so pseudonyms stay stable.
    """
    compute = pseudonymiser(domain=domain, version=version)
    result: dict[str, str] = {}
    pending = list(subjects)
    attempt = 0
    sql = _INSERT_SQL.format(table=connection.ops.quote_name(Pseudonym._meta.db_table))
    while pending:
        if attempt >= _MAX_ATTEMPTS:
            raise ConflictError(
                _("Could not mint pseudonyms in %(domain_code)s for %(count)s subject(s) after %(attempt)s attempts.")
                % {"domain_code": domain.code, "count": len(pending), "attempt": attempt},
                field="subject",
            )
        candidates = compute.many(pending) if attempt == 0 else [compute(s, attempt) for s in pending]
        with connection.cursor() as cursor:
            cursor.execute(
                sql,
                {
                    "subjects": pending,
                    "pseudonyms": candidates,
                    "domain": domain.pk,
                    "version": version,
                    "keep_held": keep_held,
                    "now": timezone.now(),
                },
            )
            result.update(cursor.fetchall())
        pending = [s for s in pending if s not in result]
        attempt += 1
    return result


@transaction.atomic
def pseudonyms_for_many(*, domain: PseudonymDomain, subjects: Iterable[str]) -> dict[str, str]:
    """``{subject: pseudonym}``, minting what is missing in the current key version, in one statement.

    A subject keeps the pseudonym it holds (in any key version) until a re-pseudonymisation retires it: a key
    rotation changes what new subjects get, never silently what an existing subject is called.
    """
    unique = _check_subjects(subjects)
    if not unique:
        return {}
    return _mint(domain=domain, version=domain.current_key_version, subjects=unique, keep_held=True)


def pseudonym_for(*, domain: PseudonymDomain, subject: str) -> str:
    """The subject's pseudonym: the same every time (get, or create in the current key version)."""
    return pseudonyms_for_many(domain=domain, subjects=[subject])[subject]


@transaction.atomic
def domain_rotate_key(*, actor: Actor, domain: PseudonymDomain) -> PseudonymDomain:
    """Start a new key version (from the current master key): new subjects get pseudonyms under the new key.

    A biobank PID domain stops there: a PID is printed on tube labels and stored in partner systems for as long as
    the material exists, so an issued PID is never replaced (re-keying it would protect nothing — the old PID stays
    in circulation and valid — and would give every donor a second valid name). Any other domain (a data release)
    is re-pseudonymised by a background job into the new version; its old pseudonyms stay resolvable for the
    steward.
    """
    locked = PseudonymDomain.objects.select_for_update().get(pk=domain.pk)
    old_version = locked.current_key_version
    new_version = old_version + 1
    master_key_id = pseudonym_keyring().current_id
    PseudonymKey.objects.create(domain=locked, version=new_version, master_key_id=master_key_id)
    locked.current_key_version = new_version
    locked.save(update_fields=["current_key_version"])
    _audit(
        actor=actor,
        action="pseudonym_domain.rotate_key",
        obj=locked,
        biobank=locked.biobank,
        changes={"current_key_version": [old_version, new_version]},
        details={"domain": locked.code, "master_key_id": master_key_id},
    )
    domain.current_key_version = new_version
    if locked.kind == DomainKind.BIOBANK_PID:
        return locked

    from .tasks import repseudonymise_domain

    # The new key version is the record: if this dispatch is lost, ``repseudonymise_pending`` finds the domain.
    after_commit(repseudonymise_domain, domain_id=locked.pk, key_version=new_version)
    return locked


RepseudonymisedListener = Callable[[PseudonymDomain, dict[str, str]], None]
_repseudonymised_listeners: list[RepseudonymisedListener] = []


def on_repseudonymised(listener: RepseudonymisedListener) -> None:
    """Register ``listener(domain, {subject: new pseudonym})``, called inside each re-pseudonymisation batch.

    The apps that keep a copy of a subject's current pseudonym refresh it here, in the same transaction, so after a
    rotation they show the new pseudonym while the old one stays resolvable. Biobank PID domains are never
    re-pseudonymised, so donors' PIDs never reach a listener. Registered from an app's ``ready()``: this core module
    never imports the apps above it.
    """
    if listener not in _repseudonymised_listeners:
        _repseudonymised_listeners.append(listener)


def domain_repseudonymise_batch(*, domain_id: int, key_version: int, limit: int | None = None) -> int:
    """Mint ``key_version`` pseudonyms for up to ``limit`` subjects that only have older ones, and retire those.

    Returns how many subjects were done (0: finished, the domain moved on to a newer version, whose own job
    takes over, or it is a biobank PID domain, whose PIDs are never replaced — a job queued before that rule does
    nothing). Idempotent: it only ever picks subjects still missing in ``key_version``.
    """
    limit = limit or REPSEUDONYMISE_BATCH
    with transaction.atomic():
        domain = PseudonymDomain.objects.get(pk=domain_id)
        if domain.current_key_version != key_version or domain.kind == DomainKind.BIOBANK_PID:
            return 0
        subjects = list(
            Pseudonym.objects.filter(domain=domain, key_version__lt=key_version)
            .filter(
                ~Exists(Pseudonym.objects.filter(domain=domain, key_version=key_version, subject=OuterRef("subject")))
            )
            .order_by("subject")
            .values_list("subject", flat=True)
            .distinct()[:limit]
        )
        if not subjects:
            return 0
        minted = _mint(domain=domain, version=key_version, subjects=subjects)
        Pseudonym.objects.filter(
            domain=domain, key_version__lt=key_version, subject__in=subjects, retired_at__isnull=True
        ).update(retired_at=timezone.now())
        for listener in _repseudonymised_listeners:
            listener(domain, minted)
        return len(subjects)


def domains_awaiting_repseudonymisation(*, older_than_seconds: int) -> list[tuple[int, int]]:
    """``(domain id, current key version)`` of domains whose re-pseudonymisation is unfinished.

    That is: not a biobank PID domain, rotated more than ``older_than_seconds`` ago, and some subject still holds
    an older-version pseudonym not retired (the job retires each one as it mints the new pseudonym).
    """
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    unfinished = Pseudonym.objects.filter(
        domain=OuterRef("pk"), key_version__lt=OuterRef("current_key_version"), retired_at__isnull=True
    )
    rotated_before = PseudonymKey.objects.filter(
        domain=OuterRef("pk"), version=OuterRef("current_key_version"), created_at__lt=cutoff
    )
    return list(
        PseudonymDomain.objects.exclude(kind=DomainKind.BIOBANK_PID)
        .filter(current_key_version__gt=1)
        .filter(Exists(unfinished), Exists(rotated_before))
        .order_by("pk")
        .values_list("pk", "current_key_version")
    )


@transaction.atomic
def pseudonym_resolve(*, actor: Principal, domain: PseudonymDomain, pseudonym: str, reason: str) -> Pseudonym:
    """Re-identification: the mapping row (subject, key version) behind a pseudonym, in any key version.

    Only an identity steward of the domain's biobank (``view_identity``), only with a stated reason, and always
    audited. The permission is checked before anything is looked up, so others learn nothing about the pseudonym.
    """
    if domain.biobank is None or not user_has_biobank_perm(user=actor, biobank=domain.biobank, perm=Perm.VIEW_IDENTITY):
        raise ForbiddenError(_("Only an identity steward of the domain's biobank may resolve its pseudonyms."))
    reason = steward_reason_clean(reason, prompt="State why you need to re-identify this pseudonym")
    canonical = pseudonym_validate(pseudonym)
    try:
        row = Pseudonym.objects.select_related("domain").get(domain=domain, pseudonym=canonical)
    except Pseudonym.DoesNotExist:
        raise PseudonymNotFound(
            f"No subject has the pseudonym {pseudonym.strip()} in {domain.code}.", field="pseudonym", code="not_found"
        ) from None
    _audit(
        actor=actor,
        action="pseudonym.resolve",
        obj=row,
        biobank=domain.biobank,
        details={"domain": domain.code, "pseudonym": canonical, "key_version": row.key_version},
        reason=reason,
    )
    return row
