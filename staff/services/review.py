"""The privacy officer's sign-off of the monthly access review (고시 제8조: checked monthly)."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from core.exports import csv_text
from staff.exceptions import AlreadySignedOff, ReviewNotOver
from staff.models import AccessRecord, AccessReviewSignOff
from staff.selectors.review import access_review, can_sign_off, month_bounds
from staff.services.audit import record_access
from staff.validators import clean_download_reason


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


REVIEW_TARGET = "access_review"


@transaction.atomic
def export_review(
    *, month: datetime.date, staff: User, ip: str | None, reason: str, header: list[str]
) -> str:
    """The month's review as CSV — every handler's counts and flagged events, every download
    with its reason — with its own access record and the reason for it (고시 제8조).

    ``header`` names the columns in the reader's language. The review names staff, never a
    member, so the record names no member.
    """
    reason = clean_download_reason(reason)
    review = access_review(month=month)
    rows = []
    for handler in review.handlers:
        rows += [
            ("count", handler.staff, "", action, count, "", "")
            for action, count in sorted(handler.by_action.items())
        ]
        for kind, events in (
            ("bulk", handler.bulk),
            ("after_hours", handler.after_hours),
            ("held_or_restricted", handler.sensitive),
        ):
            rows += [
                (kind, event.staff, _local(event.time), event.action, event.members, "", "")
                for event in events
            ]
    rows += [
        (
            "download",
            download.staff,
            _local(download.time),
            f"{download.target} {download.detail}".strip(),
            download.members,
            download.reason,
            "; ".join(download.flag_labels),
        )
        for download in review.downloads
    ]
    record_access(
        staff=staff,
        ip=ip,
        action=AccessRecord.Action.EXPORT,
        target=REVIEW_TARGET,
        detail=f"{month:%Y-%m} csv rows={len(rows)}",
        reason=reason,
    )
    return csv_text(header, rows)


def _local(moment: datetime.datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"
