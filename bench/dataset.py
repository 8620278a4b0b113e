"""Bench data written through the models' own field lists, inside a Django process of the portal
under test (its environment chooses the databases).

    .venv/bin/python bench/dataset.py <module>:<function> '<JSON keyword arguments>'

runs ``function(**arguments)`` from ``bench/<module>.py`` after ``django.setup()``: the benches
start it as a child, so that their own memory stays that of a small script. ``insert`` is how
the functions write many rows fast without naming a column: a field added to a model is filled
with its default or, if it has none, stops the bench at once.
"""

from __future__ import annotations

import importlib
import itertools
import json
import os
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent


def run(env: dict[str, str], function: str, **arguments) -> str:
    """Run ``module:function`` of bench/ in a child Django process of ``env``; its stdout."""
    return subprocess.run(  # noqa: S603
        [sys.executable, str(BENCH / "dataset.py"), function, json.dumps(arguments)],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip


def insert(model, rows: Iterable[dict], *, using: str = "default", chunk: int = 20_000) -> int:
    """Write ``rows`` (dicts keyed by field attribute names) into ``model``'s table, in bulk.

    Every concrete field of the model is written, those a row leaves out at their default;
    the automatic primary key is left to the database unless the rows give it (then its
    sequence is moved past them on PostgreSQL). SQLite gets ``executemany``, PostgreSQL
    ``COPY``; values go through each field's own preparation, as the ORM would send them.
    """
    from django.db import connections, models, transaction

    connection = connections[using]
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return 0
    fields = [
        field
        for field in model._meta.concrete_fields
        if not (isinstance(field, models.AutoField) and field.attname not in first)
    ]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    written = 0
    with transaction.atomic(using=using), connection.cursor() as cursor:
        for batch in _batches(itertools.chain([first], rows), chunk):
            values = [
                [
                    field.get_db_prep_save(
                        row[field.attname] if field.attname in row else field.get_default(),
                        connection,
                    )
                    for field in fields
                ]
                for row in batch
            ]
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for value in values:
                        copy.write_row(value)
            else:
                marks = ", ".join(["%s"] * len(fields))
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", values)  # noqa: S608
            written += len(values)
        if connection.vendor == "postgresql" and model._meta.pk.attname in first:
            pk = model._meta.pk.column
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, %s), max({pk})) FROM {table}",  # noqa: S608
                [model._meta.db_table, pk],
            )
    return written


def _batches(rows: Iterable, size: int):
    rows = iter(rows)
    while batch := list(itertools.islice(rows, size)):
        yield batch


def main() -> None:
    sys.path[:0] = [str(ROOT), str(BENCH)]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nexcore_support.settings")
    import django

    django.setup()
    module, function = sys.argv[1].split(":")
    getattr(importlib.import_module(module), function)(**json.loads(sys.argv[2]))


if __name__ == "__main__":
    main()
