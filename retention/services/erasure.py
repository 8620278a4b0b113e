"""Deleting rows in bulk without loading them, and making the deleted bytes unrecoverable.

Policy §6 나: "전자적 파일 형태로 저장된 개인정보는 기록을 재생할 수 없는 기술적 방법을 사용하여
삭제합니다." SQLite runs with ``secure_delete`` on (settings), which zeroes freed cells and pages;
the old page images still sit in the write-ahead log until it is checkpointed and truncated.

On PostgreSQL a deleted row stays in its page until something overwrites it: ``VACUUM`` only
marks the space free. So every table that lost rows is rewritten with ``VACUUM FULL`` — a new
file holding the live rows only, indexes rebuilt, the old files unlinked — and ``ANALYZE``d, so
that its statistics stop quoting deleted values. The rewrite holds an exclusive lock on the
table: it waits at most ``LOCK_TIMEOUT`` for it, so the site is never queued behind it for
long, and a table it could not lock stays pending (``PendingErasure``) for the next run.
Partitioned tables are rewritten partition by partition by the purge (``retention.partitions``).
"""

from __future__ import annotations

import contextlib
import datetime
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db import OperationalError, connections, models, transaction
from django.db.models import CASCADE, SET_NULL

from retention.exceptions import EraseIncomplete
from retention.models import PendingErasure
from retention.services.files import sweep as sweep_files

# How long a rewrite waits for its table's lock before it gives way, and how often it tries.
LOCK_TIMEOUT = "2s"
LOCK_ATTEMPTS = 3
LOCK_NOT_AVAILABLE = "55P03"
# SQLite's own default: a connection checkpoints once the WAL holds this many pages.
SQLITE_AUTOCHECKPOINT_PAGES = 1000
# How long the erasure's checkpoint waits for another connection's checkpoint, and how often
# it tries meanwhile.
CHECKPOINT_PATIENCE = 10.0
CHECKPOINT_RETRY = 0.05


def reverse_relations(model: type[models.Model]):
    """Every foreign key pointing at ``model``, those without a reverse accessor included."""
    return [
        relation
        for relation in model._meta.get_fields(include_hidden=True)
        if relation.auto_created and not relation.concrete and not relation.many_to_many
    ]


def cascade_tables(model: type[models.Model]) -> list[str]:
    """The tables a delete from ``model`` touches: its own and those of its cascading rows."""
    tables = [model._meta.db_table]
    for relation in reverse_relations(model):
        if relation.on_delete is CASCADE:
            tables.extend(cascade_tables(relation.related_model))
    return tables


def will_delete_from(alias: str, tables: Iterable[str]) -> None:
    """Record, before deleting, that ``tables`` of database ``alias`` must be rewritten.

    Called inside the delete's transaction: in the primary database the record commits with the
    delete; for the archive it commits first, so a crash in between costs at most a rewrite
    that was not needed.
    """
    PendingErasure.objects.bulk_create(
        [PendingErasure(database=alias, table=table) for table in sorted(set(tables))],
        ignore_conflicts=True,
    )


def delete_rows(rows: models.QuerySet) -> int:
    """Delete ``rows`` with SQL DELETE statements and return how many went; nothing is loaded.

    ``QuerySet.delete()`` loads instances whenever a model has signal receivers or cascading
    relations; at millions of rows that is unbounded memory. Rows that cascade from these (e.g.
    django-axes' attempt expirations) are deleted first, by subquery, in the same transaction,
    and keys declared SET_NULL are cleared, as ``delete()`` would. Any other relation would need
    a decision this function cannot make, so it refuses. The tables are recorded as pending
    erasure first.
    """
    model, using = rows.model, rows.db
    with transaction.atomic(using=using):
        will_delete_from(using, cascade_tables(model))
        for relation in reverse_relations(model):
            dependants = relation.related_model._base_manager.using(using).filter(
                **{f"{relation.field.name}__in": rows.values("pk")}
            )
            if relation.on_delete is CASCADE:
                delete_rows(dependants)
            elif relation.on_delete is SET_NULL:
                dependants.update(**{relation.field.name: None})
            else:
                raise TypeError(f"{model._meta.label}: cannot bulk-delete past {relation.name}")
        # _raw_delete is the one DELETE statement QuerySet.delete() itself issues when it may.
        return rows._raw_delete(using)


