"""``archive_closed_accounts [--dry-run]``: policy §6 가, closed accounts to the archive.

Exit 0 done, 1 failed (every record still in a consistent place; re-run to finish), 75 when a
purge or another archive run holds the lock.
"""

from django.core.management.base import BaseCommand, CommandError

from retention.exceptions import PurgeLocked, RetentionError
from retention.management import EXIT_FAILED, EXIT_LOCKED
from retention.services.archiving import archive_closed_accounts


class Command(BaseCommand):
    help = (
        "Move closed accounts' retained records to the archive database and delete every other "
        "trace of them. Exit 0 done, 1 failed, 75 another run holds the lock."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count the closed accounts; change nothing."
        )

    def handle(self, *args, dry_run, **options):
        try:
            result = archive_closed_accounts(dry_run=dry_run)
        except PurgeLocked as error:
            raise CommandError(
                "A purge_expired or archive_closed_accounts run holds the lock; nothing was done.",
                returncode=EXIT_LOCKED,
            ) from error
        except RetentionError as error:
            raise CommandError(
                f"archive failed ({error}); every record is still in the primary or the archive "
                "database. Re-run to finish.",
                returncode=EXIT_FAILED,
            ) from error
        self.stdout.write(result.summary_line())
        if result.erasure is not None:
            self.stdout.write(result.erasure.summary_line())
