"""``manage.py retention_report [--json]``: what is kept, where, until when (policy §5)."""

import json

from django.core.management.base import BaseCommand

from retention.selectors import category_report, hold_report


class Command(BaseCommand):
    help = (
        "Per retention category: period, legal basis, rows held in each database, oldest "
        "record, next deletion date, rows on legal hold."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Machine-readable output.")

    def handle(self, *args, **options):
        report = {"categories": category_report(), "holds": hold_report()}
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
            return
        for entry in report["categories"]:
            self.stdout.write(
                f"{entry['key']:<17} {entry['period']:>3}  primary={entry['rows_primary']} "
                f"archive={entry['rows_archive']} on_hold={entry['on_hold']} "
                f"oldest={entry['oldest'] or '-'} next_due={entry['next_due'] or '-'}  "
                f"({entry['basis']})"
            )
        for hold in report["holds"]:
            rows = ", ".join(f"{key}={count}" for key, count in hold["rows"].items()) or "-"
            self.stdout.write(f"hold #{hold['hold']} review_on={hold['review_on']} keeps {rows}")
