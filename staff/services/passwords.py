"""Staff passwords (policy §9 다: "별도의 비밀번호를 부여하고 정기적으로 갱신"): age and history."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.hashers import is_password_usable
from django.utils import timezone

from accounts.models import User
from staff.models import StaffCredential


def password_set(*, user: User, old_hash: str | None, expired: bool = False) -> StaffCredential:
    """Record that ``user``'s staff password was just set, keeping ``old_hash`` in the history.

    With ``expired`` the password must be changed at the next staff login.
    """
    credential, _created = StaffCredential.objects.get_or_create(user=user)
    keep = max(settings.STAFF_PASSWORD_HISTORY - 1, 0)
    if old_hash and is_password_usable(old_hash):
        credential.previous_hashes = [old_hash, *credential.previous_hashes][:keep]
    credential.password_changed_at = None if expired else timezone.now()
    credential.save(update_fields=["previous_hashes", "password_changed_at"])
    return credential


def forget_previous_passwords(*, user: User) -> None:
    """A closed staff account discards its old hashes with the current one."""
    StaffCredential.objects.filter(user=user).update(previous_hashes=[])
