"""Monthly partitions of the visit records on PostgreSQL (policy §5, §6 나).

The visit table is the largest by far: a row per page request, kept three months. On PostgreSQL
it is range-partitioned by month of its clock, in the site's time zone, with a DEFAULT partition
for anything outside the months made so far (accounts migration 0009). Expiry then drops whole
months: ``DETACH`` and ``DROP`` unlink the month's files, which leaves no byte behind and costs
the same at any size, where a row-by-row delete would write every row twice and still leave the
bytes in place.

The purge makes the coming months ahead of time (moving in any rows the DEFAULT partition holds
for them), drops every month whose rows are all due — keeping held rows, which move to the
DEFAULT partition — and deletes row by row only in the month the cutoff falls in. It then
rewrites that month's partition: this also clears what the archive move deleted there earlier,
which was a copy of visit records the archive still keeps, and so never outlives their own due
date. SQLite keeps one table; none of this runs there.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connections, transaction
from django.utils import timezone

from core.dates import local_midnight
from retention.registry import MEMBER_FK, Source

MONTHS_AHEAD = 2
LOCK_TIMEOUT = "5s"


@dataclass(frozen=True)
class Partition:
    name: str
    start: datetime.datetime
    end: datetime.datetime


def _quote(source: Source, name: str) -> str:
    return connections[source.database].ops.quote_name(name)


def _table(source: Source) -> str:
    return source.model_class._meta.db_table


def _column(source: Source, field: str) -> str:
    return _quote(source, source.model_class._meta.get_field(field).column)


def is_partitioned(source: Source) -> bool:
    """Whether ``source``'s table is partitioned (PostgreSQL, after accounts migration 0009)."""
    connection = connections[source.database]
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)",
            [_quote(source, _table(source))],
        )
        row = cursor.fetchone()
    return row is not None and row[0] == "p"


def default_partition(source: Source) -> str:
    return f"{_table(source)}_default"


def _month_start(day: datetime.date) -> datetime.datetime:
    return local_midnight(day.replace(day=1))


def _month_of(moment: datetime.datetime) -> datetime.datetime:
    return _month_start(timezone.localtime(moment).date())


def _month(source: Source, start: datetime.datetime) -> Partition:
    end = _month_start((start + datetime.timedelta(days=32)).date())
    return Partition(name=f"{_table(source)}_p{start:%Y%m}", start=start, end=end)


def months(source: Source) -> list[Partition]:
    """The monthly partitions attached now, oldest first (the DEFAULT one is not a month)."""
    with connections[source.database].cursor() as cursor:
        cursor.execute(
            "SELECT child.relname FROM pg_inherits "
            "JOIN pg_class child ON child.oid = pg_inherits.inhrelid "
            "WHERE pg_inherits.inhparent = to_regclass(%s) AND child.relname <> %s",
            [_quote(source, _table(source)), default_partition(source)],
        )
        stamps = [name.rsplit("_p", 1)[1] for (name,) in cursor.fetchall()]
    starts = sorted(_month_start(datetime.date(int(s[:4]), int(s[4:]), 1)) for s in stamps)
    return [_month(source, start) for start in starts]


def ensure_months(source: Source, *, now: datetime.datetime, cutoff: datetime.datetime) -> int:
    """Make the partitions from the month of ``cutoff`` (or of the oldest row the DEFAULT
    partition holds after it) to ``MONTHS_AHEAD`` months after ``now``.

    Rows the DEFAULT partition holds for those months move into them; returns how many moved
    (its file must then be rewritten). Rows before the cutoff stay where they are: they are
    due, or held.
    """
    clock, default = _column(source, source.clock), _quote(source, default_partition(source))
    with connections[source.database].cursor() as cursor:
        cursor.execute(f"SELECT min({clock}) FROM {default} WHERE {clock} >= %s", [cutoff])  # noqa: S608
        oldest = cursor.fetchone()[0]
    start = _month_of(min(moment for moment in (oldest, now, cutoff) if moment))
    start = max(start, _month_of(cutoff))
    last = _month_of(now)
    for _ in range(MONTHS_AHEAD):
        last = _month(source, last).end
    existing = {partition.name for partition in months(source)}
    moved = 0
    while start <= last:
        partition = _month(source, start)
        if partition.name not in existing:
            moved += _create(source, partition)
        start = partition.end
    return moved


def _create(source: Source, partition: Partition) -> int:
    """Attach ``partition``, moving into it the rows the DEFAULT partition holds for its month.

    One transaction: the rows are in the DEFAULT partition or in the new one, never in neither.
    Returns how many rows moved.
    """
    table, part = _quote(source, _table(source)), _quote(source, partition.name)
    default, clock = _quote(source, default_partition(source)), _column(source, source.clock)
    bounds = [partition.start, partition.end]
    with transaction.atomic(using=source.database), connections[source.database].cursor() as cursor:
        cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        cursor.execute(
            f"CREATE TABLE {part} (LIKE {table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
        )
        cursor.execute(
            f"WITH moved AS (DELETE FROM {default} WHERE {clock} >= %s AND {clock} < %s "  # noqa: S608
            f"RETURNING *) INSERT INTO {part} SELECT * FROM moved",
            bounds,
        )
        moved = cursor.rowcount
        cursor.execute(
            f"ALTER TABLE {table} ATTACH PARTITION {part} FOR VALUES FROM (%s) TO (%s)", bounds
        )
    return moved


def due_months(source: Source, cutoff: datetime.datetime) -> list[Partition]:
    """The partitions every row of which is due: their month ends at or before ``cutoff``."""
    return [partition for partition in months(source) if partition.end <= cutoff]


def _member_column(source: Source) -> str:
    (column,) = [column for column, kind in source.owners if kind == MEMBER_FK]
    return _column(source, column)


def drop_month(
    source: Source, partition: Partition, *, held_members: Iterable[int]
) -> tuple[int, int]:
    """Detach and drop ``partition``, keeping the rows of ``held_members`` (legal holds) in the
    DEFAULT partition. One transaction. Returns (rows destroyed, rows kept)."""
    table, part = _quote(source, _table(source)), _quote(source, partition.name)
    member, held = _member_column(source), sorted(set(held_members))
    with transaction.atomic(using=source.database), connections[source.database].cursor() as cursor:
        cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        cursor.execute(f"ALTER TABLE {table} DETACH PARTITION {part}")
        # No month covers these rows once detached: they land in the DEFAULT partition.
        keep = f"INSERT INTO {table} SELECT * FROM {part} WHERE {member} = ANY(%s)"  # noqa: S608
        cursor.execute(keep, [held])
        kept = cursor.rowcount
        cursor.execute(f"SELECT count(*) FROM {part}")  # noqa: S608
        total = cursor.fetchone()[0]
        # A table with deferred foreign-key checks still queued cannot be dropped: run them now,
        # then defer again as Django's keys are declared.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"DROP TABLE {part}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    return total - kept, kept


def open_partitions(source: Source, cutoff: datetime.datetime) -> list[str]:
    """The partition the cutoff falls in, and the DEFAULT one: where the purge deletes row by
    row, and which it then rewrites."""
    straddling = [p.name for p in months(source) if p.start < cutoff < p.end]
    return [*straddling, default_partition(source)]
