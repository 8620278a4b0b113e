"""The staff dashboard: aggregates only, never a member's row (policy §9 다, least privilege).

Members with a pending correction are left out of every figure (policy §7: their data are not
used until corrected). Each figure is one query, whatever the number of members, except the
visits per day: the kept daily counts, today's, the restricted members, and their visits if any.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User, VisitRecord
from accounts.services import count_visits_per_day
from core.charts import BarChart, bar_chart
from core.dates import count_per_period, local_midnight
from privacy.selectors import open_requests, restricted_member_ids
from staff import hooks

# Company sizes as the number of members who named the company: (label, lowest, highest).
COMPANY_SIZES = (("1", 1, 1), ("2-5", 2, 5), ("6-20", 6, 20), ("21+", 21, None))
MONTHS = 12
VISIT_DAYS = 30
# The periods the dashboard offers: months of sign-ups and withdrawals, days of visits.
MONTH_CHOICES = (3, 6, 12, 24)
DAY_CHOICES = (7, 30, 90)


@dataclass
class Dashboard:
    by_product: list[tuple[str, int]]
    by_company_size: list[tuple[str, int]]
    signups: list[tuple[datetime.date, int]]
    withdrawals: list[tuple[datetime.date, int]]
    visits: list[tuple[datetime.date, int]]
    open_requests: int
    overdue_requests: int
    # Panels of the apps above (the support desk's figures), aggregates too.
    panels: list[dict]
    # Legal deadlines running now that the viewer may see (a breach's 72 hours), shown first.
    deadlines: list[dict]
    months: int = MONTHS
    days: int = VISIT_DAYS
    charts: dict[str, BarChart] | None = None


def _members():
    return User.objects.filter(is_staff=False, is_superuser=False).exclude(
        pk__in=restricted_member_ids()
    )


def members_by_product() -> list[tuple[str, int]]:
    rows = (
        _members()
        .filter(closed_at__isnull=True)
        .values("product__name")
        .annotate(n=Count("pk"))
        .order_by("product__name")
    )
    return [(row["product__name"] or "-", row["n"]) for row in rows]


def members_by_company_size() -> list[tuple[str, int]]:
    """How many companies have 1, 2–5, 6–20 or more members; company names never leave here."""
    sizes = (
        _members()
        .filter(closed_at__isnull=True)
        .exclude(company="")
        .values("company")
        .annotate(n=Count("pk"))
        .values_list("n", flat=True)
    )
    counts = {label: 0 for label, _low, _high in COMPANY_SIZES}
    for size in sizes:
        for label, low, high in COMPANY_SIZES:
            if size >= low and (high is None or size <= high):
                counts[label] += 1
    return list(counts.items())


def _month_starts(now: datetime.datetime, months: int) -> list[datetime.datetime]:
    """The first instants of the last ``months`` local months, then of the month after now's."""
    local = timezone.localtime(now)
    first = local.year * 12 + local.month - months
    return [
        local_midnight(datetime.date(index // 12, index % 12 + 1, 1))
        for index in range(first, first + months + 1)
    ]


def _per_month(
    rows, field_name: str, now: datetime.datetime, months: int = MONTHS
) -> dict[datetime.date, int]:
    bounds = _month_starts(now, months)
    counts = count_per_period(rows, field_name, bounds)
    return {start.date(): n for start, n in zip(bounds[:-1], counts, strict=True) if n}


def signups_per_month(
    now: datetime.datetime, months: int = MONTHS
) -> list[tuple[datetime.date, int]]:
    return sorted(_per_month(_members(), "date_joined", now, months).items())


def withdrawals_per_month(
    now: datetime.datetime, months: int = MONTHS
) -> list[tuple[datetime.date, int]]:
    """Closed accounts still in the primary database plus those already archived: two queries."""
    counts = _per_month(_members(), "closed_at", now, months)
    archived = hooks.archived_closures(_month_starts(now, months)[0])
    for month, n in _per_month(archived, "closed_at", now, months).items():
        counts[month] = counts.get(month, 0) + n
    return sorted(counts.items())


def visits_per_day(
    now: datetime.datetime, days_back: int = VISIT_DAYS
) -> list[tuple[datetime.date, int]]:
    """Visits of the last ``days_back`` local days, from the kept daily counts, less those of
    restricted members; a day's count is kept the first time the dashboard asks for it after
    the day."""
    today = timezone.localdate(now)
    days = [today - datetime.timedelta(days=n) for n in range(days_back - 1, -1, -1)]
    counts = count_visits_per_day(days=days, now=now)
    bounds = [local_midnight(day) for day in [*days, today + datetime.timedelta(days=1)]]
    # The members' ids as values, not a subquery: SQLite would then walk a month of visits by
    # time rather than the few restricted members' visits by member.
    restricted = list(restricted_member_ids().values_list("member_id", flat=True))
    theirs = (
        count_per_period(VisitRecord.objects.filter(member_id__in=restricted), "time", bounds)
        if restricted
        else [0] * len(days)
    )
    return [
        (day, counts[day] - left_out)
        for day, left_out in zip(days, theirs, strict=True)
        if counts[day] - left_out
    ]


def request_counts(now: datetime.datetime) -> tuple[int, int]:
    # Overdue as privacy.selectors.overdue_requests counts it, in the same single query.
    counts = open_requests().aggregate(
        open=Count("pk"), overdue=Count("pk", filter=Q(due_at__lt=now))
    )
    return counts["open"], counts["overdue"]


def _every_month(counts, now: datetime.datetime, months: int) -> list[tuple[str, int]]:
    """The sparse counts per month as one bar per month, the empty ones at zero."""
    found = dict(counts)
    starts = [start.date() for start in _month_starts(now, months)[:-1]]
    return [(f"{month:%Y-%m}", found.get(month, 0)) for month in starts]


def _every_day(counts, now: datetime.datetime, days: int) -> list[tuple[str, int]]:
    found = dict(counts)
    today = timezone.localdate(now)
    dates = [today - datetime.timedelta(days=n) for n in range(days - 1, -1, -1)]
    return [(f"{day:%m-%d}", found.get(day, 0)) for day in dates]


def dashboard(
    *,
    now: datetime.datetime | None = None,
    user=None,
    months: int = MONTHS,
    days: int = VISIT_DAYS,
) -> Dashboard:
    """The figures at ``now`` over the chosen periods; with ``user``, the deadlines that user
    may see too."""
    now = now or timezone.now()
    open_requests, overdue = request_counts(now)
    board = Dashboard(
        by_product=members_by_product(),
        by_company_size=members_by_company_size(),
        signups=signups_per_month(now, months),
        withdrawals=withdrawals_per_month(now, months),
        visits=visits_per_day(now, days),
        open_requests=open_requests,
        overdue_requests=overdue,
        panels=hooks.dashboard_panels(now),
        deadlines=[]
        if user is None
        else [panel for panel in hooks.deadline_panels(now=now, user=user) if panel],
        months=months,
        days=days,
    )
    board.charts = {
        "by_product": bar_chart(board.by_product),
        "signups": bar_chart(_every_month(board.signups, now, months)),
        "withdrawals": bar_chart(_every_month(board.withdrawals, now, months)),
        "visits": bar_chart(_every_day(board.visits, now, days)),
        "requests": bar_chart([(_("Open"), open_requests), (_("Overdue"), overdue)], width=320),
    }
    return board
