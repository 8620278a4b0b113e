"""``manage.py access_review --month YYYY-MM``: the monthly review of staff access (§9 라)."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError

from staff.selectors.review import access_review


def month(value: str) -> datetime.date:
    try:
        return datetime.datetime.strptime(value, "%Y-%m").date()
    except ValueError as error:
        raise CommandError("--month must be YYYY-MM") from error


class Command(BaseCommand):
    help = (
        "Print the monthly review of staff access to personal data: downloads with their "
        "reasons, and whether the privacy officer signed the month off."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="YYYY-MM")

    def handle(self, *args, **options):
        for line in access_review(month=month(options["month"])).lines():
            self.stdout.write(line)
