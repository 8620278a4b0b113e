"""Release files added by staff, and the supply records of members' downloads (policy §5).

Release files are the vendor's own binaries, not personal data: they are stored as they are (no
encryption, unlike members' attachments), in the ``releases`` storage outside any URL, under a
random name, so that only the download view, which checks entitlement, serves them.
"""

from __future__ import annotations

import datetime
import hashlib
import unicodedata
import uuid
from typing import IO

from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from selfservice.exceptions import ReleaseFileRejected
from selfservice.models import Download, Release, ReleaseFile
from selfservice.selectors.releases import STORAGE

CHUNK = 1024 * 1024
NAME_MAX_LENGTH = ReleaseFile._meta.get_field("name").max_length


def checked_name(name: str) -> str:
    """``name`` as a release file's name (NFC, outer spaces removed), or ReleaseFileRejected.

    A name is a plain file name: nothing a browser, an unzip tool or a shell could take for a
    path (no ``/``, ``\\`` or ``..``), no NUL, control or invisible characters (U+202E turns
    ``gpj.exe`` around into something else on screen), no line breaks.
    """
    name = unicodedata.normalize("NFC", name).strip()
    if not name:
        raise ReleaseFileRejected(_("The file needs a name."), code="name_empty")
    if "/" in name or "\\" in name or ".." in name:
        raise ReleaseFileRejected(
            _("A file name must not contain “/”, “\\” or “..”: give the name alone, no folder."),
            code="name_path",
        )
    if any(unicodedata.category(char)[0] == "C" or char in "\u2028\u2029" for char in name):
        raise ReleaseFileRejected(
            _("The file name contains control or invisible characters."), code="name_control"
        )
    if len(name) > NAME_MAX_LENGTH:
        raise ReleaseFileRejected(
            _("A file name may have at most %(count)d characters.") % {"count": NAME_MAX_LENGTH},
            code="name_long",
        )
    return name


def check_size(size: int) -> None:
    """ReleaseFileRejected unless ``size`` bytes is a size staff may upload (not empty, at most
    ``RELEASE_FILE_MAX_BYTES``)."""
    if size == 0:
        raise ReleaseFileRejected(_("The file is empty."), code="empty")
    if size > settings.RELEASE_FILE_MAX_BYTES:
        raise ReleaseFileRejected(
            _("The file is larger than %(limit)s, the most a release file may be.")
            % {"limit": filesizeformat(settings.RELEASE_FILE_MAX_BYTES)},
            code="too_large",
        )


class _Measured(File):
    """The upload as the storage copies it: hashed and counted chunk by chunk as it goes, and
    refused as soon as it passes the limit, so that no more than a chunk is ever in memory and
    the bytes are read once. No ``temporary_file_path``: the storage copies instead of moving
    Django's temporary file, which is what lets the hash be taken on the way."""

    def __init__(self, upload: IO[bytes]):
        super().__init__(upload)
        self.digest = hashlib.sha256()
        self.count = 0

    def chunks(self, chunk_size=None):
        self.file.seek(0)
        while chunk := self.file.read(CHUNK):
            self.count += len(chunk)
            check_size(self.count)
            self.digest.update(chunk)
            yield chunk


def add_release_file(
    *, release: Release, upload: IO[bytes], name: str | None = None
) -> ReleaseFile:
    """Store ``upload`` as a file of ``release`` and return its row, with its size and SHA-256.

    ``name`` (else the upload's own name) is what members see and save the file as; it is
    checked (``checked_name``), as is the size (``check_size``): ReleaseFileRejected otherwise.
    Nothing stays half-stored: a refusal or an error while copying removes the partial file,
    and a failure to write the row removes the stored one.
    """
    name = checked_name(upload.name if name is None else name)
    if getattr(upload, "size", None) is not None:
        check_size(upload.size)
    storage = storages[STORAGE]
    storage_name = f"{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}"
    measured = _Measured(upload)
    saved = None
    try:
        saved = storage.save(storage_name, measured)
        if measured.count == 0:
            check_size(0)
        with transaction.atomic():
            return ReleaseFile.objects.create(
                release=release,
                name=name,
                size=measured.count,
                sha256=measured.digest.hexdigest(),
                storage_name=saved,
            )
    except BaseException:
        # Also on Ctrl-C in the middle of a multi-gigabyte copy by the command.
        storage.delete(saved or storage_name)
        raise


def discard_stored_file(*, release_file: ReleaseFile, using: str) -> None:
    """A release file's row is gone: its stored bytes go once the deletion is committed
    (whichever way the row went: the admin's inline, a release deleted with its files). Before
    the commit the row may still come back, and must find its file."""
    storage_name = release_file.storage_name
    transaction.on_commit(lambda: storages[STORAGE].delete(storage_name), using=using)


def record_download(
    *,
    member: User,
    release: Release,
    release_file: ReleaseFile,
    ip: str | None,
    now: datetime.datetime | None = None,
) -> Download:
    """Keep the 재화 등의 공급에 관한 기록 of ``member`` receiving ``release_file`` (policy §5, five
    years): what was supplied is named in the record itself, which outlives the release."""
    return Download.objects.create(
        time=now or timezone.now(),
        ip=ip,
        member=member,
        release=release,
        product=release.product.name,
        version=release.version,
        file_name=release_file.name,
    )
