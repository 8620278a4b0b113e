"""Days as the site counts them: in ``TIME_ZONE``, whatever the server's clock zone."""

from __future__ import annotations

import datetime

from django.utils import timezone


def local_midnight(day: datetime.date) -> datetime.datetime:
    """The first instant of ``day`` in the site's time zone: where a period counted in whole
    days (policy §5 retention, §12 notice) starts or ends."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_default_timezone())
