"""The monthly review of staff access to personal data (안전성 확보조치 기준 §8 ②; policy §9 라).

The privacy officer checks, once a month, what each handler did: how often by action, which
single requests touched many members at once, what happened outside working hours, and who
looked at members under a legal hold or with a pending correction (restricted).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from privacy.selectors import restricted_member_ids
from staff import hooks
from staff.models import AccessRecord


@dataclass(frozen=True)
class Event:
    """One request's worth of access records: same handler, time and action."""

    staff: str
    time: datetime.datetime
    action: str
    members: int


@dataclass
class HandlerReview:
    staff: str
    by_action: dict[str, int] = field(default_factory=dict)
    records: int = 0
    bulk: list[Event] = field(default_factory=list)
    after_hours: list[Event] = field(default_factory=list)
    sensitive: list[Event] = field(default_factory=list)


@dataclass
class AccessReview:
    month: datetime.date
    threshold: int
    handlers: list[HandlerReview]

    def lines(self) -> list[str]:
        """Plain lines for the command; staff IDs only, as the review screen shows them."""
        out = [f"access review {self.month:%Y-%m} bulk_threshold={self.threshold}"]
        for handler in self.handlers:
            counts = " ".join(f"{action}={n}" for action, n in sorted(handler.by_action.items()))
            out.append(f"{handler.staff} records={handler.records} {counts}")
            for label, events in (
                ("bulk", handler.bulk),
                ("after_hours", handler.after_hours),
                ("held_or_restricted", handler.sensitive),
            ):
                for event in events:
                    local = timezone.localtime(event.time)
                    out.append(
                        f"  {label} {local:%Y-%m-%d %H:%M} {event.action} members={event.members}"
                    )
        if not self.handlers:
            out.append("no access recorded")
        return out


def month_bounds(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The first instant of ``month`` and of the next one, in the site's time zone."""
    zone = timezone.get_default_timezone()
    start = datetime.datetime(month.year, month.month, 1, tzinfo=zone)
    following = datetime.datetime(
        month.year + month.month // 12, month.month % 12 + 1, 1, tzinfo=zone
    )
    return start, following


def is_working_time(moment: datetime.datetime) -> bool:
    """Working hours are ``STAFF_WORKING_HOURS`` on ``STAFF_WORKING_DAYS``, in ``TIME_ZONE``."""
    local = timezone.localtime(moment)
    start, end = settings.STAFF_WORKING_HOURS
    return local.weekday() in settings.STAFF_WORKING_DAYS and start <= local.hour < end


def access_review(*, month: datetime.date) -> AccessReview:
    """Build the review of ``month`` from the access records; reads, changes nothing."""
    start, end = month_bounds(month)
    records = AccessRecord.objects.filter(time__gte=start, time__lt=end)
    threshold = settings.ACCESS_REVIEW_BULK_THRESHOLD
    sensitive_pks = hooks.held_member_pks() | set(
        records.filter(member_id__in=restricted_member_ids()).values_list("member_id", flat=True)
    )
    handlers: dict[str, HandlerReview] = {}
    for row in records.values("staff_username", "action").annotate(n=Count("pk")):
        handler = handlers.setdefault(row["staff_username"], HandlerReview(row["staff_username"]))
        handler.by_action[row["action"]] = row["n"]
        handler.records += row["n"]
    events: dict[tuple, list[int | None]] = defaultdict(list)
    for staff, moment, action, member_id in (
        records.order_by("time", "pk")
        .values_list("staff_username", "time", "action", "member_id")
        .iterator()
    ):
        events[(staff, moment, action)].append(member_id)
    for (staff, moment, action), members in events.items():
        event = Event(staff=staff, time=moment, action=action, members=len(members))
        handler = handlers[staff]
        if action in (AccessRecord.Action.LIST, AccessRecord.Action.EXPORT) and (
            len(members) > threshold
        ):
            handler.bulk.append(event)
        if not is_working_time(moment):
            handler.after_hours.append(event)
        if sensitive_pks.intersection(members):
            handler.sensitive.append(event)
    return AccessReview(
        month=month, threshold=threshold, handlers=[handlers[k] for k in sorted(handlers)]
    )
