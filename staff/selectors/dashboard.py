"""The staff dashboard: aggregates only, never a member's row (policy §9 다, least privilege).

Members with a pending correction are left out of every figure (policy §7: their data are not
used until corrected). Each figure is one query, whatever the number of members.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from accounts.models import User, VisitRecord
from privacy.selectors import open_requests, restricted_member_ids
from staff import hooks

# Company sizes as the number of members who named the company: (label, lowest, highest).
COMPANY_SIZES = (("1", 1, 1), ("2-5", 2, 5), ("6-20", 6, 20), ("21+", 21, None))
MONTHS = 12
VISIT_DAYS = 30


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


def _per_month(rows, field_name: str) -> list[tuple[datetime.date, int]]:
    zone = timezone.get_default_timezone()
    return [
        (row["month"].date() if hasattr(row["month"], "date") else row["month"], row["n"])
        for row in rows.annotate(month=TruncMonth(field_name, tzinfo=zone))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by("month")
    ]


def _since(now: datetime.datetime, months: int) -> datetime.datetime:
    local = timezone.localtime(now)
    month_index = local.year * 12 + local.month - 1 - (months - 1)
    return local.replace(
        year=month_index // 12, month=month_index % 12 + 1, day=1, hour=0, minute=0, second=0,
        microsecond=0,
    )  # fmt: skip


def signups_per_month(now: datetime.datetime) -> list[tuple[datetime.date, int]]:
    return _per_month(_members().filter(date_joined__gte=_since(now, MONTHS)), "date_joined")


def withdrawals_per_month(now: datetime.datetime) -> list[tuple[datetime.date, int]]:
    """Closed accounts still in the primary database plus those already archived: two queries."""
    since = _since(now, MONTHS)
    counts: dict[datetime.date, int] = {}
    for rows in (
        _members().filter(closed_at__gte=since),
        hooks.archived_closures(since),
    ):
        for month, n in _per_month(rows, "closed_at"):
            counts[month] = counts.get(month, 0) + n
    return sorted(counts.items())


def visits_per_day(now: datetime.datetime) -> list[tuple[datetime.date, int]]:
    since = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    since -= datetime.timedelta(days=VISIT_DAYS - 1)
    rows = (
        VisitRecord.objects.filter(time__gte=since)
        .exclude(member_id__in=restricted_member_ids())
        .annotate(day=TruncDate("time", tzinfo=timezone.get_default_timezone()))
        .values("day")
        .annotate(n=Count("pk"))
        .order_by("day")
    )
    return [(row["day"], row["n"]) for row in rows]


def request_counts(now: datetime.datetime) -> tuple[int, int]:
    # Overdue as privacy.selectors.overdue_requests counts it, in the same single query.
    counts = open_requests().aggregate(
        open=Count("pk"), overdue=Count("pk", filter=Q(due_at__lt=now))
    )
    return counts["open"], counts["overdue"]


def dashboard(*, now: datetime.datetime | None = None) -> Dashboard:
    now = now or timezone.now()
    open_requests, overdue = request_counts(now)
    return Dashboard(
        by_product=members_by_product(),
        by_company_size=members_by_company_size(),
        signups=signups_per_month(now),
        withdrawals=withdrawals_per_month(now),
        visits=visits_per_day(now),
        open_requests=open_requests,
        overdue_requests=overdue,
        panels=hooks.dashboard_panels(now),
    )
