"""Writing the 개인정보 접속기록 and the privilege-change records (policy §9 다/라).

Korea's safety-measure standard (개인정보의 안전성 확보조치 기준) asks for a record of every time
a handler touches personal data — who, when, from where, what, whose — kept two years, and of
every grant or removal of a privilege, kept three. Both are written here and nowhere else.
"""

from __future__ import annotations

import contextvars
import datetime
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.utils import timezone

from accounts.models import User
from staff.models import AccessRecord, PrivilegeChange

TARGET_LENGTH = AccessRecord._meta.get_field("target").max_length
DETAIL_LENGTH = AccessRecord._meta.get_field("detail").max_length
REASON_LENGTH = AccessRecord._meta.get_field("reason").max_length
CHANGE_LENGTH = PrivilegeChange._meta.get_field("change").max_length
# What a staff action on one member's account names as its target.
MEMBER_TARGET = "accounts.user"


@dataclass(frozen=True)
class Actor:
    """The staff member behind the current request, and their address."""

    user: User | None
    ip: str | None


# Signals (group membership, is_staff) do not see the request; the admin middleware puts the
# acting staff member here for the length of the request.
_actor: contextvars.ContextVar[Actor | None] = contextvars.ContextVar("staff_actor", default=None)


@contextmanager
def acting(*, user: User | None, ip: str | None) -> Iterator[None]:
    """Attribute the privilege changes made inside the block to ``user`` from ``ip``."""
    token = _actor.set(Actor(user=user, ip=ip))
    try:
        yield
    finally:
        _actor.reset(token)


def current_actor() -> Actor | None:
    return _actor.get()


def record_access(
    *,
    staff: User,
    ip: str | None,
    action: str,
    members: Iterable[User | int | None] = (),
    target: str = "",
    detail: str = "",
    reason: str = "",
    now: datetime.datetime | None = None,
) -> list[AccessRecord]:
    """Write one access record per member handled, or one without a member when none was.

    ``members`` are users or their primary keys; ``target`` names the page or model, ``detail``
    the search, filter or page that produced a list, ``reason`` why staff downloaded the data
    (고시 제8조; empty for any other action). One INSERT statement whatever the count.
    """
    now = now or timezone.now()
    pks = []
    for member in members:
        pk = member.pk if isinstance(member, User) else member
        if pk not in pks:
            pks.append(pk)
    rows = [
        AccessRecord(
            time=now,
            staff=staff,
            staff_username=staff.username,
            ip=ip,
            action=action,
            member_id=pk,
            target=target[:TARGET_LENGTH],
            detail=detail[:DETAIL_LENGTH],
            reason=reason[:REASON_LENGTH],
        )
        for pk in (pks or [None])
    ]
    return AccessRecord.objects.bulk_create(rows)


def record_member_access(
    *,
    staff: User,
    ip: str | None,
    action: str,
    member: User,
    detail: str = "",
    reason: str = "",
    now: datetime.datetime | None = None,
) -> AccessRecord:
    """Write the access record of a staff action on one member's account."""
    (record,) = record_access(
        staff=staff,
        ip=ip,
        action=action,
        members=[member],
        target=MEMBER_TARGET,
        detail=detail,
        reason=reason,
        now=now,
    )
    return record


def record_privilege_change(
    *,
    change: str,
    subject: User | None = None,
    group_name: str = "",
    now: datetime.datetime | None = None,
) -> PrivilegeChange:
    """Write a privilege grant or removal, attributed to the staff member acting now, if any.

    A change made outside a request (a management command, a migration) has no actor: the record
    still says what changed and when.
    """
    actor = current_actor()
    user = actor.user if actor and actor.user and actor.user.pk else None
    return PrivilegeChange.objects.create(
        time=now or timezone.now(),
        changed_by=user,
        changed_by_username=user.username if user else "",
        ip=actor.ip if actor else None,
        subject=subject,
        group_name=group_name,
        change=change[:CHANGE_LENGTH],
    )
