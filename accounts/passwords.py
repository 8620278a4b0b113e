"""Staff passwords (policy §9 다: "별도의 비밀번호를 부여하고 정기적으로 갱신")."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.hashers import check_password, is_password_usable
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import StaffCredential


def password_set(*, user, old_hash: str | None, expired: bool = False) -> StaffCredential:
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


def used_passwords(user) -> list[str]:
    """The hashes a new staff password must not match: the current one and those before it."""
    hashes = [user.password] if user.password and user.has_usable_password() else []
    credential = StaffCredential.objects.filter(user=user).first() if user.pk else None
    if credential is not None:
        hashes += credential.previous_hashes
    return hashes[: settings.STAFF_PASSWORD_HISTORY]


def password_expired(user, *, now: datetime.datetime | None = None) -> bool:
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


class StaffPasswordReuseValidator:
    """A staff member may not choose any of their last ``STAFF_PASSWORD_HISTORY`` passwords."""

    def validate(self, password, user=None):
        if user is None or not getattr(user, "is_staff", False):
            return
        for encoded in used_passwords(user):
            if check_password(password, encoded):
                raise ValidationError(
                    ngettext(
                        "Choose a password you have not used before.",
                        "Choose a password other than your last %(count)d.",
                        settings.STAFF_PASSWORD_HISTORY,
                    )
                    % {"count": settings.STAFF_PASSWORD_HISTORY},
                    code="password_reused",
                )

    def get_help_text(self):
        return _("Staff: your password cannot be one of your last %(count)d.") % {
            "count": settings.STAFF_PASSWORD_HISTORY
        }
