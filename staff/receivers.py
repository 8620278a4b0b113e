"""Receivers that keep the staff records of policy §9 다/라 whatever screen or command acts.

Grants and removals of privileges (roles, permissions, ``is_staff``, ``is_superuser``) are
written as privilege changes, kept three years (안전성 확보조치 기준); an account leaving staff
loses its roles at once (제5조), and ``migrate`` ends with the roles as ``staff.roles`` defines
them; a staff login starts the session's idle clock and keeps the previous login to show (제6조);
a staff password's age and history are kept for its renewal; a closed account's old password
hashes are discarded.
"""

from __future__ import annotations

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone

from accounts.models import User
from accounts.signals import account_closed
from core.http import client_ip
from staff import sessions
from staff.services import access_control, audit, passwords, roles

_PRIVILEGE_FLAGS = ("is_staff", "is_superuser")


@receiver(pre_save, sender=User, dispatch_uid="staff.remember_privileges")
def remember_privileges(sender, instance, raw=False, **kwargs):
    if raw:
        return
    previous = None
    if instance.pk:
        previous = User.objects.filter(pk=instance.pk).values("password", *_PRIVILEGE_FLAGS).first()
    instance._privileges_before = previous


@receiver(post_save, sender=User, dispatch_uid="staff.after_user_save")
def after_user_save(sender, instance, created, raw=False, update_fields=None, **kwargs):
    """Compare the saved user with what ``remember_privileges`` read, then forget that."""
    if raw:
        return
    before = getattr(instance, "_privileges_before", None) or {}
    instance._privileges_before = None
    _track_staff_password(instance, created=created, update_fields=update_fields, before=before)
    _record_privilege_flags(instance, before=before)
    if before.get("is_staff") and not instance.is_staff:
        roles.leave_staff(user=instance)


def _track_staff_password(instance, *, created, update_fields, before):
    """Policy §9 다: a staff password's age, and the hashes it may not go back to."""
    if not instance.is_staff:
        return
    if update_fields is not None and set(update_fields) == {"password"}:
        # Only check_password's upgrade of the hash saves the password alone: same password.
        return
    old_hash = before.get("password")
    if created or old_hash != instance.password:
        passwords.password_set(user=instance, old_hash=old_hash)
    elif not before.get("is_staff"):
        # Newly made staff: the password they had as a member is not a staff password.
        passwords.password_set(user=instance, old_hash=None, expired=True)


def _record_privilege_flags(instance, *, before):
    for flag in _PRIVILEGE_FLAGS:
        old, new = bool(before.get(flag, False)), bool(getattr(instance, flag))
        if old != new:
            verb = "granted" if new else "removed"
            audit.record_privilege_change(subject=instance, change=f"{flag} {verb}")


def _names(model, pks) -> list[str]:
    if model is Permission:
        rows = Permission.objects.filter(pk__in=pks).values_list(
            "content_type__app_label", "codename"
        )
        return sorted(f"{app}.{code}" for app, code in rows)
    if model is Group:
        return sorted(Group.objects.filter(pk__in=pks).values_list("name", flat=True))
    return sorted(User.objects.filter(pk__in=pks).values_list("username", flat=True))


def _record_membership(*, instance, action, reverse, model, pk_set, what):
    """Turn one m2m change on a user's roles or permissions into privilege-change records."""
    verb = {"post_add": "granted", "post_remove": "removed", "pre_clear": "removed"}.get(action)
    if verb is None:
        return
    if action == "pre_clear":
        related = getattr(instance, "groups" if model is Group else "user_permissions")
        if reverse:
            related = instance.user_set
        pk_set = set(related.values_list("pk", flat=True))
    if not pk_set:
        return
    if not reverse:
        for name in _names(model, pk_set):
            audit.record_privilege_change(subject=instance, change=f"{what} {name} {verb}")
        return
    # From the group or permission side: one record per user affected.
    label = instance.name if isinstance(instance, Group) else str(instance)
    for user in User.objects.filter(pk__in=pk_set):
        audit.record_privilege_change(subject=user, change=f"{what} {label} {verb}")


_MEMBERSHIPS = {User.groups.through: "role", User.user_permissions.through: "permission"}


def record_membership_change(sender, instance, action, reverse, model, pk_set, **kwargs):
    _record_membership(
        instance=instance,
        action=action,
        reverse=reverse,
        model=model,
        pk_set=pk_set,
        what=_MEMBERSHIPS[sender],
    )


for _through, _what in _MEMBERSHIPS.items():
    m2m_changed.connect(
        record_membership_change, sender=_through, dispatch_uid=f"staff.record_{_what}_change"
    )


@receiver(
    m2m_changed,
    sender=Group.permissions.through,
    dispatch_uid="staff.record_role_permission_change",
)
def record_role_permission_change(sender, instance, action, reverse, model, pk_set, **kwargs):
    """A role's own permissions changed: every member of the role gained or lost them."""
    verb = {"post_add": "granted", "post_remove": "removed", "pre_clear": "removed"}.get(action)
    if verb is None or reverse:
        return
    if action == "pre_clear":
        pk_set = set(instance.permissions.values_list("pk", flat=True))
    for name in _names(Permission, pk_set or ()):
        audit.record_privilege_change(
            group_name=instance.name, change=f"role permission {name} {verb}"
        )


@receiver(account_closed, dispatch_uid="staff.forget_previous_passwords")
def forget_previous_passwords(sender, member, **kwargs):
    passwords.forget_previous_passwords(user=member)


@receiver(user_logged_in, dispatch_uid="staff.note_staff_login")
def note_staff_login(sender, request, user, **kwargs):
    """제6조: a staff session starts its idle clock and keeps the previous login to show once."""
    if not user.is_staff or request is None or not hasattr(request, "session"):
        return
    now = timezone.now()
    match = getattr(request, "resolver_match", None)
    previous = access_control.staff_logged_in(
        user=user,
        ip=client_ip(request),
        # The member login page records its own logins (accounts.views); the admin's does not,
        # whether reached as Django's view or through the staff side's wrapper of it.
        record=match is not None and match.view_name in ("admin:login", "staff_login"),
        now=now,
    )
    sessions.started(request.session, now=now, previous=previous)


def sync_roles_after_migrate(sender, using, apps=global_apps, verbosity=1, stdout=None, **kwargs):
    """제5조: every ``migrate`` ends with the roles exactly as ``staff.roles`` defines them.

    Connected for the staff app alone (``StaffConfig.ready``), which migrates before the apps
    above it have their permissions: those are created first. A migrate that leaves the roles'
    or the records' tables out (back to an early state) has nothing to sync; ``flush`` sends
    no state, and its tables are all there.
    """
    try:
        apps.get_model("auth", "Group")
        apps.get_model("staff", "PrivilegeChange")
    except LookupError:
        return
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using, apps=global_apps)
    differences = roles.sync_roles(using=using)
    if differences and verbosity >= 1 and stdout is not None:
        stdout.write(f"Roles brought to staff.roles: {len(differences)} differences repaired.\n")
