"""``manage.py purge_expired [--dry-run] [--batch-size N]``: the daily destruction of policy §5/§6.

Exit 0 done, 1 failed (every record still in a consistent place), 75 (EX_TEMPFAIL) when another
run holds the lock, so cron wrappers can tell "try later" from "look at this".
"""

import sys

from django.core.management.base import BaseCommand, CommandError

from retention.exceptions import PurgeFailed, PurgeLocked
from retention.management import EXIT_FAILED, EXIT_LOCKED
from retention.services.purge import purge_expired


class Command(BaseCommand):
    # A cron job on a deployed release: the checks ran at deploy time, and skipping them keeps
    # each run's start-up short.
    requires_system_checks = []
    help = (
        "Archive closed accounts, then destroy every record whose retention period has lapsed, "
        "in both databases. One summary line per category."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would be destroyed; change nothing."
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=50_000,
            help="Most rows deleted per statement and transaction (default 50000).",
        )

    def handle(self, *args, dry_run, batch_size, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.", returncode=2)
        progress = self._progress if self.stdout.isatty() else None
        try:
            result = purge_expired(dry_run=dry_run, batch_size=batch_size, progress=progress)
        except PurgeLocked as error:
            raise CommandError(
                "Another purge_expired run holds the lock; nothing was done.",
                returncode=EXIT_LOCKED,
            ) from error
        except PurgeFailed as error:
            raise CommandError(
                f"purge failed ({error}); every record is still in the primary or the archive "
                "database. Re-run to finish.",
                returncode=EXIT_FAILED,
            ) from error
        if progress:
            sys.stdout.write("\r\033[K")
        for line in result.summary_lines():
            self.stdout.write(line)

    def _progress(self, key: str, deleted: int) -> None:
        sys.stdout.write(f"\r\033[K{key}: {deleted:,} rows…")
        sys.stdout.flush()
