"""``announce_policy FILE --effective YYYY-MM-DD``: announce a new policy version (policy §12)."""

from __future__ import annotations

import datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.dates import local_midnight
from privacy import services
from privacy.exceptions import PolicyRefused
from privacy.models import PolicyVersion, label_validator
from privacy.selectors import policy_in_force

REFUSED = 2


def refuse(message: str) -> CommandError:
    return CommandError(message, returncode=REFUSED)


class Command(BaseCommand):
    help = (
        "Announce a new privacy policy version from a Markdown file, with its notice, now. "
        "Exit 0 when announced, 2 when refused (nothing is written)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The new policy text, in Markdown (UTF-8).")
        parser.add_argument("--effective", required=True, help="Effective date, YYYY-MM-DD.")
        parser.add_argument("--label", help="Version label; default: the next major number.")
        parser.add_argument("--summary", default="", help="What changes, in a sentence or two.")
        parser.add_argument("--title", help="Title; default: the file's first '# ' heading.")
        parser.add_argument(
            "--requires-consent",
            action="store_true",
            help="The change touches what members consented to: they must agree again.",
        )
        parser.add_argument(
            "--material",
            action="store_true",
            help="New items collected, new third-party provision or longer retention.",
        )

    def handle(
        self, *args, file, effective, label, summary, title, material, requires_consent, **options
    ):
        try:
            body = file.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as error:
            raise refuse(f"Cannot read {file}: {error}") from error
        if not body:
            raise refuse(f"{file} is empty.")
        try:
            day = datetime.date.fromisoformat(effective)
        except ValueError as error:
            raise refuse(f"--effective must be a date as YYYY-MM-DD, not {effective!r}.") from error
        label = label or services.next_label()
        try:
            label_validator(label)
        except ValidationError as error:
            raise refuse(" ".join(error.messages)) from error
        in_force = policy_in_force()
        title = title or services.title_from_markdown(body) or (in_force and in_force.title)
        if not title:
            raise refuse("Give --title: the file has no '# ' heading.")
        version = PolicyVersion(
            label=label,
            title=title,
            body=body,
            summary=summary,
            material=material,
            requires_consent=requires_consent,
            effective_at=local_midnight(day),
        )
        try:
            services.announce_policy_version(version=version)
        except PolicyRefused as error:
            raise refuse(str(error)) from error
        self.stdout.write(
            f"Announced version {version.label} ({version.title}): announced "
            f"{timezone.localtime(version.announced_at):%Y-%m-%d %H:%M}, effective "
            f"{timezone.localtime(version.effective_at):%Y-%m-%d %H:%M}"
            f"{', material change' if material else ''}; notice published."
        )
