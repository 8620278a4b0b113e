"""``manage.py compliance_status [--json]``: the officer's live checks, for cron alerting."""

import json

from django.core.management.base import BaseCommand, CommandError

from compliance.checks import RED
from compliance.selectors.status import compliance_checks, overall


class Command(BaseCommand):
    help = (
        "The privacy officer's live compliance checks (retention, members' rights, staff, "
        "policy). Exits 1 when any check is red."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Machine-readable output.")

    def handle(self, *args, **options):
        checks = compliance_checks()
        status = overall(checks)
        if options["json"]:
            report = {"status": status, "checks": [check.as_dict() for check in checks]}
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
        else:
            for check in checks:
                line = f"{check.state:<5} {check.key:<32} {check.value}"
                self.stdout.write(f"{line}  {check.detail}".rstrip())
        if status == RED:
            raise CommandError("Something is red.", returncode=1)
