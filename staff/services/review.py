"""The privacy officer's sign-off of the monthly access review (고시 제8조: checked monthly)."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from staff.exceptions import AlreadySignedOff, ReviewNotOver
from staff.models import AccessReviewSignOff
from staff.selectors.review import can_sign_off, month_bounds


@transaction.atomic
def sign_off_review(
    *,
    month: datetime.date,
    officer: User,
    remarks: str = "",
    now: datetime.datetime | None = None,
) -> AccessReviewSignOff:
    """Record that ``officer`` reviewed the access records of ``month`` (any day of it).

    Only the privacy officer may (``PermissionDenied``); a month not yet over cannot be
    reviewed whole (``ReviewNotOver``), and a month is signed off once (``AlreadySignedOff``):
    the unique month decides between two sign-offs sent at the same time, so the loser gets
    the error, never a second row.
    """
    if not can_sign_off(officer):
        raise PermissionDenied
    now = now or timezone.now()
    month = month.replace(day=1)
    if now < month_bounds(month)[1]:
        raise ReviewNotOver
    try:
        with transaction.atomic():
            return AccessReviewSignOff.objects.create(
                month=month,
                signed_by=officer,
                signed_by_username=officer.username,
                signed_at=now,
                remarks=remarks.strip(),
            )
    except IntegrityError:
        raise AlreadySignedOff from None
