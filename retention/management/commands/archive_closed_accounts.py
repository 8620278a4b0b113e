"""``archive_closed_accounts [--dry-run]``: policy §6 가, closed accounts to the archive."""

from django.core.management.base import BaseCommand, CommandError

from retention.exceptions import RetentionError
from retention.services.archiving import archive_closed_accounts


class Command(BaseCommand):
    help = (
        "Move closed accounts' retained records to the archive database and delete every other "
        "trace of them. Exit 0 done, 1 failed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count the closed accounts; change nothing."
        )

    def handle(self, *args, dry_run, **options):
        try:
            result = archive_closed_accounts(dry_run=dry_run)
        except RetentionError as error:
            raise CommandError(f"archive failed: {error}", returncode=1) from error
        verb = "to_archive" if dry_run else "archived"
        self.stdout.write(f"archive {verb}={result.members} records={result.records}")
