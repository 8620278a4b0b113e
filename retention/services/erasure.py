"""Deleting rows in bulk without loading them, and making the deleted bytes unrecoverable.

Policy §6 나: "전자적 파일 형태로 저장된 개인정보는 기록을 재생할 수 없는 기술적 방법을 사용하여
삭제합니다." SQLite runs with ``secure_delete`` on (settings), which zeroes freed cells and pages;
the old page images still sit in the write-ahead log until it is checkpointed and truncated. On
PostgreSQL a deleted row stays in its page until ``VACUUM`` reclaims it.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connections, models, transaction
from django.db.models import CASCADE, SET_NULL

from retention.exceptions import EraseIncomplete


def _reverse_relations(model: type[models.Model]):
    """Every foreign key pointing at ``model``, those without a reverse accessor included."""
    return [
        relation
        for relation in model._meta.get_fields(include_hidden=True)
        if relation.auto_created and not relation.concrete and not relation.many_to_many
    ]


def cascade_tables(model: type[models.Model]) -> list[str]:
    """The tables a delete from ``model`` touches: its own and those of its cascading rows."""
    tables = [model._meta.db_table]
    for relation in _reverse_relations(model):
        if relation.on_delete is CASCADE:
            tables.extend(cascade_tables(relation.related_model))
    return tables


def delete_rows(rows: models.QuerySet) -> int:
    """Delete ``rows`` with SQL DELETE statements and return how many went; nothing is loaded.

    ``QuerySet.delete()`` loads instances whenever a model has signal receivers or cascading
    relations; at millions of rows that is unbounded memory. Rows that cascade from these (e.g.
    django-axes' attempt expirations) are deleted first, by subquery, in the same transaction,
    and keys declared SET_NULL are cleared, as ``delete()`` would. Any other relation would need
    a decision this function cannot make, so it refuses.
    """
    model, using = rows.model, rows.db
    with transaction.atomic(using=using):
        for relation in _reverse_relations(model):
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


def make_unrecoverable(tables: dict[str, Iterable[str]]) -> None:
    """Policy §6 나: after a delete, leave no copy of the deleted bytes in the database files.

    ``tables`` maps each database alias that lost rows to the tables it lost them from. SQLite:
    checkpoint the WAL into the (zeroed) pages and truncate it. PostgreSQL: ``VACUUM`` the
    tables, outside any transaction as it must run. Inside a surrounding transaction (a test)
    neither is possible and both are skipped; the command never runs inside one.
    """
    for alias, names in tables.items():
        connection = connections[alias]
        if connection.in_atomic_block:
            continue
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                busy, _log_frames, _checkpointed = cursor.fetchone()
                if busy:
                    raise EraseIncomplete(alias)
            elif connection.vendor == "postgresql":
                for table in sorted(set(names)):
                    cursor.execute(f"VACUUM {connection.ops.quote_name(table)}")
