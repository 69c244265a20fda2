"""Users (e-mail login), the biobank tenants of one installation, memberships with roles, and API tokens."""

from __future__ import annotations

import hashlib
from typing import ClassVar

from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.contrib.postgres.fields import ArrayField
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import BIOBANK_PERMISSIONS, Perm, Role

code_validator = RegexValidator(
    r"^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$",
    _("Use 3 to 40 lowercase letters, digits and hyphens, starting and ending with a letter or digit."),
)


class UserManager(BaseUserManager["User"]):
    """Users are identified by e-mail; there is no username."""

    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        """A superuser's password meets ``AUTH_PASSWORD_VALIDATORS``, with no way around it (issue 9, item 6).

        ``manage.py createsuperuser`` offers to bypass the validators and does not run them at all with
        ``--noinput`` (``DJANGO_SUPERUSER_PASSWORD``); both end here, and a ``ValidationError`` stops the command
        with the validators' messages. ``None`` (no password: set one through the reset link) stays allowed.
        """
        from django.contrib.auth import password_validation

        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        if password is not None:
            password_validation.validate_password(password, self.model(email=email, **extra))
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, email: str | None) -> User:
        return self.get(email__iexact=email)


class User(AbstractUser):
    """A person who signs in with their e-mail address.

    ``is_staff``/``is_superuser`` only concern the Django admin (superusers only). What a person may do in a biobank
    comes from their memberships; researchers and donors are flagged here because they belong to no biobank.
    """

    username = None  # type: ignore[assignment]
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    is_researcher = models.BooleanField(_("researcher"), default=False)
    is_donor = models.BooleanField(_("donor"), default=False)
    email_verified_at = models.DateTimeField(_("e-mail verified at"), null=True, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []
    # The stubs want AbstractUser's username-based manager here; ours signs people up by e-mail.
    objects = UserManager()  # type: ignore[misc,assignment]

    class Meta:
        ordering = ["email"]
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Network(models.Model):
    """A network of biobanks sharing one installation (e.g. a national node)."""

    code = models.CharField(_("code"), max_length=40, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Biobank(models.Model):
    """A biobank: the tenant. Every domain record belongs to exactly one biobank.

    Roles are granted as django-guardian object permissions on this row (see ``choices.ROLE_PERMISSIONS``).
    The MIABIS description of the biobank lives in the catalogue, which points here.
    """

    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="biobanks", null=True, blank=True)
    code = models.CharField(_("code"), max_length=40, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166-1 alpha-2, e.g. DE"))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        default_permissions = ("view",)
        permissions = [
            (perm.value, str(label)) for perm, label in BIOBANK_PERMISSIONS.items() if perm != Perm.VIEW_BIOBANK
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(country__regex=r"^[A-Z]{2}$"), name="biobank_country_iso2"),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """One role of one user in one biobank. The source of truth the guardian groups are derived from."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    biobank = models.ForeignKey(Biobank, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    granted_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["biobank__name", "user__email", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "biobank", "role"], name="membership_unique_role"),
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} @ {self.biobank}"


def hash_token(secret: str) -> str:
    """Tokens are stored as SHA-256 of the secret: they are long random values, so a slow KDF adds nothing."""
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiToken(models.Model):
    """A partner system's credential: scoped to one biobank and a set of permissions, expiring, revocable.

    The secret is shown once at creation; only its SHA-256 and a short prefix (to recognise it in lists) are kept.
    """

    PREFIX = "bbp_"

    biobank = models.ForeignKey(Biobank, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, help_text=_("Which partner system uses it"))
    key_prefix = models.CharField(max_length=16, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    permissions = ArrayField(models.CharField(max_length=64), default=list)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")), name="token_expires_after_creation"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_usable(self) -> bool:
        return not self.is_revoked and not self.is_expired

    def grants(self, codename: Perm) -> bool:
        return self.is_usable and codename in self.permissions


class RoleGrant(models.Model):
    """A role that waits for a second person before it takes effect (four eyes, issue 9 item 2).

    A role that reads identities (``view_identity``) granted by a biobank admin is recorded here as pending; a
    different admin of the same biobank (or a superuser) approves it, which creates the ``Membership``, or rejects it.
    Decided rows stay as the record of who asked and who decided.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    biobank = models.ForeignKey(Biobank, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "biobank", "role"],
                condition=models.Q(status="pending"),
                name="role_grant_one_pending",
            ),
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="role_grant_role_valid"),
            models.CheckConstraint(
                condition=models.Q(status="pending", decided_at__isnull=True)
                | (~models.Q(status="pending") & models.Q(decided_at__isnull=False)),
                name="role_grant_decided_when_not_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} @ {self.biobank} ({self.get_status_display()})"


class OutgoingEmail(models.Model):
    """An e-mail to a person, recorded in the transaction that decides to send it (the outbox, issue 10 item 4).

    The ``accounts.deliver_email`` task sends it after commit; if the broker or the mail server was down, the beat
    task ``accounts.emails_pending`` sends it later. A row is sent once: the sender locks it (``SKIP LOCKED``) and
    marks it sent in the same transaction. Bodies often hold a one-time link (verification, password, sign-in), so
    the body is blanked once the message is sent or given up; only the address, subject and outcome stay, and sent
    rows are deleted after ``emails.KEEP_SENT``.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Given up")

    template = models.CharField(max_length=64)
    to = models.EmailField(max_length=254)
    subject = models.CharField(max_length=255)
    body = models.TextField(blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(
                fields=["created_at"], condition=models.Q(status="pending"), name="outgoing_email_pending_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "sent", "failed"]), name="outgoing_email_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status="pending") | models.Q(body=""), name="outgoing_email_body_only_while_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template} to {self.to} ({self.get_status_display()})"


class IdempotencyKey(models.Model):
    """The first answer to a request sent with an ``Idempotency-Key`` header, replayed to a retry with that key.

    Keys are per principal (``user:<id>`` or ``token:<id>``): two partner systems may use the same key without
    meeting. The row is written in the transaction of the write it guards, so it exists exactly when the write
    committed; a concurrent request with the same key waits on the unique index and then replays the answer
    (``biobank.api.idempotency``). Rows are kept at least ``IDEMPOTENCY_KEEP`` (24 hours) and then purged.
    """

    principal = models.CharField(max_length=64)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of method, path and the canonical JSON body")
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    # The JSON body as it was sent, byte for byte (jsonb would reorder its keys): a replay is identical.
    response_body = models.TextField(blank=True)
    response_headers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["principal", "key"], name="idempotency_key_once_per_principal"),
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotency_key_created")]

    def __str__(self) -> str:
        return f"{self.principal} {self.key}"
