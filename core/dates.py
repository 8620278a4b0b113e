"""Days as the site counts them: in ``TIME_ZONE``, whatever the server's clock zone."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Sequence

from django.db.models import Count, Q, QuerySet
from django.utils import timezone


def local_midnight(day: datetime.date) -> datetime.datetime:
    """The first instant of ``day`` in the site's time zone: where a period counted in whole
    days (policy §5 retention, §12 notice) starts or ends."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_default_timezone())


def count_per_period(rows: QuerySet, field: str, bounds: Sequence[datetime.datetime]) -> list[int]:
    """How many of ``rows`` fall in each period ``[bounds[i], bounds[i + 1])``, in one query.

    Periods are ranges compared in SQL, so the field's index applies and no database calls a
    function per row to truncate a date (on SQLite, Django's ``Trunc`` with a time zone is a
    Python function called for every row).
    """
    periods = list(itertools.pairwise(bounds))
    if not periods:
        return []
    totals = rows.filter(**{f"{field}__gte": bounds[0], f"{field}__lt": bounds[-1]}).aggregate(
        **{
            f"p{n}": Count("pk", filter=Q(**{f"{field}__gte": start, f"{field}__lt": end}))
            for n, (start, end) in enumerate(periods)
        }
    )
    return [totals[f"p{n}"] for n in range(len(periods))]
