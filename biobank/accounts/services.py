"""Writes to accounts data: biobanks, memberships and roles, API tokens, researcher and donor sign-in.

Every function is atomic and names its actor, so the audit-trail issue can record each change in the same
transaction. Side effects (e-mails) are queued after commit. API tokens live in ``api_tokens.py``, re-exported here.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.models import GroupObjectPermission

from biobank.audit.choices import AuditAction
from biobank.audit.services import audit_record
from biobank.errors import ConflictError, DomainError, ForbiddenError, validate_model

from .api_tokens import MAX_TOKEN_LIFETIME as MAX_TOKEN_LIFETIME  # re-exported: every accounts write is here
from .api_tokens import api_token_create as api_token_create
from .api_tokens import api_token_record_use as api_token_record_use
from .api_tokens import api_token_revoke as api_token_revoke
from .choices import ROLE_PERMISSIONS, Perm, Role
from .models import Biobank, Membership, Network, RoleGrant, User

# Roles that read identities take effect only when a second admin (or a superuser) approves them (four eyes).
FOUR_EYES_ROLES: frozenset[str] = frozenset(
    role for role, perms in ROLE_PERMISSIONS.items() if "view_identity" in perms
)


def role_group_name(biobank: Biobank, role: str) -> str:
    return f"biobank:{biobank.code}:{role}"


def _role_groups_fix(biobank: Biobank) -> dict[str, tuple[Group, dict[str, list]]]:
    """Make each role's group of ``biobank`` exist, hold exactly the role's object permissions on the biobank and
    no global permission, and have as members exactly the people holding the role (``Membership``, the source of
    truth: granted directly or through an approved ``RoleGrant``). Returns each role's group and what had to change.

    Set-based, for all roles at once: about eight statements, where a guardian ``assign_perm`` per permission cost
    four each (several hundred statements per new biobank, most of the test suite's time)."""
    names = {str(role): role_group_name(biobank, role) for role in Role}
    groups = {group.name: group for group in Group.objects.filter(name__in=names.values())}
    new = {name for name in names.values() if name not in groups}
    if new:
        Group.objects.bulk_create([Group(name=name) for name in sorted(new)], ignore_conflicts=True)
        groups = {group.name: group for group in Group.objects.filter(name__in=names.values())}
    by_role = {role: groups[name] for role, name in names.items()}
    group_ids = [group.pk for group in by_role.values()]
    content_type = ContentType.objects.get_for_model(Biobank)
    on_biobank = GroupObjectPermission.objects.filter(content_type=content_type, object_pk=str(biobank.pk))
    existing: dict[int, set[str]] = {pk: set() for pk in group_ids}
    for group_id, codename in on_biobank.filter(group_id__in=group_ids).values_list("group_id", "permission__codename"):
        existing[group_id].add(codename)
    global_perms: dict[int, list[str]] = {pk: [] for pk in group_ids}
    granted = Group.permissions.through.objects.filter(group_id__in=group_ids)
    for group_id, codename in granted.values_list("group_id", "permission__codename").order_by("permission__codename"):
        global_perms[group_id].append(codename)  # roles are object permissions only: a global one reaches every biobank
    if any(global_perms.values()):
        granted.delete()
    members: dict[str, set[int]] = {role: set() for role in names}
    for role, user_id in Membership.objects.filter(biobank=biobank).values_list("role", "user_id"):
        members.setdefault(role, set()).add(user_id)
    current: dict[int, set[int]] = {pk: set() for pk in group_ids}
    for group_id, user_id in User.groups.through.objects.filter(group_id__in=group_ids).values_list(
        "group_id", "user_id"
    ):
        current[group_id].add(user_id)

    missing = []
    result = {}
    for role, group in by_role.items():
        wanted, have = ROLE_PERMISSIONS[role], existing[group.pk]
        changes: dict[str, list] = {"name": [None, group.name]} if group.name in new else {}
        missing += [(group.pk, codename) for codename in sorted(wanted - have)]
        if have - wanted:
            on_biobank.filter(group=group, permission__codename__in=have - wanted).delete()
        if have != wanted and group.name not in new:
            changes["permissions"] = [sorted(have), sorted(wanted)]
        if global_perms[group.pk]:
            changes["global_permissions"] = [global_perms[group.pk], []]
        if members[role] != current[group.pk]:
            group.user_set.remove(*(current[group.pk] - members[role]))
            group.user_set.add(*(members[role] - current[group.pk]))
            changes["members"] = [sorted(current[group.pk]), sorted(members[role])]
        result[role] = (group, changes)
    if missing:
        permissions = dict(Permission.objects.filter(content_type=content_type).values_list("codename", "pk"))
        GroupObjectPermission.objects.bulk_create(
            [
                GroupObjectPermission(
                    group_id=group_id, permission_id=permissions[codename], content_type=content_type,
                    object_pk=str(biobank.pk),
                )
                for group_id, codename in missing
            ],
            ignore_conflicts=True,  # a concurrent repair made it already: the same row
        )  # fmt: skip
    return result


@transaction.atomic
def role_groups_sync(*, biobank: Biobank) -> dict[str, Group]:
    """Ensure one guardian group per role of ``biobank`` holding exactly that role's object permissions and members.

    Idempotent; run when a biobank is created (recorded as ``biobank.create``). Repairs of existing biobanks go
    through ``role_groups_repair``, which records what it changed.
    """
    return {role: group for role, (group, _changes) in _role_groups_fix(biobank).items()}


@transaction.atomic
def role_groups_repair(*, actor: User | str | None, biobank: Biobank) -> list[str]:
    """Bring every role group of ``biobank`` back in line with ``ROLE_PERMISSIONS`` and the memberships
    (``manage.py sync_roles``): re-creates deleted groups, restores their permissions and members, removes people
    who hold no such role. One ``role_group.sync`` event per group that changed; returns the roles repaired."""
    repaired = []
    for role, (group, changes) in _role_groups_fix(biobank).items():
        if changes:
            audit_record(
                actor=actor,
                action=AuditAction.ROLE_GROUP_SYNC,
                obj=group,
                biobank=biobank,
                changes=changes,
                details={"role": str(role)},
            )
            repaired.append(str(role))
    return repaired


@transaction.atomic
def network_create(*, actor: User | None, code: str, name: str) -> Network:
    network = Network(code=code, name=name)
    validate_model(network)
    if Network.objects.filter(code=code).exists():
        raise ConflictError(_("A network with the code %(code)r exists already.") % {"code": code}, field="code")
    network.save()
    audit_record(
        actor=actor,
        action=AuditAction.NETWORK_CREATE,
        obj=network,
        changes={"code": [None, code], "name": [None, name]},
    )
    return network


@transaction.atomic
def biobank_create(
    *, actor: User | None, code: str, name: str, country: str, network: Network | None = None
) -> Biobank:
    """Register a biobank (a tenant) and its role groups."""
    biobank = Biobank(code=code, name=name, country=country.upper(), network=network)
    validate_model(biobank)
    if Biobank.objects.filter(code=code).exists():
        raise ConflictError(_("A biobank with the code %(code)r exists already.") % {"code": code}, field="code")
    biobank.save()
    role_groups_sync(biobank=biobank)
    audit_record(
        actor=actor,
        action=AuditAction.BIOBANK_CREATE,
        obj=biobank,
        changes={
            "code": [None, biobank.code],
            "name": [None, biobank.name],
            "country": [None, biobank.country],
            "network": [None, network.code if network else None],
        },
    )
    return biobank


@transaction.atomic
def biobank_deactivate(*, actor: User | str | None, biobank: Biobank, reason: str) -> Biobank:
    """Close a biobank: from now on nobody reads or writes its data, tokens included; auditors keep reading its
    audit trail (``selectors.AUDITOR_READ_PERMISSIONS``). Nothing is deleted; ``biobank_reactivate`` opens it again.
    """
    return _biobank_set_active(actor=actor, biobank=biobank, active=False, reason=reason)


@transaction.atomic
def biobank_reactivate(*, actor: User | str | None, biobank: Biobank, reason: str) -> Biobank:
    """Open a deactivated biobank again for its members and tokens (tokens that expired meanwhile stay expired)."""
    return _biobank_set_active(actor=actor, biobank=biobank, active=True, reason=reason)


def _biobank_set_active(*, actor: User | str | None, biobank: Biobank, active: bool, reason: str) -> Biobank:
    if not (reason or "").strip():
        raise DomainError(_("Give a reason: it is kept in the audit trail."), field="reason", code="required")
    locked = Biobank.objects.select_for_update().get(pk=biobank.pk)
    if locked.is_active == active:
        state = "active" if active else "deactivated"
        raise ConflictError(
            _("%(name)s is already %(state)s.") % {"name": locked.name, "state": state},
            field="is_active",
            code="unchanged",
        )
    locked.is_active = active
    locked.save(update_fields=["is_active"])
    audit_record(
        actor=actor,
        action=AuditAction.BIOBANK_REACTIVATE if active else AuditAction.BIOBANK_DEACTIVATE,
        obj=locked,
        changes={"is_active": [not active, active]},
        reason=reason.strip(),
    )
    biobank.is_active = active
    return locked


def _is_superuser(actor: object) -> bool:
    return bool(isinstance(actor, User) and actor.is_superuser and actor.is_active)


def _refuse_own_role(*, actor: object, user: User, role: str) -> None:
    """Nobody gives a role to themselves (separation of duties): another admin has to."""
    if isinstance(actor, User) and actor.pk == user.pk:
        raise DomainError(
            _("You cannot give yourself a role (%(label)s); another biobank admin has to grant it.")
            % {"label": Role(role).label},
            field="role",
            code="own_role",
        )


def _group_for(biobank: Biobank, role: str) -> Group:
    try:
        return Group.objects.get(name=role_group_name(biobank, role))
    except Group.DoesNotExist:
        return role_groups_sync(biobank=biobank)[role]


@transaction.atomic
def membership_grant(*, actor: User | None, biobank: Biobank, user: User, role: str) -> Membership | RoleGrant:
    """Give ``user`` the ``role`` in ``biobank``.

    Nobody grants a role to themselves. A role that reads identities (``FOUR_EYES_ROLES``) granted by a person who
    is not a superuser does not take effect: it is recorded as a pending ``RoleGrant`` (returned instead of the
    membership) until a different admin approves it (``role_grant_approve``). ``actor=None`` is the system (seeding).
    """
    if role not in Role.values:
        raise DomainError(
            _("Unknown role %(role)r; allowed: %(values)s.") % {"role": role, "values": ", ".join(Role.values)},
            field="role",
            code="invalid_choice",
        )
    _refuse_own_role(actor=actor, user=user, role=role)
    if Membership.objects.filter(user=user, biobank=biobank, role=role).exists():
        raise ConflictError(
            _("%(user_email)s already has the role %(label)s in %(biobank_name)s.")
            % {"user_email": user.email, "label": Role(role).label, "biobank_name": biobank.name},
            field="role",
            code="duplicate",
        )
    if role in FOUR_EYES_ROLES and actor is not None and not _is_superuser(actor):
        return _role_grant_request(actor=actor, biobank=biobank, user=user, role=role)
    return _membership_create(actor=actor, biobank=biobank, user=user, role=role)


def _membership_create(
    *, actor: User | None, biobank: Biobank, user: User, role: str, details: dict | None = None
) -> Membership:
    try:
        with transaction.atomic():
            membership = Membership.objects.create(user=user, biobank=biobank, role=role, granted_by=actor)
    except IntegrityError:
        raise ConflictError(
            _("%(user_email)s already has the role %(label)s in %(biobank_name)s.")
            % {"user_email": user.email, "label": Role(role).label, "biobank_name": biobank.name},
            field="role",
            code="duplicate",
        ) from None
    user.groups.add(_group_for(biobank, role))
    audit_record(  # the person is the object, so their history shows every role they held
        actor=actor,
        action=AuditAction.MEMBERSHIP_GRANT,
        obj=user,
        biobank=biobank,
        changes={"role": [None, role]},
        details={"membership_id": membership.pk, "email": user.email, **(details or {})},
    )
    return membership


def _role_grant_request(*, actor: User, biobank: Biobank, user: User, role: str) -> RoleGrant:
    if RoleGrant.objects.filter(user=user, biobank=biobank, role=role, status=RoleGrant.Status.PENDING).exists():
        raise ConflictError(
            _("The role %(label)s for %(user_email)s already awaits another admin's approval.")
            % {"label": Role(role).label, "user_email": user.email},
            field="role",
            code="pending",
        )
    try:
        with transaction.atomic():
            grant = RoleGrant.objects.create(user=user, biobank=biobank, role=role, requested_by=actor)
    except IntegrityError:
        raise ConflictError(
            _("The role %(label)s for %(user_email)s already awaits another admin's approval.")
            % {"label": Role(role).label, "user_email": user.email},
            field="role",
            code="pending",
        ) from None
    audit_record(
        actor=actor,
        action=AuditAction.ROLE_GRANT_REQUEST,
        obj=user,
        biobank=biobank,
        changes={"role": [None, role]},
        details={"role_grant_id": grant.pk, "email": user.email, "status": grant.status},
    )
    return grant


def _decidable_grant(*, actor: User, grant: RoleGrant, verb: str) -> RoleGrant:
    """Lock ``grant`` and check that ``actor`` may decide it; raises a ``DomainError`` naming the rule otherwise."""
    from .selectors import user_has_biobank_perm

    locked = RoleGrant.objects.select_for_update().select_related("user", "biobank").get(pk=grant.pk)
    if locked.status != RoleGrant.Status.PENDING:
        raise ConflictError(
            _("This request was already %(status)s.") % {"status": locked.get_status_display().lower()},
            field="status",
            code="decided",
        )
    if not (
        _is_superuser(actor) or user_has_biobank_perm(user=actor, biobank=locked.biobank, perm=Perm.MANAGE_MEMBERS)
    ):
        raise ForbiddenError(
            _("You may not %(verb)s roles in %(biobank_name)s; this needs manage_members.")
            % {"verb": verb, "biobank_name": locked.biobank.name},
            field="role",
        )
    if actor.pk == locked.user_id:
        raise DomainError(
            _("You cannot %(verb)s a role requested for yourself; another biobank admin has to.") % {"verb": verb},
            field="role",
            code="own_role",
        )
    return locked


@transaction.atomic
def role_grant_approve(*, actor: User, grant: RoleGrant) -> Membership:
    """The second pair of eyes: a different admin of the biobank (or a superuser) lets the requested role take effect.

    The admin who asked for the role cannot approve it, nor can the person who would receive it.
    """
    locked = _decidable_grant(actor=actor, grant=grant, verb="approve")
    if actor.pk == locked.requested_by_id:
        raise DomainError(
            _("You asked for this role yourself; a different biobank admin has to approve it (four eyes)."),
            field="role",
            code="four_eyes",
        )
    if Membership.objects.filter(user=locked.user, biobank=locked.biobank, role=locked.role).exists():
        raise ConflictError(
            _("%(user_email)s already has the role %(label)s in %(biobank_name)s.")
            % {"user_email": locked.user.email, "label": Role(locked.role).label, "biobank_name": locked.biobank.name},
            field="role",
            code="duplicate",
        )
    locked.status, locked.decided_by, locked.decided_at = RoleGrant.Status.APPROVED, actor, timezone.now()
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    audit_record(
        actor=actor,
        action=AuditAction.ROLE_GRANT_APPROVE,
        obj=locked.user,
        biobank=locked.biobank,
        changes={"status": [RoleGrant.Status.PENDING, RoleGrant.Status.APPROVED]},
        details={"role_grant_id": locked.pk, "role": locked.role, "requested_by": locked.requested_by_id},
    )
    return _membership_create(
        actor=actor,
        biobank=locked.biobank,
        user=locked.user,
        role=locked.role,
        details={"role_grant_id": locked.pk, "requested_by": locked.requested_by_id},
    )


@transaction.atomic
def role_grant_reject(*, actor: User, grant: RoleGrant) -> RoleGrant:
    """Turn a requested role down (any admin of the biobank but the person concerned; the asker may withdraw)."""
    locked = _decidable_grant(actor=actor, grant=grant, verb="reject")
    locked.status, locked.decided_by, locked.decided_at = RoleGrant.Status.REJECTED, actor, timezone.now()
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    audit_record(
        actor=actor,
        action=AuditAction.ROLE_GRANT_REJECT,
        obj=locked.user,
        biobank=locked.biobank,
        changes={"status": [RoleGrant.Status.PENDING, RoleGrant.Status.REJECTED]},
        details={"role_grant_id": locked.pk, "role": locked.role, "requested_by": locked.requested_by_id},
    )
    return locked


@transaction.atomic
def membership_revoke(*, actor: User | None, membership: Membership) -> None:
    """Take one role away. The last biobank admin cannot be removed: nobody could manage the biobank then."""
    locked = Membership.objects.select_for_update().filter(biobank_id=membership.biobank_id, role=Role.BIOBANK_ADMIN)
    if membership.role == Role.BIOBANK_ADMIN and len(locked) <= 1:
        raise ConflictError(
            _("This is the last biobank admin of the biobank; give someone else the role first."),
            field="role",
            code="last_admin",
        )
    membership.user.groups.remove(_group_for(membership.biobank, membership.role))
    audit_record(
        actor=actor,
        action=AuditAction.MEMBERSHIP_REVOKE,
        obj=membership.user,
        biobank=membership.biobank_id,
        changes={"role": [membership.role, None]},
        details={"membership_id": membership.pk, "email": membership.user.email},
    )
    membership.delete()


@transaction.atomic
def memberships_set(*, actor: User | None, biobank: Biobank, user: User, roles: Iterable[str]) -> list[Membership]:
    """Make ``user``'s roles in ``biobank`` exactly ``roles`` (the member-management form).

    Roles in ``FOUR_EYES_ROLES`` are only requested (see ``membership_grant``); they are not in the returned list.
    """
    wanted = set(roles)
    unknown = wanted - set(Role.values)
    if unknown:
        raise DomainError(
            _("Unknown role(s) %(unknown)s; allowed: %(values)s.")
            % {"unknown": ", ".join(sorted(unknown)), "values": ", ".join(Role.values)},
            field="roles",
        )
    current = {m.role: m for m in Membership.objects.filter(user=user, biobank=biobank)}
    pending = set(
        RoleGrant.objects.filter(user=user, biobank=biobank, status=RoleGrant.Status.PENDING).values_list(
            "role", flat=True
        )
    )
    # Revocations first, so giving up a role (allowed, also one's own) reports the last-admin rule before a refused
    # grant; a refused grant rolls the revocations back with it.
    for role in sorted(current.keys() - wanted):
        membership_revoke(actor=actor, membership=current[role])
    for role in sorted(wanted - current.keys() - pending):  # a role awaiting approval is not asked for twice
        membership_grant(actor=actor, biobank=biobank, user=user, role=role)
    return list(Membership.objects.filter(user=user, biobank=biobank))


@transaction.atomic
def member_add(
    *, actor: User | None, biobank: Biobank, email: str, full_name: str = "", roles: Iterable[str]
) -> tuple[User, bool]:
    """Add a person to ``biobank`` with ``roles``; a new e-mail gets an account and a link to set a password.

    Returns the user and whether the account was created.
    """
    roles = list(roles)
    if not roles:
        raise DomainError(_("Choose at least one role."), field="roles", code="required")
    email = User.objects.normalize_email(email).lower()
    user = User.objects.filter(email__iexact=email).first()
    created = user is None
    if user is None:
        user = User.objects.create_user(email=email, password=None, full_name=full_name)
        audit_record(
            actor=actor,
            action=AuditAction.USER_CREATE,
            obj=user,
            biobank=biobank,
            changes={"email": [None, user.email], "full_name": [None, user.full_name]},
        )
    memberships_set(
        actor=actor,
        biobank=biobank,
        user=user,
        roles=set(roles) | set(Membership.objects.filter(user=user, biobank=biobank).values_list("role", flat=True)),
    )
    if created:
        from .emails import send_set_password_email

        send_set_password_email(user_id=user.pk)  # recorded now, sent after commit (``emails.queue_email``)
    return user, created
