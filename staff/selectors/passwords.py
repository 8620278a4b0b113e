"""Reads of staff passwords' history and age (policy §9 다: renewed regularly, never reused)."""

from __future__ import annotations

import datetime

from django.conf import settings
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


def password_expired(user: User, *, now: datetime.datetime | None = None) -> bool:
    """Whether the staff password is older than ``STAFF_PASSWORD_MAX_AGE_DAYS`` (or of unknown
    age, as for an account just given staff rights)."""
    changed = (
        StaffCredential.objects.filter(user=user)
        .values_list("password_changed_at", flat=True)
        .first()
    )
    if changed is None:
        return True
    age = (now or timezone.now()) - changed
    return age >= datetime.timedelta(days=settings.STAFF_PASSWORD_MAX_AGE_DAYS)
