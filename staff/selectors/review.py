"""The monthly review of staff access to personal data (안전성 확보조치 기준 §8 ②; policy §9 라).

The privacy officer checks, once a month, what each handler did: how often by action, which
single requests touched many members at once, what happened outside working hours, who
looked at members under a legal hold or with a pending correction (restricted), and every
download of personal data with the reason given for it (고시 제8조 ③). The officer then signs
the month off; the months not yet signed off are listed until they are.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Min
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from privacy.selectors import restricted_member_ids
from staff import hooks
from staff.models import AccessRecord, AccessReviewSignOff
from staff.validators import DOWNLOAD_REASON_MIN_LENGTH

# A reason the same handler gave (case and spacing aside) for this many downloads of one month
# or more is flagged: copied from one download to the next, it no longer says why each was needed.
REPETITIVE_DOWNLOADS = 3
# Both are needed to sign a review off: seeing the review, and the sign-off itself.
SIGN_OFF_PERMISSIONS = ("accounts.view_access_review", "staff.add_accessreviewsignoff")
FLAGS = {
    "empty": _("no reason"),
    "short": _("reason too short"),
    "repetitive": _("same reason repeated"),
}


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


@dataclass(frozen=True)
class Download:
    """One download of personal data (an export): who, when, what, how many members, why."""

    staff: str
    time: datetime.datetime
    target: str
    detail: str
    members: int
    reason: str
    flags: tuple[str, ...] = ()

    @property
    def flag_labels(self) -> list[str]:
        return [str(FLAGS[flag]) for flag in self.flags]


@dataclass
class AccessReview:
    month: datetime.date
    threshold: int
    # The first instant after the month: from then on it can be signed off.
    ends_at: datetime.datetime
    handlers: list[HandlerReview]
    downloads: list[Download]
    sign_off: AccessReviewSignOff | None

    @property
    def over(self) -> bool:
        return timezone.now() >= self.ends_at

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
        out.append(f"downloads={len(self.downloads)}")
        for download in self.downloads:
            local = timezone.localtime(download.time)
            flags = ",".join(download.flags) or "-"
            out.append(
                f"  download {local:%Y-%m-%d %H:%M} {download.staff} {download.target} "
                f"members={download.members} flags={flags} reason={download.reason!r}"
            )
        if self.sign_off is None:
            out.append("not signed off")
        else:
            signed = timezone.localtime(self.sign_off.signed_at)
            out.append(f"signed off {signed:%Y-%m-%d %H:%M} by {self.sign_off.signed_by_username}")
            if self.sign_off.remarks:
                out.append(f"  remarks {self.sign_off.remarks!r}")
        return out


def _normalised(reason: str) -> str:
    return " ".join(reason.split()).casefold()


def downloads(records) -> list[Download]:
    """Every download among ``records``, oldest first, with its flags (고시 제8조 ③).

    A download is one export: its access records share the handler and the time. Its reason is
    flagged ``empty`` when none was given (records older than the reason's field),
    ``short`` when shorter than ``DOWNLOAD_REASON_MIN_LENGTH`` characters, and
    ``repetitive`` when the same handler gave the same reason — compared with case folded and
    runs of white space made one space — for ``REPETITIVE_DOWNLOADS`` or more downloads of
    the month; every one of those downloads is flagged, the first included.
    """
    rows = list(
        records.filter(action=AccessRecord.Action.EXPORT)
        .values("staff_username", "time", "target", "detail", "reason")
        .annotate(members=Count("member"))
        .order_by("time", "staff_username")
    )
    given = Counter(
        (row["staff_username"], _normalised(row["reason"])) for row in rows if row["reason"].strip()
    )
    found = []
    for row in rows:
        reason = row["reason"].strip()
        flags = []
        if not reason:
            flags.append("empty")
        elif len(reason) < DOWNLOAD_REASON_MIN_LENGTH:
            flags.append("short")
        if reason and given[(row["staff_username"], _normalised(reason))] >= REPETITIVE_DOWNLOADS:
            flags.append("repetitive")
        found.append(
            Download(
                staff=row["staff_username"],
                time=row["time"],
                target=row["target"],
                detail=row["detail"],
                members=row["members"],
                reason=row["reason"],
                flags=tuple(flags),
            )
        )
    return found


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
        month=month,
        threshold=threshold,
        ends_at=end,
        handlers=[handlers[k] for k in sorted(handlers)],
        downloads=downloads(records),
        sign_off=AccessReviewSignOff.objects.filter(month=month).first(),
    )


def can_sign_off(user: User) -> bool:
    """Whether ``user`` may sign a month's review off: the privacy officer (and superusers)."""
    return user.has_perms(SIGN_OFF_PERMISSIONS)


def next_month(month: datetime.date) -> datetime.date:
    return month_bounds(month)[1].date()


def unreviewed_months(*, now: datetime.datetime | None = None) -> list[datetime.date]:
    """The months not yet signed off, oldest first: from the month of the oldest access record
    kept up to the last month that is over. Two queries, however many records there are."""
    first = AccessRecord.objects.aggregate(first=Min("time"))["first"]
    if first is None:
        return []
    month = timezone.localtime(first).date().replace(day=1)
    this_month = timezone.localtime(now or timezone.now()).date().replace(day=1)
    signed = set(
        AccessReviewSignOff.objects.filter(month__gte=month).values_list("month", flat=True)
    )
    months = []
    while month < this_month:
        if month not in signed:
            months.append(month)
        month = next_month(month)
    return months
