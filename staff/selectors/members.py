"""A member's status as staff see it on the member list and page: active, withdrawn, suspended,
or locked out of logging in until a time (policy §9 나: the lockout after failed logins)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, OuterRef, QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.translation import pgettext

from accounts.models import User


def with_lockout(
    members: QuerySet[User], *, now: datetime.datetime | None = None
) -> QuerySet[User]:
    """Annotate ``last_lockout``: the latest failure of a lockout of the member's ID in force.

    django-axes locks an ID and address pair out once its failures within ``AXES_COOLOFF_TIME``
    reach ``AXES_FAILURE_LIMIT``, counting each browser apart and adding them up; the lockout
    lasts the cool-off from the last failure. A subquery of the list's own query: no query per
    member.
    """
    since = (now or timezone.now()) - settings.AXES_COOLOFF_TIME
    lockouts = (
        AccessAttempt.objects.filter(username=OuterRef("username"), attempt_time__gte=since)
        .order_by()
        .values("ip_address")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        .order_by("-last")
        .values("last")[:1]
    )
    return members.annotate(last_lockout=Subquery(lockouts))


@dataclass(frozen=True)
class MemberStatus:
    """One of ``active``, ``withdrawn``, ``suspended`` or ``locked``, and when a lockout ends."""

    state: str
    locked_until: datetime.datetime | None = None

    def __str__(self) -> str:
        if self.state == "locked":
            until = timezone.localtime(self.locked_until).strftime("%H:%M")
            return pgettext("member status", "locked until %(time)s") % {"time": until}
        return {
            "active": pgettext("member status", "active"),
            "withdrawn": pgettext("member status", "withdrawn"),
            "suspended": pgettext("member status", "suspended"),
        }[self.state]


def member_status(member: User) -> MemberStatus:
    """The status of a member read through ``with_lockout``.

    Withdrawal comes first (the ID can never log in again), then a staff suspension, then a
    lockout, which ends by itself.
    """
    if member.closed_at is not None:
        return MemberStatus("withdrawn")
    if not member.is_active:
        return MemberStatus("suspended")
    if member.last_lockout is not None:
        return MemberStatus("locked", member.last_lockout + settings.AXES_COOLOFF_TIME)
    return MemberStatus("active")