def keep_only(survivors: models.QuerySet) -> int:
    """SQLite: rebuild the table of ``survivors``' model holding those rows alone; return how
    many rows went.

    Deleting most of a table row by row updates every index once per row; copying the rows that
    stay into a new table and dropping the old one writes each page once (Django's SQLite schema
    editor alters tables the same way). The table's own ``CREATE`` statements are replayed, so
    its columns, constraints and indexes stay as they were, and so does its ``AUTOINCREMENT``
    counter: no id is ever handed out twice. It is one transaction: a crash leaves the old table
    or the new one, never a mix. The dropped pages are zeroed (``secure_delete``) like deleted
    rows. Writers wait for the whole rebuild, which callers keep short by the table's size.
    """
    model, using = survivors.model, survivors.db
    connection = connections[using]
    table = model._meta.db_table
    kept_table = f"{table}__kept"
    quote = connection.ops.quote_name
    columns = [field.column for field in model._meta.concrete_fields]
    select, params = survivors.values_list(
        *(field.attname for field in model._meta.concrete_fields)
    ).query.sql_with_params()
    with transaction.atomic(using=using), connection.cursor() as cursor:
        will_delete_from(using, [table])
        cursor.execute(
            "SELECT type, sql FROM sqlite_master WHERE tbl_name = %s AND sql IS NOT NULL", [table]
        )
        schema = cursor.fetchall()
        create = [sql for kind, sql in schema if kind == "table"]
        rest = [sql for kind, sql in schema if kind != "table"]
        prefix = f"CREATE TABLE {quote(table)} "
        if len(create) != 1 or not create[0].startswith(prefix):
            raise ValueError(f"{table}: not a table this function can rebuild")
        cursor.execute(f"SELECT count(*) FROM {quote(table)}")  # noqa: S608 (a model's own table)
        (before,) = cursor.fetchone()
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        counter = cursor.fetchone()
        cursor.execute(f"CREATE TABLE {quote(kept_table)} " + create[0].removeprefix(prefix))
        cursor.execute(
            f"INSERT INTO {quote(kept_table)} ({', '.join(map(quote, columns))}) {select}", params
        )
        kept = cursor.rowcount
        cursor.execute(f"DROP TABLE {quote(table)}")
        cursor.execute(f"ALTER TABLE {quote(kept_table)} RENAME TO {quote(table)}")
        for sql in rest:
            cursor.execute(sql)
        if counter is not None:
            # The copy set the counter to the highest id kept, or set none if nothing was kept.
            cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [table])
            cursor.execute(
                "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, counter[0]]
            )
    return before - kept


@dataclass
class Erasure:
    """What a run did to make its deletions unrecoverable."""

    rewrites: dict[str, float] = field(default_factory=dict)
    files: int = 0

    def summary_line(self) -> str:
        longest = max(self.rewrites.values(), default=0.0)
        return (
            f"erase rewritten={len(self.rewrites)} longest_lock={longest:.2f}s files={self.files}"
        )


def erase(tables: dict[str, Iterable[str]], *, now: datetime.datetime) -> Erasure:
    """Make the deleted rows unrecoverable, then delete the files no row names any more — in
    this order, so that a file's key is gone before the file (crypto-shredding)."""
    rewrites = make_unrecoverable(tables)
    return Erasure(rewrites=rewrites, files=sweep_files(now=now))


@contextlib.contextmanager
def checkpoints_deferred(aliases: Iterable[str]) -> Iterator[None]:
    """SQLite: no automatic checkpoint on this connection while the block deletes.

    Each would copy the pages a batch freed into the database file and sync it, a fifth of a
    large purge's time; ``make_unrecoverable``'s own checkpoint follows the deletes anyway.
    The WAL grows meanwhile by what the deletes change; other connections checkpoint as usual.
    """
    deferred = [alias for alias in aliases if connections[alias].vendor == "sqlite"]
    for alias in deferred:
        with connections[alias].cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint = 0")
    try:
        yield
    finally:
        for alias in deferred:
            with connections[alias].cursor() as cursor:
                cursor.execute(f"PRAGMA wal_autocheckpoint = {SQLITE_AUTOCHECKPOINT_PAGES}")


