"""Staff actions on members: misuse flags, suspension and its lifting, ending a login lockout,
staff exports.

Each writes its 개인정보 접속기록 in the same transaction as the change it records (policy §9 다);
an export writes it in the transaction that builds the file, with the reason staff gave for the
download (고시 제8조).
"""

from __future__ import annotations

import datetime
import json

from axes.utils import reset as reset_login_failures
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import MisuseRecord, User
from accounts.selectors import member_data
from accounts.services import end_sessions
from core.exports import csv_text
from privacy.selectors import restricted_member_ids
from staff.exceptions import NotAMember
from staff.models import AccessRecord
from staff.services import audit
from staff.validators import clean_download_reason

EXPORT_COLUMNS = ("username", "company", "project", "product", "date_joined", "is_active")
# What the access record of a staff-made export of one member's data names as its detail.
MEMBER_DATA_DETAIL = "member data json"


def _member(member: User) -> User:
    if member.is_staff or member.is_superuser:
        raise NotAMember
    return member


@transaction.atomic
def flag_member(
    *,
    member: User,
    staff: User,
    ip: str | None,
    reason: str,
    suspend: bool = False,
    now: datetime.datetime | None = None,
) -> MisuseRecord:
    """Flag ``member`` for misuse with ``reason`` (policy §1 나 불량 이용 기록), maybe suspending.

    Writes a misuse record (kept one year) and the access record; with ``suspend`` the account
    is also suspended as ``suspend_member`` does.
    """
    now = now or timezone.now()
    _member(member)
    record = MisuseRecord.objects.create(
        time=now,
        ip=ip,
        username_tried=member.username,
        member=member,
        kind=MisuseRecord.Kind.STAFF_FLAG,
        reason=reason,
        flagged_by=staff,
    )
    audit.record_member_access(
        staff=staff,
        ip=ip,
        action=AccessRecord.Action.FLAG,
        member=member,
        now=now,
    )
    if suspend:
        suspend_member(member=member, staff=staff, ip=ip, now=now)
    return record


@transaction.atomic
def suspend_member(
    *, member: User, staff: User, ip: str | None, now: datetime.datetime | None = None
) -> User:
    """Suspend the account: it cannot log in and every session of it ends at once."""
    _member(member)
    member.is_active = False
    member.save(update_fields=["is_active"])
    end_sessions(member=member)
    audit.record_member_access(
        staff=staff,
        ip=ip,
        action=AccessRecord.Action.SUSPEND,
        member=member,
        now=now,
    )
    return member


@transaction.atomic
def lift_suspension(
    *, member: User, staff: User, ip: str | None, now: datetime.datetime | None = None
) -> User:
    """Let a suspended (not a withdrawn) member log in again."""
    _member(member)
    if member.is_closed:
        raise NotAMember
    member.is_active = True
    member.save(update_fields=["is_active"])
    audit.record_member_access(
        staff=staff,
        ip=ip,
        action=AccessRecord.Action.LIFT,
        member=member,
        now=now,
    )
    return member


@transaction.atomic
def unlock_member(
    *, member: User, staff: User, ip: str | None, now: datetime.datetime | None = None
) -> int:
    """End the member's login lockout now (policy §9 나), from every address the ID was tried
    from, and return how many failure counters were reset.

    django-axes forgets the ID's failures; the lockout's misuse record stays (a year, §5).
    """
    _member(member)
    reset = reset_login_failures(username=member.username)
    audit.record_member_access(
        staff=staff,
        ip=ip,
        action=AccessRecord.Action.UNLOCK,
        member=member,
        detail=f"counters={reset}",
        now=now,
    )
    return reset


def exportable(members: QuerySet[User]) -> QuerySet[User]:
    """Members a staff export may include: never staff, never withdrawn or restricted members.

    Policy §7: a withdrawn member's data is kept only for the periods of §5, not used; a member
    with an open correction request is not provided until it is resolved.
    """
    return (
        members.filter(is_staff=False, is_superuser=False, closed_at__isnull=True)
        .exclude(pk__in=restricted_member_ids())
        .select_related("product")
        .order_by("username")
    )


@transaction.atomic
def export_members(*, members: QuerySet[User], staff: User, ip: str | None, reason: str) -> str:
    """CSV of the members' items for a staff export, with its access record naming each one
    and the reason for the download (고시 제8조)."""
    reason = clean_download_reason(reason)
    rows = list(exportable(members))
    text = csv_text(
        EXPORT_COLUMNS,
        (
            (
                member.username,
                member.company,
                member.project,
                member.product.slug if member.product else "",
                timezone.localtime(member.date_joined).isoformat(),
                member.is_active,
            )
            for member in rows
        ),
    )
    audit.record_access(
        staff=staff,
        ip=ip,
        action=AccessRecord.Action.EXPORT,
        members=rows,
        target=audit.MEMBER_TARGET,
        detail=f"csv rows={len(rows)}",
        reason=reason,
    )
    return text


@transaction.atomic
def export_member_data(*, member: User, staff: User, ip: str | None, reason: str) -> str:
    """The member's data export (policy §7 열람) made by staff, as JSON, with its access record
    and the reason for the download (고시 제8조): how a request to see one's data received by
    letter, phone or e-mail is answered.

    It holds what the member's own export holds, restricted or not, since it is made for the
    member. A staff account or a withdrawn member (whose data is kept, not used) is refused
    with ``NotAMember``.
    """
    reason = clean_download_reason(reason)
    _member(member)
    if member.is_closed:
        raise NotAMember
    text = json.dumps(member_data(member), ensure_ascii=False, indent=2)
    audit.record_member_access(
        staff=staff,
        ip=ip,
        action=AccessRecord.Action.EXPORT,
        member=member,
        detail=MEMBER_DATA_DETAIL,
        reason=reason,
    )
    return text
