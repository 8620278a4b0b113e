"""Reads of staff passwords' history and age (policy §9 다: renewed regularly, never reused)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from accounts.models import User
from staff.models import StaffCredential


def used_passwords(user: User) -> list[str]:
    """The hashes a new staff password must not match: the current one and those before it."""
    hashes = [user.password] if user.password and user.has_usable_password() else []
    credential = StaffCredential.objects.filter(user=user).first() if user.pk else None
    if credential is not None:
        hashes += credential.previous_hashes
    return hashes[: settings.STAFF_PASSWORD_HISTORY]


def with_expired_passwords(
    users: QuerySet[User], *, now: datetime.datetime | None = None
) -> QuerySet[User]:
    """Those of ``users`` whose password is older than ``STAFF_PASSWORD_MAX_AGE_DAYS`` or of
    unknown age (an account just given staff rights has no staff password yet)."""
    limit = (now or timezone.now()) - datetime.timedelta(days=settings.STAFF_PASSWORD_MAX_AGE_DAYS)
    changed = StaffCredential.objects.filter(user=OuterRef("pk")).values("password_changed_at")
    return users.annotate(changed=Subquery(changed[:1])).filter(
        Q(changed__isnull=True) | Q(changed__lte=limit)
    )


def password_expired(user: User, *, now: datetime.datetime | None = None) -> bool:
    """Whether the staff password of ``user`` is past its age (see ``with_expired_passwords``)."""
    return with_expired_passwords(User.objects.filter(pk=user.pk), now=now).exists()