def make_unrecoverable(tables: dict[str, Iterable[str]]) -> dict[str, float]:
    """Policy §6 나: after a delete, leave no copy of the deleted bytes in the database files.

    ``tables`` maps each database alias that lost rows to the tables it lost them from; the
    tables left pending by earlier runs are added. SQLite: checkpoint the WAL into the (zeroed)
    pages and truncate it. PostgreSQL: rewrite each table (see the module docstring). Returns
    how long each rewrite held its table's lock, in seconds. Inside a surrounding transaction
    (a test) nothing can be done and nothing is; the commands never run inside one. Raises
    EraseIncomplete, after doing all it can, when a table could not be locked in time.
    """
    held: dict[str, float] = {}
    ready = {alias: names for alias, names in tables.items() if not _in_transaction(alias)}
    sqlite = [alias for alias in ready if connections[alias].vendor == "sqlite"]
    # SQLite zeroes deleted cells as it deletes (secure_delete): nothing waits for a rewrite
    # there. Cleared first, so that this write too is checkpointed below.
    PendingErasure.objects.filter(database__in=sqlite).delete()
    for alias, names in ready.items():
        connection = connections[alias]
        if connection.vendor == "sqlite":
            if not _checkpoint_truncated(connection):
                raise EraseIncomplete(alias)
        elif connection.vendor == "postgresql":
            pending = PendingErasure.objects.filter(database=alias)
            names = set(names) | set(pending.values_list("table", flat=True))
            for table in sorted(names):
                seconds = _rewrite(connection, table)
                if seconds is None:
                    continue
                held[table] = seconds
                pending.filter(table=table).delete()
            left = list(pending.values_list("table", flat=True))
            if left:
                raise EraseIncomplete(f"{alias}: {', '.join(sorted(left))}")
    return held


def _checkpoint_truncated(connection) -> bool:
    """Checkpoint the WAL into the database file and truncate it; False if it stayed busy.

    A site writing meanwhile checkpoints too: its first commit after a large purge finds a long
    WAL and copies it back itself, and while it does, this checkpoint is refused at once rather
    than waiting. So it is tried again for up to ``CHECKPOINT_PATIENCE`` seconds.
    """
    deadline = time.monotonic() + CHECKPOINT_PATIENCE
    with connection.cursor() as cursor:
        while True:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            busy, _log_frames, _checkpointed = cursor.fetchone()
            if not busy or time.monotonic() > deadline:
                return not busy
            time.sleep(CHECKPOINT_RETRY)


def _in_transaction(alias: str) -> bool:
    # The pending erasures live in the primary database: a transaction there holds them too.
    return connections[alias].in_atomic_block or connections["default"].in_atomic_block


def _rewrite(connection, table: str) -> float | None:
    """Rewrite ``table`` and refresh its statistics; the seconds its lock was held, or None
    when it could not be locked in ``LOCK_ATTEMPTS`` tries of ``LOCK_TIMEOUT``."""
    quoted = connection.ops.quote_name(table)
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [quoted])
        kind = cursor.fetchone()
        if kind is None or kind[0] == "p":
            # Gone, or a partitioned parent: its partitions are rewritten one by one.
            return 0.0
        cursor.execute(f"SET lock_timeout = '{LOCK_TIMEOUT}'")
        try:
            for _attempt in range(LOCK_ATTEMPTS):
                started = time.monotonic()
                try:
                    cursor.execute(f"VACUUM (FULL, ANALYZE) {quoted}")
                except OperationalError as error:
                    if getattr(error.__cause__, "sqlstate", None) != LOCK_NOT_AVAILABLE:
                        raise
                    continue
                return time.monotonic() - started
            return None
        finally:
            cursor.execute("RESET lock_timeout")
