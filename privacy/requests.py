"""Members' requests under policy §7 received by staff, and the restriction they cause.

Policy §7: a member may ask to see, correct or delete their data, to stop its processing or
to withdraw consent, in writing, by phone or by e-mail to the privacy officer, and gets an
answer without delay (within ``PRIVACY_REQUEST_DAYS`` days). While a correction is pending the
data are not used or provided: the member is *restricted*.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from privacy.models import PrivacyRequest


def due_at(received_at: datetime.datetime) -> datetime.datetime:
    """Policy §7 "지체 없이": the answer is due ``PRIVACY_REQUEST_DAYS`` days after receipt."""
    return received_at + datetime.timedelta(days=settings.PRIVACY_REQUEST_DAYS)


def settle_dates(
    request: PrivacyRequest, *, received_changed: bool, now: datetime.datetime | None = None
) -> None:
    """Bring a request's dates in line with what staff entered, before it is saved.

    The due date follows the receipt; ``resolved_at`` is set when the request leaves the open
    state and cleared when it is reopened.
    """
    if received_changed:
        request.due_at = due_at(request.received_at)
    if request.status != PrivacyRequest.Status.OPEN and request.resolved_at is None:
        request.resolved_at = now or timezone.now()
    elif request.status == PrivacyRequest.Status.OPEN:
        request.resolved_at = None


@transaction.atomic
def record_request(
    *,
    member,
    kind: str,
    channel: str,
    received_at: datetime.datetime | None = None,
    recorded_by=None,
) -> PrivacyRequest:
    """Record a request received by letter, phone, e-mail or web, with its due date."""
    received_at = received_at or timezone.now()
    return PrivacyRequest.objects.create(
        member=member,
        kind=kind,
        channel=channel,
        received_at=received_at,
        due_at=due_at(received_at),
        recorded_by=recorded_by,
    )


@transaction.atomic
def resolve_request(
    *,
    request: PrivacyRequest,
    resolution: str,
    refused: bool = False,
    now: datetime.datetime | None = None,
) -> PrivacyRequest:
    """Close the request with its resolution; a resolved correction lifts the restriction."""
    request.status = PrivacyRequest.Status.REFUSED if refused else PrivacyRequest.Status.RESOLVED
    request.resolution = resolution
    request.resolved_at = now or timezone.now()
    request.save(update_fields=["status", "resolution", "resolved_at"])
    return request


def open_requests() -> QuerySet[PrivacyRequest]:
    return PrivacyRequest.objects.filter(status=PrivacyRequest.Status.OPEN)


def overdue_requests(*, now: datetime.datetime | None = None) -> QuerySet[PrivacyRequest]:
    return open_requests().filter(due_at__lt=now or timezone.now())


def restricted_member_ids() -> QuerySet:
    """The members with an open correction request, as a subquery (no query of its own).

    Policy §7: "정정 또는 삭제를 완료하기 전까지 당해 개인정보를 이용 또는 제공하지 않습니다" —
    staff exports and statistics leave these members out; the admin warns about them.
    """
    return open_requests().filter(kind=PrivacyRequest.Kind.CORRECTION).values("member_id")


def is_restricted(member) -> bool:
    return restricted_member_ids().filter(member_id=member.pk).exists()
