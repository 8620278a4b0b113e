"""``manage.py sync_roles [--check]``: the roles in the database as ``staff.roles`` defines them
(안전성 확보조치 기준 제5조).

Prints one line per difference. Exit 0 when the roles agree (or have been repaired), 1 with
``--check`` when they differ (nothing is changed: ops alert on it) or when ``staff.roles`` names
a permission no model defines.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from staff.exceptions import UnknownPermission
from staff.services.roles import sync_roles


class Command(BaseCommand):
    help = (
        "Bring the staff roles' groups to exactly the permissions staff.roles defines; "
        "with --check, only list the differences and exit 1 if there are any."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="List the differences and exit 1 if there are any; change nothing.",
        )

    def handle(self, *args, check, **options):
        try:
            differences = sync_roles(apply=not check)
        except UnknownPermission as error:
            raise CommandError(
                f"staff.roles names permissions that do not exist: {error}. "
                "Run migrate first, or correct staff.roles.",
                returncode=1,
            ) from error
        for difference in differences:
            self.stdout.write(str(difference))
        if not differences:
            self.stdout.write("The roles agree with staff.roles.")
        elif check:
            raise CommandError(
                f"{len(differences)} differences from staff.roles; run sync_roles to repair.",
                returncode=1,
            )
        else:
            self.stdout.write(f"{len(differences)} differences repaired.")
