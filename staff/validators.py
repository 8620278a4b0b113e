"""Validation of staff input: passwords (policy §9 다, named in ``AUTH_PASSWORD_VALIDATORS``) and
the reason given for a download of personal data (고시 제8조)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from staff.selectors.passwords import used_passwords


class StaffPasswordReuseValidator:
    """A staff member may not choose any of their last ``STAFF_PASSWORD_HISTORY`` passwords."""

    # Members' forms leave this rule out of the rules they list.
    applies_to_members = False

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


# 고시 제8조: the reason must say what a download is for; a word or two does not.
DOWNLOAD_REASON_MIN_LENGTH = 10


def validate_download_reason(reason: str) -> None:
    """Refuse a download reason shorter than ``DOWNLOAD_REASON_MIN_LENGTH`` characters, not
    counting spaces at either end; an empty reason is refused the same way."""
    if len(reason.strip()) < DOWNLOAD_REASON_MIN_LENGTH:
        raise ValidationError(
            ngettext(
                "Give the reason for this download in at least %(limit)d character.",
                "Give the reason for this download in at least %(limit)d characters.",
                DOWNLOAD_REASON_MIN_LENGTH,
            )
            % {"limit": DOWNLOAD_REASON_MIN_LENGTH},
            code="reason_too_short",
        )


def clean_download_reason(reason: str) -> str:
    """``reason`` as the access record keeps it (고시 제8조); ValidationError when it is missing or
    too short, before any data is read."""
    validate_download_reason(reason)
    return reason.strip()
