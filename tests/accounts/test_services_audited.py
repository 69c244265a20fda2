"""The account writes that used to leave no trace (issue 9, item 11): what each event says, and what it never says."""

from __future__ import annotations

import io
from unittest import mock

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command
from django.urls import reverse
from guardian.models import GroupObjectPermission

from biobank.accounts.choices import ROLE_PERMISSIONS, Role
from biobank.accounts.models import User
from biobank.accounts.selectors import biobank_perms_of
from biobank.accounts.services import role_group_name
from biobank.audit.models import AuditOutbox
from tests.accounts.factories import DEMO_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW = "a-new-long-passphrase-2026"


def events(action: str) -> list[AuditOutbox]:
    return list(AuditOutbox.objects.filter(action=action).order_by("id"))


def test_a_password_change_is_recorded_on_the_person_without_the_password(client, admin_a):
    client.force_login(admin_a)
    data = {"old_password": DEMO_PASSWORD, "new_password1": NEW, "new_password2": NEW}

    response = client.post(reverse("accounts:password_change"), data)

    assert response.status_code == 302
    [event] = events("user.password_change")
    assert (event.actor_label, event.object_type, event.object_id) == (admin_a.email, "accounts.user", str(admin_a.pk))
    assert event.changes == {"password": ["[redacted]", "[redacted]"]}
    assert NEW not in str(event.changes) and "pbkdf2" not in str(event.changes)
    assert client.get(reverse("accounts:profile")).status_code == 200  # still signed in after the change


def test_a_refused_password_change_records_nothing(client, admin_a):
    client.force_login(admin_a)
    data = {"old_password": "wrong", "new_password1": NEW, "new_password2": NEW}

    assert client.post(reverse("accounts:password_change"), data).status_code == 200
    assert events("user.password_change") == []
    assert User.objects.get(pk=admin_a.pk).check_password(DEMO_PASSWORD)


def test_a_profile_change_records_old_and_new_name_and_an_unchanged_save_records_nothing(client, admin_a):
    client.force_login(admin_a)
    client.post(reverse("accounts:profile"), {"full_name": "Ada Lovelace"})
    client.post(reverse("accounts:profile"), {"full_name": "Ada Lovelace"})

    [event] = events("user.update")
    assert event.changes["full_name"][1] == "Ada Lovelace"
    assert event.actor_label == admin_a.email


def test_sign_up_and_verification_are_recorded_on_the_new_account(client):
    data = {"email": "Rita@Example.org", "full_name": "Rita R", "password1": NEW, "password2": NEW}
    client.post(reverse("accounts:signup"), data)
    user = User.objects.get(email="rita@example.org")
    [signup] = events("user.register")
    assert (signup.actor_type, signup.object_id) == ("anonymous", str(user.pk))
    assert signup.changes["email"] == [None, "rita@example.org"] and "password" not in signup.changes

    from biobank.accounts.signin import researcher_verification_link

    client.get(researcher_verification_link(user).removeprefix("http://testserver"))
    client.get(researcher_verification_link(user).removeprefix("http://testserver"))  # a second click: no event

    [verified] = events("user.verify_email")
    assert verified.object_id == str(user.pk) and verified.changes["is_active"] == [False, True]


def test_signing_up_with_a_known_address_writes_and_records_nothing(client, admin_a):
    data = {"email": admin_a.email, "full_name": "X", "password1": NEW, "password2": NEW}
    assert client.post(reverse("accounts:signup"), data).status_code == 302
    assert events("user.register") == []


