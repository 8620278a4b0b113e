"""First-response targets, counted in the support center's working hours."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone

from support import hooks


def add_working_hours(start: datetime.datetime, hours: float) -> datetime.datetime:
    """The instant ``hours`` working hours after ``start``.

    Working hours are ``STAFF_WORKING_HOURS`` on ``STAFF_WORKING_DAYS`` in ``TIME_ZONE``;
    what falls outside them does not count (public holidays are not known here).
    """
    zone = timezone.get_default_timezone()
    opens, closes = settings.STAFF_WORKING_HOURS
    remaining = datetime.timedelta(hours=hours)
    moment = timezone.localtime(start, zone)
    day = moment.date()
    while True:
        day_opens = datetime.datetime.combine(day, datetime.time(opens), tzinfo=zone)
        day_closes = datetime.datetime.combine(day, datetime.time(closes), tzinfo=zone)
        if day.weekday() in settings.STAFF_WORKING_DAYS and moment < day_closes:
            moment = max(moment, day_opens)
            if moment + remaining <= day_closes:
                return moment + remaining
            remaining -= day_closes - moment
        day += datetime.timedelta(days=1)
        moment = datetime.datetime.combine(day, datetime.time(opens), tzinfo=zone)


def first_response_due(
    *, member, product, category: str, received_at: datetime.datetime
) -> datetime.datetime:
    """When the first answer to ``member``'s inquiry of ``category`` about ``product`` received
    at ``received_at`` is due, in working hours: the target of the support contract covering
    them that day, else ``SUPPORT_FIRST_RESPONSE_HOURS``."""
    hours = hooks.first_response_hours(
        member=member,
        product=product,
        category=category,
        day=timezone.localtime(received_at).date(),
    )
    if hours is None:
        hours = settings.SUPPORT_FIRST_RESPONSE_HOURS[category]
    return add_working_hours(received_at, hours)
