"""One purge at a time: a PostgreSQL advisory lock, or an exclusive lock file on SQLite."""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.db import connections

from retention.exceptions import PurgeLocked

# pg_try_advisory_lock key: "NXPURGE" as a number, so it cannot clash with another app's lock.
ADVISORY_LOCK_KEY = int.from_bytes(b"NXPURGE", "big")
LOCK_FILE_NAME = "purge_expired.lock"


def lock_file_path() -> Path:
    return Path(settings.VAR_DIR) / LOCK_FILE_NAME


@contextlib.contextmanager
def purge_lock(*, using: str = "default") -> Iterator[None]:
    """Hold the purge lock for the ``with`` block, or raise PurgeLocked at once (never wait).

    On PostgreSQL the lock belongs to the database session, so it is released even when the
    process dies; on SQLite ``flock`` is released by the kernel when the file is closed.
    """
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [ADVISORY_LOCK_KEY])
            if not cursor.fetchone()[0]:
                raise PurgeLocked
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_LOCK_KEY])
        return
    path = lock_file_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as lock_file:
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PurgeLocked from None
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)
