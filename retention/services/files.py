"""Files that go with their rows: a stored file no row names any more is deleted (policy §6 나).

A registered source may stand for files (``Source.files``: a storage and the field naming the
file). After the rows are destroyed and their bytes made unrecoverable, every file in those
storages that no row names — in the primary database, or in an archived copy — is deleted.
Deleting files last is what makes crypto-shredding hold: an attachment's key goes with its
inquiry's row first, so a copy of the file taken earlier is already unreadable. Sweeping rather
than deleting file by file also removes what a crash left behind. Files younger than
``GRACE`` are spared: their rows may be about to be committed.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.core.files.storage import Storage, storages
from django.utils import timezone

from retention.models import ArchivedRecord
from retention.registry import CATEGORIES, WITH_THE_ACCOUNT, Source

GRACE = datetime.timedelta(hours=1)


def _file_sources() -> list[Source]:
    sources = [s for entry in (*CATEGORIES, WITH_THE_ACCOUNT) for s in entry.sources if s.files]
    return list({(source.model, source.files): source for source in sources}.values())


def _named(storage_alias: str) -> set[str]:
    """Every file of ``storage_alias`` a row names, in either database."""
    names = set()
    for source in _file_sources():
        alias, field = source.files
        if alias != storage_alias:
            continue
        model = source.model_class
        names.update(model._base_manager.values_list(field, flat=True))
        archived = ArchivedRecord.objects.filter(
            source_key__startswith=f"{model._meta.db_table}:"
        ).values_list(f"data__{field}", flat=True)
        names.update(archived)
    return names


def _walk(storage: Storage, folder: str = "") -> Iterator[str]:
    try:
        folders, names = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in names:
        yield f"{folder}/{name}" if folder else name
    for sub in folders:
        yield from _walk(storage, f"{folder}/{sub}" if folder else sub)


def sweep(*, now: datetime.datetime | None = None) -> int:
    """Delete the stored files no row names and older than ``GRACE``; returns how many."""
    now = now or timezone.now()
    deleted = 0
    for alias in sorted({source.files[0] for source in _file_sources()}):
        storage, named = storages[alias], _named(alias)
        for name in _walk(storage):
            if name in named or storage.get_modified_time(name) > now - GRACE:
                continue
            storage.delete(name)
            deleted += 1
    return deleted
