"""The staff roles in the database, kept exactly as ``staff.roles`` defines them (안전성 확보조치
기준 제5조; policy §9 다: staff handling personal data are limited to those in charge).

``staff.roles.ROLES`` is the one definition of what each role may do. ``sync_roles`` brings the
database's groups to it, after every ``migrate`` and from the ``sync_roles`` command; groups that
are not roles are left alone. An account leaving staff loses every role and right at once
(``leave_staff``). Each grant and removal is a privilege-change record (``staff.receivers``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction

from accounts.models import User
from staff.exceptions import UnknownPermission
from staff.roles import ROLES
from staff.services import audit

MISSING_ROLE = "role missing"
MISSING = "missing"
EXTRA = "extra"
# Differences are listed role by role, in this order of kinds.
KINDS = (MISSING_ROLE, MISSING, EXTRA)
ROLE_CREATED = "role created"


@dataclass(frozen=True)
class RoleDifference:
    """One way a role in the database differs from ``ROLES``: the role's group is missing
    (``MISSING_ROLE``), or it lacks a permission ROLES grants (``MISSING``), or it holds one
    ROLES does not grant (``EXTRA``)."""

    role: str
    kind: str
    permission: str = ""

    def __str__(self) -> str:
        return f"{self.role}: {self.kind} {self.permission}".rstrip()


def sync_roles(*, using: str = DEFAULT_DB_ALIAS, apply: bool = True) -> list[RoleDifference]:
    """Bring the roles in database ``using`` to exactly ``ROLES``; return how they differed.

    With ``apply=False`` nothing changes (``sync_roles --check``). A second run returns no
    differences; runs happening at once take turns. A database that holds no groups (the
    archive) has nothing to sync. Raises ``UnknownPermission`` when ROLES names a permission
    that no model defines.
    """
    if not router.allow_migrate_model(using, Group):
        return []
    with transaction.atomic(using=using):
        _one_sync_at_a_time(using)
        permissions = _permissions(using)
        held = _held(using)
        differences = _differences(held)
        if apply and differences:
            _apply(differences, permissions=permissions, held=held, using=using)
    return differences


def _one_sync_at_a_time(using: str) -> None:
    """Make concurrent syncs (two hosts migrating at once) read and write one after the other.

    PostgreSQL's READ COMMITTED would let both find the same permission missing and both record
    its grant: a transaction-scoped advisory lock orders them. SQLite already runs write
    transactions one at a time (``transaction_mode`` IMMEDIATE in settings).
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    key = int.from_bytes(hashlib.sha256(b"staff.sync_roles").digest()[:8], "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def _permissions(using: str) -> dict[str, int]:
    """Every permission ROLES grants, by ``app_label.codename``, with its primary key."""
    wanted = {code for codes in ROLES.values() for code in codes}
    rows = Permission.objects.using(using).filter(
        content_type__app_label__in={code.split(".", 1)[0] for code in wanted},
        codename__in={code.split(".", 1)[1] for code in wanted},
    )
    found = {
        f"{app}.{codename}": pk
        for app, codename, pk in rows.values_list("content_type__app_label", "codename", "pk")
    }
    if unknown := wanted - found.keys():
        raise UnknownPermission(unknown)
    return {code: found[code] for code in wanted}


def _held(using: str) -> dict[str, dict[str, int]]:
    """The permissions each role's group holds now, by code with its primary key; a role
    without a group is absent."""
    held: dict[str, dict[str, int]] = {
        name: {}
        for name in Group.objects.using(using).filter(name__in=ROLES).values_list("name", flat=True)
    }
    rows = Group.permissions.through.objects.using(using).filter(group__name__in=ROLES)
    for name, app, codename, pk in rows.values_list(
        "group__name", "permission__content_type__app_label", "permission__codename", "permission"
    ):
        held[name][f"{app}.{codename}"] = pk
    return held


def _differences(held: dict[str, dict[str, int]]) -> list[RoleDifference]:
    differences = []
    for role, codes in ROLES.items():
        if role not in held:
            differences.append(RoleDifference(role, MISSING_ROLE))
        has = held.get(role, {})
        differences += [RoleDifference(role, MISSING, code) for code in set(codes) - has.keys()]
        differences += [RoleDifference(role, EXTRA, code) for code in has.keys() - set(codes)]
    return sorted(
        differences, key=lambda each: (each.role, KINDS.index(each.kind), each.permission)
    )


def _apply(
    differences: list[RoleDifference],
    *,
    permissions: dict[str, int],
    held: dict[str, dict[str, int]],
    using: str,
) -> None:
    for role in sorted({difference.role for difference in differences}):
        group, created = Group.objects.using(using).get_or_create(name=role)
        if created:
            audit.record_privilege_change(group_name=role, change=ROLE_CREATED)
        mine = [difference for difference in differences if difference.role == role]
        granted = [permissions[each.permission] for each in mine if each.kind == MISSING]
        removed = [held[role][each.permission] for each in mine if each.kind == EXTRA]
        # Through the relation, so that staff.receivers records each grant and removal.
        if granted:
            group.permissions.add(*granted)
        if removed:
            group.permissions.remove(*removed)


@transaction.atomic
def leave_staff(*, user: User) -> None:
    """An account that is no longer staff keeps no role, permission or superuser status (제5조).

    Called when ``is_staff`` is removed, in the same transaction as that save; every removal
    is a privilege-change record.
    """
    user.groups.clear()
    user.user_permissions.clear()
    if user.is_superuser:
        user.is_superuser = False
        user.save(update_fields=["is_superuser"])
