"""``manage.py add_release_file <product-slug> <version> <path> [--name NAME]``: add a file to a
release from the server's disk, for files too large to upload through a browser.

The same service as the admin's upload: the file is copied in chunks into the ``releases``
storage, its SHA-256 and size taken on the way. Exit 0 added, 2 bad input (no such release,
no such file, a refused name or size): nothing stored.
"""

from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from selfservice.exceptions import ReleaseFileRejected
from selfservice.models import Release
from selfservice.services.releases import add_release_file

BAD_INPUT = 2


class Command(BaseCommand):
    help = "Add a file on this server's disk to a release (published or not)."

    def add_arguments(self, parser):
        parser.add_argument("product", help="The product's slug, e.g. nexcore-framework.")
        parser.add_argument("version", help="The release's version, as in the admin.")
        parser.add_argument("path", type=Path, help="The file to add.")
        parser.add_argument(
            "--name", help="The name members see and save it as (default: the file's own name)."
        )

    def handle(self, *args, product, version, path, name, **options):
        release = Release.objects.filter(product__slug=product, version=version).first()
        if release is None:
            raise CommandError(
                f"No release {version} of product {product!r}.", returncode=BAD_INPUT
            )
        if not path.is_file():
            raise CommandError(f"{path} is not a file.", returncode=BAD_INPUT)
        try:
            source = path.open("rb")
        except OSError as error:
            raise CommandError(
                f"Cannot read {path}: {error.strerror}.", returncode=BAD_INPUT
            ) from error
        try:
            with source:
                item = add_release_file(
                    release=release, upload=File(source, name=path.name), name=name
                )
        except ReleaseFileRejected as error:
            raise CommandError(
                f"{error.message} Nothing was stored.", returncode=BAD_INPUT
            ) from error
        self.stdout.write(
            f"Added {item.name} to {release}: {item.size} bytes, SHA-256 {item.sha256} "
            f"(file {item.pk})."
        )
