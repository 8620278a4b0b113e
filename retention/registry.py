"""The record categories of policy §5 and their periods: the single source of truth.

Every page, report, command and test that needs a retention period reads it from here.

Period arithmetic follows the Civil Act (민법) §157 and §160, in the site's time zone: the day
a record is made is not counted; a period of N months ends at the end of the day before the
same day N months after the first counted day, or at the end of that month when it has no such
day. A record is due for destruction at 00:00 right after its period ends. So a record made at
any time on 15 January with a one-month period is due on 16 February 00:00, and one made on
31 January is due on 1 March 00:00.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Category:
    key: str
    label: str
    months: int
    basis: str
    clock: str

    @property
    def period(self) -> str:
        if self.months % 12 == 0:
            return f"{self.months // 12}y"
        return f"{self.months}m"


CATEGORIES: tuple[Category, ...] = (
    Category(
        key="visit",
        label=_("Visit records"),
        months=3,
        basis=_("Protection of Communications Secrets Act"),
        clock=_("the visit"),
    ),
    Category(
        key="identity",
        label=_("Identity-verification records"),
        months=6,
        basis=_("Network Act"),
        clock=_("the verification"),
    ),
    Category(
        key="misuse",
        label=_("Misuse records"),
        months=12,
        basis=_("Internal policy: preventing misuse"),
        clock=_("the event"),
    ),
    Category(
        key="complaint",
        label=_("Consumer complaint and dispute records"),
        months=36,
        basis=_("E-Commerce Consumer Protection Act"),
        clock=_("the complaint's resolution"),
    ),
    Category(
        key="contract",
        label=_("Contract and withdrawal records"),
        months=60,
        basis=_("E-Commerce Consumer Protection Act"),
        clock=_("the withdrawal from membership"),
    ),
    Category(
        key="payment",
        label=_("Payment and supply records"),
        months=60,
        basis=_("E-Commerce Consumer Protection Act"),
        clock=_("the payment or supply"),
    ),
    Category(
        key="staff_access",
        label=_("Staff access records to personal data"),
        months=24,
        basis=_("Personal information safety standard"),
        clock=_("the access"),
    ),
    Category(
        key="privilege_change",
        label=_("Grants and removals of staff privileges"),
        months=36,
        basis=_("Personal information safety standard"),
        clock=_("the change"),
    ),
)

BY_KEY: dict[str, Category] = {category.key: category for category in CATEGORIES}


def category(key: str) -> Category:
    """Return the category registered under ``key``; KeyError for an unknown key."""
    return BY_KEY[key]


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later, or the first day of the next month when there is none."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    if day.day > calendar.monthrange(year, month)[1]:
        return add_months(datetime.date(year, month, 1), 1)
    return datetime.date(year, month, day.day)


def due_date(category: Category, started_at: datetime.datetime) -> datetime.datetime:
    """Return the instant a record of ``category`` whose clock started at ``started_at`` is due.

    See the module docstring for the rule: the first counted day is the day after the local
    date of ``started_at``; the result is local midnight of that day ``category.months`` later.
    """
    zone = timezone.get_default_timezone()
    first_counted_day = timezone.localtime(started_at, zone).date() + datetime.timedelta(days=1)
    due_day = add_months(first_counted_day, category.months)
    return datetime.datetime.combine(due_day, datetime.time.min, tzinfo=zone)