def test_createsuperuser_records_the_new_superuser_by_the_system(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", NEW)
    call_command("createsuperuser", interactive=False, email="root@example.org", verbosity=0)

    root = User.objects.get(email="root@example.org")
    [event] = events("user.create")
    assert (event.actor_type, event.actor_label, event.object_id) == ("system", "system:createsuperuser", str(root.pk))
    assert event.changes["is_superuser"] == [None, True]
    assert event.details["command"] == "createsuperuser" and "os_user" in event.details


def test_a_refused_createsuperuser_leaves_neither_account_nor_event(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "short")
    with pytest.raises(CommandError):
        call_command("createsuperuser", interactive=False, email="root@example.org", verbosity=0)
    assert not User.objects.filter(email="root@example.org").exists()
    assert events("user.create") == []


def test_changepassword_records_the_change_by_the_system(admin_a):
    command = "django.contrib.auth.management.commands.changepassword.Command._get_pass"
    with mock.patch(command, return_value=NEW):
        call_command("changepassword", admin_a.email, stdout=io.StringIO())

    [event] = events("user.password_change")
    assert (event.actor_label, event.object_id) == ("system:changepassword", str(admin_a.pk))
    assert NEW not in str(event.changes)


def _group(biobank, role) -> Group:
    return Group.objects.get(name=role_group_name(biobank, role))


def test_sync_roles_restores_members_and_permissions_and_records_each_repair(biobank_a, technician_a, admin_a):
    technician_group = _group(biobank_a, Role.TECHNICIAN)
    technician_group.user_set.clear()  # damage done outside the portal
    intruder = UserFactory()
    _group(biobank_a, Role.AUDITOR).user_set.add(intruder)
    _group(biobank_a, Role.AUDITOR).permissions.add(Permission.objects.get(codename="view_user"))
    GroupObjectPermission.objects.filter(group=_group(biobank_a, Role.BIOBANK_ADMIN)).delete()

    out = io.StringIO()
    call_command("sync_roles", stdout=out)

    assert list(technician_group.user_set.all()) == [technician_a]
    assert not _group(biobank_a, Role.AUDITOR).user_set.exists()
    assert not _group(biobank_a, Role.AUDITOR).permissions.exists()
    assert (
        biobank_perms_of(user=User.objects.get(pk=admin_a.pk), biobank=biobank_a)
        >= ROLE_PERMISSIONS[Role.BIOBANK_ADMIN]
    )
    repairs = {e.details["role"]: e for e in events("role_group.sync")}
    assert sorted(repairs) == ["auditor", "biobank_admin", "technician"]
    assert repairs["technician"].changes["members"] == [[], [technician_a.pk]]
    assert repairs["auditor"].changes["members"] == [[intruder.pk], []]
    assert repairs["auditor"].changes["global_permissions"] == [["view_user"], []]
    assert repairs["biobank_admin"].changes["permissions"][0] == []
    assert all(e.actor_label == "system:sync_roles" and e.biobank_id == biobank_a.pk for e in repairs.values())
    assert "repaired 3 group(s)" in out.getvalue()

    call_command("sync_roles", stdout=io.StringIO())  # nothing left to repair: nothing recorded
    assert len(events("role_group.sync")) == 3


def test_sync_roles_recreates_a_deleted_group_with_its_members(biobank_a, technician_a):
    _group(biobank_a, Role.TECHNICIAN).delete()

    call_command("sync_roles", stdout=io.StringIO())

    group = _group(biobank_a, Role.TECHNICIAN)
    assert list(group.user_set.all()) == [technician_a]
    assert "change_specimens" in biobank_perms_of(user=User.objects.get(pk=technician_a.pk), biobank=biobank_a)
    [event] = [e for e in events("role_group.sync") if e.details["role"] == "technician"]
    assert event.changes["name"] == [None, group.name] and event.object_id == str(group.pk)


def test_role_groups_are_read_only_in_the_admin(client, biobank_a, technician_a):
    superuser = User.objects.create_superuser(email="root@example.org", password=DEMO_PASSWORD)
    client.force_login(superuser)
    group = _group(biobank_a, Role.TECHNICIAN)

    assert client.get("/admin/auth/group/").status_code == 200
    assert client.get(f"/admin/auth/group/{group.pk}/change/").status_code == 200  # the view page
    assert client.post(f"/admin/auth/group/{group.pk}/change/", {"name": "renamed"}).status_code == 403
    assert client.post(f"/admin/auth/group/{group.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.post("/admin/auth/group/add/", {"name": "new"}).status_code == 403
    actions = {"action": "delete_selected", "_selected_action": [group.pk], "post": "yes"}
    client.post("/admin/auth/group/", actions)

    group.refresh_from_db()
    assert group.name == role_group_name(biobank_a, Role.TECHNICIAN)
    assert list(group.user_set.all()) == [technician_a]
    assert not Group.objects.filter(name="new").exists()
